"""Inserting many rows fast: COPY on PostgreSQL, one prepared executemany on SQLite.

Rows arrive already coerced and checked; here they only become sequences of the
driver's values and go to the database in one stream. They are taken apart into
columns, and only the columns whose values the driver cannot take as they are get
converted, a whole column per call (a batch's one timestamp is formatted once).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from psycopg import sql

if TYPE_CHECKING:  # the outbox inserts with this module, and the context knows the outbox
    from hulian.engine.records.context import Context
    from hulian.engine.schema.compiled import CompiledObject

COPY_THRESHOLD = 20
ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]


def _bind_converters(columns: list[sa.Column], dialect: sa.Dialect
                     ) -> list[tuple[int, ColumnConverter]]:
    """What the driver's executemany needs, a column at a time: hulian's storage
    conversions for its own column types (``storage_column``, without SQLAlchemy's
    wrappers), SQLAlchemy's bind processors for the others, except where a column holds plain values
    whose stored form is known: booleans (sqlite3 stores True as the 1 SQLAlchemy would
    give) and dates on SQLite (SQLAlchemy's ``YYYY-MM-DD``)."""
    out: list[tuple[int, ColumnConverter]] = []
    for i, column in enumerate(columns):
        kind = column.type
        if hasattr(kind, "storage_column"):
            if kind.needs_storage(dialect.name):
                out.append((i, partial(kind.storage_column, dialect_name=dialect.name)))
            continue
        convert = kind.dialect_impl(dialect).bind_processor(dialect)
        if convert is None:
            continue
        if isinstance(kind, sa.Boolean) and dialect.name == "sqlite":
            out.append((i, partial(_booleans, convert)))
        elif type(kind) is sa.Date and dialect.name == "sqlite":
            out.append((i, partial(_dates, convert)))
        else:
            out.append((i, partial(_mapped, convert)))
    return out


def _mapped(convert: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    return list(map(convert, values))


def _booleans(convert: Callable[[Any], Any], values: Sequence[Any]) -> Sequence[Any]:
    """A column of True, False and None as it is (sqlite3 binds True as 1); anything else
    through SQLAlchemy's processor."""
    if set(map(type, values)) <= {bool, type(None)}:
        return values
    return list(map(convert, values))


def _dates(convert: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """A column of dates as SQLAlchemy stores them on SQLite (``YYYY-MM-DD``, which is
    what ``isoformat`` writes), formatted in C; anything else through its processor."""
    if set(map(type, values)) <= {dt.date, type(None)}:
        return [None if v is None else v.isoformat() for v in values]
    return list(map(convert, values))


def _copy_converters(columns: list[sa.Column], dialect: str
                     ) -> list[tuple[int, ColumnConverter]]:
    """hulian's storage conversions, for COPY (psycopg adapts everything else itself)."""
    return [(i, partial(column.type.storage_column, dialect_name=dialect))
            for i, column in enumerate(columns)
            if hasattr(column.type, "storage_column") and column.type.needs_storage(dialect)]


def _layout(columns: list[sa.Column], converters: list[tuple[int, ColumnConverter]]
            ) -> tuple[list[sa.Column], list[tuple[str, ColumnConverter]]]:
    """The order the statement lists ``columns`` in: those the driver takes as they are,
    then the converted ones; and the converted ones' names and converters."""
    converted = {i: convert for i, convert in converters}
    return ([c for i, c in enumerate(columns) if i not in converted]
            + [columns[i] for i in converted],
            [(columns[i].name, convert) for i, convert in converters])


def _values(rows: list[dict[str, Any]], plain: list[str],
            converted: list[tuple[str, ColumnConverter]]) -> list[tuple[Any, ...]]:
    """``rows`` as tuples of the driver's values (a missing key is NULL): first the
    ``plain`` columns' as they are, then each ``converted`` column's, converted a whole
    column at a time. Each value is read once, in C where every row has every column."""
    values = _taken(rows, plain)
    if not converted:
        return values
    columns = [convert(_taken_column(rows, name)) for name, convert in converted]
    return list(map(operator.add, values, zip(*columns, strict=True)))


def _taken(rows: list[dict[str, Any]], names: list[str]) -> list[tuple[Any, ...]]:
    if len(names) < 2:
        return [tuple(map(row.get, names)) for row in rows]
    try:
        return list(map(itemgetter(*names), rows))
    except KeyError:
        return [tuple(map(row.get, names)) for row in rows]


def _taken_column(rows: list[dict[str, Any]], name: str) -> list[Any]:
    try:
        return list(map(itemgetter(name), rows))
    except KeyError:
        return [row.get(name) for row in rows]


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
    if conn.dialect.paramstyle != "qmark":  # let SQLAlchemy bind
        # executemany takes its columns from the first row: give every row all of them.
        names = [c.name for c in columns]
        conn.execute(table.insert(), [{n: row.get(n) for n in names} for row in rows])
        return
    ordered, converted = _layout(columns, _bind_converters(columns, conn.dialect))
    in_order = sa.table(table.name, *(sa.column(c.name) for c in ordered), schema=table.schema)
    compiled = sa.insert(in_order).compile(dialect=conn.dialect,
                                           column_keys=[c.name for c in ordered])
    assert list(compiled.positiontup or ()) == [c.name for c in ordered]
    conn.exec_driver_sql(str(compiled),
                         _values(rows, [c.name for c in ordered[:-len(converted) or None]],
                                 converted))


def _copy(conn: sa.Connection, table: sa.Table, columns: list[sa.Column],
          rows: list[dict[str, Any]]) -> None:
    name = sql.Identifier(table.schema, table.name) if table.schema \
        else sql.Identifier(table.name)
    ordered, converted = _layout(columns, _copy_converters(columns, conn.dialect.name))
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        name, sql.SQL(", ").join(sql.Identifier(c.name) for c in ordered))
    values = _values(rows, [c.name for c in ordered[:-len(converted) or None]], converted)
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)
