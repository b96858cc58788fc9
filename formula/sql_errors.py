"""Formula errors raised inside the database, given back as the FormulaError they are.

A formula raises while it runs only for the limits of ``formula/limits.py``. In SQL:

- **PostgreSQL** evaluates ``raise_sql(code)``, which fails with
  ``invalid input syntax for type integer: "hulian:formula.text_too_long"``: the code
  travels in the message. ``concat()`` is only *stable*, so PostgreSQL cannot fold the
  expression while it plans a statement; it fails only where it is evaluated.
- **SQLite** calls the Python implementations (``hl_call``), which raise the FormulaError
  itself; sqlite3 reports any exception of a function as "user-defined function raised
  exception", so ``remembered`` keeps the error for the thread that ran the statement.

``translate_errors(engine)`` installs the SQLAlchemy hook that turns both back into the
FormulaError (HTTP 400), instead of a storage error (500).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from hulian.formula.errors import FormulaError
from hulian.formula.limits import regex_too_complex, text_too_long

MARKER = "hulian:"
_IN_MESSAGE = re.compile(re.escape(MARKER) + r"(formula\.[a-z_]+)")
_ERRORS: dict[str, Callable[[], FormulaError]] = {
    "formula.text_too_long": text_too_long, "formula.regex_too_complex": regex_too_complex}
SQLITE_MESSAGE = "user-defined function raised exception"

_raised = threading.local()


def raise_sql(code: str) -> Any:
    """A PostgreSQL text expression that fails with ``code`` where it is evaluated."""
    assert code in _ERRORS, code
    message = sa.func.concat(sa.literal(MARKER + code, sa.Text()), type_=sa.Text())
    return sa.cast(sa.cast(message, sa.Integer()), sa.Text())


def remembered(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` for sqlite3: a FormulaError it raises is kept for ``formula_error``."""

    def call(*args: Any) -> Any:
        _raised.error = None
        try:
            return function(*args)
        except FormulaError as exc:
            _raised.error = exc
            raise

    call.__name__ = getattr(function, "__name__", "call")
    return call


def formula_error(exc: BaseException) -> FormulaError | None:
    """The FormulaError a driver error stands for, or None."""
    if isinstance(exc, sqlite3.Error):
        error, _raised.error = getattr(_raised, "error", None), None
        return error if str(exc) == SQLITE_MESSAGE else None
    if getattr(exc, "sqlstate", None) != "22P02":
        return None
    found = _IN_MESSAGE.search(str(exc))
    return _ERRORS[found.group(1)]() if found and found.group(1) in _ERRORS else None


def _handle_error(context: Any) -> None:
    error = formula_error(context.original_exception)
    if error is not None:
        raise error from context.original_exception


def translate_errors(engine: sa.Engine) -> sa.Engine:
    """Make ``engine`` raise a formula's FormulaError instead of the driver's error."""
    if not sa.event.contains(engine, "handle_error", _handle_error):
        sa.event.listen(engine, "handle_error", _handle_error)
    return engine


__all__ = ["MARKER", "formula_error", "raise_sql", "remembered", "translate_errors"]
