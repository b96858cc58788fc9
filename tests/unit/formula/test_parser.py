"""The parser: precedence, associativity, literals, comments, names, positions and limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hulian.formula import MAX_LENGTH, FormulaError, T, evaluate, parse
from hulian.formula.ast import Call, Literal, Node, Ref
from hulian.formula.parser import MAX_DEPTH


def shape(node: Node) -> Any:
    """A tree as nested tuples: ``("_ADD", 1, ("_MUL", 2, 3))``; refs as their text."""
    if isinstance(node, Literal):
        value = node.value
        return int(value) if isinstance(value, Decimal) and value == int(value) else value
    if isinstance(node, Ref):
        return node.text
    return (node.name, *(shape(arg) for arg in node.args))


# -- precedence and associativity -------------------------------------------------------------

# Loosest first: ||, &&, = == != <>, < <= > >=, &, + -, * /, unary - + !, ^.
PRECEDENCE = [
    ("a || b && c", ("_OR", "a", ("_AND", "b", "c"))),
    ("a && b || c", ("_OR", ("_AND", "a", "b"), "c")),
    ("a && b = c", ("_AND", "a", ("_EQ", "b", "c"))),
    ("a = b < c", ("_EQ", "a", ("_LT", "b", "c"))),
    ("a < b = c", ("_EQ", ("_LT", "a", "b"), "c")),
    ("a < b & c", ("_LT", "a", ("_CONCAT", "b", "c"))),
    ("a & b + c", ("_CONCAT", "a", ("_ADD", "b", "c"))),
    ("a + b & c", ("_CONCAT", ("_ADD", "a", "b"), "c")),
    ("1 + 2 * 3", ("_ADD", 1, ("_MUL", 2, 3))),
    ("1 * 2 + 3", ("_ADD", ("_MUL", 1, 2), 3)),
    ("1 - 2 / 3", ("_SUB", 1, ("_DIV", 2, 3))),
    ("2 * 3 ^ 2", ("_MUL", 2, ("_POW", 3, 2))),
    ("-a ^ 2", ("_NEG", ("_POW", "a", 2))),
    ("-2 ^ 2", ("_NEG", ("_POW", 2, 2))),
    ("2 ^ -a", ("_POW", 2, ("_NEG", "a"))),
    ("-a * b", ("_MUL", ("_NEG", "a"), "b")),
    ("!a && b", ("_AND", ("_NOT", "a"), "b")),
    ("!a = b", ("_EQ", ("_NOT", "a"), "b")),
    ("(1 + 2) * 3", ("_MUL", ("_ADD", 1, 2), 3)),
    ("a || (b && c) = d", ("_OR", "a", ("_EQ", ("_AND", "b", "c"), "d"))),
]


@pytest.mark.parametrize(("text", "expected"), PRECEDENCE, ids=[t for t, _ in PRECEDENCE])
def test_precedence(text, expected):
    assert shape(parse(text)) == expected


ASSOCIATIVITY = [
    ("1 - 2 - 3", ("_SUB", ("_SUB", 1, 2), 3)),
    ("8 / 4 / 2", ("_DIV", ("_DIV", 8, 4), 2)),
    ("1 + 2 - 3", ("_SUB", ("_ADD", 1, 2), 3)),
    ("a & b & c", ("_CONCAT", ("_CONCAT", "a", "b"), "c")),
    ("a && b && c", ("_AND", ("_AND", "a", "b"), "c")),
    ("a || b || c", ("_OR", ("_OR", "a", "b"), "c")),
    ("a = b = c", ("_EQ", ("_EQ", "a", "b"), "c")),
    ("2 ^ 3 ^ 2", ("_POW", 2, ("_POW", 3, 2))),
    ("!!a", ("_NOT", ("_NOT", "a"))),
    ("--a", ("_NEG", ("_NEG", "a"))),
]


@pytest.mark.parametrize(("text", "expected"), ASSOCIATIVITY, ids=[t for t, _ in ASSOCIATIVITY])
def test_associativity(text, expected):
    assert shape(parse(text)) == expected


def test_precedence_values():
    assert evaluate("-2 ^ 2") == -4
    assert evaluate("2 ^ 3 ^ 2") == 512
    assert evaluate("10 - 4 - 3") == 3
    assert evaluate("2 + 3 * 4 ^ 2") == 50


@pytest.mark.parametrize(("text", "name"), [
    ("=", "_EQ"), ("==", "_EQ"), ("!=", "_NE"), ("<>", "_NE"), ("<", "_LT"), ("<=", "_LE"),
    (">", "_GT"), (">=", "_GE"),
])
def test_comparison_spellings(text, name):
    node = parse(f"a {text} b")
    assert isinstance(node, Call)
    assert (node.name, node.operator) == (name, text)


def test_unary_minus_on_a_number_is_a_negative_literal():
    assert parse("-12.5") == Literal(Decimal("-12.5"), T.NUMBER, None)
    assert shape(parse("+3")) == 3
    assert shape(parse("- -3")) == 3


# -- literals ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("0", Decimal(0)), ("12", Decimal(12)), ("12.50", Decimal("12.50")), (".5", Decimal("0.5")),
    ("007", Decimal(7)), ("123456789012345678.123456789", Decimal("123456789012345678.123456789")),
])
def test_numbers_are_exact_decimals(text, value):
    node = parse(text)
    assert isinstance(node, Literal) and node.type is T.NUMBER
    assert node.value == value and isinstance(node.value, Decimal)


@pytest.mark.parametrize(("text", "value"), [
    ('"abc"', "abc"), ("'abc'", "abc"),
    (r'"say \"hi\""', 'say "hi"'), (r"'it\'s'", "it's"),
    (r'"a\\b"', "a\\b"), (r'"line\nbreak"', "line\nbreak"), (r'"tab\there"', "tab\there"),
    (r'"\r\b\f"', "\r\b\f"),
    (r'"\q"', "\\q"),
    ("'single \"double\" inside'", 'single "double" inside'),
    ('"華信 🚀 é"', "華信 🚀 é"),
    ('"multi\nline"', "multi\nline"),
    ('"/* not a comment */"', "/* not a comment */"),
])
def test_strings_and_escapes(text, value):
    node = parse(text)
    assert isinstance(node, Literal) and node.type is T.TEXT
    assert node.value == value


@pytest.mark.parametrize("text", ["TRUE", "true", "True", "tRuE"])
def test_true_is_case_insensitive(text):
    assert parse(text) == Literal(True, T.BOOLEAN, None)


@pytest.mark.parametrize("text", ["FALSE", "false", "False"])
def test_false_is_case_insensitive(text):
    assert parse(text) == Literal(False, T.BOOLEAN, None)


@pytest.mark.parametrize("text", ["NULL", "null", "Null"])
def test_null_is_case_insensitive(text):
    assert parse(text) == Literal(None, T.NULL, None)


@pytest.mark.parametrize("text", ["round(2.5, 0)", "Round(2.5, 0)", "ROUND(2.5, 0)",
                                  "rOuNd(2.5, 0)"])
def test_function_names_are_case_insensitive(text):
    node = parse(text)
    assert isinstance(node, Call) and node.name == "ROUND"
    assert evaluate(text) == 3


def test_field_names_keep_their_case():
    assert parse("Amount").path == ("Amount",)
    assert parse("account.Owner.email").path == ("account", "Owner", "email")


def test_field_paths():
    assert parse("$User.id").path == ("$User", "id")
    hops = "a.b.c.d.e.f.g.h.i.j.k"
    node = parse(hops)
    assert isinstance(node, Ref) and len(node.path) == 11 and node.text == hops
    assert parse("a_1.b_2").path == ("a_1", "b_2")


def test_calls():
    assert shape(parse("IF(a, 1, 2)")) == ("IF", "a", 1, 2)
    assert shape(parse("NOW()")) == ("NOW",)
    assert shape(parse("MAX(1, MIN(2, 3), 4)")) == ("MAX", 1, ("MIN", 2, 3), 4)


# -- comments and white space -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "1 /* one */ + 2",
    "/* lead */ 1 + 2",
    "1 + 2 /* trail */",
    "1 +/* tight */2",
    "1 + /* multi\nline\ncomment */ 2",
    "1 /* a */ + /* b */ 2",
    "/* ** / * */1+2",
])
def test_comments_are_ignored(text):
    assert shape(parse(text)) == ("_ADD", 1, 2)


@pytest.mark.parametrize("text", ["1\n+\n2", "1\t+\r\n2", "1\u00a0+\u200b2", "\ufeff1 + 2",
                                  "  1 + 2  "])
def test_white_space(text):
    assert shape(parse(text)) == ("_ADD", 1, 2)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "/* only a comment */", "/* open 1 + 2"])
def test_nothing_to_evaluate_is_a_syntax_error(text):
    with pytest.raises(FormulaError) as raised:
        parse(text)
    assert raised.value.code == "formula.syntax"


# -- positions --------------------------------------------------------------------------------

def test_spans_of_nodes():
    node = parse("1 +\n  bar(2, amount)")
    assert (node.span.line, node.span.column, node.span.start) == (1, 1, 0)
    call = node.args[1]
    assert isinstance(call, Call) and call.name == "BAR"
    assert (call.span.line, call.span.column) == (2, 3)
    assert (call.args[0].span.line, call.args[0].span.column) == (2, 7)
    ref = call.args[1]
    assert (ref.span.line, ref.span.column, ref.span.end - ref.span.start) == (2, 10, 6)


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    ("1 +", 1, 3, "ends too early"),
    ("(1 + 2", 1, 6, "ends too early"),
    ("1 + 2)", 1, 6, "unexpected ')'"),
    ("1 # 2", 1, 3, "unexpected character '#'"),
    ("IF(a,\n  1 2)", 2, 5, "unexpected '2'"),
    ("'open", 1, 1, "unexpected character"),
    ("1 2", 1, 3, "unexpected '2'"),
    ("a..b", 1, 3, "unexpected"),
    ("1.", 1, 2, "unexpected '.'"),
    ("f(,)", 1, 3, "unexpected ','"),
])
def test_syntax_errors_point_at_the_problem(text, line, column, message):
    with pytest.raises(FormulaError) as raised:
        parse(text)
    error = raised.value
    assert error.code == "formula.syntax"
    assert (error.line, error.column) == (line, column)
    assert message in error.message
    assert "^" in error.describe()


def test_describe_shows_the_line_and_a_caret():
    with pytest.raises(FormulaError) as raised:
        parse("IF(a,\n  1 2)")
    assert raised.value.describe() == "2:5: unexpected '2'\n  1 2)\n    ^"


# -- limits -----------------------------------------------------------------------------------

def test_length_limit():
    at_limit = "1" + " " * (MAX_LENGTH - 1)
    assert shape(parse(at_limit)) == 1
    with pytest.raises(FormulaError) as raised:
        parse(at_limit + " ")
    assert raised.value.code == "formula.too_long"
    assert str(MAX_LENGTH) in raised.value.message


def test_depth_limit():
    assert shape(parse("!" * (MAX_DEPTH - 1) + "a"))[0] == "_NOT"
    with pytest.raises(FormulaError) as raised:
        parse("!" * MAX_DEPTH + "a")
    assert raised.value.code == "formula.too_deep"


def test_parentheses_do_not_count_as_depth():
    assert shape(parse("(" * 1900 + "1" + ")" * 1900)) == 1


def test_not_text():
    with pytest.raises(FormulaError) as raised:
        parse(12)  # type: ignore[arg-type]
    assert raised.value.code == "formula.syntax"
