"""Inline templates for the code generator: hot functions written as Python expressions.

Each template computes exactly what its function's implementation computes (the
conformance table runs through both, digit for digit, in tests/unit/formula/
test_python_backend.py); a template may return None to fall back to calling the
implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import MAX_PREC, ROUND_HALF_UP, Context, Decimal
from typing import TYPE_CHECKING

from hulian.formula.ast import TCall, TLiteral
from hulian.formula.pyexpr import LISTY, SCALAR, Expr
from hulian.formula.types import NUMERIC, T

if TYPE_CHECKING:
    from hulian.formula.codegen import Generator

WIDE = Context(prec=MAX_PREC)
"""Quantizes without a precision limit (ROUND sets one just large enough: same result)."""

DATE_PARTS = {"YEAR": ("year", 9999), "MONTH": ("month", 12), "DAY": ("day", 31)}
WHOLE_OPS = {"_ADD": ("+", True), "_MUL": ("*", False)}
COMPARISONS = {"_EQ": "==", "_NE": "!=", "_LT": "<", "_LE": "<=", "_GT": ">", "_GE": ">="}


def _numeric_pair(node: TCall) -> bool:
    return all(t in NUMERIC for t in node.arg_types)


def _add(g: Generator, node: TCall) -> Expr | None:
    """operators.add: text joins like '&'; numbers add exactly; dates go to the function."""
    if T.TEXT in node.arg_types:
        return _concat(g, node)
    if not _numeric_pair(node) or g.whole_bound(node) is not None:
        return None
    from hulian.formula.functions.operators import EXACT

    method = g.bind(EXACT.add)
    return g.strict(node.args, lambda n: f"{method}({n[0]}, {n[1]})", every=True)


def _sub(g: Generator, node: TCall) -> Expr | None:
    if not _numeric_pair(node):
        return None
    from hulian.formula.functions.operators import EXACT

    method = g.bind(EXACT.subtract)
    return g.strict(node.args, lambda n: f"{method}({n[0]}, {n[1]})")


def _concat(g: Generator, node: TCall) -> Expr:
    """operators.concat: blank text reads as empty, an empty result is blank, and the
    length is checked before the texts are joined (against limits.TEXT_LIMIT as it is when
    the formula is compiled)."""
    from hulian.formula.limits import TEXT_LIMIT, text_too_long

    exprs = [g.gen(arg) for arg in node.args]
    measured, joined = [], []
    for expr in exprs:
        text = expr.code if expr.truthy else f"({expr.code} or '')"
        if expr.simple:  # a name: read twice
            measured.append(text)
            joined.append(text)
        else:
            temp = g.temp()
            measured.append(f"({temp} := {text})")
            joined.append(temp)
    size, limit = g.bind(len), g.bind(TEXT_LIMIT)
    fail = f"{g.bind(_fail)}({g.bind(text_too_long)})"
    truthy = any(expr.truthy for expr in exprs)
    result = f"{joined[0]} + {joined[1]}" if truthy else f"({joined[0]} + {joined[1]} or None)"
    return Expr(f"({fail} if {size}({measured[0]}) + {size}({measured[1]}) > {limit} "
                f"else {result})", nullable=not truthy, truthy=truthy)


def _fail(error: Callable[[], Exception]) -> None:
    raise error()


def _comparison(g: Generator, node: TCall) -> Expr:
    symbol = COMPARISONS[node.function.name]
    if symbol in ("==", "!=") and T.TEXT in node.arg_types:
        a, b = (g.gen(arg) for arg in node.args)
        return Expr(f"(({a.code} or '') {symbol} ({b.code} or ''))", nullable=False)
    return g.strict(node.args, lambda n: f"({n[0]} {symbol} {n[1]})", every=True)


def _if(g: Generator, node: TCall) -> Expr:
    """logical.if_: the then-branch only when the condition is true (not blank)."""
    condition, then, otherwise = node.args
    tested: set[str] = set()
    test = g.test(condition, tested)
    saved = g.region()
    g.present |= tested
    yes = g.clean(g.gen(then), node.type)
    g.leave(saved)
    no = g.clean(g.gen(otherwise), node.type)
    g.leave(saved)
    return Expr(f"({yes.code} if {test} else {no.code})", yes.nullable or no.nullable)


def _logic(stop: bool) -> Callable[[Generator, TCall], Expr]:
    """operators.all_of (stop at False) and any_of (stop at True), three-valued."""
    def template(g: Generator, node: TCall) -> Expr:
        word = repr(stop)
        saved = g.region()
        names, heads = [], []
        for arg in node.args:
            code, name = g.hold(g.gen(arg))
            heads.append(code)
            names.append(name)
        g.leave(saved)
        unknown = " or ".join(f"{n} is None" for n in names)
        code = f"(None if {unknown} else {not stop!r})"
        for head in reversed(heads):
            code = f"({word} if {head} is {word} else {code})"
        return Expr(code)
    return template


def _case(g: Generator, node: TCall) -> Expr:
    """logical.case: the first match (logical._equal) gives its result, else the last."""
    from hulian.formula.functions.logical import TEXTY

    subject_code, subject = g.hold(g.gen(node.args[0]))
    saved = g.region()
    rest = node.args[1:]
    parts: list[tuple[str, str]] = []
    for i in range(0, len(rest) - 1, 2):
        match_code, match = g.hold(g.gen(rest[i]))
        if node.arg_types[0] in TEXTY or node.arg_types[i + 1] in TEXTY:
            test = f"(({subject} or '') == ({match_code} or ''))"
        else:
            test = (f"({match_code} is not None and {subject} is not None "
                    f"and {subject} == {match})")
        branch = g.region()
        result = g.clean(g.gen(rest[i + 1]), node.type).code
        g.leave(branch)
        parts.append((test, result))
    code = g.clean(g.gen(rest[-1]), node.type).code
    g.leave(saved)
    for test, result in reversed(parts):
        code = f"({result} if {test} else {code})"
    return Expr(f"({subject_code}, {code})[1]")


def _blankvalue(g: Generator, node: TCall) -> Expr:
    """logical.blankvalue: the substitute (cleaned) only when the value is blank."""
    value, substitute = node.args
    held_code, held = g.hold(g.gen(value))
    saved = g.region()
    other = g.clean(g.gen(substitute), node.type)
    g.leave(saved)
    kind = node.arg_types[0]
    if kind in SCALAR:
        test = f"{held_code} is None"
    elif kind in LISTY:
        test = f"not {held_code}"
    else:
        from hulian.formula.functions.logical import is_blank

        test = f"{g.bind(is_blank)}({held_code})"
    return Expr(f"({other.code} if {test} else {held})")


def _round(g: Generator, node: TCall) -> Expr | None:
    """math.round_ with constant digits: the quantum is the probe round_(0, digits)."""
    digits = g.fold(node.args[1])
    if not isinstance(digits, TLiteral) or not isinstance(digits.value, Decimal):
        return None
    quantum = g.bind(node.function.python(Decimal(0), digits.value))
    wide, half = g.bind(WIDE), g.bind(ROUND_HALF_UP)
    result = g.temp()
    return g.strict(node.args[:1], lambda n: (
        f"(({result} := {n[0]}.quantize({quantum}, {half}, {wide})) or {result}.copy_abs())"))


def _left(g: Generator, node: TCall) -> Expr | None:
    """text.left with a constant count: the first characters, blank when empty."""
    count = g.fold(node.args[1])
    if not isinstance(count, TLiteral) or not isinstance(count.value, Decimal):
        return None
    n = int(count.value)
    if n <= 0:
        return None
    size = g.bind(n)
    return g.strict(node.args[:1], lambda names: f"({names[0]}[:{size}] or None)")


def _upper(g: Generator, node: TCall) -> Expr:
    """text.upper: str.upper() when it keeps the length, else the function itself."""
    impl, size, mapped = g.bind(node.function.python), g.bind(len), g.temp()
    return g.strict(node.args, lambda n: (
        f"({mapped} if {size}({mapped} := {n[0]}.upper()) == {size}({n[0]}) "
        f"else {impl}({n[0]}))"))


TEMPLATES: dict[str, Callable[[Generator, TCall], Expr | None]] = {
    "_ADD": _add, "_SUB": _sub, "_CONCAT": _concat,
    **dict.fromkeys(COMPARISONS, _comparison),
    "IF": _if, "CASE": _case, "BLANKVALUE": _blankvalue,
    "_AND": _logic(False), "AND": _logic(False), "_OR": _logic(True), "OR": _logic(True),
    "ROUND": _round, "LEFT": _left, "UPPER": _upper,
}
"""YEAR, MONTH, DAY of a date, and sums and products of them, go through ``whole``."""
