"""Auto-number formats rendered from a counter value and a moment."""

from __future__ import annotations

import datetime as dt

import pytest

from hulian.engine.records.sequences import render

MOMENT = dt.datetime(2024, 3, 5, 23, 59, tzinfo=dt.UTC)


@pytest.mark.parametrize(("fmt", "number", "expected"), [
    ("AC-{000000}", 1, "AC-000001"),
    ("AC-{000000}", 123456, "AC-123456"),
    ("AC-{000000}", 1234567, "AC-1234567"),        # the zeros are a minimum width
    ("OPP-{yyyy}{mm}-{0000}", 42, "OPP-202403-0042"),
    ("SO{yy}{mm}{dd}{000}", 7, "SO240305007"),
    ("{0}", 0, "0"),
    ("{0}", 99, "99"),
    ("{dd}/{mm}/{yyyy} #{00}", 3, "05/03/2024 #03"),
    ("编号-{yyyy}-{0000}", 12, "编号-2024-0012"),
    ("{0000}-{yyyy}", 5, "0005-2024"),
])
def test_render(fmt, number, expected):
    assert render(fmt, number, MOMENT) == expected


def test_date_tokens_follow_the_moment():
    new_year = dt.datetime(2025, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert render("OPP-{yyyy}{mm}-{0000}", 1, new_year) == "OPP-202501-0001"
    assert render("{yy}", 1, dt.datetime(2009, 12, 31, tzinfo=dt.UTC)) == "09"
    assert render("{yyyy}", 1, dt.datetime(999, 1, 1, tzinfo=dt.UTC)) == "0999"


def test_text_without_tokens_is_kept():
    assert render("FIXED-{000}-{unknown}", 4, MOMENT) == "FIXED-004-{unknown}"
