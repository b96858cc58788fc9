"""hulian.metadata.schema_check: jsonschema errors -> one coded problem per pointer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hulian.metadata.schema_check import (
    CODE_BY_VALIDATOR,
    SCHEMA_FILES,
    _leaf,
    load_schema,
    schema_problems,
)

STRUCTURAL = {"$schema", "$id", "$ref", "$defs", "title", "description", "default", "examples",
              "properties", "items", "allOf", "oneOf", "if", "then", "propertyNames",
              "additionalProperties", "required", "type"}
LABEL = {"zh": "产品", "en": "Product"}


def field(**extra: Any) -> dict[str, Any]:
    return {"api_name": "price", "type": "number", "label": LABEL, **extra}


def obj(*fields: Any, **extra: Any) -> dict[str, Any]:
    return {"api_name": "Product", "label": LABEL, "name_field": "price",
            "fields": list(fields) or [field()], **extra}


def found(document: Any, kind: str = "object") -> list[tuple[str, str]]:
    return sorted((p.code, p.pointer) for p in schema_problems(document, kind, "x.json"))


def _resolve(ref: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The definition ``ref`` names, in ``schema`` or in another schema by its $id."""
    base, _, fragment = ref.partition("#")
    if base:
        schema = next(load_schema(k) for k in SCHEMA_FILES if load_schema(k)["$id"] == base)
    found: dict[str, Any] = schema["$defs"][fragment.rsplit("/", 1)[1]]
    return found


def test_schemas_refer_to_each_other_by_id() -> None:
    ids = {load_schema(k)["$id"] for k in SCHEMA_FILES}
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend([node["$ref"]] if isinstance(node.get("$ref"), str) else [])
            for sub in node.values():
                walk(sub)
        elif isinstance(node, list):
            for sub in node:
                walk(sub)

    for kind in SCHEMA_FILES:
        walk(load_schema(kind))
        for ref in refs:
            base = ref.partition("#")[0]
            assert not base or base in ids, ref
            _resolve(ref, load_schema(kind))
        refs.clear()


def _keywords(schema: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(schema, dict):
        for key, sub in schema.items():
            if key in ("properties", "$defs"):
                for inner in sub.values():
                    out |= _keywords(inner)
            elif key not in ("examples", "default", "enum", "const", "required"):
                out.add(key)
                out |= _keywords(sub)
            else:
                out.add(key)
    elif isinstance(schema, list):
        for sub in schema:
            out |= _keywords(sub)
    return out


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_schemas_are_valid_draft_2020_12(kind: str) -> None:
    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(SCHEMA_FILES[kind])
    assert "$schema" in schema["properties"] and "$schema" not in schema["required"]


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_every_assertion_keyword_has_a_code(kind: str) -> None:
    assert _keywords(load_schema(kind)) - STRUCTURAL - set(CODE_BY_VALIDATOR) == set()


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_every_property_has_a_title_and_description(kind: str) -> None:
    schema = load_schema(kind)
    defs = schema["$defs"]
    holders = [schema, *(d for d in defs.values() if "properties" in d)]
    for holder in holders:
        for name, prop in holder["properties"].items():
            target = _resolve(prop["$ref"], schema) if "$ref" in prop else {}
            assert "title" in prop or "title" in target, name
            assert "description" in prop or "description" in target or (name == "api_name" \
                and "description" in target), name


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_every_nested_property_explains_itself(kind: str) -> None:
    """Editors show the title and description of every key, at any depth; a description
    that only repeats the title ("Fields.") helps nobody."""
    schema = load_schema(kind)
    missing: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}/{i}")
        if not isinstance(node, dict):
            return
        for key, sub in node.items():
            if key in ("if", "then"):
                continue
            if key != "properties":
                walk(sub, f"{path}/{key}")
                continue
            for name, prop in sub.items():
                target = _resolve(prop["$ref"], schema) if "$ref" in prop else {}
                title = prop.get("title") or target.get("title")
                text = prop.get("description") or target.get("description")
                if not title or not text or text.rstrip(".").lower() == title.lower():
                    missing.append(f"{path}/{name}")
                walk(prop, f"{path}/{name}")

    walk(schema, "")
    assert missing == []


KIND_LABEL = {"zh": "订单", "en": "Order"}


def layout(*fields: Any, **extra: Any) -> dict[str, Any]:
    return {"api_name": "order", "object": "Order", "label": KIND_LABEL,
            "sections": [{"api_name": "main", "label": KIND_LABEL, "fields": list(fields)}],
            **extra}


def test_a_layout_field_is_a_name_or_an_object_and_the_message_says_both() -> None:
    [problem] = schema_problems(layout("amount", 5), "layout", "x.json")
    assert (problem.code, problem.pointer) == ("schema.type", "/sections/0/fields/1")
    assert problem.message == "item 1 of fields must be a text or an object, not the number 5"
    assert problem.hint is not None and '{"field": "amount", "required": true}' in problem.hint
    [problem] = schema_problems(layout({"field": "amount", "requird": True}), "layout", "x")
    assert (problem.pointer, problem.hint) == ("/sections/0/fields/0/requird",
                                               "did you mean 'required'?")
    [problem] = schema_problems(layout({"required": True}), "layout", "x")
    assert (problem.code, problem.pointer) == ("schema.required", "/sections/0/fields/0/field")


def test_a_sort_is_a_key_or_a_list_of_keys() -> None:
    doc = layout("amount", related_lists=[{"relationship": "lines", "sort": 5}])
    [problem] = schema_problems(doc, "layout", "x.json")
    assert problem.message == "sort must be a text or a list, not the number 5"
    assert problem.hint is not None and '"-created_at"' in problem.hint


