"""Reading and writing rows: typed values <-> the table's columns."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import NotFoundError
from hulian.engine.formulas.select import RecordSelect, base_select, reads_others
from hulian.engine.records.context import Context
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.values import storable


def to_record(row: sa.Row) -> dict[str, Any]:
    return dict(zip(row._fields, row, strict=True))


def to_records(result: sa.CursorResult, hidden: frozenset[str] = frozenset()
               ) -> list[dict[str, Any]]:
    """Every row of ``result`` as a record (column -> value), leaving out the ``hidden``
    columns; fetched at once and zipped with the keys (several times faster per row than
    a mapping per row, which a 50-row page notices)."""
    keys = list(result.keys())
    if hidden:
        return [{k: v for k, v in zip(keys, row, strict=True) if k not in hidden}
                for row in result.all()]
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def record_select(ctx: Context, obj: CompiledObject) -> RecordSelect:
    """A record select of ``obj`` for the context's user, to build one query on."""
    return base_select(ctx.schema, obj, ctx.user.id, ctx.visibility)


def _fetch_statement(ctx: Context, obj: CompiledObject, include_deleted: bool,
                     for_update: bool, visible: Any) -> sa.Select:
    select = record_select(ctx, obj)
    query = select.select().where(obj.table.c.id == sa.bindparam("record_id"))
    if not include_deleted:
        query = query.where(obj.table.c.is_deleted == sa.false())
    if visible is not None:
        query = query.where(visible)
    query = query.select_from(select.from_clause())
    if for_update and ctx.dialect == "postgresql":
        query = query.with_for_update(of=obj.table)
    return query


def fetch(ctx: Context, obj: CompiledObject, record_id: Any, *, include_deleted: bool = False,
          for_update: bool = False, visible: Any = None) -> dict[str, Any]:
    """One record; NotFoundError when it is missing or (``visible``: a permission
    predicate) the user may not read it, with the same message either way.

    The statement is built once per reader (with ``record_id`` bound at each call): once
    per schema version when neither the permission predicate nor the object's formulas
    depend on the reader."""
    shown = repr(record_id)
    missing = NotFoundError(f"there is no {obj.api_name} record with id "
                            f"{shown if len(shown) <= 80 else shown[:60] + '...'}",
                            code="record_not_found")
    if not isinstance(record_id, str) or not storable(record_id):  # no id holds NUL
        raise missing
    key = ("fetch", obj.api_name, include_deleted, for_update, visible is not None)

    def build() -> sa.Select:
        return _fetch_statement(ctx, obj, include_deleted, for_update, visible)

    shared = visible is None and not reads_others(ctx.schema, obj)
    if shared or ctx.visibility is None:
        query = ctx.schema.memo.get(key, build) if shared else build()
    else:
        query = ctx.visibility.statement(key, build)
    row = ctx.conn.execute(query, {"record_id": record_id}).first()
    if row is None:
        raise missing
    return to_record(row)
