"""REGEX(text, pattern): true when the whole text matches, the same on every back-end.

Patterns use a subset of Java's syntax that Python and PostgreSQL read alike; a literal
pattern outside it is a type error at check time, and a pattern read from a field that is
outside it gives blank on both back-ends, so PostgreSQL never compiles it (and never raises).
Python matches in bounded time (``regex_match``: RE2, or a backtracking engine with a
timeout that raises ``formula.regex_too_complex``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import BindParameter, Null

from hulian.formula.ast import TLiteral
from hulian.formula.functions.base import ArgTypeError, signature
from hulian.formula.functions.regex_match import Matcher, plan
from hulian.formula.functions.text import TEXTS, _fn, _text_arg
from hulian.formula.types import T

# -- patterns --------------------------------------------------------------------------------------
#
# The dialect is the part of Java's syntax (Salesforce's) that Python's re and PostgreSQL's
# regular expressions read alike; see docs/formulas/text.md. Whether a pattern is valid is
# decided by regular expressions over the pattern itself (VALID_PATTERN, BOUNDS_SCAN,
# CLASSES_SCAN, RANGES_SCAN), run by Python here and by PostgreSQL in SQL, so both
# back-ends accept exactly the same patterns, also when a pattern comes from a field. A
# valid pattern means the same in PostgreSQL as written (matched with COLLATE "C", so \d,
# \w and \s are ASCII); Python gets it translated (regex_match.py).

PATTERN_LIMIT = 500
GROUP_DEPTH = 5
COUNT_LIMIT = 255

_PUNCT = r"[ !\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"
_HEX = r"u[0-9A-Fa-f]{4}"
_LITERAL = r"[^\\^$.|?*+()\[\]{}]"
_ESCAPE = r"\\(?:[dDwWsStnrf]|" + _HEX + "|" + _PUNCT + ")"
_SINGLE = r"(?:[^\\\]\[\-&^]|\\(?:[tnrf]|" + _HEX + "|" + _PUNCT + "))"
_ITEM = "(?:" + _SINGLE + "(?:-" + _SINGLE + r")?|\\[dws])"
_CLASS = r"\[\^?(?:-" + _ITEM + "*-?|" + _ITEM + r"+-?)\]"
_ATOM = "(?:" + _LITERAL + "|" + _ESCAPE + r"|\.|" + _CLASS + ")"
_NUMBER = "(?:[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])"
_QUANTIFIER = r"(?:(?:[*+?]|\{" + _NUMBER + "(?:," + _NUMBER + r"?)?\})\??)?"
_FLAT = r"(?:[\^$|]|" + _ATOM + _QUANTIFIER + ")*"
_LOOKAHEAD = r"\(\?[=!]" + _FLAT + r"\)"


def _expression(depth: int) -> str:
    piece = r"[\^$|]|" + _LOOKAHEAD + "|" + _ATOM + _QUANTIFIER
    if depth:
        piece += r"|\((?:\?:)?" + _expression(depth - 1) + r"\)(?:[*+?]\??)?"
    return "(?:" + piece + ")*"


VALID_PATTERN = "^" + _expression(GROUP_DEPTH) + "$"
"""The grammar of valid patterns, as one regular expression (PostgreSQL and Python)."""
BOUNDS_SCAN = r"\\.|\[(?:\\.|[^\]\\])*\]|\{([0-9]+),([0-9]+)\}"
"""Finds every {m,n}: invalid when m > n."""
CLASSES_SCAN = r"\\.|\[\^?((?:\\.|[^\]\\])*)\]"
"""Finds the body of every [...] class."""
_CLASS_ITEM = r"\\u[0-9A-Fa-f]{4}|\\.|[^\\]"
RANGES_SCAN = "(" + _CLASS_ITEM + ")-(" + _CLASS_ITEM + ")|" + _CLASS_ITEM
"""Finds every a-z range of a class body: invalid when a comes after z."""
_ESCAPED_CHARS = {"t": 9, "n": 10, "r": 13, "f": 12}

_valid = re.compile(VALID_PATTERN, re.DOTALL)
_class = re.compile(_CLASS, re.DOTALL)
_bounds = re.compile(BOUNDS_SCAN, re.DOTALL)
_classes = re.compile(CLASSES_SCAN, re.DOTALL)
_ranges = re.compile(RANGES_SCAN, re.DOTALL)


def _code_point(item: str) -> int:
    if item.startswith("\\u") and len(item) == 6:
        return int(item[2:], 16)
    if item.startswith("\\"):
        return _ESCAPED_CHARS.get(item[1], ord(item[1]))
    return ord(item)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid REGEX pattern, or None when it is."""
    if len(pattern) > PATTERN_LIMIT:
        return f"the pattern is longer than {PATTERN_LIMIT} characters"
    if _valid.fullmatch(pattern) is None:
        return _diagnose(pattern)
    for found in _bounds.finditer(pattern):
        if found.group(1) is not None and int(found.group(1)) > int(found.group(2)):
            return f"{found.group(0)} counts down"
    for body in _classes.finditer(pattern):
        for found in _ranges.finditer(body.group(1) or ""):
            if found.group(1) is not None and \
                    _code_point(found.group(1)) > _code_point(found.group(2)):
                return f"the range {found.group(0)} runs backwards"
    return None


