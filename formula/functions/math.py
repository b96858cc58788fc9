"""Math functions: ABS, CEILING, FLOOR, MCEILING, MFLOOR, ROUND, TRUNC, MOD, MAX, MIN,
SQRT, EXP, LN, LOG.

Every function is strict (a blank argument gives blank) and never fails: where
Salesforce shows #Error! (SQRT of a negative, LN of zero, MOD by zero, EXP too
large) the result is blank, on both back-ends. Exact functions compute exactly;
SQRT, EXP, LN and LOG are rounded to ``INEXACT_PLACES`` decimals, half away from
zero. PostgreSQL computes them on the argument widened to 30 decimals, so that its
precision never falls below those places however large the argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)

import sqlalchemy as sa

from hulian.formula.functions.base import NUM, Function, numeric_of, register, signature
from hulian.formula.functions.operators import OVERFLOW
from hulian.formula.types import T, numeric_result
from hulian.formula.values import INEXACT_PLACES, quantize

DIGITS_LIMIT = 64
"""ROUND and TRUNC read their digits as a whole number between -64 and 64."""
EXP_LIMITS = (Decimal(-100), Decimal(100))
"""EXP below the first is 0 (it rounds to 0 anyway), above the second blank."""
WIDE = Decimal("1." + "0" * 30)


def _flavour(types: Sequence[T]) -> T:
    return numeric_result(types[0])


def _one(result=numeric_of):
    return signature([NUM], result)


def _plain(value: Decimal) -> Decimal:
    """No negative zero: PostgreSQL's numeric has none."""
    return value.copy_abs() if value.is_zero() else value


def _pg(build):
    """A PostgreSQL builder; a NULL literal argument makes the call NULL (all are strict)."""
    def builder(c, args, types, result):
        if T.NULL in types:
            return sa.cast(sa.null(), sa.Numeric())
        return build(*args)
    return builder


def _integral(rounding: str):
    return lambda value: _plain(value.to_integral_value(rounding))


# -- rounding ---------------------------------------------------------------------------------

def _digits(digits: Decimal) -> int:
    whole = digits.to_integral_value(ROUND_DOWN)
    return int(max(Decimal(-DIGITS_LIMIT), min(Decimal(DIGITS_LIMIT), whole)))


def _to_places(value: Decimal, places: int, rounding: str) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = max(100, value.adjusted() + places + 3)
        return _plain(value.quantize(Decimal(1).scaleb(-places), rounding=rounding))


def round_(value: Decimal, digits: Decimal) -> Decimal:
    return _to_places(value, _digits(digits), ROUND_HALF_UP)


def trunc(value: Decimal, digits: Decimal = Decimal(0)) -> Decimal:
    return _to_places(value, _digits(digits), ROUND_DOWN)


def _pg_digits(digits):
    # greatest/least skip NULLs: a blank digits argument must stay blank
    bounded = sa.func.greatest(sa.func.least(sa.func.trunc(digits), DIGITS_LIMIT),
                               -DIGITS_LIMIT)
    return sa.case((digits.is_(None), sa.null()), else_=sa.cast(bounded, sa.Integer))


def _pg_round(x, digits):
    return sa.func.round(x, _pg_digits(digits))


def _pg_trunc(x, digits=None):
    return sa.func.trunc(x) if digits is None else sa.func.trunc(x, _pg_digits(digits))


def _pg_ceiling(x):
    return sa.func.sign(x) * sa.func.ceil(sa.func.abs(x))


# -- MOD, MAX, MIN ----------------------------------------------------------------------------

def mod(value: Decimal, divisor: Decimal) -> Decimal | None:
    """The remainder with the sign of ``value`` (as Salesforce, PostgreSQL and Java do)."""
    if divisor == 0:
        return None
    lowest = min(value.as_tuple().exponent, divisor.as_tuple().exponent)
    with localcontext() as ctx:
        ctx.prec = 100 + max(value.adjusted(), divisor.adjusted()) - int(lowest)
        return _plain(value % divisor)


def _pg_mod(value, divisor):
    return sa.case((divisor == 0, sa.null()), else_=sa.func.mod(value, divisor))


def _pg_extreme(name: str):
    def build(*args):
        return sa.case((sa.or_(*(a.is_(None) for a in args)), sa.null()),
                       else_=getattr(sa.func, name)(*args))
    return build


# -- SQRT, EXP, LN, LOG -----------------------------------------------------------------------

