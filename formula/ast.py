"""Formula syntax trees: what the parser builds (untyped) and what the checker returns (typed).

Operators are calls of internal functions (``+`` is ``_ADD``), so the back-ends
only know three node kinds: literals, field references and calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hulian.formula.errors import Span
from hulian.formula.types import T

if TYPE_CHECKING:
    from hulian.formula.functions.base import Function


@dataclass(frozen=True)
class Literal:
    value: Any
    type: T
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Ref:
    """A field reference: ``amount``, ``account.owner.name``, ``$User.id``."""

    path: tuple[str, ...]
    span: Span = field(compare=False)

    @property
    def text(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Call:
    name: str  # upper-case function name, or an operator's internal name such as _ADD
    args: tuple[Node, ...]
    span: Span = field(compare=False)
    operator: str | None = None  # the operator as written, for messages


Node = Literal | Ref | Call


@dataclass(frozen=True)
class TLiteral:
    value: Any
    type: T


@dataclass(frozen=True)
class TRef:
    """A resolved field reference; ``target`` is what the scope resolved it to."""

    path: tuple[str, ...]
    type: T
    target: Any = field(compare=False, default=None)


@dataclass(frozen=True)
class TCall:
    function: Function
    args: tuple[Typed, ...]
    type: T
    arg_types: tuple[T, ...] = ()


Typed = TLiteral | TRef | TCall


def _references(node: Any, ref: type, call: type) -> list[Any]:
    """The ``ref`` nodes of a tree whose branches are ``call`` nodes, in order."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ref):
            found.append(current)
        elif isinstance(current, call):
            stack.extend(reversed(current.args))
    return found


def refs(node: Typed) -> list[TRef]:
    """Every field reference in a typed tree, in order."""
    return _references(node, TRef, TCall)


def parsed_refs(node: Node) -> list[Ref]:
    """Every field reference in a parsed (untyped) tree, in order."""
    return _references(node, Ref, Call)
