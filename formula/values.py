"""Python-side value rules shared by every function: blanks, exact numbers, text."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

UTC = dt.UTC
DIVISION_PLACES = 20
"""Division and other inexact results are rounded (half away from zero) to this many places."""
INEXACT_PLACES = 15
"""SQRT, EXP, LN, LOG and fractional powers are rounded to this many places."""


def blank_text(value: str | None) -> str | None:
    """Empty text is blank."""
    return value if value else None


def quantize(value: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        # Enough digits for the whole result: a fixed precision raised InvalidOperation for
        # values of 1e80 and more (e.g. a 90-digit literal divided by 1).
        ctx.prec = max(100, value.adjusted() + places + 2)
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def divide(a: Decimal, b: Decimal) -> Decimal | None:
    if b == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 80
        return quantize(a / b, DIVISION_PLACES)


def normal(value: Decimal) -> Decimal:
    """A canonical Decimal (no exponent form for whole numbers): 1.50 -> 1.5, 1E+1 -> 10."""
    with localcontext() as ctx:
        # Never round: the default precision (28) would cut long values short or raise.
        ctx.prec = max(28, value.adjusted() + 2, len(value.as_tuple().digits) + 2)
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()


def python_value(value: Any) -> Any:
    """A Python value as the formula language sees it: floats and ints become Decimal (NaN
    and infinities, which no formula number can be, blank); empty text is blank; a datetime
    is in UTC (a naive one is read as UTC)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        return number if number.is_finite() else None
    if isinstance(value, str):
        return blank_text(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value