def _home(*widgets: Any) -> dict[str, Any]:
    return {"api_name": "home", "label": KIND_LABEL, "widgets": list(widgets)}


def test_a_widget_lacking_a_key_its_kind_needs_says_which_kind() -> None:
    [problem] = schema_problems(_home({"kind": "metric", "object": "Order", "scene": "all"}),
                                "home_view", "x.json")
    assert (problem.code, problem.pointer) == ("schema.required", "/widgets/0/function")
    assert problem.message == "the required key 'function' is missing (kind metric needs it)"


def test_a_widget_without_a_kind_is_one_problem() -> None:
    assert found(_home({"object": "Order"}), "home_view") == [("schema.required",
                                                               "/widgets/0/kind")]


def test_a_valid_object_has_no_problems() -> None:
    assert found(obj()) == []


def test_missing_keys_point_where_the_key_belongs() -> None:
    doc = obj({"api_name": "price", "label": LABEL})
    del doc["name_field"]
    assert found(doc) == [("schema.required", "/fields/0/type"),
                          ("schema.required", "/name_field")]
    [problem] = schema_problems({"name": "x", "label": LABEL}, "pack", "pack.json")
    assert problem.hint == "add the key 'version'"


def test_unknown_keys_point_at_the_key_and_suggest_the_right_one() -> None:
    problems = schema_problems(obj(field(requird=True, zzz=1)), "object", "x.json")
    by_pointer = {p.pointer: p for p in problems}
    assert set(by_pointer) == {"/fields/0/requird", "/fields/0/zzz"}
    assert by_pointer["/fields/0/requird"].hint == "did you mean 'required'?"
    hint = by_pointer["/fields/0/zzz"].hint or ""
    assert hint.startswith("allowed: api_name, backfill, blank_as, customizable, default")


def test_enum_suggests_the_closest_value() -> None:
    [problem] = schema_problems(obj(field(type="picklst")), "object", "x.json")
    assert problem.code == "schema.enum" and problem.pointer == "/fields/0/type"
    assert (problem.hint or "").startswith("did you mean 'picklist'? allowed: text, textarea")


def test_type_specific_limits_come_from_the_field_type() -> None:
    def text(n: int, kind: str = "text") -> dict[str, Any]:
        return field(type=kind, max_length=n)
    assert found(obj(text(1000), text(131072, "textarea"), text(254, "email"),
                     text(40, "phone"), text(2048, "url"))) == []
    assert found(obj(text(1001), text(131073, "textarea"), text(255, "email"),
                     text(41, "phone"), text(2049, "url"), text(0))) == [
        ("schema.range", f"/fields/{i}/max_length") for i in range(6)]


def test_conditional_required_keys() -> None:
    assert found(obj(field(type="picklist"), field(type="lookup"),
                     field(type="auto_number"), field(type="multi_picklist"))) == [
        ("schema.required", "/fields/0/options"), ("schema.required", "/fields/1/target"),
        ("schema.required", "/fields/2/format"), ("schema.required", "/fields/3/options")]


def test_integers_may_be_written_as_integral_decimals() -> None:
    assert found(obj(field(precision=Decimal("18.0"), scale=Decimal("2")))) == []
    assert found(obj(field(precision=Decimal("2.5")))) == [("schema.type", "/fields/0/precision")]
    assert found(obj(field(precision=True))) == [("schema.type", "/fields/0/precision")]


def test_one_problem_per_pointer() -> None:
    problems = found(obj(field(label={"EN": 3})))
    pointers = [pointer for _, pointer in problems]
    assert len(pointers) == len(set(pointers))
    assert ("schema.type", "/fields/0/label/EN") in problems


def test_name_rules_and_languages_are_left_to_the_cross_checks() -> None:
    assert found(obj(field(api_name="Unit Price", label={"zh": "价格"}), api_name="bad name")) == []
    assert found({"name": "Bad Name", "version": "1.0.0", "label": {}}, "pack") == []


def test_language_keys_are_checked() -> None:
    [problem] = schema_problems(obj(field(label={**LABEL, "english": "x"})), "object", "x.json")
    assert (problem.code, problem.pointer) == ("schema.pattern", "/fields/0/label/english")
    assert problem.hint == "language codes such as zh, en, ja, zh-TW"


@pytest.mark.parametrize("document", [None, 3, "x", [], [1, {"a": 2}], True])
def test_a_document_that_is_not_an_object(document: Any) -> None:
    assert found(document) == [("schema.type", "")]


def test_the_leaf_of_a_oneof_error_is_its_best_match() -> None:
    schema = {"oneOf": [{"type": "string"},
                        {"type": "object", "properties": {"a": {"minimum": 3}}}]}
    [error] = Draft202012Validator(schema).iter_errors({"a": 1})
    leaf = _leaf(error)
    assert leaf.validator == "minimum" and list(leaf.absolute_path) == ["a"]


def test_a_document_checked_again_gets_the_same_problems_and_equal_values_stay_apart() -> None:
    """The answers are kept by content: 1, True and Decimal("1") are equal in Python (and
    as dictionary keys) but not in JSON, and each is judged as itself however often and in
    whatever order the documents are checked."""
    one, true, decimal_one = (obj(field(required=value)) for value in (1, True, Decimal("1")))
    for _ in range(2):
        assert found(true) == []
        assert found(one) == [("schema.type", "/fields/0/required")]
        assert found(decimal_one) == [("schema.type", "/fields/0/required")]
    assert found(obj(field(precision=Decimal("2.5")))) == [("schema.type", "/fields/0/precision")]
    assert found(obj(field(precision=Decimal("2")))) == []
    problems = schema_problems(one, "object", "x.json")
    problems.clear()                        # a caller's list is its own
    assert found(one) == [("schema.type", "/fields/0/required")]
