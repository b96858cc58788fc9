"""Typed tree -> a Python callable, compiled once.

``compile_python(typed)`` returns ``run(env)``; ``env`` maps a field path (a tuple)
to its value, e.g. ``{("amount",): Decimal("12.50"), ("account", "name"): "Acme"}``.

How implementations are called (the contract every function family relies on): a
``strict`` function gets no blank argument (any blank argument makes the call blank);
a ``@typed_impl`` implementation receives the argument types first; a ``lazy`` one
receives ``(types, *thunks)`` and evaluates only the arguments it needs.

``compile_python`` generates the source of one Python function per formula
(``formula/codegen.py``); ``compile_closures`` is the plain interpreter of the same
semantics, one closure per node: the reference the generated code is tested against,
and the fallback for trees too deep for Python's parser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hulian.formula.ast import TCall, TLiteral, TRef, Typed

Env = Mapping[tuple[str, ...], Any]
Compiled = Callable[[Env], Any]


def _strict(fn: Callable[..., Any], parts: list[Compiled]) -> Compiled:
    if len(parts) == 1:
        (a,) = parts

        def one(env: Env) -> Any:
            x = a(env)
            return None if x is None else fn(x)
        return one
    if len(parts) == 2:
        a, b = parts

        def two(env: Env) -> Any:
            x = a(env)
            if x is None:
                return None
            y = b(env)
            return None if y is None else fn(x, y)
        return two

    def many(env: Env) -> Any:
        values = [p(env) for p in parts]
        return None if any(v is None for v in values) else fn(*values)
    return many


def compile_closures(node: Typed) -> Compiled:
    """One closure per node: slow, simple, and the reference semantics."""
    if isinstance(node, TLiteral):
        value = node.value
        return lambda env: value
    if isinstance(node, TRef):
        path = node.path
        return lambda env: env.get(path)
    assert isinstance(node, TCall)
    function = node.function
    parts = [compile_closures(arg) for arg in node.args]
    impl = function.python
    if function.lazy:
        types = node.arg_types

        def lazy(env: Env) -> Any:
            return impl(types, *[(lambda p=p: p(env)) for p in parts])
        return lazy
    if getattr(impl, "wants_types", False):
        types = node.arg_types
        if function.strict:
            return _strict(lambda *values: impl(types, *values), parts)
        return lambda env: impl(types, *[p(env) for p in parts])
    if function.strict:
        return _strict(impl, parts)
    return lambda env: impl(*[p(env) for p in parts])


def compile_python(node: Typed) -> Compiled:
    """``run(env)`` for a typed tree: generated Python source, compiled once."""
    from hulian.formula.codegen import generate  # the families import typed_impl from here

    return generate(node)


def typed_impl(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a Python implementation that takes the argument types first."""
    fn.wants_types = True  # type: ignore[attr-defined]
    return fn


__all__ = ["Compiled", "Env", "compile_closures", "compile_python", "typed_impl"]
