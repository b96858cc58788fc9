"""Text functions: LEN, LEFT, RIGHT, MID, FIND, CONTAINS, BEGINS, LOWER, UPPER, TRIM, TEXT
and VALUE (SUBSTITUTE, LPAD and RPAD are in ``text_build``, REGEX in ``regex``).

Text is counted in characters (Unicode code points) on every back-end. Empty text is
blank, so a function whose result would be ``''`` gives blank. Counts and positions are
read as whole numbers, truncated toward zero (``LEFT(t, 2.9)`` is ``LEFT(t, 2)``). No
input makes SQL raise: counts are clamped before PostgreSQL sees them as integers,
numbers are checked before they are cast, and a regular expression is checked before
PostgreSQL compiles it.

On SQLite every function runs its Python implementation; on PostgreSQL each is native
SQL written to give the same answer (PostgreSQL's ``left``, ``right``, ``substr``,
``lpad`` and ``replace`` read negative or empty arguments differently from Python's
slices, hence the CASEs around them).

TEXT of a number a Python caller gives may be too long (``formula.text_too_long``, see
``text_build``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, localcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.sqltypes import NullType

from hulian.formula.functions.base import (
    NUM,
    Function,
    register,
    signature,
)
from hulian.formula.functions.logical import NUMBER_TEXT
from hulian.formula.limits import check_length
from hulian.formula.sql import sql_type
from hulian.formula.types import T

TEXTS = frozenset({T.TEXT})
SHOWN = frozenset(T) - {T.MULTI_PICKLIST}
"""What TEXT() converts: everything but multi-picklists."""
UTC = dt.UTC
INT_MAX = 2_147_483_647
"""Counts and positions beyond this are read as this (PostgreSQL's integer limit)."""
TRIMMED = " \t"
"""What TRIM removes from both ends: spaces and tabs, as Salesforce documents."""
VALUE_LENGTH = 1000
VALUE_EXPONENT = 1000
VALUE_LIMIT = Decimal("1e38")
"""VALUE reads at most VALUE_LENGTH characters, exponents up to VALUE_EXPONENT, and
gives blank for a number whose size reaches VALUE_LIMIT."""


def _blank(text: str | None) -> str | None:
    return text if text else None


def _count(value: Decimal) -> int:
    """A count or position: the whole part of ``value`` (Decimal's int() truncates), at most
    INT_MAX in size (int() of a Decimal of a million digits takes minutes)."""
    if value.copy_abs() > INT_MAX:
        return INT_MAX if value > 0 else -INT_MAX
    return int(value)


# -- SQL helpers -----------------------------------------------------------------------------

def _untyped(arg: Any, kind: T) -> bool:
    """Whether PostgreSQL would see an untyped NULL (it cannot pick length(unknown))."""
    return kind is T.NULL or isinstance(getattr(arg, "type", None), NullType)


def _text_arg(arg: Any, kind: T) -> Any:
    return sa.cast(arg, sa.Text()) if _untyped(arg, kind) else arg


def _num_arg(arg: Any, kind: T) -> Any:
    return sa.cast(arg, sa.Numeric()) if _untyped(arg, kind) else arg


def _whole(arg: Any, kind: T) -> Any:
    return sa.func.trunc(_num_arg(arg, kind))


def _int(whole: Any, low: int) -> Any:
    """``whole`` as an integer between ``low`` and INT_MAX.

    GREATEST and LEAST skip NULLs, so callers test for NULL themselves. Every count goes
    through this before its cast, even in a CASE branch that excludes large values:
    PostgreSQL folds a cast of a constant while it plans, whatever the CASE around it.
    """
    return sa.cast(sa.func.least(sa.func.greatest(whole, low), INT_MAX), sa.Integer())


def _nonempty(expr: Any) -> Any:
    return sa.func.nullif(expr, "", type_=sa.Text())


def _as_number(expr: Any) -> Any:
    return sa.cast(expr, sa.Numeric())


def _empty_or_blank(expr: Any) -> Any:
    return sa.func.coalesce(expr, "") == ""


# -- LEN, LEFT, RIGHT, MID --------------------------------------------------------------------

def length(text: str | None) -> Decimal:
    return Decimal(len(text or ""))


def _pg_len(c, args, types, result):
    return _as_number(sa.func.coalesce(sa.func.length(_text_arg(args[0], types[0])), 0))


def left(text: str, count: Decimal) -> str | None:
    n = _count(count)
    return _blank(text[:n]) if n > 0 else None


def right(text: str, count: Decimal) -> str | None:
    n = _count(count)
    return _blank(text[-n:]) if n > 0 else None


def _pg_side(name: str):
    def build(c, args, types, result):
        text, count = _text_arg(args[0], types[0]), _whole(args[1], types[1])
        return sa.case((count >= 1, _nonempty(getattr(sa.func, name)(text, _int(count, 1)))))
    return build


def mid(text: str, start: Decimal, count: Decimal) -> str | None:
    first, n = max(_count(start), 1), _count(count)
    return _blank(text[first - 1:first - 1 + n]) if n > 0 else None


def _pg_mid(c, args, types, result):
    text = _text_arg(args[0], types[0])
    start, count = _whole(args[1], types[1]), _whole(args[2], types[2])
    cut = sa.func.substr(text, _int(start, 1), _int(count, 1))
    return sa.case((sa.and_(count >= 1, start.is_not(None)), _nonempty(cut)))


# -- FIND, CONTAINS, BEGINS ---------------------------------------------------------------------

ONE = Decimal(1)


def find(search: str | None, text: str | None, start: Decimal | None = ONE) -> Decimal | None:
    if start is None:
        return None
    first = _count(start)
    if not search or not text or first < 1 or first > len(text):
        return Decimal(0)
    return Decimal(text.find(search, first - 1) + 1)


def _pg_find(c, args, types, result):
    search, text = _text_arg(args[0], types[0]), _text_arg(args[1], types[1])
    start = _whole(args[2], types[2]) if len(args) > 2 else sa.literal(1, sa.Integer())
    at = _int(start, 1)
    found = sa.func.nullif(sa.func.strpos(sa.func.substr(text, at), search), 0) + at - 1
    return _as_number(sa.case(
        (start.is_(None), sa.null()),
        (sa.or_(_empty_or_blank(search), _empty_or_blank(text), start < 1,
                start > sa.func.length(text)), 0),
        else_=sa.func.coalesce(found, 0),
    ))


def contains(text: str | None, part: str | None) -> bool | None:
    if not part:
        return True
    return part in text if text else None


def begins(text: str | None, start: str | None) -> bool | None:
    if not start:
        return True
    return text.startswith(start) if text else None


def _pg_test(test):
    def build(c, args, types, result):
        text, part = _text_arg(args[0], types[0]), _text_arg(args[1], types[1])
        return sa.case(
            (_empty_or_blank(part), sa.true()),
            (_empty_or_blank(text), sa.null()),
            else_=test(text, part),
        )
    return build


# -- LOWER, UPPER, TRIM ---------------------------------------------------------------------------

def _upper_char(char: str) -> str:
    upper = char.upper()
    if len(upper) == 1:
        return upper
    title = char.title()  # the simple mapping of e.g. U+1F80 (ᾀ -> ᾈ) where upper() expands
    return title if len(title) == 1 else char


def _lower_char(char: str) -> str:
    lower = char.lower()
    if len(lower) == 1:
        return lower
    return "i" if char == "\u0130" else char  # İ: the one character lower() expands


def upper(text: str) -> str:
    """Character by character (Unicode's simple case mapping): 'ß' and 'ﬁ' stay as they are.

    PostgreSQL's upper() maps one character at a time in a UTF-8 libc locale, so the two
    agree and the length never changes. str.upper() alone would give 'SS' and 'FI'.
    """
    mapped = text.upper()
    if len(mapped) == len(text):
        return mapped
    return "".join(map(_upper_char, text))


def lower(text: str) -> str:
    """Character by character: 'İ' -> 'i' and a final 'Σ' -> 'σ', as PostgreSQL's lower()."""
    mapped = text.lower()
    if len(mapped) == len(text) and "\u03a3" not in text:
        return mapped
    return "".join(map(_lower_char, text))


def _pg_case(name: str):
    def build(c, args, types, result):
        return _nonempty(getattr(sa.func, name)(_text_arg(args[0], types[0])))
    return build


def trim(text: str) -> str | None:
    return _blank(text.strip(TRIMMED))


def _pg_trim(c, args, types, result):
    return _nonempty(sa.func.btrim(_text_arg(args[0], types[0]), sa.literal(TRIMMED,
                                                                             sa.Text())))


# -- TEXT and VALUE -----------------------------------------------------------------------------

def plain_number(value: Decimal) -> str:
    """A number as plain decimal text: no exponent, no trailing zeros, no negative zero.

    formula.text_too_long when that text would be over TEXT_LIMIT: only for a number a
    Python caller gives (``Decimal('1e99999')``); fields hold at most 18 digits, and formula
    literals and arithmetic a few thousand."""
    if value.is_zero():
        return "0"
    with localcontext() as ctx:
        ctx.prec = max(28, len(value.as_tuple().digits))
        value = value.normalize()
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int), value
    fraction = max(-exponent, 0)
    check_length(sign + max(len(digits) + exponent, 1) + (fraction + 1 if fraction else 0))
    return format(value, "f")


