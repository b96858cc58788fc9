"""The type checker: typed trees, and every error code with its position and hint."""

from __future__ import annotations

import pytest

from hulian.formula import (
    MAX_LENGTH,
    FormulaError,
    Options,
    RecordScope,
    T,
    compile_formula,
)
from hulian.formula.ast import TCall, TRef
from hulian.formula.parser import MAX_DEPTH

RECORD = {
    "amount": 12.5, "quantity": 3, "name": "Acme", "is_active": True, "tags": ["a", "b"],
    "account": {"name": "Acme Ltd", "owner": {"email": "o@example.com"}},
}
SCOPE = RecordScope(RECORD)


def error_of(text: str, *, context: str = "formula", expected: T | None = None) -> FormulaError:
    with pytest.raises(FormulaError) as raised:
        compile_formula(text, SCOPE, Options(context=context), expected=expected)
    return raised.value


def where(error: FormulaError) -> tuple[int | None, int | None]:
    return error.line, error.column


# -- typing -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind"), [
    ("amount", T.NUMBER), ("name", T.TEXT), ("is_active", T.BOOLEAN),
    ("tags", T.MULTI_PICKLIST), ("account.owner.email", T.TEXT),
    ("amount * quantity", T.NUMBER), ("name & 'x'", T.TEXT), ("amount > 1", T.BOOLEAN),
    ("IF(is_active, amount, 0)", T.NUMBER), ("IF(is_active, name, NULL)", T.TEXT),
    ("NULL", T.NULL), ("'2024-01-01'", T.TEXT),
])
def test_types(text, kind):
    assert compile_formula(text, SCOPE).type is kind


def test_references_are_resolved_once_each():
    formula = compile_formula("amount + amount * quantity", SCOPE)
    assert [r.path for r in formula.references] == [("amount",), ("amount",), ("quantity",)]
    assert all(isinstance(r, TRef) for r in formula.references)


def test_blank_as_zero_wraps_number_fields_only():
    typed = compile_formula("amount + quantity", SCOPE, Options(blank_as_zero=True)).typed
    assert isinstance(typed, TCall)
    assert [a.function.name for a in typed.args] == ["_BLANKZERO", "_BLANKZERO"]
    text = compile_formula("name & 'x'", SCOPE, Options(blank_as_zero=True)).typed
    assert [type(a).__name__ for a in text.args] == ["TRef", "TLiteral"]
    as_zero = compile_formula("amount + 1", SCOPE, Options(blank_as_zero=True))
    assert as_zero.run({("amount",): None}) == 1
    assert compile_formula("amount + 1", SCOPE).run({("amount",): None}) is None


def test_record_state_in_validation_rules():
    formula = compile_formula("ISCHANGED(amount) && PRIORVALUE(amount) > amount", SCOPE,
                              Options(context="validation"))
    assert formula.type is T.BOOLEAN
    paths = [r.path for r in formula.references]
    assert ("$Prior", "amount") in paths and ("amount",) in paths
    env = {("amount",): 5, ("$Prior", "amount"): 7}
    assert formula.run(env) is True
    assert compile_formula("ISNEW()", SCOPE, Options(context="default")).run(
        {("$IsNew",): True}) is True


# -- error codes ------------------------------------------------------------------------------

def test_syntax():
    error = error_of("amount *")
    assert error.code == "formula.syntax"
    assert where(error) == (1, 8)


@pytest.mark.parametrize(("text", "message", "hint", "column"), [
    ("amout * 2", "the record has no field 'amout'", "did you mean 'amount'?", 1),
    ("2 * quantitty", "no field 'quantitty'", "did you mean 'quantity'?", 5),
    ("acount.name", "no field 'acount'", "did you mean 'account'?", 1),
    ("account.nmae", "account has no field 'nmae'", "did you mean 'name'?", 1),
    ("account.owner.emial", "account.owner has no field 'emial'", "did you mean 'email'?", 1),
    ("zzz", "no field 'zzz'", None, 1),
])
def test_unknown_field_with_did_you_mean(text, message, hint, column):
    error = error_of(text)
    assert error.code == "formula.unknown_field"
    assert message in error.message
    assert error.hint == hint
    assert where(error) == (1, column)


def test_a_related_record_is_not_a_value():
    error = error_of("account")
    assert error.code == "formula.unknown_field"
    assert "account.name" in error.hint


@pytest.mark.parametrize(("text", "hint"), [
    ("ROUDN(amount, 2)", "did you mean ROUND?"),
    ("isblnk(name)", "did you mean ISBLANK?"),
    ("IFF(is_active, 1, 2)", "did you mean IF?"),
    ("ISNWE()", "did you mean ISNEW?"),
])
def test_unknown_function_with_did_you_mean(text, hint):
    error = error_of(text)
    assert error.code == "formula.unknown_function"
    assert error.hint == hint
    assert where(error) == (1, 1)


