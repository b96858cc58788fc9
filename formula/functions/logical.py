"""Logical functions: IF, CASE, AND, OR, NOT, the blank tests and the picklist tests.

Blank is "unknown": IF and CASE take their else branch when the condition is blank,
AND and OR use three-valued logic like ``&&`` and ``||``. The tests (ISBLANK,
ISNUMBER, ISPICKVAL, INCLUDES...) never return blank. Empty text and a
multi-picklist without options are blank; in SQL that is NULL, ``''`` or ``';;'``.

ISNEW, ISCHANGED and PRIORVALUE belong to the checker (they read the record's
previous state) and are not defined here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from hulian.formula.functions.base import (
    ArgTypeError,
    Function,
    expect,
    register,
    same_type,
    signature,
)
from hulian.formula.functions.operators import (
    all_of,
    any_of,
    booleans,
    sql_and,
    sql_not,
    sql_or,
)
from hulian.formula.python import typed_impl
from hulian.formula.types import T, common

Thunk = Callable[[], Any]
TEXTY = frozenset({T.TEXT, T.PICKLIST})

NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""Text that is a number: optional sign, digits with an optional point, optional exponent."""
NUMBER_TEXT_SQL = "^" + NUMBER_TEXT.pattern + "$"


def is_blank(value: Any) -> bool:
    """None, empty text and an empty option list are blank."""
    return value is None or (isinstance(value, str | list) and not value)


def _clean(value: Any) -> Any:
    return None if is_blank(value) else value


def _unblank_sql(value: Any, kind: T) -> Any:
    """The SQL value with every blank form ('' for text, ';;' for options) turned into NULL."""
    if kind in TEXTY:
        return sa.func.nullif(value, "")
    if kind is T.MULTI_PICKLIST:
        return sa.func.nullif(sa.func.nullif(value, ""), ";;")
    return value


# -- IF and CASE ------------------------------------------------------------------------------

def _if_type(types: Sequence[T]) -> T:
    expect(types, 0, {T.BOOLEAN})
    return same_type(types, (1, 2), "IF's two results")


def if_(types: Sequence[T], condition: Thunk, then: Thunk, otherwise: Thunk) -> Any:
    return _clean(then() if condition() is True else otherwise())


def _sql_if(c, args, types, result):
    condition, then, otherwise = args
    return sa.case((condition, then), else_=otherwise)


def _comparable(value: T, match: T) -> bool:
    if T.MULTI_PICKLIST in (value, match):
        return False
    if value is T.PICKLIST or match is T.PICKLIST:
        return {value, match} <= {T.PICKLIST, T.TEXT, T.NULL}
    return common(value, match) is not None


def _case_type(types: Sequence[T]) -> T:
    if len(types) % 2 != 0:
        raise ArgTypeError(None, f"takes the value, then pairs of match and result, then the "
                                 f"else result: an even number of arguments, not {len(types)}")
    subject = types[0]
    if subject is T.MULTI_PICKLIST:
        raise ArgTypeError(0, "cannot match a multi-picklist (use INCLUDES)")
    for i in range(1, len(types) - 1, 2):
        if not _comparable(subject, types[i]):
            raise ArgTypeError(i, f"cannot match {subject.value} against {types[i].value}")
    return same_type(types, (*range(2, len(types) - 1, 2), len(types) - 1), "CASE's results")


def _equal(a: Any, b: Any, ta: T, tb: T) -> bool:
    """``=`` of the language, never blank: blank text equals empty text, other blanks nothing."""
    if ta in TEXTY or tb in TEXTY:
        return (a or "") == (b or "")
    return a is not None and b is not None and a == b


def case(types: Sequence[T], subject: Thunk, *rest: Thunk) -> Any:
    value = subject()
    for i in range(0, len(rest) - 1, 2):
        if _equal(value, rest[i](), types[0], types[i + 1]):
            return _clean(rest[i + 1]())
    return _clean(rest[-1]())


