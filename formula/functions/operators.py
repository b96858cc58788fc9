"""Operators: + - * / ^ & = != < <= > >= && || ! and unary minus, as internal functions.

Blank handling: arithmetic with a blank gives blank; ``&`` reads blank text as
empty; ``=`` and ``!=`` on text read blank as empty (so ``name = ""`` tests for a
blank name, as in Salesforce); other comparisons with a blank give blank, which
IF and validation rules treat as false. ``&&``, ``||`` and ``!`` use three-valued
logic (blank is "unknown"), exactly like SQL. ``&`` (and ``+`` on text) raise
``formula.text_too_long`` rather than build a text longer than ``TEXT_LIMIT``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import Grouping

from hulian.formula.functions.base import (
    ArgTypeError,
    Function,
    numeric_of,
    register,
)
from hulian.formula.limits import TEXT_LIMIT, check_length
from hulian.formula.python import typed_impl
from hulian.formula.sql import sql_type
from hulian.formula.sql_errors import raise_sql
from hulian.formula.types import NUMERIC, T, common
from hulian.formula.values import DIVISION_PLACES, INEXACT_PLACES, divide, quantize

TEXTY = (T.TEXT, T.NULL)
EXACT = Context(prec=400, Emax=999_999, Emin=-999_999)
"""Sums, differences and products are exact (PostgreSQL's numeric is)."""
MS_PER_DAY = 86_400_000
US_PER_DAY = 86_400_000_000
US_MIN = -62_135_596_800_000_000
"""0001-01-01 00:00:00 UTC in microseconds since 1970."""
US_MAX = 253_402_300_799_999_999
"""9999-12-31 23:59:59.999999 UTC in microseconds since 1970."""
DAYS_MAX = 3_652_058
"""9999-12-31 in days since 0001-01-01."""
POW_LIMIT = 100
OVERFLOW = Decimal("1e38")


def _num(t: T) -> bool:
    return t in NUMERIC or t is T.NULL


# -- + and - ----------------------------------------------------------------------------------

def _add_type(types: Sequence[T]) -> T:
    a, b = types
    if _num(a) and _num(b):
        return numeric_of(types)
    for x, y in ((a, b), (b, a)):
        if x in (T.DATE, T.DATETIME, T.TIME) and _num(y):
            return x
    if a in TEXTY and b in TEXTY:
        return T.TEXT
    raise ArgTypeError(None, f"cannot add {a.value} and {b.value}")


def _sub_type(types: Sequence[T]) -> T:
    a, b = types
    if _num(a) and _num(b):
        return numeric_of(types)
    if a in (T.DATE, T.DATETIME, T.TIME) and _num(b):
        return a
    if a == b and a in (T.DATE, T.DATETIME, T.TIME):
        return T.NUMBER
    raise ArgTypeError(None, f"cannot subtract {b.value} from {a.value}")


def _shift(value: Any, amount: Decimal, kind: T) -> Any:
    """date + whole days (the fraction is dropped, as in Salesforce), datetime + days to the
    microsecond, time + milliseconds (wrapping around midnight); blank past years 1..9999.

    An amount of any size is computed quickly: past DAYS_MAX days no date is reached, and a
    time only needs the amount modulo a day (int() of 1e99999 would take minutes)."""
    if kind is not T.TIME and amount.copy_abs() > DAYS_MAX:
        return None
    if kind is T.TIME and amount.copy_abs() >= MS_PER_DAY:
        with localcontext() as ctx:
            _, digits, exponent = amount.as_tuple()
            ctx.prec = len(digits) + max(int(exponent), 0) + 20
            ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
            amount = amount % MS_PER_DAY  # exact, with the sign of the amount
    try:
        if kind is T.DATE:
            return value + dt.timedelta(days=int(amount))
        with localcontext() as ctx:
            ctx.prec = 100
            if kind is T.DATETIME:
                micro = int((amount * US_PER_DAY).to_integral_value(ROUND_HALF_UP))
                return value + dt.timedelta(microseconds=micro)
            micro = int((amount * 1000).to_integral_value(ROUND_HALF_UP)) % US_PER_DAY
    except OverflowError:
        return None
    moment = dt.datetime.combine(dt.date(2000, 1, 1), value) + dt.timedelta(microseconds=micro)
    return moment.time()


@typed_impl
def add(types: Sequence[T], a: Any, b: Any) -> Any:
    """Not strict: text + blank is the text (as '&'); every other blank gives blank."""
    ta, tb = types
    if T.TEXT in types:
        return concat(a, b)
    if a is None or b is None:
        return None
    if ta in (T.DATE, T.DATETIME, T.TIME):
        return _shift(a, b, ta)
    if tb in (T.DATE, T.DATETIME, T.TIME):
        return _shift(b, a, tb)
    return EXACT.add(a, b)


@typed_impl
def subtract(types: Sequence[T], a: Any, b: Any) -> Any:
    ta, tb = types
    if ta is T.DATE and tb is T.DATE:
        return Decimal((a - b).days)
    if ta is T.DATETIME and tb is T.DATETIME:
        delta = a - b
        micro = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return divide(Decimal(micro), Decimal(86_400_000_000))
    if ta is T.TIME and tb is T.TIME:
        day = dt.date(2000, 1, 1)
        delta = dt.datetime.combine(day, a) - dt.datetime.combine(day, b)
        return Decimal(delta // dt.timedelta(microseconds=1)) / 1000
    if ta in (T.DATE, T.DATETIME, T.TIME):
        return _shift(a, -b, ta)
    return EXACT.subtract(a, b)


def _pg_epoch_micro(value: Any) -> Any:
    return sa.cast(sa.extract("epoch", value), sa.Numeric()) * 1_000_000


def _pg_within(value: Any, low: int, high: int) -> Any:
    """``low <= value <= high`` naming ``value`` once (BETWEEN would evaluate it twice)."""
    return sa.func.abs(value * 2 - (low + high)) <= high - low


def _pg_shift(value: Any, amount: Any, kind: T) -> Any:
    """The SQL of ``_shift``: blank outside years 1..9999, exact to the microsecond."""
    amount = sa.cast(amount, sa.Numeric())
    if kind is T.DATE:
        days = sa.func.trunc(amount)
        since_year_one = value - sa.cast(sa.literal(dt.date(1, 1, 1), sa.Date()), sa.Date())
        within = _pg_within(since_year_one + days, 0, DAYS_MAX)
        # PostgreSQL folds constants even in the branch the guard does not take: an
        # out-of-range shift adds nothing there, so folding it cannot raise.
        safe = sa.case((within, days), else_=0)
        return sa.case((within, value + sa.cast(safe, sa.Integer)))
    micro = sa.func.round(amount * US_PER_DAY)
    if kind is T.DATETIME:
        # Whole days plus microseconds: no float rounds the sum; UTC wall-clock time, so a
        # session time zone with daylight saving cannot stretch a day.
        within = _pg_within(_pg_epoch_micro(value) + micro, US_MIN, US_MAX)
        # as for dates: the branch the guard does not take shifts by nothing
        safe = sa.case((within, micro), else_=0)
        days = sa.func.make_interval(0, 0, 0, sa.cast(sa.func.div(safe, US_PER_DAY),
                                                       sa.Integer))
        rest = sa.cast(sa.func.mod(safe, US_PER_DAY), sa.Float) * \
            sa.text("interval '1 microsecond'")
        utc = sa.literal("UTC", sa.Text())
        moved = sa.func.timezone(utc, sa.func.timezone(utc, value) + days + rest,
                                 type_=sa.DateTime(timezone=True))
        return sa.case((within, moved))
    micro = sa.func.round(sa.func.mod(amount, MS_PER_DAY) * 1000)
    return value + sa.cast(micro, sa.Float) * sa.text("interval '1 microsecond'")


def _pg_blank_moment(types: Sequence[T], result: T) -> Any:
    """A typed NULL for date arithmetic with a bare ``null`` (PostgreSQL cannot type it)."""
    if T.NULL in types and result in (T.DATE, T.DATETIME, T.TIME):
        return sa.cast(sa.null(), sql_type(result))
    return None


def _pg_add(c, args, types, result):
    blank = _pg_blank_moment(types, result)
    if blank is not None:
        return blank
    a, b = args
    ta, tb = types
    if ta in (T.DATE, T.DATETIME, T.TIME):
        return _pg_shift(a, b, ta)
    if tb in (T.DATE, T.DATETIME, T.TIME):
        return _pg_shift(b, a, tb)
    if result is T.TEXT:
        return _pg_concat(c, args, types, result)
    return a + b


def _pg_sub(c, args, types, result):
    blank = _pg_blank_moment(types, result)
    if blank is not None:
        return blank
    a, b = args
    ta, tb = types
    if ta is T.DATE and tb is T.DATE:
        return sa.cast(a - b, sa.Numeric)
    if ta is T.DATETIME and tb is T.DATETIME:
        micro = _pg_epoch_micro(a) - _pg_epoch_micro(b)
        # The widening factor makes PostgreSQL divide to 30+ places before rounding.
        widened = micro * sa.literal(Decimal("1." + "0" * 30), sa.Numeric())
        return sa.func.round(widened / US_PER_DAY, DIVISION_PLACES)
    if ta is T.TIME and tb is T.TIME:
        return sa.extract("epoch", a - b) * 1000
    if ta in (T.DATE, T.DATETIME, T.TIME):
        return _pg_shift(a, -b, ta)
    return a - b


# -- * / ^ and unary minus -------------------------------------------------------------------

def _numeric_pair(types: Sequence[T]) -> T:
    for i, t in enumerate(types):
        if not _num(t):
            raise ArgTypeError(i, f"needs numbers, not {t.value}")
    return numeric_of(types)


def power(a: Decimal, b: Decimal) -> Decimal | None:
    if abs(b) > POW_LIMIT or (a == 0 and b < 0) or (a < 0 and b != b.to_integral_value()):
        return None
    if b == 0:
        return Decimal(1)  # also 0 ^ 0, as PostgreSQL's power() says
    with localcontext() as ctx:
        ctx.prec = 100
        if b == b.to_integral_value():
            value = a ** int(b)
            places = DIVISION_PLACES
        else:
            value = (b * a.ln()).exp()
            places = INEXACT_PLACES
    if abs(value) >= OVERFLOW:
        return None
    return quantize(value, places)


def _pg_power(c, args, types, result):
    a, b = args
    # widened like division: PostgreSQL's power() keeps as many decimals as its inputs have
    # (at least ~16 significant digits), fewer than the 20 (or 15) places we round to
    a = a * sa.literal(Decimal("1." + "0" * 30), sa.Numeric())
    whole = b == sa.func.trunc(b)
    return sa.case(
        (sa.or_(sa.func.abs(b) > POW_LIMIT, sa.and_(a == 0, b < 0),
                sa.and_(a < 0, sa.not_(whole))), sa.null()),
        (sa.func.abs(sa.func.power(a, b)) >= OVERFLOW, sa.null()),
        (whole, sa.func.round(sa.func.power(a, b), DIVISION_PLACES)),
        else_=sa.func.round(sa.func.power(a, b), INEXACT_PLACES),
    )


def _pg_divide(c, args, types, result):
    a, b = args
    widened = a * sa.literal(Decimal("1." + "0" * 30), sa.Numeric())
    return sa.case((b == 0, sa.null()), else_=sa.func.round(widened / b, DIVISION_PLACES))


# -- & ----------------------------------------------------------------------------------------

def concat(a: str | None, b: str | None) -> str | None:
    a, b = a or "", b or ""
    check_length(len(a) + len(b))
    return a + b or None


def _pg_concat(c, args, types, result):
    """One ``||`` for a whole chain ``a & b & c``: the chain is too long exactly when one
    of its steps is, so one length check, made before the text is built, stands for all."""
    texts: list[Any] = []
    for arg in args:
        chain = c.joined.get(id(arg))
        texts.extend(chain[1] if chain is not None and chain[0] is arg else (arg,))

    def build(values: list[Any]) -> Any:
        parts = [sa.func.coalesce(v, "", type_=sa.Text()) for v in values]
        size = sum((sa.cast(sa.func.length(p), sa.BigInteger()) for p in parts[1:]),
                   sa.cast(sa.func.length(parts[0]), sa.BigInteger()))
        joined = parts[0]
        for part in parts[1:]:
            joined = joined.op("||")(part)
        return sa.case((size > TEXT_LIMIT, raise_sql("formula.text_too_long")),
                       else_=sa.func.nullif(joined, ""))

    expr = c.bind(texts, build)
    c.joined[id(expr)] = (expr, tuple(texts))
    return expr


def _sqlite_concat(c, args, types, result):
    return sa.func.hl_concat(*args, type_=sa.Text())


# -- comparisons --------------------------------------------------------------------------------

def _compare_type(equality: bool):
    def typer(types: Sequence[T]) -> T:
        a, b = types
        if _num(a) and _num(b):
            return T.BOOLEAN
        if T.PICKLIST in (a, b) or T.MULTI_PICKLIST in (a, b):
            raise ArgTypeError(None, "picklists are compared with ISPICKVAL(field, 'option') "
                                     "or INCLUDES")
        shared = common(a, b)
        if shared is None:
            raise ArgTypeError(None, f"cannot compare {a.value} with {b.value}")
        if shared is T.BOOLEAN and not equality:
            raise ArgTypeError(None, "true and false have no order")
        return T.BOOLEAN
    return typer


def _text_pair(types: Sequence[T]) -> bool:
    return T.TEXT in types


def _comparison(symbol: str, name: str, test) -> None:
    equality = symbol in ("=", "!=")

    @typed_impl
    def python(types: Sequence[T], a: Any, b: Any) -> bool | None:
        if equality and _text_pair(types):
            a, b = a or "", b or ""
        if a is None or b is None:
            return None
        return test(a, b)

    def sql(c, args, types, result):
        a, b = args
        if equality and _text_pair(types):
            a, b = sa.func.coalesce(a, ""), sa.func.coalesce(b, "")
        return c.compare(symbol, a, b, *types)

    register(Function(name, 2, 2, _compare_type(equality), python, pg=sql, sqlite=sql,
                      strict=False, summary=f"the {symbol} operator"))


_comparison("=", "_EQ", lambda a, b: a == b)
_comparison("!=", "_NE", lambda a, b: a != b)
_comparison("<", "_LT", lambda a, b: a < b)
_comparison("<=", "_LE", lambda a, b: a <= b)
_comparison(">", "_GT", lambda a, b: a > b)
_comparison(">=", "_GE", lambda a, b: a >= b)


# -- logic --------------------------------------------------------------------------------------

def booleans(types: Sequence[T]) -> T:
    for i, t in enumerate(types):
        if t not in (T.BOOLEAN, T.NULL):
            raise ArgTypeError(i, f"needs true or false, not {t.value}")
    return T.BOOLEAN


def _three_valued(decisive: bool):
    """AND (decisive False) or OR (decisive True) in three-valued logic, short-circuiting."""

    def combine(types: Sequence[T], *thunks) -> bool | None:
        unknown = False
        for thunk in thunks:
            value = thunk()
            if value is decisive:
                return decisive
            unknown = unknown or value is None
        return None if unknown else not decisive

    return combine


all_of = _three_valued(False)
any_of = _three_valued(True)


def sql_and(c, args, types, result):
    return sa.and_(*args)


def sql_or(c, args, types, result):
    return sa.or_(*args)


def sql_not(c, args, types, result):
    # parenthesised: "NOT x IS NULL" would bind IS NULL to x
    return Grouping(sa.not_(args[0]))


register(Function("_ADD", 2, 2, _add_type, add, pg=_pg_add, strict=False,
                  summary="the + operator"))
register(Function("_SUB", 2, 2, _sub_type, subtract, pg=_pg_sub, summary="the - operator"))
register(Function("_MUL", 2, 2, _numeric_pair, EXACT.multiply,
                  pg=lambda c, args, types, result: args[0] * args[1],
                  summary="the * operator"))
register(Function("_DIV", 2, 2, _numeric_pair, divide, pg=_pg_divide,
                  summary="the / operator"))
register(Function("_POW", 2, 2, _numeric_pair, power, pg=_pg_power, summary="the ^ operator"))
register(Function("_NEG", 1, 1, lambda types: _numeric_pair(types), lambda a: -a,
                  pg=lambda c, args, types, result: -args[0], summary="unary minus"))
register(Function("_CONCAT", 2, 2, lambda types: _texts(types), concat, pg=_pg_concat,
                  sqlite=_sqlite_concat, strict=False, summary="the & operator"))
register(Function("_AND", 2, 2, booleans, all_of, pg=sql_and, sqlite=sql_and, lazy=True,
                  strict=False, summary="the && operator"))
register(Function("_OR", 2, 2, booleans, any_of, pg=sql_or, sqlite=sql_or, lazy=True,
                  strict=False, summary="the || operator"))
register(Function("_NOT", 1, 1, booleans, lambda a: not a, pg=sql_not, sqlite=sql_not,
                  summary="the ! operator"))
register(Function(
    "_BLANKZERO", 1, 1, lambda types: types[0], lambda a: Decimal(0) if a is None else a,
    pg=lambda c, args, types, result: sa.func.coalesce(args[0], 0),
    sqlite=lambda c, args, types, result: sa.func.coalesce(args[0], "0"),
    strict=False, summary="reads a blank number as zero (blank-as-zero formulas)"))


register(Function(
    "_DISTINCT", 2, 2, lambda types: T.BOOLEAN,
    lambda a, b: (a or None) != (b or None) if isinstance(a or b, str) else a != b,
    pg=lambda c, args, types, result: args[0].is_distinct_from(args[1]),
    sqlite=lambda c, args, types, result: args[0].is_distinct_from(args[1]),
    strict=False, summary="ISCHANGED: the value differs from the previous one"))


def _texts(types: Sequence[T]) -> T:
    for i, t in enumerate(types):
        if t not in TEXTY:
            raise ArgTypeError(i, f"'&' joins text, not {t.value} (use TEXT() to convert)")
    return T.TEXT


__all__ = ["add", "all_of", "any_of", "booleans", "concat", "power", "sql_and", "sql_not",
           "sql_or", "subtract"]
