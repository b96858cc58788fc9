"""Checks a record must pass before it is written; each adds FieldErrors, none raises.

Each check looks at a batch (one record for ``create``, many for ``create_many``)
so that a bulk write costs one query per check, not one per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import FieldError
from hulian.engine.records.context import Context
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.security.disclosure import Disclosure
from hulian.engine.security.visibility import EDIT, READ, Visibility
from hulian.engine.system.tables import users
from hulian.metadata.values import inactive_options

CHUNK = 500


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


def check_required(obj: CompiledObject, rows: list[dict[str, Any]], errors: list[FieldError],
                   *, partial: bool) -> None:
    """A required field must have a value (on update: only the fields being changed).

    A field whose given value was refused (or a row that is no record at all) already
    has its error: "required" would be noise.
    """
    required = [f for f in obj.model.fields if f.required and f.type not in
                ("boolean", "auto_number")]
    refused = {(e.field, e.row) for e in errors}
    for i, row in enumerate(rows):
        for f in required:
            if (f.api_name in row or not partial) and row.get(f.api_name) is None \
                    and (f.api_name, i) not in refused and (None, i) not in refused:
                errors.append(FieldError(f.api_name, "required", "a value is required", row=i))


def check_options(obj: CompiledObject, rows: list[dict[str, Any]], errors: list[FieldError],
                  previous: dict[str, Any] | None = None) -> None:
    """New values may not choose inactive options (values already stored may keep them)."""
    for f in obj.model.fields:
        if f.type not in ("picklist", "multi_picklist"):
            continue
        for i, row in enumerate(rows):
            if f.api_name not in row:
                continue
            kept = previous.get(f.api_name) if previous else None
            kept_set = set(kept if isinstance(kept, list) else [kept] if kept else [])
            for name in inactive_options(f, row[f.api_name]):
                if name not in kept_set:
                    errors.append(FieldError(f.api_name, "inactive_option",
                                             f"option {name!r} is no longer active",
                                             "choose an active option", row=i))


def check_references(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]],
                     errors: list[FieldError]) -> None:
    """Every lookup value names a live record of the target object."""
    for f in obj.model.fields:
        if not f.is_reference:
            continue
        wanted = sorted({row[f.api_name] for row in rows if row.get(f.api_name) is not None})
        if not wanted:
            continue
        target_obj = ctx.schema.target(f.target)
        target = target_obj.table
        # A record the user may not see does not exist for them (no oracle); a detail
        # needs a master the user may edit.
        visible = None if f.target not in ctx.schema.objects else \
            _visibility(ctx).predicate(target_obj, EDIT if f.type == "master_detail" else READ)
        found: set[str] = set()
        for chunk in _chunks(wanted):
            query = sa.select(target.c.id).where(target.c.id.in_(chunk),
                                                 target.c.is_deleted == sa.false())
            found.update(ctx.conn.scalars(query if visible is None else query.where(visible)))
        passing = _passing_filter(ctx, obj, f.api_name, f.target, sorted(found))
        shown = disclosure(ctx)
        named = shown is None or shown.nameable(f.target)
        what = f"{f.target} record" if named else "record"
        rule = f" ({f.lookup_filter})" if named and (
            shown is None or shown.formula_shown(f.target, f.lookup_filter)) else ""
        for i, row in enumerate(rows):
            value = row.get(f.api_name)
            if value is not None and value not in found:
                errors.append(FieldError(f.api_name, "unknown_reference",
                                         f"there is no {what} with id {value!r}", row=i))
            elif value is not None and passing is not None and value not in passing:
                errors.append(FieldError(
                    f.api_name, "lookup_filter",
                    f"the {what} {value!r} does not match the lookup filter{rule}",
                    "choose a record the filter allows", row=i))


def _visibility(ctx: Context) -> Visibility:
    return ctx.visibility or Visibility.of(ctx.conn, ctx.schema, ctx.user)


def disclosure(ctx: Context) -> Disclosure | None:
    """What error messages may name to the user (None: system work, anything)."""
    return None if ctx.visibility is None else Disclosure(ctx.schema, ctx.visibility.rights)


def _passing_filter(ctx: Context, obj: CompiledObject, name: str, target: str,
                    ids: list[str]) -> set[str] | None:
    """The ``ids`` that pass the lookup filter of field ``name``; None without a filter."""
    from hulian.engine.formulas.select import RecordSelect
    from hulian.engine.records.filters import compiled_filter

    formula = ctx.schema.formulas[obj.api_name].lookup_filters.get(name)
    if formula is None:
        return None
    target_obj = ctx.object(target)
    passing: set[str] = set()
    for chunk in _chunks(ids):
        select = RecordSelect(ctx.schema, target_obj, ctx.dialect)
        condition = compiled_filter(select, formula)
        passing.update(ctx.conn.scalars(
            sa.select(target_obj.table.c.id).select_from(select.from_clause())
            .where(target_obj.table.c.id.in_(chunk), condition)))
    return passing


def check_unique(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]],
                 errors: list[FieldError], *, exclude_id: str | None = None) -> None:
    """A unique field's value is not used by another live record, nor twice in the batch."""
    for f in obj.model.fields:
        if not f.unique or f.type == "auto_number":
            continue
        column = obj.column(f.api_name)
        first_row: dict[Any, int] = {}
        for i, row in enumerate(rows):
            value = row.get(f.api_name)
            if value is None:
                continue
            if value in first_row:
                errors.append(FieldError(f.api_name, "duplicate_value",
                                         f"the value is used by record {first_row[value] + 1} "
                                         "of this batch too", row=i))
            else:
                first_row[value] = i
        taken: set[Any] = set()
        for chunk in _chunks(list(first_row)):
            query = sa.select(column).where(column.in_(chunk), obj.table.c.is_deleted == sa.false())
            if exclude_id is not None:
                query = query.where(obj.table.c.id != exclude_id)
            taken.update(ctx.conn.scalars(query))
        for value, i in first_row.items():
            if value in taken:
                errors.append(FieldError(f.api_name, "duplicate_value",
                                         f"another {obj.api_name} record already has this value",
                                         "unique fields need a value no other record has",
                                         row=i))


def check_owners(ctx: Context, rows: list[dict[str, Any]], errors: list[FieldError]) -> None:
    """An explicit ``owner_id`` names an active user of the tenant."""
    wanted = sorted({row["owner_id"] for row in rows if row.get("owner_id") is not None})
    if not wanted:
        return
    found = set(ctx.conn.scalars(sa.select(users.c.id).where(
        users.c.tenant == ctx.schema.tenant, users.c.id.in_(wanted),
        users.c.is_active == sa.true())))
    for i, row in enumerate(rows):
        if "owner_id" in row and row["owner_id"] not in found:
            errors.append(FieldError("owner_id", "unknown_user",
                                     f"there is no active user with id {row['owner_id']!r}",
                                     row=i))
