"""Running a valid REGEX pattern in bounded time (the Python back-end, so SQLite too).

Python's ``re`` backtracks: ``(a+)*$`` on thirty ``a`` and a ``!`` never returns. So:

1. **RE2** (``google-re2``) runs every pattern without lookahead, in time linear in the
   text. Linear is not small: RE2 may fall back from its DFA to an NFA whose steps are the
   program's size times the text's bytes, and a valid pattern compiles to up to ~150,000
   instructions (``\\W{0,255}`` fifty times over). So RE2 is given a pattern and a text
   only while their ``program size * UTF-8 bytes`` stays under ``RE2_WORK`` (a tenth of a
   second or so on any machine).
2. **Leading lookaheads** (``(?=.*[0-9])(?=.*[a-z]).{8,}``, the password idiom): a
   lookahead at the very start of a pattern without a top-level ``|`` looks at the text
   from its first character, so it is "some prefix of the text matches the body" (RE2,
   anchored at the start), and the rest of the pattern must match the whole text (RE2).
3. **Anything else** (a lookahead further on, such as ``(?!00)`` inside ``[0-9]{3}-(?!00)
   [0-9]{2}``, or more work than ``RE2_WORK``) runs on the ``regex`` package, a
   backtracking engine like ``re`` with guards against the classic blow-ups and a
   ``timeout``: past ``REGEX_SECONDS`` it raises ``formula.regex_too_complex`` instead of
   answering. That timeout is measured in wall-clock time, so whether a pathological
   pattern gives up can depend on the machine's load; an answer it gives is always right.

Every route reads the pattern as ``re`` reads ``python_pattern(pattern)`` with ``re.ASCII |
re.DOTALL`` and ``fullmatch``, which is how PostgreSQL reads the pattern itself
(tests/unit/formula/test_regex.py compares them on generated patterns and texts).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import re2
import regex as backtracking

from hulian.formula.limits import REGEX_SECONDS, regex_too_complex

RE2_WORK = 200_000_000
"""RE2 program instructions times text bytes one REGEX may give RE2 (see 1. above)."""
_FLAGS = backtracking.ASCII | backtracking.DOTALL | backtracking.VERSION0
Token = tuple[str, str]


# -- reading a valid pattern -------------------------------------------------------------------

def tokens(pattern: str) -> Iterator[Token]:
    """A valid pattern as (kind, text): escape, class, open ("(", "(?:", "(?=", "(?!"),
    count ("{m,n}") or char (any other single character)."""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            size = 6 if pattern[i + 1] == "u" else 2
            yield "escape", pattern[i:i + size]
        elif char == "[":
            end = i + 1
            while pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            size = end + 1 - i
            yield "class", pattern[i:end + 1]
        elif char == "(":
            size = 3 if pattern.startswith("(?", i) else 1
            yield "open", pattern[i:i + size]
        elif char == "{":
            size = pattern.index("}", i) + 1 - i
            yield "count", pattern[i:i + size]
        else:
            size = 1
            yield "char", char
        i += size


def _class_items(body: str) -> Iterator[str]:
    """The items of a class body (after ``^``): escapes, characters and ``-``."""
    i = 0
    while i < len(body):
        size = (6 if body[i + 1] == "u" else 2) if body[i] == "\\" else 1
        yield body[i:i + size]
        i += size


# -- Python's syntax (the reference, and the backtracking engine) --------------------------------

def _python_class(body: str, out: list[str]) -> None:
    for item in _class_items(body):
        if item.startswith("\\u"):
            out.append(re.escape(chr(int(item[2:], 16))))
        elif item.startswith("\\"):
            out.append(item)
        else:
            out.append(item if item in "-^" else re.escape(item))


def python_pattern(pattern: str) -> str:
    """A valid pattern in Python's syntax (with re.ASCII and re.DOTALL)."""
    out: list[str] = []
    for kind, text in tokens(pattern):
        if kind == "escape":
            if text.startswith("\\u"):
                out.append(re.escape(chr(int(text[2:], 16))))
            else:
                out.append(text if text[1] in "dDwWsStnrf" else re.escape(text[1]))
        elif kind == "class":
            out.append("[")
            _python_class(text[1:-1], out)
            out.append("]")
        elif kind in ("open", "count"):
            out.append(text)
        else:
            out.append({"$": r"\Z", "^": r"\A"}.get(text, text if text in ".|()*+?"
                                                     else re.escape(text)))
    return "".join(out)


# -- RE2's syntax --------------------------------------------------------------------------------

_SPACE = r"\t\n\x{B}\f\r\x{20}"
"""\\s as Java, Python's re.ASCII and PostgreSQL's C locale read it; RE2's own \\s lacks \\v."""


def _literal(char: str) -> str:
    return char if char.isascii() and char.isalnum() else f"\\x{{{ord(char):X}}}"