def _sql_equal(c, a: Any, b: Any, ta: T, tb: T) -> Any:
    if ta in TEXTY or tb in TEXTY:
        a, b = sa.func.coalesce(a, ""), sa.func.coalesce(b, "")
        ta = tb = T.TEXT
    return c.compare("=", a, b, ta, tb)


def _sql_case(c, args, types, result):
    subject = args[0]
    whens = [(_sql_equal(c, subject, args[i], types[0], types[i]), args[i + 1])
             for i in range(1, len(args) - 1, 2)]
    return sa.case(*whens, else_=args[-1])


# -- AND, OR, NOT -----------------------------------------------------------------------------

# -- blank tests ------------------------------------------------------------------------------

def _sql_isblank(c, args, types, result):
    return _unblank_sql(args[0], types[0]).is_(None)


def _null_type(types: Sequence[T]) -> None:
    if types[0] is T.PICKLIST:
        raise ArgTypeError(0, "takes no picklist: use ISBLANK, BLANKVALUE or "
                              "ISPICKVAL(field, '')")


def _isnull_type(types: Sequence[T]) -> T:
    _null_type(types)
    return T.BOOLEAN


@typed_impl
def isnull(types: Sequence[T], value: Any) -> bool:
    """Salesforce: text is never null, so ISNULL of text is always false."""
    return types[0] is not T.TEXT and is_blank(value)


def _sql_isnull(c, args, types, result):
    if types[0] is T.TEXT:
        return sa.false()
    return _sql_isblank(c, args, types, result)


def _substitute_type(types: Sequence[T]) -> T:
    return same_type(types, (0, 1), "the value and its substitute")


def _nullvalue_type(types: Sequence[T]) -> T:
    _null_type(types)
    return _substitute_type(types)


def blankvalue(types: Sequence[T], value: Thunk, substitute: Thunk) -> Any:
    found = value()
    return _clean(substitute()) if is_blank(found) else found


def nullvalue(types: Sequence[T], value: Thunk, substitute: Thunk) -> Any:
    if types[0] is T.TEXT:
        return _clean(value())
    return blankvalue(types, value, substitute)


def _sql_blankvalue(c, args, types, result):
    return sa.func.coalesce(_unblank_sql(args[0], types[0]), args[1])


def _sql_nullvalue(c, args, types, result):
    if types[0] is T.TEXT:
        return args[0]
    return _sql_blankvalue(c, args, types, result)


# -- ISNUMBER, ISPICKVAL, INCLUDES ------------------------------------------------------------

def isnumber(text: str | None) -> bool:
    return text is not None and NUMBER_TEXT.fullmatch(text) is not None


def _pg_isnumber(c, args, types, result):
    pattern = sa.literal(NUMBER_TEXT_SQL, sa.Text())
    return sa.func.coalesce(args[0].op("~", is_comparison=True)(pattern), sa.false())


def ispickval(picked: str | None, option: str | None) -> bool:
    return (picked or "") == (option or "")


def _sql_ispickval(c, args, types, result):
    picked, option = (sa.func.coalesce(a, "") for a in args)
    return c.compare("=", picked, option, T.TEXT, T.TEXT)


def includes(options: list[str] | None, option: str | None) -> bool:
    if not options or not option or ";" in option:
        return False
    return option in options


def _sql_includes(c, args, types, result):
    options, option = args
    find = sa.func.instr if c.sqlite else sa.func.strpos
    needle = sa.literal(";", sa.Text()).op("||")(option).op("||")(sa.literal(";", sa.Text()))
    return sa.case(
        (sa.func.coalesce(option, "") == "", sa.false()),
        (find(option, ";") > 0, sa.false()),
        else_=find(sa.func.coalesce(options, ""), needle) > 0,
    )


