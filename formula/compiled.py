"""A formula compiled once: text -> parsed -> type-checked -> Python callable.

>>> f = compile_formula("amount * 2", RecordScope({"amount": 1}))
>>> f.type.value, f.run({("amount",): Decimal("1.25")})
('number', Decimal('2.50'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hulian.formula.ast import TRef, Typed, refs
from hulian.formula.checker import Options, RecordScope, Scope, check
from hulian.formula.errors import FormulaError
from hulian.formula.parser import parse
from hulian.formula.python import Compiled, Env, compile_python
from hulian.formula.types import NUMERIC, T
from hulian.formula.values import normal, python_value

__all__ = ["CompiledFormula", "Decimal", "compile_formula", "evaluate", "record_env"]


@dataclass(frozen=True)
class CompiledFormula:
    text: str
    typed: Typed
    run: Compiled = field(repr=False, compare=False)

    @property
    def type(self) -> T:
        return self.typed.type

    @property
    def references(self) -> list[TRef]:
        return refs(self.typed)


def compile_formula(text: str, scope: Scope, options: Options | None = None,
                    expected: T | None = None) -> CompiledFormula:
    """Parse, type-check and compile ``text``; FormulaError on any problem."""
    try:
        typed = check(parse(text), scope, text, options, expected)
    except RecursionError:
        raise FormulaError("the formula nests too deeply", code="formula.too_deep",
                           text=text) from None
    return CompiledFormula(text, typed, compile_python(typed))


def record_env(record: Mapping[str, Any] | None) -> Env:
    """Flatten a record (nested dicts for related records) into path -> value."""
    env: dict[tuple[str, ...], Any] = {}
    stack: list[tuple[tuple[str, ...], Mapping[str, Any]]] = [((), record or {})]
    while stack:
        prefix, current = stack.pop()
        for key, value in current.items():
            path = (*prefix, str(key))
            if isinstance(value, Mapping):
                stack.append((path, value))
            else:
                env[path] = python_value(value)
    return env


def evaluate(expr: str, record: Mapping[str, Any] | None = None, *,
             context: str = "formula", blank_as_zero: bool = False) -> Any:
    """Evaluate ``expr`` against ``record``, each field typed from its value.

    The values are JSON's (None, bool, int, float, str, lists of option names for a
    multi-picklist) or Python's: ``Decimal``, ``datetime.date``, ``datetime`` (a naive one
    is read as UTC) and ``time``; a nested mapping is a related record. Text is text, even
    an ISO date (``DATEVALUE(due)`` reads it). A running formula may raise FormulaError
    for its limits (``formula.text_too_long``, ``formula.regex_too_complex``).

    >>> evaluate("IF(amount > 100, 'big', 'small')", {"amount": 150})
    'big'
    >>> evaluate("ADDMONTHS(due, 2)", {"due": datetime.date(2024, 12, 31)})
    datetime.date(2025, 2, 28)
    """
    formula = compile_formula(expr, RecordScope(record or {}),
                              Options(context=context, blank_as_zero=blank_as_zero))
    value = formula.run(record_env(record))
    if isinstance(value, Decimal) and formula.type in NUMERIC | {T.NULL}:
        return normal(value)
    return value
