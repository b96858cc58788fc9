"""docs/metadata.md and docs/packs.md document every key and field type the schemas know."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hulian.metadata import FIELD_TYPES, load_schema
from hulian.metadata.policy import DEFAULT_POLICIES, FIXED

DOCS = Path(__file__).parents[3] / "docs"


def _table_keys(*names: str) -> set[str]:
    text = "\n".join((DOCS / name).read_text("utf-8") for name in names)
    return {key for row in re.findall(r"^\| (`[^|]+`(?:, `[^|]+`)*) \|", text, re.MULTILINE)
            for key in re.findall(r"`([^`]+)`", row)}


@pytest.mark.parametrize("kind", ["pack", "object", "role", "app", "layout", "scene", "home_view"])
def test_every_document_key_is_documented(kind: str) -> None:
    assert set(load_schema(kind)["properties"]) - _table_keys("metadata.md") == set()


@pytest.mark.parametrize(("kind", "definition"), [
    ("object", "sharingRule"), ("object", "action"), ("role", "objectAccess")])
def test_every_access_key_is_documented(kind: str, definition: str) -> None:
    keys = set(load_schema(kind)["$defs"][definition]["properties"])
    assert keys - _table_keys("metadata.md") == set()


def test_every_data_permission_key_is_documented() -> None:
    keys = set(load_schema("object")["properties"]["data_permission"]["properties"])
    assert keys - _table_keys("metadata.md") == set()


def test_every_field_key_is_documented() -> None:
    keys = set(load_schema("object")["$defs"]["field"]["properties"])
    assert keys - _table_keys("metadata.md") == set()


def test_every_rule_key_is_documented() -> None:
    keys = set(load_schema("object")["$defs"]["validationRule"]["properties"])
    assert keys - _table_keys("metadata.md") == set()


def test_every_field_type_is_documented() -> None:
    assert set(FIELD_TYPES) - _table_keys("metadata.md") == set()


@pytest.mark.parametrize("definition", [None, "fieldOverride", "ruleOverride"])
def test_every_extension_key_is_documented(definition: str | None) -> None:
    schema = load_schema("extension")
    holder = schema["$defs"][definition] if definition else schema
    assert set(holder["properties"]) - _table_keys("packs.md") == set()


@pytest.mark.parametrize("level", ["object", "field", "rule"])
def test_every_policy_property_is_in_the_defaults_table(level: str) -> None:
    text = (DOCS / "packs.md").read_text("utf-8")
    [row] = re.findall(rf"^\| {level} \|.*$", text, re.MULTILINE)
    assert set(re.findall(r"`([^`]+)`", row)) == {*DEFAULT_POLICIES[level], *FIXED[level]}


def test_packs_doc_is_linked_from_the_metadata_doc() -> None:
    assert "(packs.md)" in (DOCS / "metadata.md").read_text("utf-8")
