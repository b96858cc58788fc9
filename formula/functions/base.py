"""What a formula function is: its arity, its typing rule and its two implementations.

``python`` computes the value from Python values (Decimal, str, bool, date,
datetime, time, list, None for blank); ``pg`` builds the PostgreSQL expression.
On SQLite a function runs its ``python`` implementation inside SQLite (a
registered SQL function), unless it gives a ``sqlite`` builder of its own: that
keeps SQLite's answers identical to Python's. A ``lazy`` function receives
zero-argument callables instead of values, so IF, AND, CASE... short-circuit.
A ``strict`` function returns blank when any argument is blank.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from hulian.formula.types import NUMERIC, T, common, fits, numeric_result

Typer = Callable[[Sequence[T]], T]
SqlBuilder = Callable[..., Any]


class ArgTypeError(Exception):
    """Raised by a typer: argument ``index`` (or the call when None) has the wrong type."""

    def __init__(self, index: int | None, message: str):
        super().__init__(message)
        self.index = index
        self.message = message


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int | None
    typer: Typer
    python: Callable[..., Any]
    pg: SqlBuilder | None = None
    sqlite: SqlBuilder | None = None
    lazy: bool = False
    strict: bool = True
    contexts: frozenset[str] | None = None
    volatile: bool = False
    check_args: Callable[[Sequence[Any]], None] | None = None
    """Checks the typed arguments beyond their types (e.g. a literal regular expression);
    raises ArgTypeError. Called by the checker after ``typer``."""
    summary: str = ""
    examples: tuple[str, ...] = field(default=())

    def arity(self) -> str:
        if self.max_args == self.min_args:
            return str(self.min_args)
        if self.max_args is None:
            return f"{self.min_args} or more"
        return f"{self.min_args} to {self.max_args}"


REGISTRY: dict[str, Function] = {}


def register(function: Function) -> Function:
    if function.pg is None:
        raise ValueError(f"formula function {function.name} needs a PostgreSQL builder")
    if function.name in REGISTRY:
        raise ValueError(f"formula function {function.name} registered twice")
    REGISTRY[function.name] = function
    return function


# -- typing helpers ---------------------------------------------------------------------------

ANY = frozenset(T)
NUM = frozenset(NUMERIC)


def describe(accepted: Collection[T]) -> str:
    if set(accepted) >= NUMERIC and len(set(accepted) - NUMERIC - {T.NULL}) == 0:
        return "a number"
    names = sorted(t.value for t in accepted if t is not T.NULL)
    return " or ".join(names)


def expect(types: Sequence[T], index: int, accepted: Collection[T]) -> T:
    actual = types[index]
    if actual is T.NULL or actual in accepted:
        return actual
    raise ArgTypeError(index, f"argument {index + 1} must be {describe(accepted)}, "
                              f"not {actual.value}")


def signature(params: Sequence[Collection[T]], result: T | Callable[[Sequence[T]], T],
              rest: Collection[T] | None = None) -> Typer:
    """A typer for fixed parameter types (``rest`` types any further arguments)."""

    def typer(types: Sequence[T]) -> T:
        for i in range(len(types)):
            accepted = params[i] if i < len(params) else rest
            if accepted is None:
                raise ArgTypeError(i, "too many arguments")
            expect(types, i, accepted)
        return result(types) if callable(result) else result

    return typer


def numeric_of(types: Sequence[T]) -> T:
    return numeric_result(*types)


def same_type(types: Sequence[T], indexes: Sequence[int], what: str) -> T:
    """The common type of the arguments at ``indexes`` (IF's branches, CASE's results...)."""
    found = T.NULL
    for i in indexes:
        shared = common(found, types[i])
        if shared is None:
            raise ArgTypeError(i, f"{what} must all have one type: {found.value} and "
                                  f"{types[i].value} do not mix")
        found = shared
    return found


__all__ = ["ANY", "NUM", "REGISTRY", "ArgTypeError", "Function", "describe", "expect", "fits",
           "numeric_of", "register", "same_type", "signature"]
