"""hulian.metadata.checks: cross-checks of a pack's documents."""

from __future__ import annotations

from typing import Any

import pytest

from hulian.metadata.checks import check_documents

LABEL = {"zh": "字段", "en": "Field"}


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
