"""Fuzz: whatever the text, ``evaluate`` gives a value or a FormulaError, never another exception.

Three sources of text: random characters; random soups of the grammar's tokens
(operators, literals, field and function names, comments); and random call
trees that parse but mostly do not type-check. Then hand-made pathological
formulas: deep nesting and huge numbers must be refused (too long, too deep)
or computed, quickly and without a crash. Last, well-typed nested text functions
over long texts (tests/formula_texts.py): each run gives a value or raises one of
the limits (formula/limits.py), within a second or two, never MemoryError.
"""

from __future__ import annotations

import time
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hulian.formula import MAX_LENGTH, FormulaError, compile_formula, evaluate, limits
from hulian.formula.checker import CONTEXTS
from hulian.formula.functions.base import REGISTRY
from hulian.formula.functions.registry import load
from hulian.formula.parser import MAX_DEPTH, OPERATORS
from hulian.formula.values import python_value
from tests import formula_texts

load()

RECORD = {
    "amount": 12.5, "quantity": 3, "name": "Acme", "empty": "", "is_active": True,
    "tags": ["a", "b"], "due": "2024-02-29", "nothing": None,
    "account": {"name": "Acme Ltd", "owner": {"email": "o@example.com"}},
}
FUNCTIONS = [*sorted(n for n in REGISTRY if not n.startswith("_")),
             "ISNEW", "ISCHANGED", "PRIORVALUE", "NOSUCH"]
FIELDS = ["amount", "quantity", "name", "empty", "is_active", "tags", "due", "nothing",
          "account.name", "account.owner.email", "account", "missing", "$User.id"]
LITERALS = ["0", "1", "2.5", ".5", "007", "-1", "9" * 40, "0." + "0" * 30 + "1", "1000000",
            '"a"', "'b'", '""', '"中文"', '"😀 é"', r'"\n"', r'"\\"', r"'\''",
            '"2024-02-29"', '"12:30:00"', '"2024-02-29T12:30:00Z"', '"1e3"',
            "TRUE", "false", "Null"]
SYMBOLS = [op for op in OPERATORS if op != "neg"] + ["(", ")", ",", ".", "/* c */", "/*",
                                                       "*/", " ", "\n", "$", "#", "'", '"']
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def outcome(text: str, **options: Any) -> Any:
    """The value, or the FormulaError; any other exception fails the test."""
    try:
        return evaluate(text, RECORD, **options)
    except FormulaError as exc:
        assert exc.code.startswith("formula."), exc.code
        assert exc.message
        exc.describe()  # never raises either
        return exc


tokens = st.sampled_from(FUNCTIONS + FIELDS + LITERALS + SYMBOLS)
options = st.fixed_dictionaries({"context": st.sampled_from(CONTEXTS),
                                 "blank_as_zero": st.booleans()})


@SETTINGS
@given(text=st.text(max_size=200), opts=options)
def test_random_characters(text, opts):
    outcome(text, **opts)


@SETTINGS
@given(text=st.text(alphabet="()+-*/^&=!<>|,.'\"\\ 0123456789aeTRUEF_$\n", max_size=80))
def test_random_characters_from_the_grammar(text):
    outcome(text)


@SETTINGS
@given(parts=st.lists(tokens, max_size=30), spaces=st.booleans(), opts=options)
def test_token_soup(parts, spaces, opts):
    outcome((" " if spaces else "").join(parts), **opts)


