"""The formula language's types and how they relate.

Numbers come in three flavours that mix freely (number, currency, percent);
``null`` is the type of the NULL literal, which fits anywhere.
"""

from __future__ import annotations

from enum import StrEnum

from hulian.metadata.field_types import REGISTERED


class T(StrEnum):
    NUMBER = "number"
    CURRENCY = "currency"
    PERCENT = "percent"
    TEXT = "text"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    PICKLIST = "picklist"
    MULTI_PICKLIST = "multi_picklist"
    NULL = "null"


NUMERIC = frozenset({T.NUMBER, T.CURRENCY, T.PERCENT})
RESULT_TYPES = frozenset(T) - {T.NULL, T.PICKLIST, T.MULTI_PICKLIST}
"""Types a formula field may declare as its result."""

FIELD_TYPE_MAP: dict[str, T] = {t.name: T(t.formula_type) for t in REGISTERED}
"""Field types of the metadata -> formula types (each field type declares its own)."""


def is_numeric(t: T) -> bool:
    return t in NUMERIC or t is T.NULL


def numeric_result(*types: T) -> T:
    """The flavour of a numeric result: shared flavour when all agree, else number."""
    flavours = {t for t in types if t in NUMERIC}
    return flavours.pop() if len(flavours) == 1 else T.NUMBER


def fits(actual: T, expected: T) -> bool:
    """Whether a value of ``actual`` type can stand where ``expected`` is wanted."""
    if actual is T.NULL or actual == expected:
        return True
    return actual in NUMERIC and expected in NUMERIC


def common(a: T, b: T) -> T | None:
    """The type two branches (IF, CASE, comparisons) share, or None when they do not."""
    if a is T.NULL:
        return b
    if b is T.NULL or a == b:
        return a
    if a in NUMERIC and b in NUMERIC:
        return numeric_result(a, b)
    return None
