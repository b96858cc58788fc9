"""hulian.metadata.checks: the settings shared with the loader, and auto-number formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hulian.metadata.checks import check_documents, format_issue, type_settings

LABEL = {"zh": "字段", "en": "Field"}


@pytest.mark.parametrize("fmt", ["{0}", "SO-{yyyy}{mm}{dd}-{0000}", "{yy}/{000000}", "A{0}B"])
def test_valid_formats(fmt: str) -> None:
    assert format_issue(fmt) is None


@pytest.mark.parametrize(("fmt", "issue"), [
    ("SO-{n}", "unknown token '{n}'"),
    ("SO-{YYYY}-{00}", "unknown token '{YYYY}'"),
    ("SO-{yyyy}", "0 counter tokens"),
    ("{00}{000}", "2 counter tokens"),
    ("SO-{0000", "'{' or '}'"),
    ("SO}-{0000}", "'{' or '}'"),
    ("{{0000}}", "'{' or '}'"),
    ("{}", "unknown token '{}'"),
])
def test_invalid_formats(fmt: str, issue: str) -> None:
    assert issue in (format_issue(fmt) or "")


@pytest.mark.parametrize(("raw", "expected"), [
    ({"type": "text"}, {"max_length": 255, "pattern": None}),
    ({"type": "email", "max_length": 100, "pattern": "x"}, {"max_length": 100, "pattern": None}),
    ({"type": "currency"}, {"precision": 18, "scale": 2, "minimum": None, "maximum": None}),
    ({"type": "number", "precision": Decimal("10"), "minimum": 1},
     {"precision": 10, "scale": 0, "minimum": Decimal(1), "maximum": None}),
    ({"type": "number", "precision": "x", "scale": True, "maximum": "9"},
     {"precision": 18, "scale": 0, "minimum": None, "maximum": None}),
    ({"type": "lookup", "target": "A"}, {"target": "A", "on_delete": "set_null"}),
    ({"type": "auto_number", "format": "{0}", "start": -3, "reset": "weekly"},
     {"format": "{0}", "start": 1, "reset": "never"}),
    ({"type": "boolean", "max_length": 3}, {}),
    ({"type": "nope"}, {}),
])
def test_type_settings_fill_defaults(raw: dict[str, Any], expected: dict[str, Any]) -> None:
    assert type_settings(raw) == expected


def test_type_settings_options_skip_broken_entries() -> None:
    options = type_settings({"type": "picklist", "options": [
        {"api_name": "a", "label": LABEL}, "b", {"label": LABEL}, {"api_name": "c", "active": 0}]})
    assert [(o.api_name, o.active) for o in options["options"]] == [("a", True), ("c", True)]


def _doc(*fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"pack.json": {"name": "p", "version": "1.0.0", "label": LABEL},
            "objects/A.json": {"api_name": "A", "label": LABEL, "name_field": "name",
                               "fields": [{"api_name": "name", "type": "text", "label": LABEL},
                                          *fields], **extra}}


def codes(documents: dict[str, Any], broken: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return sorted((p.code, p.pointer) for p in check_documents(documents, broken))


def test_a_sound_pack_has_no_problems() -> None:
    assert codes(_doc({"api_name": "b", "type": "lookup", "label": LABEL, "target": "A"})) == []


def test_lookups_may_target_objects_whose_file_is_broken() -> None:
    documents = _doc({"api_name": "b", "type": "lookup", "label": LABEL, "target": "B"})
    assert codes(documents) == [("lookup.unknown_target", "/fields/1/target")]
    assert codes(documents, ("objects/B.json",)) == []


def test_a_default_is_not_checked_when_the_settings_are_broken() -> None:
    documents = _doc({"api_name": "b", "type": "text", "label": LABEL, "pattern": "(",
                      "default": "x"},
                     {"api_name": "c", "type": "number", "label": LABEL, "precision": 2,
                      "scale": 3, "default": 5})
    assert codes(documents) == [("number.scale", "/fields/2/scale"),
                                ("pattern.invalid", "/fields/1/pattern")]


def test_a_picklist_default_is_not_checked_without_options() -> None:
    documents = _doc({"api_name": "b", "type": "picklist", "label": LABEL, "default": "x"},
                     {"api_name": "c", "type": "picklist", "label": LABEL, "default": "x",
                      "options": [{"api_name": "y", "label": LABEL}]})
    assert codes(documents) == [("default.type", "/fields/2/default")]


def test_a_default_is_checked_against_the_filled_in_settings() -> None:
    documents = _doc({"api_name": "b", "type": "text", "label": LABEL, "default": "x" * 256})
    assert codes(documents) == [("default.type", "/fields/1/default")]


def test_null_default_is_no_default() -> None:
    assert codes(_doc({"api_name": "b", "type": "date", "label": LABEL, "default": None})) == []


@pytest.mark.parametrize("garbage", [None, 3, "x", [], [None, 3, {"fields": 1}],
                                     {"fields": "x", "name_field": 3, "api_name": []},
                                     {"fields": [{"type": "number", "scale": "x",
                                                  "default": [], "options": 3}]}])
def test_garbage_is_skipped(garbage: Any) -> None:
    documents = {"pack.json": garbage, "objects/A.json": garbage}
    check_documents(documents)