def text_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, dt.datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
                f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return (f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}."
                f"{value.microsecond // 1000:03d}")
    return _blank(value)


def _pg_text(c, args, types, result):
    value, kind = args[0], types[0]
    if kind is T.NULL:
        return sa.cast(sa.null(), sa.Text())
    if _untyped(value, kind):
        value = sa.cast(value, sql_type(kind))
    if kind in (T.NUMBER, T.CURRENCY, T.PERCENT):
        return sa.cast(sa.func.trim_scale(value), sa.Text())
    if kind is T.BOOLEAN:
        return sa.case((value, "true"), (sa.not_(value), "false"))
    if kind is T.DATE:
        return sa.func.to_char(value, "YYYY-MM-DD", type_=sa.Text())
    if kind is T.DATETIME:
        return sa.func.to_char(sa.func.timezone("UTC", value), 'YYYY-MM-DD HH24:MI:SS"Z"',
                               type_=sa.Text())
    if kind is T.TIME:
        return sa.func.to_char(value, "HH24:MI:SS.MS", type_=sa.Text())
    return _nonempty(value)


EXPONENT = re.compile(r"[eE]([+-]?[0-9]+)$")


def number_of(text: str) -> Decimal | None:
    """The number a text spells (the ISNUMBER form), or blank."""
    if len(text) > VALUE_LENGTH or NUMBER_TEXT.fullmatch(text) is None:
        return None
    exponent = EXPONENT.search(text)
    if exponent and abs(int(exponent.group(1))) > VALUE_EXPONENT:
        return None
    number = Decimal(text)
    return number if number.copy_abs() < VALUE_LIMIT else None


