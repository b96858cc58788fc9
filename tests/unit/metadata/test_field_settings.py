"""hulian.metadata.field_settings: the settings shared with the loader, and auto-number formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hulian.metadata import MetadataError
from hulian.metadata.field_settings import type_settings
from hulian.metadata.field_types.auto_number import format_issue
from tests.packs import documents, field, obj, pack_of

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
    ({"type": "master_detail", "target": "A", "on_delete": "restrict"},
     {"target": "A", "on_delete": "cascade"}),
    ({"type": "master_detail", "target": 3}, {"target": None, "on_delete": "cascade"}),
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


@pytest.mark.parametrize("reset", [["yearly"], {"every": "year"}, 1])
def test_a_reset_that_is_not_text_is_a_schema_problem_not_a_crash(reset: Any) -> None:
    deal = obj("Deal", field("name", "text"),
               field("number", "auto_number", format="D-{yyyy}-{0000}", reset=reset))
    with pytest.raises(MetadataError) as exc:
        pack_of(documents(deal))
    assert [(p.code, p.pointer) for p in exc.value.problems] == [("schema.enum", "/fields/1/reset")]