def sqrt(value: Decimal) -> Decimal | None:
    if value < 0:
        return None
    with localcontext() as ctx:
        ctx.prec = max(100, value.adjusted() // 2 + INEXACT_PLACES + 20)
        return _plain(quantize(value.sqrt(), INEXACT_PLACES))


def exp(value: Decimal) -> Decimal | None:
    low, high = EXP_LIMITS
    if value > high:
        return None
    if value < low:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 100
        result = value.exp()
    if result >= OVERFLOW:
        return None
    return quantize(result, INEXACT_PLACES)


def ln(value: Decimal) -> Decimal | None:
    if value <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 100
        return quantize(value.ln(), INEXACT_PLACES)


def log10(value: Decimal) -> Decimal | None:
    if value <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 100
        return quantize(value.log10(), INEXACT_PLACES)


def _wide(x):
    return x * sa.literal(WIDE, sa.Numeric())


def _inexact(x):
    return sa.func.round(x, INEXACT_PLACES)


def _pg_sqrt(x):
    return sa.case((x < 0, sa.null()), else_=_inexact(sa.func.sqrt(_wide(x))))


def _pg_exp(x):
    low, high = EXP_LIMITS
    value = sa.func.exp(_wide(x))
    # The guards come first: PostgreSQL folds constant arms in order and stops at a true one.
    return sa.case(
        (x > high, sa.null()),
        (x < low, sa.literal(Decimal(0), sa.Numeric())),
        (value >= OVERFLOW, sa.null()),
        else_=_inexact(value),
    )


def _pg_logarithm(name: str):
    def build(x):
        return sa.case((x <= 0, sa.null()), else_=_inexact(getattr(sa.func, name)(_wide(x))))
    return build


register(Function(
    "ABS", 1, 1, _one(), lambda x: x.copy_abs(), pg=_pg(sa.func.abs),
    summary="the number without its sign", examples=("ABS(-12.5)",)))
register(Function(
    "CEILING", 1, 1, _one(), _integral(ROUND_UP), pg=_pg(_pg_ceiling),
    summary="rounds up to a whole number, away from zero: CEILING(-2.5) is -3",
    examples=("CEILING(2.1)", "CEILING(-2.5)")))
register(Function(
    "FLOOR", 1, 1, _one(), _integral(ROUND_DOWN), pg=_pg(sa.func.trunc),
    summary="rounds down to a whole number, toward zero: FLOOR(-2.5) is -2",
    examples=("FLOOR(2.9)", "FLOOR(-2.5)")))
register(Function(
    "MCEILING", 1, 1, _one(), _integral(ROUND_CEILING), pg=_pg(sa.func.ceil),
    summary="the smallest whole number not below the number: MCEILING(-2.5) is -2",
    examples=("MCEILING(-2.5)",)))
register(Function(
    "MFLOOR", 1, 1, _one(), _integral(ROUND_FLOOR), pg=_pg(sa.func.floor),
    summary="the largest whole number not above the number: MFLOOR(-2.5) is -3",
    examples=("MFLOOR(-2.5)",)))
register(Function(
    "ROUND", 2, 2, signature([NUM, NUM], _flavour), round_, pg=_pg(_pg_round),
    summary="rounds to the given number of decimals, half away from zero",
    examples=("ROUND(2.345, 2)", "ROUND(-2.5, 0)", "ROUND(1234, -2)")))
register(Function(
    "TRUNC", 1, 2, signature([NUM, NUM], _flavour), trunc, pg=_pg(_pg_trunc),
    summary="cuts the number to the given number of decimals (default 0), toward zero",
    examples=("TRUNC(2.789)", "TRUNC(-2.789, 1)")))
register(Function(
    "MOD", 2, 2, signature([NUM, NUM], _flavour), mod, pg=_pg(_pg_mod),
    summary="the remainder of the division, with the sign of the number; blank for 0",
    examples=("MOD(7, 3)", "MOD(-7, 3)")))
register(Function(
    "MAX", 1, None, signature([NUM], numeric_of, rest=NUM), lambda *xs: _plain(max(xs)),
    pg=_pg(_pg_extreme("greatest")), summary="the largest of the numbers",
    examples=("MAX(list_price * 0.8, floor_price)",)))
register(Function(
    "MIN", 1, None, signature([NUM], numeric_of, rest=NUM), lambda *xs: _plain(min(xs)),
    pg=_pg(_pg_extreme("least")), summary="the smallest of the numbers",
    examples=("MIN(discount, 0.25)",)))
register(Function(
    "SQRT", 1, 1, _one(T.NUMBER), sqrt, pg=_pg(_pg_sqrt),
    summary="the square root; blank for a negative number", examples=("SQRT(2)",)))
register(Function(
    "EXP", 1, 1, _one(T.NUMBER), exp, pg=_pg(_pg_exp),
    summary="e raised to the power of the number; blank when 1e38 or more",
    examples=("EXP(1)",)))
register(Function(
    "LN", 1, 1, _one(T.NUMBER), ln, pg=_pg(_pg_logarithm("ln")),
    summary="the natural logarithm; blank for zero and negative numbers",
    examples=("LN(10)",)))
register(Function(
    "LOG", 1, 1, _one(T.NUMBER), log10, pg=_pg(_pg_logarithm("log")),
    summary="the base-10 logarithm; blank for zero and negative numbers",
    examples=("LOG(1000)",)))

__all__ = ["DIGITS_LIMIT", "EXP_LIMITS", "exp", "ln", "log10", "mod", "round_", "sqrt",
           "trunc"]
