"""hulian.metadata.field_types: every registered type declares every aspect, consistently."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

import pytest

from hulian.formula import FIELD_TYPE_MAP, T
from hulian.metadata import load_schema
from hulian.metadata.field_types import (
    ASPECTS,
    DERIVED_KINDS,
    FIELD_TYPES,
    OPERATORS,
    REGISTERED,
    WIDGETS,
    FieldType,
    coercer,
    field_type,
)
from hulian.metadata.field_types.text import Text, TextType
from hulian.metadata.model import ROLL_UP_FUNCTIONS, Field

LABEL = {"zh": "字段", "en": "Field"}
FLAGS = ("textual", "numeric", "choice", "reference", "stored", "assigned", "always_required",
         "always_unique", "names_records", "indexable", "sortable")
MODEL_KEYS = {f.name for f in dataclass_fields(Field)}
EXAMPLES: dict[str, dict[str, Any]] = {
    "picklist": {"options": [{"api_name": "a", "label": LABEL}]},
    "multi_picklist": {"options": [{"api_name": "a", "label": LABEL}]},
    "lookup": {"target": "Account"}, "master_detail": {"target": "Account"},
    "auto_number": {"format": "N-{0000}"},
}


def missing_aspects(kind: FieldType) -> list[str]:
    """The aspects ``kind`` does not declare itself (nor through a family base): those it
    would inherit from FieldType, which declares none."""
    missing = []
    for aspect in ASPECTS:
        owner = next((cls for cls in type(kind).__mro__ if aspect in vars(cls)), None)
        if owner is None or owner is FieldType:
            missing.append(aspect)
    return missing


def example(kind: FieldType) -> Field:
    raw = {"type": kind.name, **EXAMPLES.get(kind.name, {})}
    return Field("f", kind.name, LABEL, **kind.settings_of(raw))


def test_the_registry_lists_every_type_once_in_document_order():
    assert tuple(t.name for t in REGISTERED) == FIELD_TYPES
    assert len(set(FIELD_TYPES)) == len(FIELD_TYPES) == 17
    assert FIELD_TYPES[:3] == ("text", "textarea", "number")


def test_the_aspect_check_sees_a_missing_aspect():
    class Careless(TextType):  # forgets its widget, its flags and its settings
        name = "careless"

    assert {"widget", "settings", "names_records", "indexable"} <= set(
        missing_aspects(Careless()))
    assert missing_aspects(Text()) == []


@pytest.mark.parametrize("kind", REGISTERED, ids=lambda k: k.name)
def test_every_aspect_is_declared(kind: FieldType):
    assert missing_aspects(kind) == []


@pytest.mark.parametrize("kind", REGISTERED, ids=lambda k: k.name)
def test_declared_values_are_of_the_right_kind(kind: FieldType):
    assert field_type(kind.name) is kind
    assert kind.widget in WIDGETS
    assert T(kind.formula_type) is FIELD_TYPE_MAP[kind.name]
    assert T(kind.default_formula_type) in set(T)
    assert all(isinstance(getattr(kind, flag), bool) for flag in FLAGS)
    assert {"eq", "is_null"} <= kind.operators <= set(OPERATORS)
    assert kind.derived <= set(DERIVED_KINDS)
    assert kind.summarised_by <= set(ROLL_UP_FUNCTIONS) - {"COUNT"}
    assert set(kind.settings) <= MODEL_KEYS
    assert kind.quoted_as is None or kind.quoted_as in FIELD_TYPES
    assert kind.default_json is None or all(isinstance(t, type) for t in kind.default_json)
    assert kind.indexable == (kind.not_indexed is None)
    assert set(kind.key_notes) <= {key for t in REGISTERED for key in t.settings}


@pytest.mark.parametrize("kind", REGISTERED, ids=lambda k: k.name)
def test_family_flags_agree(kind: FieldType):
    assert sum((kind.textual, kind.numeric, kind.choice, kind.reference)) <= 1
    assert not (kind.reference and kind.derived), "a derived field shows a value, not an id"
    assert kind.quoted_as is None if kind.reference else kind.quoted_as is not None
    assert ("roll_up" in kind.derived) == bool(kind.summarised_by)
    assert not kind.assigned or kind.default_json is None, "hulian assigns it: no default"
    assert kind.sortable or not kind.indexable


@pytest.mark.parametrize("kind", REGISTERED, ids=lambda k: k.name)
def test_behaviour_is_callable_on_a_field_of_the_type(kind: FieldType):
    field = example(kind)
    assert set(kind.settings_of({"type": kind.name})) <= MODEL_KEYS
    assert coercer(field)(None) is None
    assert callable(kind.filter_parser(field))
    described = {"type": kind.name, **kind.describe(field)}
    schema, note = kind.json_schema(described, False)
    assert "type" in schema and (note is None or note.endswith("."))
    assert kind.json_schema(described, True)[0]["type"] == schema["type"]


def test_the_object_schema_lists_the_types_and_their_length_limits():
    field = load_schema("object")["$defs"]["field"]
    assert tuple(field["properties"]["type"]["enum"]) == FIELD_TYPES
    limits = {rule["if"]["properties"]["type"]["const"]:
              rule["then"]["properties"]["max_length"]["maximum"]
              for rule in field["allOf"] if "max_length" in
              rule["then"].get("properties", {})}
    assert limits == {t.name: t.max_length_limit for t in REGISTERED
                      if isinstance(t, TextType)}


def test_a_derived_form_lists_the_types_it_may_have():
    formula = load_schema("object")["$defs"]["field"]["properties"]["formula"]["description"]
    named = [t.name for t in REGISTERED if "formula" in t.derived]
    assert "The field's type is the result type: " + ", ".join(named[:-1]) in formula
