"""The steps of the write pipeline (:mod:`hulian.engine.records.pipeline`), one function per
step, each doing one thing to a :class:`~hulian.engine.records.write.Write` by calling the
module that knows how (checks, business types, layouts, masters, roll-ups...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from hulian.engine.automations import apply as automations
from hulian.engine.errors import ConflictError, FieldError, PermissionDenied, RecordValidationError
from hulian.engine.formulas import records as formula_records
from hulian.engine.records import (
    assignment,
    business_types,
    checks,
    deletes,
    layout_writes,
    masters,
    owner_rules,
    prepare,
    rollup_sources,
    rollups,
)
from hulian.engine.records.bulk import insert_rows
from hulian.engine.records.context import Context
from hulian.engine.records.rows import fetch
from hulian.engine.records.write import Write, single
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.security.visibility import EDIT, READ

# -- shared opening steps of update, delete and restore ------------------------------------

def load_deleted(w: Write) -> None:
    load(w, include_deleted=True)


def load(w: Write, *, include_deleted: bool = False) -> None:
    assert w.record_id is not None
    w.current = fetch(w.ctx, w.obj, w.record_id, for_update=True, include_deleted=include_deleted,
                      visible=w.visibility.predicate(w.obj, READ) if w.visibility else None)


def editable(w: Write) -> None:
    """PermissionDenied unless the user may edit the (readable) record."""
    condition = w.visibility.predicate(w.obj, EDIT) if w.visibility else None
    if condition is None:
        return
    table = w.obj.table
    if w.ctx.conn.scalar(sa.select(table.c.id).where(table.c.id == w.record_id,
                                                     condition)) is None:
        raise PermissionDenied(f"you may read this {w.obj.api_name} record but not change it",
                               code="edit_denied",
                               hint="ask its owner, their department's leader or an admin")


def version(w: Write) -> None:
    assert w.current is not None
    if w.version is not None and w.version != w.current["version"]:
        raise ConflictError(
            f"{w.obj.api_name} record {w.current['id']} has changed since you read it "
            f"(your version {w.version}, current version {w.current['version']})",
            code="version_conflict", hint="read the record again and redo your change")


def bump(ctx: Context, obj: CompiledObject, current: Mapping[str, Any],
         values: Mapping[str, Any]) -> None:
    """Write ``values`` to the record and its next version; ConflictError if another
    transaction changed it since it was read."""
    table = obj.table
    result = ctx.conn.execute(table.update().where(
        table.c.id == current["id"], table.c.version == current["version"],
    ).values(**values, version=current["version"] + 1, updated_by=ctx.user.id,
             updated_at=ctx.now))
    if result.rowcount != 1:
        raise ConflictError(f"{obj.api_name} record {current['id']} was changed by someone "
                            "else meanwhile", code="version_conflict",
                            hint="read the record again and redo your change")


# -- create --------------------------------------------------------------------------------

def input(w: Write) -> None:
    w.inputs = w.guard.check_input(w.obj, w.inputs, w.errors,
                                   creating=w.record_id is None)


def coerce_new(w: Write) -> None:
    w.rows = prepare.coerce_many(w.obj, w.inputs, w.errors)


def business_type_new(w: Write) -> None:
    w.types = business_types.resolve_types(w.obj, w.rows, w.visibility, w.errors)


def layout_new(w: Write) -> None:
    w.layout = layout_writes.for_new(w.visibility, w.obj, w.types, w.rows, w.errors)


def defaults(w: Write) -> None:
    plain = w.plan.defaults == ()
    for row, btype in zip(w.rows, w.types, strict=True):
        if btype is not None and (btype.defaults or btype.options):
            business_types.apply_type_defaults(btype, w.obj, row)
        if not plain:
            prepare.apply_defaults(w.plan, row)


def default_formulas(w: Write) -> None:
    formula_records.apply_default_formulas(w.ctx, w.obj, w.rows, w.errors)


def follow_master(w: Write) -> None:
    masters.follow_masters(w.ctx, w.obj, w.rows, w.errors)


def required_new(w: Write) -> None:
    checks.check_required(w.plan, w.rows, w.errors, partial=False)
    if w.layout is not None:
        w.layout.check_required(w.rows, w.errors)


def options_new(w: Write) -> None:
    checks.check_options(w.plan, w.rows, w.errors)


def subsets_new(w: Write) -> None:
    for i, (row, btype) in enumerate(zip(w.rows, w.types, strict=True)):
        business_types.check_subsets(w.obj, btype, row, w.errors, i)
        business_types.check_dependencies(w.obj, row, row, w.errors, i)


def owners(w: Write) -> None:
    checks.check_owners(w.ctx, w.rows, w.errors)
    assignment.check_assignment(w.ctx, w.obj, w.rows, w.errors, w.inputs,
                                creating=w.current is None)


def references_new(w: Write) -> None:
    checks.check_references(w.ctx, w.obj, w.rows, w.errors)


def unique_new(w: Write) -> None:
    checks.check_unique(w.ctx, w.obj, w.rows, w.errors, seen=w.seen)


def rules_new(w: Write) -> None:
    formula_records.check_rules(w.ctx, w.obj, w.rows, [None] * len(w.rows), w.errors)


def apply_owner_rules(w: Write) -> None:
    owner_rules.assign_owners(w.ctx, w.obj, w.rows)


def stamp(w: Write) -> None:
    prepare.stamp_new(w.ctx, w.obj, w.rows)


def insert(w: Write) -> None:
    insert_rows(w.ctx, w.obj, w.rows)
    if w.ctx.journal is not None:
        w.ctx.journal.created(w.obj, w.rows)


def refresh_roll_ups(ctx: Context, obj: CompiledObject, *versions: list[Any]) -> None:
    """Recompute the roll-ups the given versions of ``obj`` records feed."""
    rollups.refresh(ctx.conn, ctx.schema, obj.api_name, rollups.parents_of(
        ctx.schema, obj.api_name, [r for batch in versions for r in batch]),
        journal=ctx.journal)


def roll_ups_new(w: Write) -> None:
    refresh_roll_ups(w.ctx, w.obj, w.rows)


# -- update --------------------------------------------------------------------------------

def coerce_change(w: Write) -> None:
    values = prepare.coerce(w.obj, w.inputs[0], 0, w.errors)
    if values is None:  # not a record at all: nothing else to check
        raise RecordValidationError(w.obj.api_name, single(w.errors))
    w.rows = [values]


def required_change(w: Write) -> None:
    checks.check_required(w.plan, w.rows, w.errors, partial=True)


def options_change(w: Write) -> None:
    checks.check_options(w.plan, w.rows, w.errors, previous=w.current)


def business_type_change(w: Write) -> None:
    values, current = w.rows[0], w.current or {}
    if values.get("business_type", current["business_type"]) != current["business_type"]:
        business_types.check_type_change(w.obj, values, w.visibility, w.errors)


def subsets_change(w: Write) -> None:
    values, current = w.rows[0], w.current or {}
    merged = {**current, **values}
    business_types.check_subsets(
        w.obj, w.obj.model.business_type(merged.get("business_type") or ""), values,
        w.errors, None, kept=current)
    business_types.check_dependencies(w.obj, merged, values, w.errors, None)


def layout_change(w: Write) -> None:
    layout_writes.check_update(w.visibility, w.obj, w.current or {}, w.rows[0], w.errors)


def references_change(w: Write) -> None:
    current = w.current or {}
    w.changed = {k: v for k, v in w.rows[0].items() if current.get(k) != v}
    checks.check_references(w.ctx, w.obj, [w.changed], w.errors)


def unique_change(w: Write) -> None:
    checks.check_unique(w.ctx, w.obj, [w.changed], w.errors, exclude_id=w.record_id)


def rules_change(w: Write) -> None:
    formula_records.check_rules(w.ctx, w.obj, w.rows, [w.current], w.errors)


def save(w: Write) -> None:
    if w.changed:
        assert w.current is not None and w.record_id is not None
        bump(w.ctx, w.obj, w.current, w.changed)
        if w.ctx.journal is not None:
            w.ctx.journal.updated(w.obj, w.record_id, w.current, w.changed)


def ownership(w: Write) -> None:
    moved = {k: v for k, v in w.changed.items() if k in masters.OWNERSHIP}
    if moved:
        assert w.record_id is not None
        masters.push_ownership(w.ctx, w.obj, [w.record_id], moved)


def roll_ups_change(w: Write) -> None:
    if w.changed:
        assert w.current is not None
        refresh_roll_ups(w.ctx, w.obj, [w.current, {**w.current, **w.changed}])


def quotes(w: Write) -> None:
    if w.changed:
        assert w.record_id is not None
        rollup_sources.propagate(w.ctx.conn, w.ctx.schema, w.obj.api_name, [w.record_id],
                                 journal=w.ctx.journal)


# -- delete and restore --------------------------------------------------------------------

def cascade_delete(w: Write) -> None:
    assert w.current is not None and w.record_id is not None
    current = w.current
    deletes.delete_tree(w.ctx, w.obj, w.record_id,
                        lambda: bump(w.ctx, w.obj, current, {"is_deleted": True}))


def restorable(w: Write) -> None:
    """A deleted record that points at deleted records is not brought back."""
    current = w.current or {}
    if not current["is_deleted"]:
        return
    errors: list[FieldError] = []
    others = {k: v for k, v in current.items() if v != w.record_id}  # self-references
    checks.check_references(w.ctx, w.obj, [others], errors)
    if errors:
        raise ConflictError(
            f"{w.obj.api_name} record {w.record_id} points at deleted records "
            f"({', '.join(e.field or '' for e in errors)})", code="restore_blocked",
            hint="restore the records it points at first, or clear those fields")


def cascade_restore(w: Write) -> None:
    current = w.current or {}
    if current["is_deleted"]:
        deletes.restore_tree(w.ctx, w.obj, current,
                             lambda: bump(w.ctx, w.obj, current, {"is_deleted": False}))


# -- automations ---------------------------------------------------------------------------

def automations_new(w: Write) -> None:
    automations.after_create(w)


def automations_change(w: Write) -> None:
    automations.after_update(w)


def scheduled_delete(w: Write) -> None:
    automations.after_delete(w)


def record_changes(w: Write) -> None:
    """The last step: what the journal holds goes to the outbox."""
    w.ctx.flush_changes()
