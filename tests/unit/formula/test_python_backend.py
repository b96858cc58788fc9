"""The generated Python back-end (formula/codegen.py) against the closure compiler it replaced."""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal
from typing import Any

import pytest

from hulian.formula import FormulaError, RecordScope, T, compile_formula, record_env
from hulian.formula.ast import TCall, TLiteral, TRef, Typed
from hulian.formula.codegen import source
from hulian.formula.functions.base import Function
from hulian.formula.python import compile_closures, compile_python
from tests.formula_cases import load_cases, scope

CASES = [(name, case) for name, case in load_cases() if "error" not in case]


def identical(a: Any, b: Any) -> bool:
    """Same type and value; Decimals also with the same digits and exponent."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return a.as_tuple() == b.as_tuple()
    return a == b


def outcome(run, env) -> tuple[str, Any]:
    try:
        return "value", run(env)
    except Exception as exc:  # noqa: BLE001 - both must raise the same way
        return "raised", type(exc)


def same_outcome(typed: Typed, env) -> None:
    kind, ours = outcome(compile_python(typed), env)
    reference_kind, theirs = outcome(compile_closures(typed), env)
    assert kind == reference_kind, (ours, theirs)
    if kind == "raised":
        assert ours is theirs
    else:
        assert identical(ours, theirs), (ours, theirs)


def literals_as_fields(node: Typed, env: dict, counter: itertools.count) -> Typed:
    """Every literal becomes a field holding the same value: nothing folds at compile time."""
    if isinstance(node, TLiteral):
        path = ("literal", str(next(counter)))
        env[path] = node.value
        return TRef(path, node.type)
    if isinstance(node, TCall):
        args = tuple(literals_as_fields(arg, env, counter) for arg in node.args)
        return dataclasses.replace(node, args=args)
    return node


def typed_case(case: dict) -> Typed | None:
    try:
        return compile_formula(case["expr"], scope(case)).typed
    except FormulaError:
        return None


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_generated_equals_closures_on_conformance(name, case):
    typed = typed_case(case)
    assert typed is not None
    env = record_env(case.get("record"))
    same_outcome(typed, env)
    fielded_env = dict(env)
    fielded = literals_as_fields(typed, fielded_env, itertools.count())
    same_outcome(fielded, fielded_env)


def test_blank_fields_everywhere():
    """Each field of each conformance case blank in turn: the same result as the closures."""
    for _, case in CASES:
        typed = typed_case(case)
        env = record_env(case.get("record"))
        for path in env:
            same_outcome(typed, {**env, path: None})


@pytest.mark.parametrize("expr", ["p && q", "p || q", "AND(p, q, r)", "OR(p, q, r)", "!p",
                                  "IF(p, 1, 2)", "IF(p && q, 'yes', 'no')", "NOT(p || q)"])
def test_three_valued_logic(expr):
    scope_ = RecordScope({"p": True, "q": True, "r": True})
    typed = compile_formula(expr, scope_).typed
    for p, q, r in itertools.product((True, False, None), repeat=3):
        same_outcome(typed, {("p",): p, ("q",): q, ("r",): r})


class Boom(dict):
    """An env whose ``boom`` field may not be read."""

    def get(self, key, default=None):
        if key == ("boom",):
            raise AssertionError("the boom field was evaluated")
        return super().get(key, default)


@pytest.mark.parametrize(("expr", "expected"), [
    ("IF(flag, boom, 1)", Decimal(1)),
    ("IF(NOT(flag), 2, boom + 1)", Decimal(2)),
    ("IF(amount > 5, boom * 2, amount)", Decimal(3)),
    ("IF(amount > 1, amount * 2, boom)", Decimal(6)),
    ("flag && boom > 1", False),
    ("AND(flag, boom > 1, true)", False),
    ("OR(NOT(flag), boom > 1)", True),
    ("CASE(amount, 3, 7, boom)", Decimal(7)),
    ("CASE(amount, 1, boom, 3, 9, 0)", Decimal(9)),
    ("BLANKVALUE(amount, boom)", Decimal(3)),
    ("NULLVALUE(amount, boom)", Decimal(3)),
])
def test_branch_not_taken_is_never_evaluated(expr, expected):
    typed = compile_formula(expr, RecordScope({"flag": False, "boom": 1, "amount": 3})).typed
    env = Boom({("flag",): False, ("amount",): Decimal(3)})
    assert identical(compile_python(typed)(env), expected)
    assert identical(compile_closures(typed)(env), expected)


def test_side_effects_only_in_the_branch_taken():
    calls: list[str] = []

    def tick() -> Decimal:
        calls.append("tick")
        return Decimal(5)

    tick_fn = Function("_TEST_TICK", 0, 0, lambda types: T.NUMBER, tick, volatile=True)
    typed = compile_formula("IF(amount > 1, 1, 2) + IF(amount > 1, 3, 4)",
                            RecordScope({"amount": 1})).typed
    first, second = typed.args
    tick_call = TCall(tick_fn, (), T.NUMBER)
    tree = dataclasses.replace(typed, args=(
        dataclasses.replace(first, args=(first.args[0], first.args[1], tick_call)),
        dataclasses.replace(second, args=(second.args[0], tick_call, second.args[2])),
    ))
    run = compile_python(tree)
    assert run({("amount",): Decimal(2)}) == Decimal(1) + Decimal(5)
    assert calls == ["tick"]
    assert run({("amount",): Decimal(0)}) == Decimal(5) + Decimal(4)
    assert calls == ["tick", "tick"]


def test_volatile_calls_are_not_folded_nor_shared():
    counter = itertools.count(1)
    tick_fn = Function("_TEST_COUNT", 0, 0, lambda types: T.NUMBER,
                       lambda: Decimal(next(counter)), volatile=True)
    add = compile_formula("1 + 2", RecordScope({})).typed
    call = TCall(tick_fn, (), T.NUMBER)
    run = compile_python(dataclasses.replace(add, args=(call, call)))
    assert run({}) == Decimal(3)
    assert run({}) == Decimal(7)


@pytest.mark.parametrize("text", [
    "x'); __import__('os').system('echo owned') #",
    'a"b\'c\n__import__("os")\\',
    "\"\"\"\n'''",
    "{env}",
])
def test_no_formula_text_reaches_the_source(text):
    literal = "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
    typed = compile_formula(f"{literal} & name", RecordScope({"name": "z"})).typed
    assert compile_python(typed)({("name",): "z"}) == text + "z"
    code, _ = source(typed)
    assert "__import__" not in code and "owned" not in code and "{env}" not in code
    weird = TRef((text, "__import__"), T.TEXT)
    tree = dataclasses.replace(typed, args=(typed.args[0], weird))
    code, _ = source(tree)
    assert "__import__" not in code and text not in code
    assert compile_python(tree)({(text, "__import__"): "!"}) == text + "!"


def test_source_uses_only_generated_names():
    typed = compile_formula("IF(amount > 1000, ROUND(amount * 2, 2), amount)",
                            RecordScope({"amount": 1})).typed
    code, bound = source(typed)
    assert "amount" not in code and "1000" not in code
    assert ("amount",) in bound


def deepest(make) -> str:
    """The deepest formula ``make(levels)`` the parser accepts."""
    levels = 1
    while True:
        try:
            compile_formula(make(levels + 1), RecordScope({}))
        except FormulaError as exc:
            if exc.code == "formula.too_deep":
                return make(levels)
        except Exception:  # noqa: BLE001 - unknown fields: only the depth matters here
            pass
        levels += 1


@pytest.mark.parametrize("depth", [10, 30, 1000])
def test_deep_formulas_compile(depth):
    scope_ = RecordScope({"amount": 1, "flag": True})

    def make(levels: int) -> str:
        nested = "amount"
        for i in range(levels):
            nested = f"IF(flag, {nested} + {i}, amount)"
        return nested

    typed = compile_formula(deepest(make) if depth == 1000 else make(depth), scope_).typed
    for env in ({("amount",): Decimal(2), ("flag",): True},
                {("amount",): None, ("flag",): True},
                {("amount",): Decimal(1), ("flag",): None}):
        same_outcome(typed, env)
    chain = " + ".join(["YEAR(day)"] * min(depth, 99))
    typed = compile_formula(chain, RecordScope({"day": "2024-02-29"}, {"day": T.DATE})).typed
    import datetime as dt

    same_outcome(typed, {("day",): dt.date(2024, 2, 29)})
    same_outcome(typed, {("day",): None})


def test_repeated_subexpressions_are_read_once():
    reads: list[tuple[str, ...]] = []

    class Counting(dict):
        def get(self, key, default=None):
            reads.append(key)
            return super().get(key, default)

    typed = compile_formula("IF(amount * quantity > 10, amount * quantity, amount)",
                            RecordScope({"amount": 1, "quantity": 1})).typed
    env = Counting({("amount",): Decimal(4), ("quantity",): Decimal(5)})
    assert compile_python(typed)(env) == Decimal(20)
    assert reads == [("amount",), ("quantity",)]
