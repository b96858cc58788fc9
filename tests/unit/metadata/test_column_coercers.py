"""Whole-column coercion (bulk creates): the same values as the field's coercer, or a
refusal that sends the column value by value; never a different answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hulian.metadata.field_types import coercer, field_type
from hulian.metadata.model import Field, PicklistOption
from hulian.metadata.values import NotPlain, ValueProblem

LABEL = {"zh": "字段", "en": "Field"}
OPTIONS = (PicklistOption("red", LABEL), PicklistOption("green", LABEL),
           PicklistOption("blue", LABEL, active=False))

FIELDS = {
    "text": Field("f", "text", LABEL, max_length=6),
    "text_pattern": Field("f", "text", LABEL, pattern="[A-Z]+[0-9]*"),
    "textarea": Field("f", "textarea", LABEL),
    "email": Field("f", "email", LABEL),
    "phone": Field("f", "phone", LABEL),
    "url": Field("f", "url", LABEL),
    "number": Field("f", "number", LABEL, precision=5, scale=2, minimum=Decimal(-10),
                    maximum=Decimal("500.5")),
    "fraction": Field("f", "number", LABEL, precision=2, scale=2),
    "integer": Field("f", "number", LABEL, precision=4, scale=0),
    "currency": Field("f", "currency", LABEL),
    "percent": Field("f", "percent", LABEL, minimum=Decimal(0)),
    "date": Field("f", "date", LABEL),
    "datetime": Field("f", "datetime", LABEL),
    "time": Field("f", "time", LABEL),
    "boolean": Field("f", "boolean", LABEL),
    "picklist": Field("f", "picklist", LABEL, options=OPTIONS),
    "multi_picklist": Field("f", "multi_picklist", LABEL, options=OPTIONS),
    "lookup": Field("f", "lookup", LABEL, target="Account"),
    "master_detail": Field("f", "master_detail", LABEL, target="Account"),
}

TZ = dt.timezone(dt.timedelta(hours=8))
ODD = [None, "", " ", "\x00", "a\x00b", "\ud800", "x" * 300, True, False, 0, -1, 7, 12.5,
       10**20, -(10**20), Decimal("1.005"), Decimal("NaN"), [], {}, ["red"], "red", "blue",
       "purple", "RED", "1", "-0", "+1", "12.", ".5", "1e3", "1_000", "٣", " 12 ", "99999",
       "999.99", "500.5", "500.51", "-10.001", "0.999", "0.995", "12.345", "0012",
       "2024-02-29", "2023-02-29", "2024-1-1", " 2024-03-31", "0001-01-01", "9999-12-31",
       "2024-03-31T09:30:00+08:00", "2024-03-31T09:30:00", "2024-03-31T09:30:00Z",
       "9999-12-31T23:59:00-01:00", "2024-03-31 09:30+08:00", "09:30", "25:00", "09:30:00.5",
       dt.date(2024, 3, 31), dt.datetime(2024, 3, 31, 9, 30, tzinfo=TZ),
       dt.datetime(2024, 3, 31, 9, 30), dt.time(9, 30), "a@example.com", "a@b", "a@b.c\n",
       "+86 10 1234 5678", "12", "example.com", "https://example.com/x", "ABC12", "abc",
       "Ab1", "00D1abc", "id-1", "i" * 64, "i" * 65, "互联", "true", "false", "TRUE"]

values = st.sampled_from(ODD) | st.text(max_size=8) | st.integers(-10**6, 10**6) \
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)


def same(a: Any, b: Any) -> bool:
    """Equal, of the same type, and a Decimal with the same digits (1.5 is not 1.50)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return str(a) == str(b)
    if isinstance(a, dt.datetime):
        return a == b and a.tzinfo == b.tzinfo
    return bool(a == b)


def one_by_one(field: Field, column: list[Any]) -> list[Any] | None:
    """The coercer's values, or None when any value does not fit."""
    coerce = coercer(field)
    out = []
    for value in column:
        try:
            out.append(coerce(value))
        except ValueProblem:
            return None
    return out


@pytest.mark.parametrize("name", sorted(FIELDS))
@settings(max_examples=150, deadline=None)
@given(column=st.lists(values, min_size=1, max_size=12))
def test_a_column_gives_what_the_coercer_gives_value_by_value(name: str, column: list[Any]
                                                              ) -> None:
    field = FIELDS[name]
    expected = one_by_one(field, column)
    try:
        got = field_type(field.type).column_coercer(field)(tuple(column))
    except (NotPlain, ValueProblem):
        return  # the caller goes value by value: the coercer's own answer
    assert expected is not None, f"the column took {column!r}, the coercer refuses one"
    assert len(got) == len(expected)
    assert all(same(g, e) for g, e in zip(got, expected, strict=True)), (column, got, expected)


PLAIN = {
    "text": ["Acme", None, "", "互联"],
    "textarea": ["line one\nline two", None],
    "email": ["buyer@example.com", None],
    "number": ["12.5", "-10", "500.50", "0"],
    "fraction": ["0.25", "0"],
    "integer": ["9999", "-42"],
    "currency": ["1234.56", "0.01"],
    "percent": [12, 0, 100],
    "date": ["2024-02-29", "0001-01-01"],
    "datetime": ["2024-03-31T09:30:00+08:00", "2024-03-31T01:30:00Z"],
    "boolean": [True, False, None],
    "picklist": ["red", "blue", None],
    "lookup": ["00D1abc", None],
    "master_detail": ["00D1abc"],
}


EDGE = ["12.345", "0.995", "-0", "-0.00", "500.51", "-10.001", "99.999", "1000", "0.5",
        "2023-02-29", "9999-12-31T23:59:00-01:00", "2024-03-31T09:30:00-00:00", "blue",
        "i" * 64, "i" * 65, "互联互联互联", "互联互联互联互", "a@b.c", "a@b", None, ""]


@pytest.mark.parametrize("name", sorted(PLAIN))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_columns_near_the_plain_ones_give_the_same_values(name: str, data: Any) -> None:
    """Columns of what the fast path takes, mixed with values at its edges."""
    column = data.draw(st.lists(st.sampled_from(PLAIN[name] + EDGE), min_size=1, max_size=4))
    test_a_column_gives_what_the_coercer_gives_value_by_value.hypothesis.inner_test(
        name, column)


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_columns_are_taken_whole(name: str) -> None:
    """What apps and imports send takes the fast path (not only the fallback)."""
    field = FIELDS[name]
    got = field_type(field.type).column_coercer(field)(PLAIN[name])
    expected = one_by_one(field, PLAIN[name])
    assert expected is not None
    assert all(same(g, e) for g, e in zip(got, expected, strict=True))


@pytest.mark.parametrize(("name", "column"), [
    ("number", ["12.5", "12.555"]),  # would round: the coercer rounds half up
    ("number", ["12.5", ""]),  # a blank
    ("number", ["500.51"]),  # above the maximum
    ("integer", [10**4]),  # more digits than the field holds
    ("text", ["a", "a\x00"]),
    ("text", ["a", "\ud800"]),
    ("text", ["toolong"]),
    ("email", ["a@b"]),
    ("date", ["2023-02-29"]),
    ("datetime", ["2024-03-31T09:30:00"]),  # no time zone
    ("picklist", ["purple"]),
    ("lookup", ["id-1"]),
    ("boolean", ["true"]),  # words go value by value
])
def test_columns_with_a_value_that_is_not_plain_go_value_by_value(name: str,
                                                                  column: list[Any]) -> None:
    field = FIELDS[name]
    with pytest.raises(NotPlain):
        field_type(field.type).column_coercer(field)(column)
