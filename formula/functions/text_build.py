"""Text functions whose result may be longer than their inputs: SUBSTITUTE, LPAD and RPAD.

Each computes the length of its result first (SUBSTITUTE: occurrences times growth) and
raises ``formula.text_too_long`` (``formula/limits.py``) instead of building a text over
TEXT_LIMIT, on every back-end; ``&`` does the same (``operators``). On PostgreSQL the
guard is a CASE whose branch raises (``sql_errors.raise_sql``), and an argument written
in both the guard and the result is computed once (``SqlCompiler.bind``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from hulian.formula.functions.base import NUM, signature
from hulian.formula.functions.text import (
    TEXTS,
    _blank,
    _count,
    _empty_or_blank,
    _fn,
    _int,
    _nonempty,
    _text_arg,
    _whole,
)
from hulian.formula.limits import TEXT_LIMIT, check_length
from hulian.formula.sql_errors import raise_sql
from hulian.formula.types import T

# -- SUBSTITUTE ---------------------------------------------------------------------------------

def substitute(text: str | None, old: str | None, new: str | None) -> str | None:
    """The size of the result (occurrences times growth) is checked before it is built."""
    if not text:
        return None
    if not old:
        return text
    new = new or ""
    if len(new) > len(old) or len(text) > TEXT_LIMIT:
        check_length(len(text) + text.count(old) * (len(new) - len(old)))
    return _blank(text.replace(old, new))


def _big_length(text: Any) -> Any:
    return sa.cast(sa.func.length(text), sa.BigInteger())


def _pg_substitute(c, args, types, result):
    def build(values: list[Any]) -> Any:
        text, old, new = values
        new = sa.func.coalesce(new, "", type_=sa.Text())
        removed = sa.func.replace(text, old, sa.literal("", sa.Text()))
        count = (_big_length(text) - _big_length(removed)) // _big_length(old)
        size = _big_length(text) + count * (_big_length(new) - _big_length(old))
        return sa.case(
            (_empty_or_blank(old), _nonempty(text)),
            (size > TEXT_LIMIT, raise_sql("formula.text_too_long")),
            else_=_nonempty(sa.func.replace(text, old, new)),
        )

    return c.bind([_text_arg(a, t) for a, t in zip(args, types, strict=True)], build)


# -- LPAD and RPAD ------------------------------------------------------------------------------

def _pad(on_left: bool):
    def pad(text: str | None, size: Decimal | None, filler: str | None = " ") -> str | None:
        """The result is ``size`` characters long, or as long as ``text`` when there is
        nothing to pad with: over TEXT_LIMIT, formula.text_too_long."""
        if size is None:
            return None
        n = _count(size)
        if n < 1:
            return None
        text, filler = text or "", filler or ""
        if len(text) >= n or not filler:
            check_length(min(len(text), n))
            return _blank(text[:n])
        check_length(n)
        missing = n - len(text)
        fill = (filler * (missing // len(filler) + 1))[:missing]
        return fill + text if on_left else text + fill
    return pad


def _pg_pad(name: str):
    def build(c, args, types, result):
        def padded(values: list[Any]) -> Any:
            text, size, filler = values
            too_long = sa.and_(size > TEXT_LIMIT, sa.or_(filler != "",
                                                         sa.func.length(text) > TEXT_LIMIT))
            pad = getattr(sa.func, name)(text, _int(size, 1), filler)
            return sa.case((too_long, raise_sql("formula.text_too_long")),
                           (size >= 1, _nonempty(pad)))

        text = sa.func.coalesce(_text_arg(args[0], types[0]), "", type_=sa.Text())
        filler = (sa.func.coalesce(_text_arg(args[2], types[2]), "", type_=sa.Text())
                  if len(args) > 2 else sa.literal(" ", sa.Text()))
        return c.bind([text, _whole(args[1], types[1]), filler], padded)
    return build


# -- the functions ------------------------------------------------------------------------------

_fn("SUBSTITUTE", 3, 3, signature([TEXTS, TEXTS, TEXTS], T.TEXT), substitute, _pg_substitute,
    "a text with every occurrence of one text replaced by another",
    "SUBSTITUTE('a-b-c', '-', '/') -> 'a/b/c'", strict=False)
_fn("LPAD", 2, 3, signature([TEXTS, NUM, TEXTS], T.TEXT), _pad(True), _pg_pad("lpad"),
    "a text padded on the left (or cut) to a length", "LPAD('42', 5, '0') -> '00042'",
    strict=False)
_fn("RPAD", 2, 3, signature([TEXTS, NUM, TEXTS], T.TEXT), _pad(False), _pg_pad("rpad"),
    "a text padded on the right (or cut) to a length", "RPAD('ab', 4, '.') -> 'ab..'",
    strict=False)

__all__ = ["substitute"]
