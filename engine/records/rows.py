"""Reading and writing rows: typed values <-> the table's columns."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import NotFoundError
from hulian.engine.records.context import Context
from hulian.engine.schema.columns import SYSTEM_FIELDS
from hulian.engine.schema.compiled import CompiledObject


def record_columns(obj: CompiledObject) -> list[sa.Column]:
    """Columns in record order: id, the object's fields, then the other system fields."""
    names = ["id", *obj.model.field_names, *(n for n in SYSTEM_FIELDS if n != "id")]
    return [obj.column(n) for n in names]


def to_record(row: sa.Row) -> dict[str, Any]:
    return dict(row._mapping)


def select_records(obj: CompiledObject) -> sa.Select:
    return sa.select(*record_columns(obj))


def fetch(ctx: Context, obj: CompiledObject, record_id: Any, *, include_deleted: bool = False,
          for_update: bool = False) -> dict[str, Any]:
    missing = NotFoundError(f"there is no {obj.api_name} record with id {record_id!r}",
                            code="record_not_found")
    if not isinstance(record_id, str):
        raise missing
    query = select_records(obj).where(obj.table.c.id == record_id)
    if not include_deleted:
        query = query.where(obj.table.c.is_deleted == sa.false())
    if for_update and ctx.dialect == "postgresql":
        query = query.with_for_update()
    row = ctx.conn.execute(query).first()
    if row is None:
        raise missing
    return to_record(row)
