"""docs/metadata.md documents every key and field type the schemas know."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hulian.metadata import FIELD_TYPES, load_schema

DOC = Path(__file__).parents[3] / "docs" / "metadata.md"


def _table_keys() -> set[str]:
    text = DOC.read_text("utf-8")
    return {key for row in re.findall(r"^\| (`[^|]+`(?:, `[^|]+`)*) \|", text, re.MULTILINE)
            for key in re.findall(r"`([^`]+)`", row)}


@pytest.mark.parametrize("kind", ["pack", "object"])
def test_every_document_key_is_documented(kind: str) -> None:
    assert set(load_schema(kind)["properties"]) - _table_keys() == set()


def test_every_field_key_is_documented() -> None:
    keys = set(load_schema("object")["$defs"]["field"]["properties"])
    assert keys - _table_keys() == set()


def test_every_field_type_is_documented() -> None:
    assert set(FIELD_TYPES) - _table_keys() == set()