def _calls(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    call = st.tuples(st.sampled_from(FUNCTIONS), st.lists(children, max_size=4)).map(
        lambda pair: f"{pair[0]}({', '.join(pair[1])})")
    binary = st.tuples(children, st.sampled_from(SYMBOLS[:17]), children).map(
        lambda parts: f"({parts[0]} {parts[1]} {parts[2]})")
    unary = st.tuples(st.sampled_from(["-", "!", "+"]), children).map("".join)
    return st.one_of(call, binary, unary)


trees = st.recursive(st.sampled_from(FIELDS + LITERALS), _calls, max_leaves=25)


@SETTINGS
@given(text=trees, opts=options)
def test_random_call_trees(text, opts):
    outcome(text, **opts)


# -- pathological formulas ----------------------------------------------------------------------

def _refused(text: str, code: str) -> None:
    started = time.perf_counter()
    result = outcome(text)
    assert isinstance(result, FormulaError), f"{text[:40]}... gave {result!r}"
    assert result.code == code, f"{result.code}: {result.message}"
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(("name", "text", "code"), [
    ("10,000 parentheses", "(" * 10_000 + "1" + ")" * 10_000, "formula.too_long"),
    ("3,000 nested IFs", "IF(TRUE, " * 3000 + "1" + ", 0)" * 3000, "formula.too_long"),
    ("3,000 additions", "1+" * 3000 + "1", "formula.too_long"),
    ("10,000 nots", "!" * 10_000 + "TRUE", "formula.too_long"),
    ("a megabyte", "1" * 1_000_000, "formula.too_long"),
    ("unclosed parentheses", "(" * 3899, "formula.syntax"),
    ("1,949 additions", "1+" * 1949 + "1", "formula.too_deep"),
    ("1,949 powers", "1" + "^1" * 1949, "formula.too_deep"),
    ("3,800 nots", "!" * 3800 + "TRUE", "formula.too_deep"),
    ("1,000 nested calls", "ABS(" * 700 + "1" + ")" * 700, "formula.too_deep"),
    ("nested IFs past the depth", "IF(TRUE," * (MAX_DEPTH + 5) + "1" + ",0)" * (MAX_DEPTH + 5),
     "formula.too_deep"),
    ("1,900 concatenations", "'a'&" * 949 + "'a'", "formula.too_deep"),
    ("a path of 1,900 names", "a." * 1900 + "a", "formula.unknown_field"),
])
def test_pathological_formulas_are_refused(name, text, code):
    _refused(text, code)


@pytest.mark.parametrize(("name", "text"), [
    ("3,000 nines", "9" * 3000),
    ("3,899 nines", "9" * 3899),
    ("a tiny decimal", "0." + "0" * 3800 + "1"),
    ("1,900 parentheses", "(" * 1900 + "1" + ")" * 1900),
    ("1,900 minus signs", "-" * 1900 + "1"),
    ("a huge product", "9" * 1900 + "*" + "9" * 1900),
    ("a huge power", "9" * 3000 + " ^ 99"),
    ("a huge sum", "9" * 1900 + "+" + "9" * 1900),
    ("a huge division", "1 / " + "9" * 3000),
    ("a huge comparison", "9" * 1900 + " > " + "9" * 1899),
    ("a long text", '"' + "華" * 3800 + '"'),
    ("a long comment", "1 /*" + "x" * 3800 + "*/"),
    ("nested IFs at the depth", "IF(TRUE," * (MAX_DEPTH - 1) + "1" + ",0)" * (MAX_DEPTH - 1)),
])
def test_pathological_formulas_that_compute(name, text):
    assert len(text) <= MAX_LENGTH
    started = time.perf_counter()
    result = outcome(text)
    assert not isinstance(result, FormulaError), f"{name}: {result}"
    assert time.perf_counter() - started < 10


def test_huge_numbers_stay_exact():
    assert evaluate("9" * 3000) == Decimal("9" * 3000)
    assert evaluate("9" * 1900 + " > " + "9" * 1899) is True


# -- found by the fuzz tests ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["0 ^ 0", "0.00 ^ 0", "(1 - 1) ^ (2 - 2)"])
def test_zero_to_the_power_zero(text):
    """Decimal(0) ** 0 raised decimal.InvalidOperation (found by test_random_call_trees)."""
    assert outcome(text) == 1


# -- nested text functions over long texts ------------------------------------------------------

LIMITS = ("formula.text_too_long", "formula.regex_too_complex")
MEMORY = 80 * limits.TEXT_LIMIT * 4
"""What one run may hold at its peak: tens of texts at the limit, 4 bytes a character (a
backtracking REGEX keeps its own state besides: 16.8 MB were seen for a 100,000-character
text). The failures this guards against took gigabytes."""


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=formula_texts.formulas, record=formula_texts.records())
def test_nested_text_functions_on_long_texts_end_quickly(text, record):
    """437 such evaluations ended in MemoryError (SUBSTITUTE of SUBSTITUTE of long texts)."""
    formula = compile_formula(text, formula_texts.FieldScope())
    env = {(name,): python_value(value) for name, value in record.items()}
    started = time.perf_counter()
    tracemalloc.start()
    try:
        formula.run(env)
    except FormulaError as exc:
        assert exc.code in LIMITS, exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - started < 2, text
    assert peak < MEMORY, f"{text} took {peak:,} bytes"
