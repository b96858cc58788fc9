"""Inserting many rows fast: COPY on PostgreSQL, one prepared executemany on SQLite.

Rows arrive already coerced and checked; here they only become sequences of the
driver's values and go to the database in one stream. Only the columns whose
values the driver cannot take as they are get a converter (built once per call),
and a converter reuses its last answer for the same object, so the batch's one
timestamp is formatted once, not once per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from psycopg import sql

from hulian.engine.schema.types import UTCDateTime

if TYPE_CHECKING:  # the outbox inserts with this module, and the context knows the outbox
    from hulian.engine.records.context import Context
    from hulian.engine.schema.compiled import CompiledObject

COPY_THRESHOLD = 20
Converter = Callable[[Any], Any]


def _remember_last(convert: Converter) -> Converter:
    last: list[Any] = [object(), None]

    def cached(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return cached


def _bind_converters(columns: list[sa.Column], dialect: sa.Dialect) -> list[tuple[int, Converter]]:
    """What the driver's executemany needs: hulian's storage conversions for its own column
    types (called directly, without SQLAlchemy's wrappers), SQLAlchemy's bind processors
    for the others (dates and times on SQLite). Timestamps remember their last answer (a
    batch shares one ``created_at``)."""
    out = []
    for i, column in enumerate(columns):
        kind = column.type
        convert: Converter | None
        if hasattr(kind, "to_storage"):
            if not kind.needs_storage(dialect.name):
                continue

            def convert(value: Any, store=kind.to_storage, name=dialect.name) -> Any:
                return None if value is None else store(value, name)
        else:
            convert = kind.dialect_impl(dialect).bind_processor(dialect)
            if convert is None:
                continue
        if isinstance(kind, UTCDateTime):
            convert = _remember_last(convert)
        out.append((i, convert))
    return out


def _copy_converters(columns: list[sa.Column], dialect: str) -> list[tuple[int, Converter]]:
    """hulian's storage conversions, for COPY (psycopg adapts everything else itself)."""
    out = []
    for i, column in enumerate(columns):
        kind = column.type
        if hasattr(kind, "to_storage") and kind.needs_storage(dialect):
            def convert(value: Any, store=kind.to_storage) -> Any:
                return None if value is None else store(value, dialect)
            out.append((i, _remember_last(convert) if isinstance(kind, UTCDateTime)
                        else convert))
    return out


def _values(rows: list[dict[str, Any]], columns: list[sa.Column],
            converters: list[tuple[int, Converter]]) -> list[tuple[Any, ...]]:
    names = [c.name for c in columns]
    if not converters:
        return [tuple(map(row.get, names)) for row in rows]
    out = []
    for row in rows:
        values = list(map(row.get, names))
        for i, convert in converters:
            values[i] = convert(values[i])
        out.append(tuple(values))
    return out


def insert_rows(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]]) -> None:
    insert_into(ctx.conn, obj.table, rows)


def insert_into(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (every column's value, by column name) into ``table``: COPY on
    PostgreSQL from :data:`COPY_THRESHOLD` rows, one prepared executemany otherwise."""
    if not rows:
        return
    columns = list(table.columns)
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy(conn, table, columns, rows)
        return
    if len(rows) == 1:
        conn.execute(table.insert(), rows[0])
        return
    compiled = table.insert().compile(dialect=conn.dialect,
                                      column_keys=[c.name for c in columns])
    if compiled.positiontup is None:  # a named paramstyle: let SQLAlchemy bind
        # executemany takes its columns from the first row: give every row all of them.
        names = [c.name for c in columns]
        conn.execute(table.insert(), [{n: row.get(n) for n in names} for row in rows])
        return
    ordered = [table.c[name] for name in compiled.positiontup]
    conn.exec_driver_sql(str(compiled),
                         _values(rows, ordered, _bind_converters(ordered, conn.dialect)))


def _copy(conn: sa.Connection, table: sa.Table, columns: list[sa.Column],
          rows: list[dict[str, Any]]) -> None:
    name = sql.Identifier(table.schema, table.name) if table.schema \
        else sql.Identifier(table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        name, sql.SQL(", ").join(sql.Identifier(c.name) for c in columns))
    values = _values(rows, columns, _copy_converters(columns, conn.dialect.name))
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)
