"""Every conformance case, evaluated in Python: type, value, or error code and position."""

from __future__ import annotations

import pytest

from hulian.formula import FormulaError, compile_formula
from tests.formula_cases import expected_value, load_cases, python_result, same, scope

CASES = load_cases()


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_case(name, case):
    if "error" in case:
        with pytest.raises(FormulaError) as raised:
            compile_formula(case["expr"], scope(case))
        assert raised.value.code == case["error"]
        if "line" in case:
            assert (raised.value.line, raised.value.column) == (case["line"], case["column"])
        return
    if "raises" in case:
        with pytest.raises(FormulaError) as raised:
            python_result(case)
        assert raised.value.code == case["raises"]
        return
    kind, value = python_result(case)
    assert kind.value == case["type"] or (case["type"] in ("number", "currency", "percent")
                                          and kind.value in ("number", "currency", "percent"))
    assert same(value, expected_value(case)), f"{case['expr']} gave {value!r}"