def test_unknown_function_without_a_close_name_points_to_the_docs():
    error = error_of("1 + XYZZYQ(1)")
    assert error.code == "formula.unknown_function"
    assert "docs/formulas.md" in error.hint
    assert where(error) == (1, 5)


@pytest.mark.parametrize("text", ["_ADD(1, 2)", "_BLANKZERO(amount)", "_distinct(1, 2)"])
def test_internal_functions_cannot_be_called(text):
    assert error_of(text).code == "formula.unknown_function"


@pytest.mark.parametrize(("text", "message"), [
    ("ROUND(amount)", "ROUND takes 2 argument(s), not 1"),
    ("ROUND(amount, 2, 3)", "ROUND takes 2 argument(s), not 3"),
    ("IF(is_active, 1)", "IF takes 3 argument(s), not 2"),
    ("ABS()", "ABS takes 1 argument(s), not 0"),
])
def test_arg_count(text, message):
    error = error_of(text)
    assert error.code == "formula.arg_count"
    assert error.message == message
    assert where(error) == (1, 1)


def test_arg_count_of_record_state_functions():
    assert error_of("ISNEW(amount)", context="validation").code == "formula.arg_count"
    assert error_of("ISCHANGED()", context="validation").code == "formula.arg_count"


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    ("ROUND(amount, 'two')", 1, 15, "argument 2 must be a number, not text"),
    ("IF(amount, 1, 2)", 1, 4, "argument 1 must be boolean, not number"),
    ("IF(\n  is_active,\n  name,\n  amount\n)", 4, 3, "text and number do not mix"),
    ("ABS(\n    name)", 2, 5, "argument 1 must be a number, not text"),
    ("amount + name", 1, 1, "cannot add number and text"),
    ("'a' & amount", 1, 7, "'&' joins text, not number"),
    ("amount & 'a'", 1, 1, "'&' joins text, not number"),
    ("name > 1", 1, 1, "cannot compare text with number"),
    ("is_active < is_active", 1, 1, "true and false have no order"),
    ("!amount", 1, 2, "needs true or false, not number"),
    ("is_active && name", 1, 14, "needs true or false, not text"),
    ("ISCHANGED(1)", 1, 11, "ISCHANGED takes a field"),
])
def test_type_errors_point_at_the_argument(text, line, column, message):
    context = "validation" if text.startswith("ISCHANGED") else "formula"
    error = error_of(text, context=context)
    assert error.code == "formula.type"
    assert message in error.message
    assert where(error) == (line, column)


def test_operator_type_errors_name_the_operator():
    assert error_of("amount + name").message.startswith("'+':")
    assert error_of("ROUND(amount, 'x')").message.startswith("ROUND:")


@pytest.mark.parametrize(("text", "context"), [
    ("ISNEW()", "formula"), ("ISNEW()", "filter"),
    ("ISCHANGED(amount)", "formula"), ("PRIORVALUE(amount)", "filter"),
])
def test_context(text, context):
    error = error_of(text, context=context)
    assert error.code == "formula.context"
    assert "validation rules and defaults" in error.message


def test_functions_limited_to_contexts():
    from hulian.formula.functions.base import REGISTRY

    limited = [f for f in REGISTRY.values() if f.contexts is not None]
    for function in limited:
        outside = next(c for c in ("formula", "default", "validation", "filter")
                       if c not in function.contexts)
        args = ", ".join(["1"] * function.min_args)
        assert error_of(f"{function.name}({args})", context=outside).code == "formula.context"


def test_too_long():
    error = error_of("1" + " " * MAX_LENGTH)
    assert error.code == "formula.too_long"
    assert error.hint


def test_too_deep():
    text = "IF(is_active, " * (MAX_DEPTH + 1) + "1" + ", 0)" * (MAX_DEPTH + 1)
    error = error_of(text)
    assert error.code == "formula.too_deep"
    assert "CASE" in error.hint


@pytest.mark.parametrize(("text", "expected"), [
    ("amount", T.TEXT), ("name", T.NUMBER), ("amount > 1", T.DATE), ("name", T.BOOLEAN),
])
def test_result_type(text, expected):
    error = error_of(text, expected=expected)
    assert error.code == "formula.result_type"
    assert f"gives {compile_formula(text, SCOPE).type.value}" in error.message
    assert expected.value in error.message
    assert where(error) == (1, 1)


@pytest.mark.parametrize(("text", "expected"), [
    ("amount", T.CURRENCY), ("amount", T.PERCENT), ("NULL", T.DATE), ("name", T.TEXT),
])
def test_result_types_that_fit(text, expected):
    assert compile_formula(text, SCOPE, expected=expected).typed is not None


def test_describe_has_position_and_caret():
    error = error_of("amount +\n  ROUND(amount, 'x')")
    assert error.describe() == (
        "2:17: ROUND: argument 2 must be a number, not text\n"
        "  ROUND(amount, 'x')\n"
        "                ^^^")
    assert error.details() == [{"line": 2, "column": 17,
                                "excerpt": "  ROUND(amount, 'x')\n                ^^^"}]
