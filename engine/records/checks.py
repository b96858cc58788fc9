"""Checks a record must pass before it is written; each adds FieldErrors, none raises.

Each check looks at a batch (one record for ``create``, many for ``create_many``)
so that a bulk write costs one query per check, not one per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from hulian.engine.errors import FieldError
from hulian.engine.records.context import Context
from hulian.engine.records.plan import WritePlan, write_plan
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.security.disclosure import Disclosure
from hulian.engine.security.visibility import EDIT, READ, Visibility
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.field_types import inactive_options
from hulian.metadata.model import Field, label_text

CHUNK = 500
"""Values per statement where each is a parameter of its own (SQLite's ``IN``)."""
ARRAY_CHUNK = 10_000
"""Values per statement where they are one array parameter (PostgreSQL's ``= ANY``)."""


def _chunks(values: list[Any], dialect: str) -> Iterable[list[Any]]:
    size = ARRAY_CHUNK if dialect == "postgresql" else CHUNK
    for i in range(0, len(values), size):
        yield values[i:i + size]


def among(column: sa.ColumnElement[Any], name: str, dialect: str) -> sa.ColumnElement[bool]:
    """``column`` is one of the list bound as ``name``: on PostgreSQL ``= ANY(:name)``, one
    array parameter however long the list, so that the statement's text (and the plan the
    driver prepares for it) stays the same and nothing is rendered per value; an expanding
    ``IN`` elsewhere."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(sa.bindparam(name, expanding=True))


def check_required(plan: WritePlan, rows: list[dict[str, Any]], errors: list[FieldError],
                   *, partial: bool) -> None:
    """A required field must have a value (on update: only the fields being changed).

    A field whose given value was refused (or a row that is no record at all) already
    has its error: "required" would be noise.
    """
    if not plan.required:
        return
    refused = {(e.field, e.row) for e in errors}
    for i, row in enumerate(rows):
        for name in plan.required:
            if (name in row or not partial) and row.get(name) is None \
                    and (name, i) not in refused and (None, i) not in refused:
                errors.append(FieldError(name, "required", "a value is required", row=i))


def check_options(plan: WritePlan, rows: list[dict[str, Any]], errors: list[FieldError],
                  previous: dict[str, Any] | None = None) -> None:
    """New values may not choose inactive options (values already stored may keep them)."""
    for f in plan.retired_choices:
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
    for f in write_plan(ctx.schema, obj.api_name).references:
        wanted = sorted({row[f.api_name] for row in rows if row.get(f.api_name) is not None})
        if not wanted:
            continue
        query = _existing(ctx, f)
        found: set[str] = set()
        for chunk in _chunks(wanted, ctx.conn.dialect.name):
            found.update(ctx.conn.scalars(query, {"ids": chunk}))
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


def _existing(ctx: Context, f: Field) -> sa.Select:
    """The statement finding which of ``:ids`` are live records of ``f``'s target that the
    user may see (edit, for a master): a record the user may not see does not exist for
    them (no oracle). Built once per reader (or per schema, when it reads every record)."""
    target_obj = ctx.schema.target(f.target)
    access = EDIT if f.type == "master_detail" else READ
    dialect = ctx.conn.dialect.name
    visible = None if f.target not in ctx.schema.objects else \
        _visibility(ctx).predicate(target_obj, access)

    def build() -> sa.Select:
        target = target_obj.table
        query = sa.select(target.c.id).where(among(target.c.id, "ids", dialect),
                                             target.c.is_deleted == sa.false())
        return query if visible is None else query.where(visible)

    if visible is None:
        return ctx.schema.memo.get(("existing", f.target, dialect), build)
    return _visibility(ctx).statement(("existing", f.target, access, dialect), build)


def disclosure(ctx: Context) -> Disclosure | None:
    """What error messages may name to the user (None: system work, anything); one per
    reader, like their permissions."""
    visibility = ctx.visibility
    if visibility is None:
        return None
    return visibility.statement(("disclosure",),
                                lambda: Disclosure(ctx.schema, visibility.rights))


def _passing_filter(ctx: Context, obj: CompiledObject, name: str, target: str,
                    ids: list[str]) -> set[str] | None:
    """The ``ids`` that pass the lookup filter of field ``name``; None without a filter."""
    formula = ctx.schema.formulas[obj.api_name].lookup_filters.get(name)
    if formula is None:
        return None

    def build() -> sa.Select:
        from hulian.engine.formulas.select import base_select
        from hulian.engine.records.filters import compiled_filter

        target_obj = ctx.object(target)
        select = base_select(ctx.schema, target_obj)
        condition = compiled_filter(select, formula)
        return sa.select(target_obj.table.c.id).select_from(select.from_clause()).where(
            among(target_obj.table.c.id, "ids", dialect), condition)

    dialect = ctx.conn.dialect.name
    query = ctx.schema.memo.get(("lookup_filter", obj.api_name, name, dialect), build)
    passing: set[str] = set()
    for chunk in _chunks(ids, dialect):
        passing.update(ctx.conn.scalars(query, {"ids": chunk}))
    return passing


class Seen:
    """The unique values of the rows of one bulk write checked so far: field -> value -> the
    row (in the whole write) that has it first. :meth:`shifted` gives the view for a batch
    whose first row is row ``start`` of the write."""

    def __init__(self) -> None:
        self.first: dict[str, dict[Any, int]] = {}
        self.start = 0

    def shifted(self, start: int) -> Seen:
        view = Seen()
        view.first, view.start = self.first, start
        return view


def check_unique(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]],
                 errors: list[FieldError], *, exclude_id: str | None = None,
                 seen: Seen | None = None) -> None:
    """A unique field's value is not used by another live record, nor twice in the write
    (``seen``: the values of a bulk write's earlier batches)."""
    seen = seen or Seen()
    for f in write_plan(ctx.schema, obj.api_name).unique:
        first_row = seen.first.setdefault(f.api_name, {})
        fresh: dict[Any, int] = {}
        for i, row in enumerate(rows):
            value = row.get(f.api_name)
            if value is None:
                continue
            if value in first_row:
                errors.append(FieldError(f.api_name, "duplicate_value",
                                         f"the value is used by record {first_row[value] + 1} "
                                         "of the same write too", row=i))
            else:
                first_row[value] = seen.start + i
                fresh[value] = i
        query = _taken(ctx, obj, f.api_name, exclude_id is not None)
        taken: set[Any] = set()
        for chunk in _chunks(list(fresh), ctx.conn.dialect.name):
            taken.update(ctx.conn.scalars(query, {"values": chunk, "exclude": exclude_id}))
        for value, i in fresh.items():
            if value in taken:
                errors.append(FieldError(f.api_name, "duplicate_value",
                                         f"another {obj.api_name} record already has this value",
                                         "unique fields need a value no other record has",
                                         row=i, messages=_taken_messages(obj, f)))


def _taken_messages(obj: CompiledObject, f: Any) -> dict[str, str]:
    """The duplicate's message in the user's words: the field's and the object's labels."""
    model = obj.model
    return {"zh": f"已有其他{label_text(model.label, 'zh')}使用了此{label_text(f.label, 'zh')}",
            "en": f"another {label_text(model.label, 'en')} already has this "
                  f"{label_text(f.label, 'en')}"}


def _taken(ctx: Context, obj: CompiledObject, name: str, excluding: bool) -> sa.Select:
    """Which of ``:values`` live records of ``obj`` already hold in field ``name`` (all
    records: uniqueness is not a matter of permissions), but record ``:exclude``."""
    dialect = ctx.conn.dialect.name

    def build() -> sa.Select:
        column = obj.column(name)
        query = sa.select(column).where(among(column, "values", dialect),
                                        obj.table.c.is_deleted == sa.false())
        return query.where(obj.table.c.id != sa.bindparam("exclude")) if excluding else query

    return ctx.schema.memo.get(("taken", obj.api_name, name, excluding, dialect), build)


def check_owners(ctx: Context, rows: list[dict[str, Any]], errors: list[FieldError]) -> None:
    """An explicit ``owner_id`` names an active user of the tenant (a record always has an
    owner: null is refused)."""
    for i, row in enumerate(rows):
        if "owner_id" in row and row["owner_id"] is None:
            errors.append(FieldError("owner_id", "required", "a record always has an owner",
                                     row=i, hint="give an active user's id, or leave owner_id "
                                                 "out to keep the owner"))
    wanted = sorted({row["owner_id"] for row in rows if row.get("owner_id") is not None})
    if not wanted:
        return
    users = tables_of(ctx.conn, ctx.schema.tenant).users
    found = set(ctx.conn.scalars(sa.select(users.c.id).where(
        users.c.id.in_(wanted), users.c.is_active == sa.true())))
    for i, row in enumerate(rows):
        if row.get("owner_id") is not None and row["owner_id"] not in found:
            errors.append(FieldError("owner_id", "unknown_user",
                                     f"there is no active user with id {row['owner_id']!r}",
                                     row=i))
