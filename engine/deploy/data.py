"""Data checks and rewrites of a deploy, run inside its transaction.

Each function reads or rewrites one column of one object table, as it stands at
that point of the plan (``Column`` below names it and says how to read it), and
returns a :class:`Finding`: how many records were read and which ones failed. The
checks are the same on dry runs, which roll back at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from hulian.engine.deploy.report import MAX_EXAMPLES
from hulian.engine.schema.columns import column_type
from hulian.metadata.field_types import coercer
from hulian.metadata.model import Field
from hulian.metadata.values import ValueProblem

BATCH = 5000


@dataclass
class Finding:
    rows_checked: int = 0
    failed: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)
    plain: bool = True
    """check_values with a pattern: whether every non-blank value matched it."""

    def fail(self, record_id: str, value: Any, problem: str) -> None:
        self.failed += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append({"id": record_id, "value": _shown(value), "problem": problem})


def _shown(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date | dt.time):
        return str(value)
    if isinstance(value, list | tuple):
        return list(value)
    return value


@dataclass(frozen=True)
class Column:
    """Column ``name`` of table ``table`` (in ``schema``), holding values of ``field``."""

    table: str
    schema: str | None
    name: str
    field: Field

    def table_clause(self, *extra: sa.ColumnClause) -> sa.TableClause:
        return sa.table(self.table, sa.column("id", sa.String()),
                        sa.column("is_deleted", sa.Boolean()),
                        sa.column(self.name, column_type(self.field)), *extra,
                        schema=self.schema)


def _count(conn: sa.Connection, table: sa.TableClause, *where: Any) -> int:
    return conn.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0


def _batches(conn: sa.Connection, column: Column) -> Iterator[list[sa.Row]]:
    """Every (id, value) of the column, in id order, a batch at a time."""
    table = column.table_clause()
    after = ""
    while True:
        rows = conn.execute(sa.select(table.c.id, table.c[column.name])
                            .where(table.c.id > after).order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def too_long(conn: sa.Connection, column: Column, limit: int) -> Finding:
    """Stored values longer than ``limit`` characters."""
    table = column.table_clause()
    value = table.c[column.name]
    found = Finding(_count(conn, table))
    found.failed = _count(conn, table, sa.func.length(value) > limit)
    if not found.failed:
        return found
    for row in conn.execute(sa.select(table.c.id, value).where(sa.func.length(value) > limit)
                            .order_by(table.c.id).limit(MAX_EXAMPLES)):
        found.examples.append({"id": row[0], "value": row[1],
                               "problem": f"{len(row[1])} characters, at most {limit} fit"})
    return found


def blanks(conn: sa.Connection, column: Column) -> Finding:
    """Live records whose value is blank."""
    table = column.table_clause()
    live = table.c.is_deleted == sa.false()
    blank = table.c[column.name].is_(None)
    found = Finding(_count(conn, table, live))
    found.failed = _count(conn, table, live, blank)
    if not found.failed:
        return found
    found.examples = [{"id": r[0], "value": None, "problem": "blank"} for r in conn.execute(
        sa.select(table.c.id).where(live, blank).order_by(table.c.id).limit(MAX_EXAMPLES))]
    return found


def backfill(conn: sa.Connection, column: Column, value: Any) -> list[str]:
    """Fill every blank value (deleted records too) with ``value``; the ids filled."""
    table = column.table_clause()
    blank = table.c[column.name].is_(None)
    ids = list(conn.scalars(sa.select(table.c.id).where(blank).order_by(table.c.id)))
    conn.execute(table.update().where(blank).values({column.name: value}))
    return ids


def duplicates(conn: sa.Connection, column: Column) -> Finding:
    """Live records sharing a value with another live record."""
    table = column.table_clause()
    value = table.c[column.name]
    live = table.c.is_deleted == sa.false()
    found = Finding(_count(conn, table, live))
    shared = (sa.select(value).where(live, value.is_not(None)).group_by(value)
              .having(sa.func.count() > 1))
    found.failed = _count(conn, table, live, value.in_(shared))
    if not found.failed:
        return found
    for row in conn.execute(sa.select(table.c.id, value).where(live, value.in_(shared))
                            .order_by(value, table.c.id).limit(MAX_EXAMPLES)):
        found.examples.append({"id": row[0], "value": _shown(row[1]),
                               "problem": "another live record has this value"})
    return found


def portable(value: Any) -> Any:
    """A stored value as the JSON-ish value a coercer of another type accepts."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def converter(old: Field, new: Field) -> Callable[[Any], Any]:
    """old value -> new value; raises ValueProblem when it does not convert."""
    coerce = coercer(new)
    if old.kind.numeric and new.kind.numeric:
        return coerce
    options = {o.api_name for o in new.options if o.active}

    def convert(value: Any) -> Any:
        result = coerce(portable(value))
        if new.kind.choice and isinstance(result, str) and result not in options:
            raise ValueProblem("inactive_option", f"{result!r} is an inactive option")
        return result

    return convert


def check_values(conn: sa.Connection, column: Column, new: Field,
                 plain: re.Pattern[str] | None = None) -> Finding:
    """Records whose value ``new``'s rules refuse (nothing is written). With ``plain``,
    ``Finding.plain`` says whether every non-blank value also matches that pattern."""
    convert = converter(column.field, new)
    found = Finding()
    for rows in _batches(conn, column):
        found.rows_checked += len(rows)
        for record_id, value in rows:
            try:
                convert(value)
            except ValueProblem as problem:
                found.fail(record_id, value, problem.message)
                continue
            if plain is not None and found.plain and value is not None \
                    and not plain.fullmatch(value):
                found.plain = False
    return found


def convert_values(conn: sa.Connection, column: Column, target: str, new: Field) -> Finding:
    """Write every value of ``column``, converted for ``new``, into column ``target``.

    Nothing is written when a value does not convert: the finding lists them.
    """
    convert = converter(column.field, new)
    found = Finding()
    table = column.table_clause(sa.column(target, column_type(new)))
    update = table.update().where(table.c.id == sa.bindparam("_id")) \
        .values({target: sa.bindparam("_value", type_=column_type(new))})
    for rows in _batches(conn, column):
        found.rows_checked += len(rows)
        changes = []
        for record_id, value in rows:
            try:
                converted = convert(value)
            except ValueProblem as problem:
                found.fail(record_id, value, problem.message)
                continue
            if converted is not None:
                changes.append({"_id": record_id, "_value": converted})
        if changes and not found.failed:
            conn.execute(update, changes)
    return found


def has_rows(conn: sa.Connection, column: Column) -> int:
    return _count(conn, column.table_clause())