def _pg_value(c, args, types, result):
    text = _text_arg(args[0], types[0])
    exponent = sa.cast(sa.func.substring(text, EXPONENT.pattern), sa.Numeric())
    number = sa.cast(text, sa.Numeric())
    return sa.case(
        (sa.func.length(text) > VALUE_LENGTH, sa.null()),
        (sa.not_(text.op("~", is_comparison=True)("^" + NUMBER_TEXT.pattern + "$")),
         sa.null()),
        (sa.func.abs(sa.func.coalesce(exponent, 0)) > VALUE_EXPONENT, sa.null()),
        (sa.func.abs(number) >= VALUE_LIMIT, sa.null()),
        else_=number,
    )


# -- the functions ------------------------------------------------------------------------------

def _fn(name: str, low: int, high: int, typer, python, pg, summary: str, *examples: str,
        strict: bool = True, **extra) -> None:
    register(Function(name, low, high, typer, python, pg=pg, strict=strict, summary=summary,
                      examples=examples, **extra))


_fn("LEN", 1, 1, signature([TEXTS], T.NUMBER), length, _pg_len,
    "the number of characters of a text (0 when blank)", "LEN('hulian') -> 6",
    strict=False)
_fn("LEFT", 2, 2, signature([TEXTS, NUM], T.TEXT), left, _pg_side("left"),
    "the first n characters of a text", "LEFT('Acme Inc', 4) -> 'Acme'")
_fn("RIGHT", 2, 2, signature([TEXTS, NUM], T.TEXT), right, _pg_side("right"),
    "the last n characters of a text", "RIGHT('INV-0042', 4) -> '0042'")
_fn("MID", 3, 3, signature([TEXTS, NUM, NUM], T.TEXT), mid, _pg_mid,
    "n characters of a text from a 1-based position", "MID('2024-05-17', 6, 2) -> '05'")
_fn("FIND", 2, 3, signature([TEXTS, TEXTS, NUM], T.NUMBER), find, _pg_find,
    "the 1-based position of a text in another (0 when absent)",
    "FIND('-', 'INV-0042') -> 4", strict=False)
_fn("CONTAINS", 2, 2, signature([TEXTS, TEXTS], T.BOOLEAN), contains,
    _pg_test(lambda text, part: sa.func.strpos(text, part) > 0),
    "whether a text contains another (case-sensitive)", "CONTAINS('Acme Inc', 'Inc') -> true",
    strict=False)
_fn("BEGINS", 2, 2, signature([TEXTS, TEXTS], T.BOOLEAN), begins,
    _pg_test(lambda text, start: sa.func.starts_with(text, start)),
    "whether a text begins with another (case-sensitive)", "BEGINS('INV-0042', 'INV') -> true",
    strict=False)
_fn("LOWER", 1, 1, signature([TEXTS], T.TEXT), lower, _pg_case("lower"),
    "a text in lower case, character by character", "LOWER('Acme') -> 'acme'")
_fn("UPPER", 1, 1, signature([TEXTS], T.TEXT), upper, _pg_case("upper"),
    "a text in upper case, character by character", "UPPER('acme') -> 'ACME'")
_fn("TRIM", 1, 1, signature([TEXTS], T.TEXT), trim, _pg_trim,
    "a text without leading and trailing spaces and tabs", "TRIM('  Acme ') -> 'Acme'")
_fn("TEXT", 1, 1, signature([SHOWN], T.TEXT), text_of, _pg_text,
    "a number, date, datetime, time, boolean or picklist as text",
    "TEXT(1250.50) -> '1250.5'", "TEXT(DATE(2024, 5, 17)) -> '2024-05-17'")
_fn("VALUE", 1, 1, signature([TEXTS], T.NUMBER), number_of, _pg_value,
    "the number a text spells (blank when it is not a number)", "VALUE('42.5') -> 42.5")
__all__ = ["lower", "plain_number", "upper"]
