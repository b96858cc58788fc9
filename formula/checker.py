"""Type checking: untyped tree + a scope of fields -> typed tree, or FormulaError.

A *scope* resolves field paths (``amount``, ``account.name``) to a type and a
target the back-ends understand. ``RecordScope`` types fields from the values of a
record (JSON or Python values); the engine provides a scope over an object's metadata.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from hulian.formula.ast import Call, Literal, Node, Ref, TCall, TLiteral, TRef, Typed
from hulian.formula.errors import FormulaError, Span
from hulian.formula.functions.base import REGISTRY, ArgTypeError
from hulian.formula.functions.registry import load
from hulian.formula.types import NUMERIC, T

CONTEXTS = ("formula", "default", "validation", "filter")


class UnknownField(LookupError):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class Scope(Protocol):
    def resolve(self, path: tuple[str, ...]) -> tuple[T, Any]:
        """The type of the field at ``path`` and a back-end target; UnknownField if none."""


def value_type(value: Any) -> T:
    """The formula type of a record's value, from its Python type.

    JSON gives None, booleans, numbers, text and lists (multi-picklists); a Python caller
    may also give ``date``, ``datetime`` and ``time`` (a datetime is also a date, and a
    bool an int: the order matters). Text is text, even an ISO date: DATEVALUE reads it.
    """
    if value is None:
        return T.NULL
    if isinstance(value, bool):
        return T.BOOLEAN
    if isinstance(value, int | float | Decimal):
        return T.NUMBER
    if isinstance(value, list):
        return T.MULTI_PICKLIST
    if isinstance(value, dt.datetime):
        return T.DATETIME
    if isinstance(value, dt.date):
        return T.DATE
    if isinstance(value, dt.time):
        return T.TIME
    return T.TEXT


@dataclass(frozen=True)
class RecordScope:
    """Fields typed from a plain record (``value_type``); nested mappings stand for related
    records.

    ``types`` overrides the type of a top-level field (e.g. ``{"stage": T.PICKLIST}``).
    """

    record: Mapping[str, Any]
    types: Mapping[str, T] = field(default_factory=dict)

    def resolve(self, path: tuple[str, ...]) -> tuple[T, Any]:
        current: Any = self.record
        for i, name in enumerate(path):
            if not isinstance(current, Mapping) or name not in current:
                where = ".".join(path[:i]) or "the record"
                known = list(current) if isinstance(current, Mapping) else []
                close = difflib.get_close_matches(name, known, n=1)
                raise UnknownField(f"{where} has no field {name!r}",
                                   f"did you mean {close[0]!r}?" if close else None)
            current = current[name]
        if isinstance(current, Mapping):
            raise UnknownField(f"{'.'.join(path)} is a related record, not a value",
                               "name one of its fields, e.g. " + ".".join(path) + ".name")
        if len(path) == 1 and path[0] in self.types:
            return T(self.types[path[0]]), path
        return value_type(current), path


@dataclass(frozen=True)
class Options:
    context: str = "formula"
    blank_as_zero: bool = False


def _error(text: str, span: Span | None, code: str, message: str,
           hint: str | None = None) -> FormulaError:
    return FormulaError(message, code=code, text=text, span=span, hint=hint)


class Checker:
    def __init__(self, scope: Scope, text: str, options: Options):
        load()
        self.scope = scope
        self.text = text
        self.options = options

    def check(self, node: Node) -> Typed:
        if isinstance(node, Literal):
            return TLiteral(node.value, node.type)
        if isinstance(node, Ref):
            return self._ref(node)
        return self._call(node)

    def _ref(self, node: Ref) -> Typed:
        try:
            kind, target = self.scope.resolve(node.path)
        except UnknownField as exc:
            raise _error(self.text, node.span, "formula.unknown_field", exc.message,
                         exc.hint) from None
        ref = TRef(node.path, kind, target)
        if self.options.blank_as_zero and kind in NUMERIC:
            return TCall(REGISTRY["_BLANKZERO"], (ref,), kind, (kind,))
        return ref

    def _record_state(self, node: Call) -> Typed | None:
        """ISNEW(), ISCHANGED(field), PRIORVALUE(field): read the record's previous state.

        They become references to ``$IsNew`` and ``$Prior.<field>``, which the engine
        supplies when it runs validation rules and defaults (never in SQL).
        """
        name = node.name
        if name not in ("ISNEW", "ISCHANGED", "PRIORVALUE"):
            return None
        if self.options.context not in ("validation", "default"):
            raise _error(self.text, node.span, "formula.context",
                         f"{name} can only be used in validation rules and defaults")
        wanted = 0 if name == "ISNEW" else 1
        if len(node.args) != wanted:
            raise _error(self.text, node.span, "formula.arg_count",
                         f"{name} takes {wanted} argument(s), not {len(node.args)}")
        if name == "ISNEW":
            return TRef(("$IsNew",), T.BOOLEAN)
        arg = node.args[0]
        if not isinstance(arg, Ref):
            raise _error(self.text, arg.span, "formula.type",
                         f"{name} takes a field of this record, e.g. {name}(amount)")
        current = self._ref(arg)
        prior = TRef(("$Prior", *arg.path), current.type, getattr(current, "target", None))
        if name == "PRIORVALUE":
            return prior
        return TCall(REGISTRY["_DISTINCT"], (current, prior), T.BOOLEAN,
                     (current.type, prior.type))

    def _call(self, node: Call) -> Typed:
        special = self._record_state(node)
        if special is not None:
            return special
        function = REGISTRY.get(node.name)
        if function is None or (node.name.startswith("_") and node.operator is None):
            public = [*(n for n in REGISTRY if not n.startswith("_")), "ISNEW", "ISCHANGED",
                      "PRIORVALUE"]
            close = difflib.get_close_matches(node.name, public, n=1)
            raise _error(self.text, node.span, "formula.unknown_function",
                         f"there is no function {node.name}",
                         f"did you mean {close[0]}?" if close else
                         "see docs/formulas.md for the functions")
        count = len(node.args)
        if count < function.min_args or (function.max_args is not None
                                         and count > function.max_args):
            raise _error(self.text, node.span, "formula.arg_count",
                         f"{node.name} takes {function.arity()} argument(s), not {count}")
        if function.contexts is not None and self.options.context not in function.contexts:
            raise _error(self.text, node.span, "formula.context",
                         f"{node.name} can only be used in "
                         f"{' and '.join(sorted(function.contexts))} formulas")
        args = tuple(self.check(arg) for arg in node.args)
        types = tuple(arg.type for arg in args)
        try:
            result = function.typer(types)
            if function.check_args is not None:
                function.check_args(args)
        except ArgTypeError as exc:
            span = node.args[exc.index].span if exc.index is not None and \
                exc.index < len(node.args) else node.span
            what = f"{node.operator!r}" if node.operator else node.name
            raise _error(self.text, span, "formula.type", f"{what}: {exc.message}") from None
        return TCall(function, args, result, types)


def check(node: Node, scope: Scope, text: str, options: Options | None = None,
          expected: T | None = None, span: Span | None = None) -> Typed:
    """Type-check ``node``; with ``expected``, the result must fit that type."""
    typed = Checker(scope, text, options or Options()).check(node)
    if expected is not None and not _fits_result(typed.type, expected):
        raise _error(text, span or getattr(node, "span", None), "formula.result_type",
                     f"the formula gives {typed.type.value}, but {expected.value} is needed")
    return typed


def _fits_result(actual: T, expected: T) -> bool:
    if actual is T.NULL or actual == expected:
        return True
    if actual in NUMERIC and expected in NUMERIC:
        return True
    return expected is T.TEXT and actual is T.PICKLIST


def type_names(types: Sequence[T]) -> str:
    return ", ".join(t.value for t in types)
