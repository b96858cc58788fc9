"""Typed tree -> the source of one Python function per formula, compiled once.

>>> run = generate(typed)                       # doctest: +SKIP
>>> run({("amount",): Decimal("2"), ("quantity",): Decimal("3")})   # doctest: +SKIP

``IF(amount * quantity > 1000, ROUND(amount * quantity * (1 - discount), 2), amount *
quantity)`` becomes, roughly::

    def run(env):
        return ((None if (t3 := (None if (t1 := env.get(c0)) is None
                                         or (t2 := env.get(c1)) is None
                                 else c2(t1, t2))) is None ...

The semantics are those of ``python.compile_closures``, the reference:

- a field is read with ``env.get`` where the reference is first evaluated, then reused
  from a local wherever that read is sure to have happened (never hoisted out of an IF
  branch, a later AND argument or a strict call's later argument);
- a strict call checks its arguments for blank inline, in the closures' order (one or two
  arguments: stop at the first blank; more: evaluate all, then check);
- IF, CASE, AND, OR, BLANKVALUE are conditional expressions: a branch not taken is never
  evaluated; AND/OR keep three-valued logic exactly (``operators.all_of``/``any_of``);
  other lazy functions get real thunks (lambdas);
- calls without field references nor volatile functions are evaluated once, at compile
  time; a pure call repeated where its first evaluation is sure to have happened is reused;
- a few hot functions are written inline (``TEMPLATES``), exactly as their implementation
  computes; sums and products of whole numbers (literals, YEAR, MONTH, DAY of a date) run
  on ints and become one Decimal at the end (same value, same exponent).

Safety: the source holds only generated names (``c12``, ``t3``), Python keywords and
operators from this module; every formula value, path, type and implementation is bound
as a free variable of the generated function, never spliced into the text. A tree nested
too deeply for Python's parser is compiled by ``compile_closures`` instead (per subtree).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hulian.formula.ast import TCall, TLiteral, TRef, Typed
from hulian.formula.inline import COMPARISONS, DATE_PARTS, TEMPLATES, WHOLE_OPS
from hulian.formula.pyexpr import LISTY, SCALAR, Expr
from hulian.formula.python import Compiled, compile_closures
from hulian.formula.types import NUMERIC, T

MAX_NESTING = 24
"""Formula levels written as one nested expression; deeper subtrees become closures."""
WHOLE_LIMIT = 10 ** 300
"""Whole-number arithmetic stays on ints below this bound (EXACT keeps 400 digits)."""
IMMUTABLE = (bool, str, Decimal, dt.date, dt.datetime, dt.time)


class Generator:
    def __init__(self, root: Typed):
        self.bound: list[Any] = []
        self.bound_ids: dict[int, str] = {}
        self.temps = 0
        self.avail: dict[Any, str] = {}
        self.keys: dict[int, Any] = {}
        self.counts: dict[Any, int] = {}
        self.folded: dict[int, Typed] = {}
        self.nesting = 0
        self.present: set[str] = set()
        """Names known not to be blank here (the IF condition that leads here tested them)."""
        self._count(root)

    # -- names -----------------------------------------------------------------------------

    def bind(self, value: Any) -> str:
        """A free variable of the generated function holding ``value``."""
        if value is None:
            return "None"
        if value is True or value is False:
            return repr(value)
        known = self.bound_ids.get(id(value))
        if known is not None:
            return known
        name = f"c{len(self.bound)}"
        self.bound.append(value)
        self.bound_ids[id(value)] = name
        return name

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    def hold(self, expr: Expr) -> tuple[str, str]:
        """(code evaluating ``expr`` once, a name for its value afterwards)."""
        if expr.simple:
            return expr.code, expr.code
        if expr.name is not None:
            return expr.code, expr.name
        name = self.temp()
        return f"({name} := {expr.code})", name

    # -- analysis --------------------------------------------------------------------------

    def _count(self, node: Typed) -> Any:
        """Structural keys (equal keys: the same value) and how often each occurs."""
        if isinstance(node, TLiteral):
            key = ("lit", node.type, type(node.value).__name__, repr(node.value))
        elif isinstance(node, TRef):
            key = ("ref", node.path)
        else:
            args = tuple(self._count(arg) for arg in node.args)
            key = ("call", node.function.name, node.type, node.arg_types, args)
            if not pure(node):
                key = ("volatile", len(self.keys), len(self.counts))
        self.keys[id(node)] = key
        self.counts[key] = self.counts.get(key, 0) + 1
        return key

    def fold(self, node: Typed) -> Typed:
        """A call without field references nor volatile parts, evaluated now."""
        if not isinstance(node, TCall) or not constant(node):
            return node
        done = self.folded.get(id(node))
        if done is None:
            done = node
            try:
                value = compile_closures(node)({})
            except Exception:  # noqa: BLE001 - it raises at run time, as it always did
                value = ...
            if value is None or isinstance(value, IMMUTABLE):
                done = TLiteral(value, node.type)
            self.folded[id(node)] = done
        return done

    # -- regions: what is sure to have been evaluated ---------------------------------------

    def region(self) -> tuple[dict[Any, str], set[str]]:
        return dict(self.avail), set(self.present)

    def leave(self, saved: tuple[dict[Any, str], set[str]]) -> None:
        self.avail, self.present = dict(saved[0]), set(saved[1])

    # -- generation ------------------------------------------------------------------------

    def gen(self, node: Typed) -> Expr:
        node = self.fold(node)
        if isinstance(node, TLiteral):
            value = node.value
            return Expr(self.bind(value), nullable=value is None, simple=True,
                        truthy=isinstance(value, str) and value != "")
        key = self.keys.get(id(node))
        if key is not None and key in self.avail:
            name = self.avail[key]
            return Expr(name, nullable=name not in self.present, simple=True)
        if self.nesting >= MAX_NESTING and isinstance(node, TCall):
            expr = Expr(f"{self.bind(compile_closures(node))}(env)")
        else:
            self.nesting += 1
            try:
                expr = self._ref(node) if isinstance(node, TRef) else self._call(node)
            finally:
                self.nesting -= 1
        if key is not None and self.counts.get(key, 0) > 1 and node.type is not T.MULTI_PICKLIST:
            code, name = self.hold(expr)
            self.avail[key] = name
            return Expr(code, expr.nullable, name=name)
        return expr

    def _ref(self, node: TRef) -> Expr:
        return Expr(f"env.get({self.bind(node.path)})")

    def _call(self, node: TCall) -> Expr:
        template = TEMPLATES.get(node.function.name)
        if template is not None:
            expr = template(self, node)
            if expr is not None:
                return expr
        whole = self.whole(node)
        if whole is not None:
            return self.decimal(whole)
        return self.generic(node)

    def generic(self, node: TCall) -> Expr:
        function = node.function
        impl = self.bind(function.python)
        if function.lazy:
            thunks = []
            for arg in node.args:
                saved = self.region()
                thunks.append(f"lambda: {self.gen(arg).code}")
                self.leave(saved)
            return Expr(f"{impl}({self.bind(node.arg_types)}, {', '.join(thunks)})")
        head = [self.bind(node.arg_types)] if getattr(function.python, "wants_types",
                                                      False) else []
        if function.strict:
            return self.strict(node.args, lambda names: f"{impl}({', '.join(head + names)})")
        codes = [self.gen(arg).code for arg in node.args]
        return Expr(f"{impl}({', '.join(head + codes)})")

    def strict(self, args: tuple[Typed, ...], body: Callable[[list[str]], str],
               nullable: bool = True, every: bool | None = None) -> Expr:
        """Blank when an argument is blank; one or two arguments stop at the first blank
        (``every`` False), more are all evaluated first (``every`` True)."""
        if every is None:
            every = len(args) > 2
        exprs: list[Expr] = []
        saved: tuple[dict[Any, str], set[str]] | None = None
        for arg in args:
            if not every and saved is None and any(e.nullable for e in exprs):
                saved = self.region()
            exprs.append(self.gen(arg))
        if saved is not None:
            self.leave(saved)
        return self.checked(exprs, body, every, nullable)

    def test(self, node: Typed, present: set[str] | None = None) -> str:
        """A Python condition true exactly when ``node``'s value is True.

        An ordering or equality of non-text values, used once, is tested without its blank
        result: ``(a := A) is not None and a > c`` (the comparison gives a bool or blank).
        """
        node = self.fold(node)
        key = self.keys.get(id(node))
        if (isinstance(node, TCall) and node.function.name in COMPARISONS
                and node.function.name in COMPARISONS
                and T.TEXT not in node.arg_types and self.counts.get(key, 0) == 1
                and self.nesting < MAX_NESTING):
            symbol = COMPARISONS[node.function.name]
            self.nesting += 1
            try:
                exprs = [self.gen(arg) for arg in node.args]
            finally:
                self.nesting -= 1
            checks, names = [], []
            for expr in exprs:
                if expr.simple and not expr.nullable:
                    names.append(expr.code)
                    continue
                code, name = self.hold(expr)
                checks.append(f"({code} is None)")
                names.append(name)
            if present is not None:
                present.update(n for n, e in zip(names, exprs, strict=True) if not e.simple
                               or e.nullable)
            compare = f"{names[0]} {symbol} {names[1]}"
            if not checks:
                return f"({compare})"
            if len(checks) == 1:
                return f"({checks[0][1:-9]} is not None and {compare})"
            return f"(not ({' | '.join(checks)}) and {compare})"
        return f"{self.gen(node).code} is True"

    # -- whole numbers -----------------------------------------------------------------------

    def whole_bound(self, node: Typed) -> int | None:
        """The bound of a non-negative whole-number expression computable on ints."""
        node = self.fold(node)
        if isinstance(node, TLiteral):
            value = node.value
            if (isinstance(value, Decimal) and value.is_finite() and not value.is_signed()
                    and value.as_tuple().exponent == 0 and value < WHOLE_LIMIT):
                return int(value)
            return None
        if not isinstance(node, TCall):
            return None
        name = node.function.name
        if name in DATE_PARTS:
            return DATE_PARTS[name][1] if node.arg_types[0] is T.DATE else None
        if name in WHOLE_OPS and all(t in NUMERIC for t in node.arg_types):
            bounds = [self.whole_bound(arg) for arg in node.args]
            if None in bounds:
                return None
            a, b = bounds
            total = a + b if name == "_ADD" else a * b
            return total if total < WHOLE_LIMIT else None
        return None

    def whole(self, node: TCall) -> Expr | None:
        if self.nesting + depth(node) > MAX_NESTING or self.whole_bound(node) is None:
            return None
        return self.gen_whole(node)

    def gen_whole(self, node: Typed) -> Expr:
        node = self.fold(node)
        if isinstance(node, TLiteral):
            return Expr(self.bind(int(node.value)), nullable=False, simple=True)
        assert isinstance(node, TCall)
        name = node.function.name
        if name in DATE_PARTS:
            part = DATE_PARTS[name][0]
            return self.strict(node.args, lambda names: f"{names[0]}.{part}", nullable=False)
        symbol, every = WHOLE_OPS[name]
        exprs: list[Expr] = []
        saved: tuple[dict[Any, str], set[str]] | None = None
        for arg in node.args:
            if not every and saved is None and any(e.nullable for e in exprs):
                saved = self.region()
            exprs.append(self.gen_whole(arg))
        if saved is not None:
            self.leave(saved)
        return self.checked(exprs, lambda names: f"({names[0]} {symbol} {names[1]})", every,
                            nullable=False)

    def checked(self, exprs: list[Expr], body: Callable[[list[str]], str],
                every: bool, nullable: bool = True) -> Expr:
        """``strict`` for already generated arguments."""
        last = len(exprs) - 1 if every else max(
            (i for i, e in enumerate(exprs) if e.nullable), default=-1)
        checks, names = [], []
        for i, expr in enumerate(exprs):
            if i > last or (expr.simple and not expr.nullable):
                names.append(expr.code)
                continue
            code, name = self.hold(expr)
            checks.append(f"{code} is None")
            names.append(name)
        if not checks:
            return Expr(body(names), nullable)
        joined = " | ".join(f"({c})" for c in checks) if every else " or ".join(checks)
        return Expr(f"(None if {joined} else {body(names)})")

    def decimal(self, whole: Expr) -> Expr:
        convert = self.bind(Decimal)
        if not whole.nullable:
            return Expr(f"{convert}({whole.code})", nullable=False)
        code, name = self.hold(whole)
        return Expr(f"(None if {code} is None else {convert}({name}))")

    # -- blank results of IF, CASE... --------------------------------------------------------

    def clean(self, expr: Expr, kind: T) -> Expr:
        """``logical._clean``: empty text and empty option lists are blank."""
        if kind in SCALAR or (expr.simple and expr.code in ("None", "True", "False")):
            return expr
        if kind in LISTY:
            return Expr(f"({expr.code} or None)")
        from hulian.formula.functions.logical import is_blank

        code, name = self.hold(expr)
        return Expr(f"(None if {self.bind(is_blank)}({code}) else {name})")


def depth(node: Typed) -> int:
    if not isinstance(node, TCall) or not node.args:
        return 1
    return 1 + max(depth(arg) for arg in node.args)


def pure(node: TCall) -> bool:
    return not node.function.volatile


def constant(node: Typed) -> bool:
    if isinstance(node, TLiteral):
        return True
    if isinstance(node, TRef):
        return False
    return pure(node) and all(constant(arg) for arg in node.args)


def source(node: Typed) -> tuple[str, list[Any]]:
    """The generated module text and the values its names are bound to."""
    g = Generator(node)
    body = g.gen(node).code
    params = ", ".join(f"c{i}" for i in range(len(g.bound)))
    text = f"def make({params}):\n    def run(env):\n        return {body}\n    return run\n"
    return text, g.bound


def generate(node: Typed) -> Compiled:
    """``run(env)`` for the typed tree (the closures when Python cannot compile it)."""
    try:
        text, bound = source(node)
        namespace: dict[str, Any] = {"__builtins__": {}}
        exec(compile(text, "<formula>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError):
        return compile_closures(node)
    return namespace["make"](*bound)


__all__ = ["generate", "source"]
