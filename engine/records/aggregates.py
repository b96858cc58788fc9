"""Summaries of a list of records: COUNT, SUM, AVG, MIN and MAX of a field, exact.

The database computes them wherever it can do so exactly: always on PostgreSQL
(``numeric``), and on SQLite for stored fields (decimals are scaled integers there, so
sums are integer sums). A formula field on SQLite is computed as decimal text, which
SQLite would sum as floating point: its values are summed in Python instead, with exact
decimals, as are the rare sums past SQLite's 64-bit integers (``integer overflow``).
AVG is SUM / COUNT of the non-blank values in Python's decimal arithmetic (28 significant
digits), the same on both databases.

>>> s.aggregate("Order", "SUM", "total_amount", scene="mine")     # doctest: +SKIP
Decimal('1234.50')
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import QueryError
from hulian.engine.formulas.select import RecordSelect
from hulian.engine.records.filters import type_of
from hulian.engine.schema.compiled import CompiledObject

__all__ = ["FUNCTIONS", "Summary", "check", "from_row", "from_values", "statement"]

FUNCTIONS = ("COUNT", "SUM", "AVG", "MIN", "MAX")
NUMERIC = ("number", "currency", "percent", "integer")
ORDERED = (*NUMERIC, "date", "datetime", "time", "auto_number")


def check(obj: CompiledObject, function: Any, name: str | None) -> str:
    """The function's name in capitals, once it fits the field; QueryError otherwise (the
    field's existence, and whether the reader may see it, are checked before)."""
    chosen = function.upper() if isinstance(function, str) else function
    if chosen not in FUNCTIONS:
        raise QueryError(f"{str(function)[:40]!r} is not a summary function",
                         code="invalid_aggregate", parameter="function",
                         hint="use one of " + ", ".join(FUNCTIONS))
    if name is None:
        if chosen != "COUNT":
            raise QueryError(f"{chosen} needs a field to summarise", code="invalid_aggregate",
                             parameter="field", hint="name a numeric field, or use COUNT")
        return chosen
    kind = type_of(obj, name)
    allowed = NUMERIC if chosen in ("SUM", "AVG") else ORDERED if chosen != "COUNT" else None
    if allowed is not None and kind not in allowed:
        raise QueryError(f"{chosen} of {obj.api_name}.{name}: a {kind} field "
                         + ("cannot be summed or averaged" if chosen in ("SUM", "AVG")
                            else "has no order"),
                         code="invalid_aggregate", field=name,
                         hint="choose a number, currency or percent field"
                              + ("" if chosen in ("SUM", "AVG") else ", or a date or time"))
    return chosen


class Summary:
    """How one summary is read back: from the database's aggregates or from values."""

    def __init__(self, function: str, in_sql: bool, scale: int | None):
        self.function = function
        self.in_sql = in_sql
        self.scale = scale

    def zero(self) -> Decimal:
        return Decimal(0) if self.scale is None else Decimal(0).scaleb(-self.scale)


def in_database(select: RecordSelect, name: str | None) -> bool:
    """Whether the database sums ``name`` exactly (see the module's docstring)."""
    if name is None or select.dialect == "postgresql":
        return True
    return not (select.is_formula(name) and not select.quotes_stored(name))


def statement(select: RecordSelect, query: sa.Select, function: str, name: str | None
              ) -> tuple[sa.Select, Summary]:
    """The statement summarising the records ``query`` (built on ``select``) selects, and
    how to read its result."""
    f = select.obj.model.field(name) if name is not None else None
    scale = f.scale if f is not None and f.type in NUMERIC else None
    in_sql = in_database(select, name)
    if name is None:
        columns: list[Any] = [sa.func.count()]
    else:
        value = select.column(name)
        if not in_sql:
            columns = [value.label("v")]
        elif function == "COUNT":
            columns = [sa.func.count(value)]
        elif function in ("SUM", "AVG"):
            columns = [sa.func.sum(value), sa.func.count(value)]
        else:
            columns = [(sa.func.min if function == "MIN" else sa.func.max)(value)]
    found = query.with_only_columns(*columns).select_from(select.from_clause())
    return found, Summary(function, in_sql, scale)


def values_statement(select: RecordSelect, query: sa.Select, name: str) -> sa.Select:
    """The field's values of the records ``query`` selects (for a summary in Python)."""
    return query.with_only_columns(select.column(name).label("v")).select_from(
        select.from_clause())


def from_row(summary: Summary, row: Any) -> Any:
    """The summary from the database's aggregates (``row``)."""
    if summary.function == "COUNT":
        return int(row[0])
    if summary.function == "SUM":
        return summary.zero() if row[0] is None else Decimal(row[0])
    if summary.function == "AVG":
        return None if not row[1] else Decimal(row[0]) / Decimal(row[1])
    return row[0]


def from_values(summary: Summary, values: Iterable[Any]) -> Any:
    """The summary of the field's values, computed in Python with exact decimals."""
    present = [v for v in values if v is not None]
    if summary.function == "COUNT":
        return len(present)
    if summary.function in ("SUM", "AVG"):
        total = sum((Decimal(v) for v in present), summary.zero())
        if summary.function == "SUM":
            return total
        return total / Decimal(len(present)) if present else None
    if not present:
        return None
    return min(present) if summary.function == "MIN" else max(present)
