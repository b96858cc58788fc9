"""Reading and writing rows: typed values <-> the table's columns."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import NotFoundError
from hulian.engine.formulas.select import RecordSelect
from hulian.engine.records.context import Context
from hulian.engine.schema.compiled import CompiledObject


def to_record(row: sa.Row) -> dict[str, Any]:
    return dict(row._mapping)


def record_select(ctx: Context, obj: CompiledObject) -> RecordSelect:
    return RecordSelect(ctx.schema, obj, ctx.dialect, ctx.user.id, ctx.visibility)


def fetch(ctx: Context, obj: CompiledObject, record_id: Any, *, include_deleted: bool = False,
          for_update: bool = False, visible: Any = None) -> dict[str, Any]:
    """One record; NotFoundError when it is missing or (``visible``: a permission
    predicate) the user may not read it, with the same message either way."""
    missing = NotFoundError(f"there is no {obj.api_name} record with id {record_id!r}",
                            code="record_not_found")
    if not isinstance(record_id, str):
        raise missing
    select = record_select(ctx, obj)
    query = select.select().where(obj.table.c.id == record_id)
    if not include_deleted:
        query = query.where(obj.table.c.is_deleted == sa.false())
    if visible is not None:
        query = query.where(visible)
    query = query.select_from(select.from_clause())
    if for_update and ctx.dialect == "postgresql":
        query = query.with_for_update(of=obj.table)
    row = ctx.conn.execute(query).first()
    if row is None:
        raise missing
    return to_record(row)