_COUNT = re.compile(r"\{([0-9]+)(?:,([0-9]*))?\}")


def _class_problem(body: str) -> str | None:
    if _class.fullmatch("[" + body + "]"):
        return None
    if body in ("", "^"):
        return "[] and [^] are empty"
    i = 1 if body.startswith("^") else 0
    while i < len(body):
        char, nxt = body[i], body[i + 1:i + 2]
        if char == "\\" and nxt in ("D", "W", "S"):
            return f"\\{nxt} cannot stand inside [...]"
        if char in "[&^":
            return f"write \\{char} for a literal {char} inside [...]"
        i += 2 if char == "\\" else 1
    return "inside [...] a - joins two characters (a-z) or stands first or last; write \\- " \
           "for a literal -"


def _diagnose(pattern: str) -> str:
    """A reason for a pattern the grammar refuses, for the type error's message."""
    opened: list[str] = []
    repeatable: str | None = None
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            nxt = pattern[i + 1:i + 2]
            if not nxt:
                return "the pattern ends with \\"
            if nxt == "u" and not re.fullmatch(r"[0-9A-Fa-f]{4}", pattern[i + 2:i + 6]):
                return "\\u needs four hexadecimal digits"
            if nxt not in "udDwWsStnrf" and (nxt.isalnum() or not nxt.isascii()
                                             or not nxt.isprintable()):
                return f"\\{nxt} is not supported"
            i, repeatable = i + (6 if nxt == "u" else 2), "atom"
        elif char == "[":
            end = i + 1
            while end < len(pattern) and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            if end >= len(pattern):
                return "a [ is not closed"
            problem = _class_problem(pattern[i + 1:end])
            if problem:
                return problem
            i, repeatable = end + 1, "atom"
        elif char == "(":
            kind = "group"
            if pattern.startswith("(?", i):
                if pattern[i + 2:i + 3] not in (":", "=", "!"):
                    return "only (...), (?:...), (?=...) and (?!...) groups are supported"
                kind = "group" if pattern[i + 2] == ":" else "look"
            if "look" in opened:
                return "a lookahead cannot contain groups or lookaheads"
            opened.append(kind)
            if opened.count("group") > GROUP_DEPTH:
                return f"groups nest more than {GROUP_DEPTH} deep"
            i, repeatable = i + (1 if pattern[i + 1:i + 2] != "?" else 3), None
        elif char == ")":
            if not opened:
                return "a ) has no ("
            i, repeatable = i + 1, "group" if opened.pop() == "group" else None
        elif char in "*+?{":
            if char == "{":
                count = _COUNT.match(pattern, i)
                if count is None:
                    return "write \\{ for a literal {"
                if any(n and int(n) > COUNT_LIMIT for n in count.groups()):
                    return f"counts go up to {COUNT_LIMIT}"
                if repeatable == "group":
                    return "a {m,n} count applies to one character, class or '.', not to a group"
                end = count.end()
            else:
                end = i + 1
            if repeatable is None:
                return f"{char} has nothing to repeat"
            i = end + (1 if pattern[end:end + 1] == "?" else 0)
            if pattern[i:i + 1] in ("*", "+", "?", "{"):
                return "two quantifiers in a row"
            repeatable = None
        elif char in "]}":
            return f"write \\{char} for a literal {char}"
        else:
            i, repeatable = i + 1, None if char in "^$|" else "atom"
    if opened:
        return "a ( is not closed"
    return "the pattern uses syntax outside hulian's regular expressions"