def _re2_escape(text: str) -> str:
    if text.startswith("\\u"):
        return _literal(chr(int(text[2:], 16)))
    letter = text[1]
    if letter == "s":
        return f"[{_SPACE}]"
    if letter == "S":
        return f"[^{_SPACE}]"
    return text if letter in "dDwWtnrf" else _literal(letter)


def _re2_class(text: str) -> str:
    body = text[1:-1]
    negated = body.startswith("^")
    items = list(_class_items(body[1:] if negated else body))
    out = []
    for i, item in enumerate(items):
        if item == "-":  # a range between two characters, or a literal first or last
            out.append("-" if 0 < i < len(items) - 1 else _literal("-"))
        elif item == "\\s":
            out.append(_SPACE)
        elif item.startswith("\\"):
            out.append(_re2_escape(item))
        else:
            out.append(_literal(item))
    return "[" + ("^" if negated else "") + "".join(out) + "]"


def re2_pattern(parts: list[Token]) -> str:
    """Tokens of a valid pattern without lookaheads, in RE2's syntax (with dot_nl)."""
    out: list[str] = []
    for kind, text in parts:
        if kind == "escape":
            out.append(_re2_escape(text))
        elif kind == "class":
            out.append(_re2_class(text))
        elif kind == "open":
            out.append("(?:")
        elif kind == "count":
            out.append(text)
        else:
            out.append({"$": r"\z", "^": r"\A"}.get(text, text if text in ".|)*+?"
                                                    else _literal(text)))
    return "".join(out)


def _re2(parts: list[Token]) -> re2._Regexp | None:
    options = re2.Options()
    options.log_errors = False
    options.dot_nl = True
    options.never_capture = True
    try:
        return re2.compile(re2_pattern(parts), options)
    except re2.error:  # a program too large for RE2's memory budget
        return None


# -- the plan for one pattern ----------------------------------------------------------------------

LOOKAHEADS = ("(?=", "(?!")


def _leading(parts: list[Token]) -> tuple[list[tuple[bool, list[Token]]], list[Token]] | None:
    """(leading lookaheads, the rest), or None when a lookahead stands elsewhere or the
    pattern has top-level alternatives besides its leading lookaheads."""
    checks: list[tuple[bool, list[Token]]] = []
    i = 0
    while i < len(parts):
        if parts[i] == ("char", "^"):
            i += 1
        elif parts[i][0] == "open" and parts[i][1] in LOOKAHEADS:
            end = parts.index(("char", ")"), i)  # a lookahead holds no group
            checks.append((parts[i][1] == "(?=", parts[i + 1:end]))
            i = end + 1
        else:
            break
    depth = 0
    for j, (kind, text) in enumerate(parts):
        if kind == "open":
            if text in LOOKAHEADS and j >= i:
                return None
            depth += 1
        elif text == ")" and kind == "char":
            depth -= 1
        elif text == "|" and kind == "char" and depth == 0 and checks:
            return None
    if not checks:
        return [], parts
    return checks, parts[i:]


@dataclass(frozen=True)
class Matcher:
    """How one valid pattern is matched: RE2 when ``whole`` is set, else backtracking."""

    pattern: str
    checks: tuple[tuple[bool, re2._Regexp], ...] = ()
    whole: re2._Regexp | None = None
    work: int = 0
    """The RE2 programs' total size: times the text's bytes, at most RE2_WORK."""

    def fullmatch(self, text: str) -> bool:
        if self.whole is not None:
            try:
                data = text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate, which only Python text can hold
                data = None
            if data is not None and self.work * max(len(data), 1) <= RE2_WORK:
                return all((rx.match(data) is not None) is positive
                           for positive, rx in self.checks) and \
                    self.whole.fullmatch(data) is not None
        return self._backtrack(text)

    def _backtrack(self, text: str) -> bool:
        try:
            return _backtracking(self.pattern).fullmatch(text, timeout=REGEX_SECONDS) \
                is not None
        except TimeoutError:
            raise regex_too_complex() from None


@functools.lru_cache(maxsize=64)
def _backtracking(pattern: str) -> backtracking.Pattern:
    return backtracking.compile(python_pattern(pattern), _FLAGS)


def plan(pattern: str) -> Matcher:
    """The Matcher of a valid pattern."""
    parts = list(tokens(pattern))
    split = _leading(parts)
    if split is None:
        return Matcher(pattern)
    bodies, rest = split
    programs = [_re2(rest), *(_re2(body) for _, body in bodies)]
    whole, *checks = programs
    if whole is None or None in checks:
        return Matcher(pattern)
    # the wrapper's _regexp is the RE2 object; its program size is what RE2's NFA steps through
    work = sum(rx._regexp.ProgramSize() for rx in programs if rx is not None)
    return Matcher(pattern, tuple((positive, rx) for (positive, _), rx in
                                  zip(bodies, checks, strict=True) if rx is not None),
                   whole, work)


__all__ = ["RE2_WORK", "Matcher", "plan", "python_pattern", "re2_pattern", "tokens"]
