"""What a running formula may spend: how long a text it builds, how long REGEX may search.

Everything else a function cannot compute is blank (division by zero, ``VALUE('abc')``).
These two limits are not a property of the value but of the resources a formula takes,
and blank would be a wrong answer (``LEN`` of it is 0, a filter would silently drop the
record), so they raise a ``FormulaError`` while the formula runs, on every back-end:

- ``formula.text_too_long``: a function would build a text longer than ``TEXT_LIMIT``
  characters (``&``, ``+`` on text, ``SUBSTITUTE``, ``LPAD``, ``RPAD``, ``TEXT``). The size
  is computed first; the text is never built.
- ``formula.regex_too_complex``: ``REGEX`` with a lookahead that Python's backtracking
  engine cannot decide within ``REGEX_SECONDS`` (every other pattern runs on RE2, in time
  linear in the text, and never meets it).
"""

from __future__ import annotations

from hulian.formula.errors import FormulaError

TEXT_LIMIT = 100_000
"""The longest text a formula function builds, in characters.

Three times the largest default text field (a textarea holds 32,768), far beyond what a
formula shows (Salesforce caps formula text at 3,900 characters), and small enough that a
formula, which holds at most a few hundred values while it runs, never holds more than some
tens of megabytes of text (a character takes up to 4 bytes)."""

REGEX_SECONDS = 0.25
"""The time one REGEX evaluation of a pattern with a lookahead may take (see regex_match)."""

TEXT_TOO_LONG = (f"the formula would build a text longer than {TEXT_LIMIT:,} characters")
REGEX_TOO_COMPLEX = (f"REGEX gave up after {REGEX_SECONDS} s: the pattern's lookahead makes "
                     f"the search backtrack too much on this text")


def text_too_long() -> FormulaError:
    return FormulaError(TEXT_TOO_LONG, code="formula.text_too_long",
                        hint=f"formulas build texts of at most {TEXT_LIMIT:,} characters; "
                             f"shorten the inputs or the texts SUBSTITUTE, LPAD or & add")


def check_length(size: int) -> None:
    """Raise ``formula.text_too_long`` when a text of ``size`` characters is too long."""
    if size > TEXT_LIMIT:
        raise text_too_long()


def regex_too_complex() -> FormulaError:
    return FormulaError(REGEX_TOO_COMPLEX, code="formula.regex_too_complex",
                        hint="write the pattern without (?=...) or (?!...) after its start, "
                             "or without nested repetitions such as (a+)+")


__all__ = ["REGEX_SECONDS", "TEXT_LIMIT", "check_length", "regex_too_complex",
           "text_too_long"]
