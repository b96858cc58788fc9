"""What a running formula may spend (formula/limits.py), and Python values in ``evaluate``.

The conformance cases (text.json) pin the limit at its edges on every back-end; these tests
check that the too long text is never built: each would take gigabytes or minutes if it
were, and must fail at once.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from hulian.formula import FormulaError, RecordScope, T, compile_formula, evaluate, limits

LONG = "x" * 1000
BIG = "y" * 100_000
UTC = dt.UTC


def raises_quickly(text: str, record: dict, code: str = "formula.text_too_long") -> None:
    started = time.perf_counter()
    with pytest.raises(FormulaError) as raised:
        evaluate(text, record)
    assert raised.value.code == code
    assert raised.value.hint
    assert time.perf_counter() - started < 1, f"{text} took too long to refuse"


@pytest.mark.parametrize(("text", "record"), [
    # 437 fuzzed evaluations ended in MemoryError with this one (a billion characters)
    ("LEN(SUBSTITUTE(SUBSTITUTE(long, 'x', long), 'x', long))", {"long": LONG}),
    ("SUBSTITUTE(big, 'y', big)", {"big": BIG}),  # ten billion characters
    ("LEN(big & big)", {"big": BIG}),
    ("LEN(big + 'z')", {"big": BIG}),
    ("LPAD('a', n, 'z')", {"n": Decimal("1e15")}),
    ("RPAD('', n)", {"n": 100_001}),
    ("LEFT(LPAD('', n, 'ab'), 3)", {"n": 2_000_000_000}),
    ("TEXT(n)", {"n": Decimal("1e999999")}),
    ("TEXT(n)", {"n": Decimal("-1e-100000")}),
])
def test_a_text_over_the_limit_is_refused_before_it_is_built(text, record):
    raises_quickly(text, record)


@pytest.mark.parametrize(("text", "record", "length"), [
    ("LEN(SUBSTITUTE(big, 'y', 'z'))", {"big": BIG}, 100_000),
    ("LEN(SUBSTITUTE(big, 'yy', 'z'))", {"big": BIG + BIG}, 100_000),  # shrinks under it
    ("LEN(SUBSTITUTE(big, '', big))", {"big": BIG + BIG}, 200_000),  # unchanged: not built
    ("LEN(LPAD(big, 150000, ''))", {"big": BIG}, 100_000),
    ("LEN(LEFT(big & big, 10))", {"big": "y" * 50_000}, 10),
    ("LEN(TRIM(big))", {"big": BIG + BIG}, 200_000),  # passes on a long field as it is
    ("LEN(TEXT(n))", {"n": Decimal("1e99998")}, 99_999),
])
def test_texts_up_to_the_limit_are_built(text, record, length):
    assert evaluate(text, record) == length


def test_the_limit_is_the_one_of_limits_py(monkeypatch):
    monkeypatch.setattr(limits, "TEXT_LIMIT", 10)
    with pytest.raises(FormulaError):
        evaluate("'abcdef' & 'ghijk'")
    assert evaluate("'abcde' & 'fghij'") == "abcdefghij"


def test_huge_counts_are_read_at_once():
    """int() of Decimal('1e999999') takes minutes: counts and day shifts never call it."""
    started = time.perf_counter()
    huge = {"n": Decimal("1e999999"), "d": dt.date(2024, 1, 31),
            "t": dt.time(10), "ts": dt.datetime(2024, 1, 1, tzinfo=UTC)}
    assert evaluate("LEFT('abc', n)", huge) == "abc"
    assert evaluate("MID('abc', n, n)", huge) is None
    assert evaluate("FIND('b', 'abc', n)", huge) == 0
    assert evaluate("ADDMONTHS(d, n)", huge) is None
    assert evaluate("d + n", huge) is None
    assert evaluate("ts - n", huge) is None
    assert evaluate("t + n", huge) == dt.time(11, 46, 40)  # 10^999999 ms modulo a day
    assert time.perf_counter() - started < 2


# -- Python values in evaluate ---------------------------------------------------------------------

def test_python_dates_are_dates():
    """evaluate() used to type every value from its JSON type: a date was text."""
    assert evaluate("ADDMONTHS(d, 2)", record={"d": dt.date(2024, 12, 31)}) == dt.date(2025, 2, 28)
    assert evaluate("d + 1", {"d": dt.date(2024, 2, 28)}) == dt.date(2024, 2, 29)
    assert evaluate("YEAR(d)", {"d": dt.date(2024, 2, 28)}) == 2024


@pytest.mark.parametrize(("value", "kind"), [
    (None, T.NULL), (True, T.BOOLEAN), (1, T.NUMBER), (1.5, T.NUMBER), (Decimal("2.5"), T.NUMBER),
    ("2024-01-31", T.TEXT), (["a", "b"], T.MULTI_PICKLIST),
    (dt.date(2024, 1, 31), T.DATE), (dt.datetime(2024, 1, 31, 10, tzinfo=UTC), T.DATETIME),
    (dt.datetime(2024, 1, 31, 10), T.DATETIME), (dt.time(10, 30), T.TIME),
])
def test_each_python_type_has_its_formula_type(value, kind):
    assert compile_formula("v", RecordScope({"v": value})).type is kind


def test_python_datetimes_are_read_in_utc():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert evaluate("HOUR(ts)", {"ts": dt.datetime(2024, 1, 1, 10, tzinfo=shanghai)}) == 2
    assert evaluate("HOUR(ts)", {"ts": dt.datetime(2024, 1, 1, 10)}) == 10  # naive: UTC
    assert evaluate("ts + 1", {"ts": dt.datetime(2024, 1, 1, 10)}) == \
        dt.datetime(2024, 1, 2, 10, tzinfo=UTC)
    assert evaluate("ts < NOW()", {"ts": dt.datetime(2024, 1, 1)}) is True  # naive vs aware


def test_python_times_numbers_and_lists():
    assert evaluate("t + 60000", {"t": dt.time(10, 30)}) == dt.time(10, 31)
    assert evaluate("MINUTE(t)", {"t": dt.time(10, 30)}) == 30
    assert evaluate("x * 2", {"x": Decimal("1.25")}) == Decimal("2.5")
    assert evaluate("x + 0.2", {"x": 0.1}) == Decimal("0.3")  # the float's shortest text
    assert evaluate("IF(b, 1, 2)", {"b": True}) == 1  # a bool is not the number 1
    assert evaluate("INCLUDES(m, 'b')", {"m": ["a", "b"]}) is True


def test_json_text_stays_text():
    """An ISO text is text, as before: DATEVALUE reads it."""
    assert evaluate("LEN(d)", {"d": "2024-01-31"}) == 10
    assert evaluate("DATEVALUE(d) + 1", {"d": "2024-01-31"}) == dt.date(2024, 2, 1)
    with pytest.raises(FormulaError) as raised:
        evaluate("ADDMONTHS(d, 2)", {"d": "2024-12-31"})
    assert raised.value.code == "formula.type"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("-Infinity"),
                                   Decimal("NaN")])
def test_numbers_that_are_not_numbers_are_blank(value):
    assert evaluate("ISBLANK(x)", {"x": value}) is True
    assert evaluate("x > 1", {"x": value}) is None