register(Function(
    "IF", 3, 3, _if_type, if_, pg=_sql_if, sqlite=_sql_if, lazy=True, strict=False,
    summary="the second argument when the condition is true, else the third (also when blank)",
    examples=("IF(amount > 1000, 'large', 'small')",)))
register(Function(
    "CASE", 4, None, _case_type, case, pg=_sql_case, sqlite=_sql_case, lazy=True,
    strict=False,
    summary="the result paired with the first match of the value, else the last argument",
    examples=("CASE(MONTH(close_date), 1, 'Q1', 2, 'Q1', 3, 'Q1', 'later')",
              "CASE(stage, 'won', 1, 'lost', 0, 0.5)")))
register(Function(
    "AND", 1, None, booleans, all_of, pg=sql_and, sqlite=sql_and, lazy=True, strict=False,
    summary="true when every argument is true; false as soon as one is false",
    examples=("AND(amount > 0, NOT(ISBLANK(customer)))",)))
register(Function(
    "OR", 1, None, booleans, any_of, pg=sql_or, sqlite=sql_or, lazy=True, strict=False,
    summary="true as soon as one argument is true; false when all are false",
    examples=("OR(ISPICKVAL(stage, 'won'), probability >= 0.9)",)))
register(Function(
    "NOT", 1, 1, booleans, lambda value: not value, pg=sql_not, sqlite=sql_not,
    summary="true for false and false for true (blank stays blank)",
    examples=("NOT(is_active)",)))
register(Function(
    "ISBLANK", 1, 1, lambda types: T.BOOLEAN, is_blank, pg=_sql_isblank, sqlite=_sql_isblank,
    strict=False, summary="whether the value is blank (empty text and no options count)",
    examples=("ISBLANK(email)",)))
register(Function(
    "ISNULL", 1, 1, _isnull_type, isnull, pg=_sql_isnull, sqlite=_sql_isnull, strict=False,
    summary="like ISBLANK, but always false for text (kept for Salesforce formulas)",
    examples=("ISNULL(amount)",)))
register(Function(
    "BLANKVALUE", 2, 2, _substitute_type, blankvalue, pg=_sql_blankvalue,
    sqlite=_sql_blankvalue, lazy=True, strict=False,
    summary="the value, or the substitute when the value is blank",
    examples=("BLANKVALUE(nickname, first_name)", "BLANKVALUE(discount, 0)")))
register(Function(
    "NULLVALUE", 2, 2, _nullvalue_type, nullvalue, pg=_sql_nullvalue, sqlite=_sql_nullvalue,
    lazy=True, strict=False,
    summary="like BLANKVALUE, but text is never substituted (kept for Salesforce formulas)",
    examples=("NULLVALUE(discount, 0)",)))
register(Function(
    "ISNUMBER", 1, 1, signature([{T.TEXT}], T.BOOLEAN), isnumber,
    pg=_pg_isnumber, strict=False,
    summary="whether the text is a number: sign, digits, decimal point, exponent",
    examples=("ISNUMBER(postal_code)",)))
register(Function(
    "ISPICKVAL", 2, 2, signature([{T.PICKLIST, T.TEXT}, {T.TEXT}], T.BOOLEAN), ispickval,
    pg=_sql_ispickval, sqlite=_sql_ispickval, strict=False,
    summary="whether the picklist's selected option is the given option",
    examples=("ISPICKVAL(stage, 'won')", "ISPICKVAL(stage, '')")))
register(Function(
    "INCLUDES", 2, 2, signature([{T.MULTI_PICKLIST}, {T.TEXT}], T.BOOLEAN), includes,
    pg=_sql_includes, sqlite=_sql_includes, strict=False,
    summary="whether the multi-picklist has the given option selected",
    examples=("INCLUDES(regions, 'north')",)))

__all__ = ["NUMBER_TEXT", "blankvalue", "case", "if_", "includes", "is_blank", "isnumber",
           "ispickval", "nullvalue"]
