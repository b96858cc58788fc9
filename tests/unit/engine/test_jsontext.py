"""JSON text that keeps numbers exact (hulian.metadata.jsontext, used for versions and cursors)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hulian.metadata.jsontext import dumps, dumps_flat, loads


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("12.50"), "12.50"),
    (Decimal("0.10"), "0.10"),
    (Decimal("-0.001"), "-0.001"),
    (Decimal("1E+3"), "1000"),
    (Decimal("1E-7"), "0.0000001"),
    (Decimal("123456789012345678.123456789"), "123456789012345678.123456789"),
    (12, "12"),
    (True, "true"),
    (None, "null"),
    (1.5, "1.5"),
    ("a\"b\\c\n", '"a\\"b\\\\c\\n"'),
    (dt.date(2024, 2, 29), '"2024-02-29"'),
    (dt.datetime(2024, 2, 29, 1, 2, 3, 4, tzinfo=dt.UTC), '"2024-02-29T01:02:03.000004+00:00"'),
    (dt.time(9, 30), '"09:30:00"'),
    ((1, 2), "[1, 2]"),
    (MappingProxyType({"a": 1}), '{"a": 1}'),
    ({}, "{}"),
    ([], "[]"),
])
def test_dumps(value, text):
    assert dumps(value) == text
    assert json.loads(text) is not None or text == "null"


def test_decimals_keep_their_digits_through_a_round_trip():
    data = {"amount": Decimal("12.50"), "rate": Decimal("0.0700"), "n": 3, "list": [Decimal("1.0")]}
    back = loads(dumps(data))
    assert back == data
    assert str(back["amount"]) == "12.50" and str(back["rate"]) == "0.0700"
    assert type(back["n"]) is int


def test_any_text_round_trips():
    for text in ("华信 🚀", "'\"\\", "\u2028\u2029", "\x01\x1f", "𝔘"):
        assert loads(dumps(text)) == text
        assert loads(dumps({text: [text]}, indent=2)) == {text: [text]}


def test_loads_reads_non_integers_as_decimals():
    assert loads('{"x": 0.1, "y": 1e2, "z": 5}') == {"x": Decimal("0.1"), "y": Decimal("1E+2"),
                                                     "z": 5}
    assert isinstance(loads("0.1"), Decimal)
    assert loads(b'"bytes"') == "bytes"


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), float("nan"), object(),
                                   {1, 2}])
def test_values_json_cannot_hold_are_refused(value):
    with pytest.raises((ValueError, TypeError)):
        dumps(value)


def test_indent_pretty_prints_and_keeps_text_readable():
    text = dumps({"label": {"zh": "客户", "en": "Account"}, "n": [1, 2]}, indent=2)
    assert "客户" in text
    assert text.splitlines()[0] == "{"
    assert loads(text) == {"label": {"zh": "客户", "en": "Account"}, "n": [1, 2]}
    assert dumps({"a": {}}, indent=2) == '{\n  "a": {}\n}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=20,
)


def _same(a, b) -> bool:
    if isinstance(a, Decimal):
        # integral decimals without exponent come back as ints; others keep their digits
        return isinstance(b, Decimal | int) and Decimal(b) == a
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 2]))
def test_loads_inverts_dumps(value, indent):
    text = dumps(value, indent=indent)
    assert _same(value, loads(text))
    assert _same(value, json.loads(text, parse_float=Decimal))


record_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(), st.datetimes(timezones=st.just(dt.UTC)), st.times(),
    st.lists(st.text(), max_size=4))


@given(st.dictionaries(st.text(), record_values, max_size=8))
def test_dumps_flat_reads_back_as_dumps_does(values):
    assert loads(dumps_flat(values)) == loads(dumps(values))


def test_dumps_flat_hands_anything_else_to_dumps():
    values = {"nested": {"a": [Decimal("1.0")]}, "m": MappingProxyType({"k": 1})}
    assert loads(dumps_flat(values)) == {"nested": {"a": [Decimal("1.0")]}, "m": {"k": 1}}
