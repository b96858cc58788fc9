"""A bulk create's input coerced column by column gives what record-by-record coercion
gives: the same values, the same errors (with their rows), in row order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hulian.engine.records import prepare
from hulian.engine.schema.compiled import CompiledObject, compile_schema
from hulian.metadata.loader import load_documents


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


DOCUMENTS = {
    "pack.json": {"name": "columns", "version": "1.0.0", "label": _label("Columns")},
    "objects/Other.json": {"api_name": "Other", "label": _label("Other"), "name_field": "name",
                           "fields": [{"api_name": "name", "type": "text",
                                       "label": _label("Name")}]},
    "objects/Thing.json": {
        "api_name": "Thing", "label": _label("Thing"), "name_field": "name",
        "fields": [
            {"api_name": "name", "type": "text", "label": _label("Name"), "max_length": 6},
            {"api_name": "email", "type": "email", "label": _label("Email")},
            {"api_name": "amount", "type": "number", "label": _label("Amount"),
             "precision": 5, "scale": 2, "minimum": -10},
            {"api_name": "share", "type": "percent", "label": _label("Share")},
            {"api_name": "day", "type": "date", "label": _label("Day")},
            {"api_name": "moment", "type": "datetime", "label": _label("Moment")},
            {"api_name": "done", "type": "boolean", "label": _label("Done")},
            {"api_name": "colour", "type": "picklist", "label": _label("Colour"),
             "options": [{"api_name": n, "label": _label(n)} for n in ("red", "green")]},
            {"api_name": "tags", "type": "multi_picklist", "label": _label("Tags"),
             "options": [{"api_name": n, "label": _label(n)} for n in ("a", "b")]},
            {"api_name": "other", "type": "lookup", "label": _label("Other"),
             "target": "Other"},
            {"api_name": "number", "type": "auto_number", "label": _label("Number"),
             "format": "T-{0000}"},
            {"api_name": "doubled", "type": "number", "label": _label("Doubled"),
             "formula": "amount * 2"},
        ],
    },
}


@pytest.fixture(scope="module")
def thing() -> CompiledObject:
    return compile_schema(load_documents(DOCUMENTS), "t", "sqlite", 1).object("Thing")


VALUES: dict[str, list[Any]] = {
    "name": ["Acme", "互联", "", None, "toolong", "a\x00", 5],
    "email": ["a@example.com", "a@b", None],
    "amount": ["12.5", "12.345", "-10", "-10.01", 7, 1000, "x", None, "", 1.5],
    "share": [12, "12.5", None, True],
    "day": ["2024-02-29", "2023-02-29", dt.date(2024, 1, 1), None, "2024-1-1"],
    "moment": ["2024-03-31T09:30:00+08:00", "2024-03-31T09:30:00", None, 3],
    "done": [True, False, None, "true", "yes"],
    "colour": ["red", "green", "blue", None, ""],
    "tags": [["a"], ["a", "b"], ["c"], "a", None],
    "other": ["00D1abc", "id-1", None],
    "number": [None, "T-0001", 5],
    "doubled": [1, None],
    "owner_id": ["u1", 5, None],
    "nonsense": [1],
}
COMMON = ["name", "amount", "day", "moment", "done", "colour", "email", "other"]

rows = st.lists(
    st.one_of(
        st.fixed_dictionaries({key: st.sampled_from(VALUES[key][:2]) for key in COMMON}),
        st.fixed_dictionaries({key: st.sampled_from(VALUES[key]) for key in COMMON}),
        st.dictionaries(st.sampled_from(sorted(VALUES)),
                        st.sampled_from([v for vs in VALUES.values() for v in vs]), max_size=5),
        st.just("not a record")),
    min_size=1, max_size=8)


def record_by_record(obj: CompiledObject, inputs: list[Any]
                     ) -> tuple[list[dict[str, Any]], list[Any]]:
    errors: list[Any] = []
    coerced = [prepare.coerce(obj, data, i, errors) for i, data in enumerate(inputs)]
    return [row if row is not None else {} for row in coerced], errors


def shown(row: dict[str, Any]) -> dict[str, str]:
    """A row with each value as type and text (1.5 and 1.50 differ)."""
    return {key: f"{type(value).__name__}:{value}" for key, value in row.items()}


@settings(max_examples=300, deadline=None)
@given(inputs=rows)
def test_column_by_column_is_record_by_record(thing: CompiledObject, inputs: list[Any]
                                              ) -> None:
    expected_rows, expected_errors = record_by_record(thing, inputs)
    errors: list[Any] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prepare, "COLUMN_ROWS", 1)  # the law holds for any number of rows
        got = prepare.coerce_many(thing, inputs, errors)
    assert [shown(r) for r in got] == [shown(r) for r in expected_rows]

    def key(e: Any) -> tuple[Any, ...]:
        return (e.row, str(e.field), e.code, e.message)

    assert sorted(map(key, errors)) == sorted(map(key, expected_errors))
    assert [e.row for e in errors] == sorted(e.row for e in errors)  # in row order


def test_many_plain_rows_are_taken_column_by_column(thing: CompiledObject,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the threshold, a column of plain values goes whole, not value by value."""
    singles = prepare.input_converters(thing)
    calls: list[str] = []

    def counting(name: str) -> Any:
        def convert(value: Any) -> Any:
            calls.append(name)
            return singles[name](value)
        return convert

    monkeypatch.setattr(prepare, "input_converters",
                        lambda obj: {name: counting(name) for name in singles})
    inputs = [{"name": f"n{i}", "amount": f"{i}.5", "day": "2024-03-31", "done": i % 2 == 0,
               "colour": "red", "other": "00D1abc"} for i in range(prepare.COLUMN_ROWS)]
    inputs[3]["amount"] = "12.345"  # rounds: this column goes value by value
    errors: list[Any] = []
    got = prepare.coerce_many(thing, inputs, errors)
    assert errors == []
    assert calls == ["amount"] * len(inputs)
    assert got[3]["amount"] == Decimal("12.35") and str(got[5]["amount"]) == "5.50"
    assert got[0] == {"name": "n0", "amount": Decimal("0.50"), "day": dt.date(2024, 3, 31),
                      "done": True, "colour": "red", "other": "00D1abc"}


def test_errors_keep_their_rows_and_fields(thing: CompiledObject) -> None:
    inputs: list[Any] = [{"name": "ok", "amount": "1"} for _ in range(prepare.COLUMN_ROWS + 5)]
    inputs[10] = {"name": "toolong", "amount": "x"}
    inputs[40] = {"amount": "2", "name": "ok", "bogus": 1}  # other keys: on its own
    inputs[50] = "not a record"
    errors: list[Any] = []
    prepare.coerce_many(thing, inputs, errors)
    assert [(e.row, e.field, e.code) for e in errors] == [
        (10, "name", "too_long"), (10, "amount", "invalid_number"),
        (40, "bogus", "unknown_field"), (50, None, "invalid_record")]
