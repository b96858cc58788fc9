"""Checking a new activity (跟进记录): the field types' own coercers, every mistake as the
field error of its key, the default moment."""

from __future__ import annotations

import datetime as dt

import pytest

from hulian.engine.records import activities

NOW = dt.datetime(2024, 11, 22, 21, 53, tzinfo=dt.UTC)


def _check(**data):
    errors = []
    values = activities.check(data, NOW, errors)
    return values, [(e.field, e.code) for e in errors]


def test_a_good_activity_and_its_default_moment():
    assert _check(kind="visit", text=" met ") == \
        ({"kind": "visit", "text": " met ", "at": NOW}, [])
    values, errors = _check(kind="call", text="x", at="2024-03-31T09:30:00+08:00")
    assert (values["at"], errors) == (dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC), [])
    moment = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert _check(kind="note", text="x", at=moment)[0]["at"] == moment
    assert list(activities.KINDS) == ["call", "visit", "note"]


@pytest.mark.parametrize(("data", "expected"), [
    ({}, [("kind", "required"), ("text", "required")]),
    ({"kind": "", "text": "\t\n "}, [("kind", "required"), ("text", "required")]),
    ({"kind": "Call", "text": "x"}, [("kind", "invalid_option")]),
    ({"kind": ["call"], "text": "x"}, [("kind", "invalid_type")]),
    ({"kind": "call", "text": 12}, [("text", "invalid_type")]),
    ({"kind": "call", "text": "x" * (activities.MAX_TEXT + 1)}, [("text", "too_long")]),
    ({"kind": "call", "text": "\ud800"}, [("text", "invalid_character")]),
    ({"kind": "call", "text": "x", "at": "2024-03-31"}, [("at", "missing_timezone")]),
    ({"kind": "call", "text": "x", "at": "31/03/2024"}, [("at", "invalid_datetime")]),
    ({"kind": "call", "text": "x", "at": dt.datetime(2024, 3, 31)}, [("at", "missing_timezone")]),
    ({"kind": "call", "text": "x", "at": True}, [("at", "invalid_type")]),
])
def test_each_mistake_is_its_keys_field_error(data, expected):
    assert _check(**data)[1] == expected


def test_unknown_keys_are_named():
    errors = activities.unknown({"kind": "call", "when": 1, 3: 4, "x" * 300: 0})
    assert [(e.field, e.code) for e in errors] == [("when", "unknown_field"),
                                                   ("3", "unknown_field"),
                                                   ("x" * 100, "unknown_field")]
    assert activities.unknown({"kind": 1, "text": 2, "at": 3}) == []