@functools.lru_cache(maxsize=128)
def matcher(pattern: str) -> Matcher | None:
    """How ``pattern`` is matched (``regex_match``), or None when it is not valid."""
    if pattern_problem(pattern) is not None:
        return None
    return plan(pattern)


def regex(text: str | None, pattern: str | None) -> bool | None:
    found = matcher(pattern or "")
    if found is None:
        return None
    return found.fullmatch(text or "")


def check_regex_args(args: Sequence[Any]) -> None:
    """A pattern written as a literal must be valid (a type error otherwise)."""
    pattern = args[1]
    if isinstance(pattern, TLiteral) and pattern.type is T.TEXT:
        problem = pattern_problem(pattern.value or "")
        if problem is not None:
            raise ArgTypeError(1, f"not a valid regular expression: {problem}")


def _constant(expr: Any) -> tuple[bool, Any]:
    """Whether an SQL argument is a known value, and which (fields compile to columns)."""
    if isinstance(expr, Null):
        return True, None
    if isinstance(expr, BindParameter) and not expr.required and expr.callable is None \
            and isinstance(expr.value, str):
        return True, expr.value
    return False, None


def _code_point_sql(item: Any) -> Any:
    digits = sa.func.concat("x", sa.func.lpad(sa.func.substr(item, 3), 8, "0"))
    hex_value = sa.cast(sa.cast(digits, postgresql.BIT(32)), sa.Integer())
    escaped = [(item == "\\" + letter, code) for letter, code in _ESCAPED_CHARS.items()]
    return sa.case(
        (sa.and_(sa.func.left(item, 2) == "\\u", sa.func.length(item) == 6), hex_value),
        *escaped,
        (sa.func.left(item, 1) == "\\", sa.func.ascii(sa.func.substr(item, 2))),
        else_=sa.func.ascii(item),
    )


def _checked_pattern_sql(pattern: Any) -> Any:
    """``pattern`` when it is valid, else NULL; every check runs in PostgreSQL."""
    array = postgresql.ARRAY(sa.Text())
    bound = sa.func.regexp_matches(pattern, BOUNDS_SCAN, "g",
                                   type_=array).column_valued("bound")
    bad_bound = sa.exists(sa.select(sa.literal(1)).where(
        sa.cast(bound[1], sa.Integer()) > sa.cast(bound[2], sa.Integer())))
    body = sa.func.regexp_matches(pattern, CLASSES_SCAN, "g",
                                  type_=array).column_valued("body")
    item = sa.func.regexp_matches(body[1], RANGES_SCAN, "g", type_=array).column_valued("item")
    classes = body.scalar_alias.join(item.scalar_alias, sa.true())  # implicitly LATERAL
    bad_range = sa.exists(sa.select(sa.literal(1)).select_from(classes).where(
        _code_point_sql(item[1]) > _code_point_sql(item[2])))
    valid = pattern.collate("C").op("~", is_comparison=True)(
        sa.literal(VALID_PATTERN, sa.Text()))
    return sa.case(
        (sa.func.length(pattern) > PATTERN_LIMIT, sa.null()),
        (sa.not_(valid), sa.null()),
        (bad_bound, sa.null()),
        (bad_range, sa.null()),
        else_=pattern,
    )


def _pg_regex(c, args, types, result):
    text = sa.func.coalesce(_text_arg(args[0], types[0]), "")
    known, pattern = _constant(args[1])
    if known:
        pattern = pattern or ""
        if pattern_problem(pattern) is not None:
            return sa.cast(sa.null(), sa.Boolean())
        anchored = sa.literal("^(?:" + pattern + ")$", sa.Text())
    else:
        checked = _checked_pattern_sql(sa.func.coalesce(_text_arg(args[1], types[1]), ""))
        anchored = sa.literal("^(?:", sa.Text()).op("||")(checked).op("||")(")$")
    return text.collate("C").op("~", is_comparison=True)(anchored)


_fn("REGEX", 2, 2, signature([TEXTS, TEXTS], T.BOOLEAN), regex, _pg_regex,
    "whether the whole text matches a regular expression",
    "REGEX(phone, '[0-9]{3}-[0-9]{4}')", strict=False, check_args=check_regex_args)

__all__ = ["matcher", "pattern_problem"]
