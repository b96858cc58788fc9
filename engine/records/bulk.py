"""Inserting many rows fast: COPY on PostgreSQL, one prepared executemany on SQLite.

Rows arrive already coerced and checked; here they only become tuples of the
driver's values (the columns' own bind processors, built once per call) and go
to the database in one stream.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from psycopg import sql

from hulian.engine.records.context import Context
from hulian.engine.schema.compiled import CompiledObject

COPY_THRESHOLD = 20


def _converters(columns: list[sa.Column], dialect: sa.Dialect) -> list:
    return [c.type.dialect_impl(dialect).bind_processor(dialect) if
            not isinstance(c.type, sa.types.TypeDecorator) else c.type.bind_processor(dialect)
            for c in columns]


def _tuples(rows: list[dict[str, Any]], columns: list[sa.Column], converters: list) -> list[tuple]:
    names = [c.name for c in columns]
    pairs = list(zip(names, converters, strict=True))
    return [tuple(convert(row.get(name)) if convert else row.get(name) for name, convert in pairs)
            for row in rows]


def insert_rows(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    conn = ctx.conn
    columns = list(obj.table.columns)
    if ctx.dialect == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy(conn, obj, columns, rows)
        return
    if len(rows) == 1:
        conn.execute(obj.table.insert().values(rows[0]))
        return
    compiled = obj.table.insert().compile(dialect=conn.dialect,
                                          column_keys=[c.name for c in columns])
    if compiled.positiontup is None:  # a named paramstyle: let SQLAlchemy bind
        # executemany takes its columns from the first row: give every row all of them.
        names = [c.name for c in columns]
        conn.execute(obj.table.insert(), [{n: row.get(n) for n in names} for row in rows])
        return
    ordered = [obj.table.c[name] for name in compiled.positiontup]
    conn.exec_driver_sql(str(compiled), _tuples(rows, ordered, _converters(ordered, conn.dialect)))


def _copy(conn: sa.Connection, obj: CompiledObject, columns: list[sa.Column],
          rows: list[dict[str, Any]]) -> None:
    table = sql.Identifier(obj.table.schema, obj.table.name) if obj.table.schema \
        else sql.Identifier(obj.table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        table, sql.SQL(", ").join(sql.Identifier(c.name) for c in columns))
    converters = [getattr(c.type, "to_storage", None) for c in columns]
    dialect = conn.dialect.name
    pairs = [(c.name, convert) for c, convert in zip(columns, converters, strict=True)]
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([
                convert(value, dialect) if convert and (value := row.get(name)) is not None
                else row.get(name)
                for name, convert in pairs
            ])
