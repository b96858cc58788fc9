"""REGEX in Python: bounded in time, and the same answers as before (regex_match.py).

The reference is what the Python side did before RE2: Python's ``re`` on
``python_pattern(pattern)`` with ``re.ASCII | re.DOTALL`` and ``fullmatch``, the reading
the conformance cases check against PostgreSQL. Hypothesis builds valid patterns of the
dialect (groups, classes, counts, lazy quantifiers, anchors, lookaheads anywhere) and
short texts, on which ``re`` itself stays fast, and every route must agree with it.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hulian.formula import FormulaError, evaluate
from hulian.formula.functions import regex_match
from hulian.formula.functions.regex import matcher, pattern_problem, regex
from hulian.formula.functions.regex_match import plan, python_pattern

SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def reference(text: str, pattern: str) -> bool:
    return re.fullmatch(python_pattern(pattern), text, re.ASCII | re.DOTALL) is not None


# -- the patterns that hung ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "pattern", "expected"), [
    ("a" * 32 + "!", "(a+)*$", False),          # never returned in Python
    ("b" * 28 + "!", "(b+)+", False),           # 11.9 s over REST on SQLite, doubling per b
    ("a" * 100_000 + "!", "(a+)*$", False),
    ("a" * 100_000, "(a|aa)*(a|aa)*b", False),
    ("x" * 100_000 + "y", "(x+x+)+z", False),
    ("a" * 100_000, "(.*)*(.*)*(.*)*!", False),
    ("ab" * 50_000, "(?=a)(a|b|ab)*(a|b|ab)*c", False),  # a leading lookahead: RE2 too
    ("é" * 99_999 + "x", "(?:" + "\\W{0,255}" * 50 + ")*x", True),  # a large RE2 program
])
def test_pathological_patterns_answer_quickly(text, pattern, expected):
    started = time.perf_counter()
    assert regex(text, pattern) is expected
    assert time.perf_counter() - started < 2


def test_the_formula_that_hung():
    started = time.perf_counter()
    assert evaluate("REGEX('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', '(a+)*$')") is False
    assert time.perf_counter() - started < 1


# -- which engine runs a pattern -------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "route"), [
    ("[0-9]{3}-[0-9]{4}", "re2"),
    ("(a|b)*c", "re2"),
    ("(?=.*[0-9])(?=.*[a-z]).{8,}", "re2 with lookaheads"),
    ("^(?!000)[0-9]{3}$", "re2 with lookaheads"),
    ("[0-9]{3}-(?!00)[0-9]{2}", "backtracking"),
    ("(?=a)a|b", "backtracking"),
    ("(a(?=b))b", "backtracking"),
])
def test_patterns_go_to_the_engine_that_bounds_them(pattern, route):
    found = plan(pattern)
    kind = "backtracking" if found.whole is None else \
        "re2 with lookaheads" if found.checks else "re2"
    assert kind == route


def test_too_much_work_for_re2_goes_to_the_backtracking_engine(monkeypatch):
    found = plan("[0-9]+")
    calls = []
    monkeypatch.setattr(type(found), "_backtrack", lambda self, text: calls.append(text))
    found.fullmatch("1" * 100)
    assert calls == []
    monkeypatch.setattr(regex_match, "RE2_WORK", found.work * 100 - 1)
    found.fullmatch("1" * 100)
    assert calls == ["1" * 100]


def test_the_backtracking_engine_gives_up_with_a_formula_error(monkeypatch):
    monkeypatch.setattr(regex_match, "REGEX_SECONDS", 1e-9)
    with pytest.raises(FormulaError) as raised:
        regex("a" * 100_000, "a(?!b)(a|b)*c")
    assert raised.value.code == "formula.regex_too_complex"
    assert raised.value.hint


def test_text_that_is_not_utf8_still_matches():
    """A lone surrogate (only Python text holds one) cannot go to RE2."""
    assert regex("a\ud800b", "a.b") is True
    assert regex("a\ud800b", "[a-c]+") is False


# -- the same answers as before ---------------------------------------------------------------

CHARS = list("ab1 .-é\n\x0b😀")
ATOMS = ["a", "b", "1", "é", " ", "\\.", "\\-", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", ".",
         "[ab]", "[^a]", "[a-c]", "[-a]", "[a-]", "[\\d\\s]", "[^\\w]", "\\u0061", "\\n",
         "[\\u00e9-\\u00ff]", "😀"]
QUANTIFIERS = ["", "", "*", "+", "?", "*?", "+?", "{2}", "{0,2}", "{1,}", "{1,3}?"]

atom = st.tuples(st.sampled_from(ATOMS), st.sampled_from(QUANTIFIERS)).map("".join)
flat = st.lists(st.one_of(atom, st.sampled_from(["|", "^", "$"])), max_size=4).map("".join)
lookahead = st.tuples(st.sampled_from(["(?=", "(?!"]), flat).map(lambda p: p[0] + p[1] + ")")


def _groups(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    group = st.tuples(st.sampled_from(["(", "(?:"]), inner,
                      st.sampled_from(["", "*", "+", "?", "*?"])).map(
        lambda p: f"{p[0]}{p[1]})" + p[2])
    return st.lists(st.one_of(atom, group, lookahead, st.sampled_from(["|", "^", "$"])),
                    max_size=4).map("".join)


patterns = st.recursive(flat, _groups, max_leaves=8)
texts = st.lists(st.sampled_from(CHARS), max_size=8).map("".join)


@SETTINGS
@given(pattern=patterns, text=texts)
def test_every_route_agrees_with_re(pattern, text):
    assume(pattern_problem(pattern) is None)
    assert regex(text, pattern) is reference(text, pattern), (pattern, text)


@SETTINGS
@given(pattern=patterns, text=texts)
def test_the_backtracking_route_agrees_with_re(pattern, text):
    assume(pattern_problem(pattern) is None)
    assert plan(pattern)._backtrack(text) is reference(text, pattern), (pattern, text)


@SETTINGS
@given(pattern=st.lists(st.one_of(lookahead, st.just("^")), min_size=1, max_size=3).map(
    "".join).flatmap(lambda head: patterns.map(lambda rest: head + rest)), text=texts)
def test_leading_lookaheads_agree_with_re(pattern, text):
    assume(pattern_problem(pattern) is None)
    assert regex(text, pattern) is reference(text, pattern), (pattern, text)


def test_the_generated_patterns_reach_every_route():
    """The strategies above are not all thrown away as invalid, and reach each engine."""
    routes = set()
    for pattern in ["(a|b)*", "(?=a)a", "a(?=a)a", "(?:[ab]{0,2}|\\s+?)*", "(?!b).|b"]:
        assert pattern_problem(pattern) is None
        found = matcher(pattern)
        routes.add("backtracking" if found.whole is None else "re2")
    assert routes == {"backtracking", "re2"}
