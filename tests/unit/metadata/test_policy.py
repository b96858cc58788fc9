"""hulian.metadata.policy: the built-in policies agree with the schemas."""

from __future__ import annotations

import pytest

from hulian.metadata import load_schema
from hulian.metadata.model import Pack, frozen_map
from hulian.metadata.policy import (
    DEFAULT_POLICIES,
    EDITABLE,
    FIXED,
    IMMUTABLE,
    LEVELS,
    LOCKED,
    POLICIES,
    policy,
)

from .layered import account, pack

DEFS = {"object": ("object", "objectPolicies"), "field": ("object", "fieldPolicies"),
        "rule": ("object", "rulePolicies"), "sharing_rule": ("object", "sharingRulePolicies"),
        "role": ("role", "rolePolicies"),
        "business_type": ("object", "businessTypePolicies")}


@pytest.mark.parametrize("level", LEVELS)
def test_the_schema_lists_every_property_with_a_policy(level: str) -> None:
    kind, definition = DEFS[level]
    properties = load_schema(kind)["$defs"][definition]["properties"]
    assert set(properties) == {*DEFAULT_POLICIES[level], *FIXED[level]}
    assert load_schema("object")["$defs"]["policy"]["enum"] == list(POLICIES)
    pack_wide = load_schema("pack")["properties"]["customizable"]["properties"][level]
    assert pack_wide["$ref"].endswith(f"{kind}.schema.json#/$defs/{definition}")


@pytest.mark.parametrize(("level", "kind", "holder"), [
    ("object", "extension", None), ("field", "extension", "fieldOverride"),
    ("rule", "extension", "ruleOverride"), ("sharing_rule", "extension", "sharingRuleOverride"),
    ("role", "role_extension", None),
    ("business_type", "extension", "businessTypeOverride")])
def test_an_overlay_may_write_exactly_the_properties_with_a_policy(
        level: str, kind: str, holder: str | None) -> None:
    schema = load_schema(kind)
    keys = set((schema["$defs"][holder] if holder else schema)["properties"])
    if holder is None:
        keys -= {"$schema", "object", "role", "fields", "field_overrides", "validation_rules",
                 "rule_overrides", "sharing_rules", "sharing_rule_overrides",
                 "business_types", "business_type_overrides", "field_dependencies"}
    assert keys == set(DEFAULT_POLICIES[level])


def test_the_most_specific_declaration_wins() -> None:
    bare = Pack("crm", "1.0.0", {}, ())
    wide = Pack("crm", "1.0.0", {}, (), customizable=frozen_map(
        {"field": frozen_map({"label": LOCKED, "required": EDITABLE})}))
    assert (policy(bare, "field", "label"), policy(bare, "field", "required")) == (
        EDITABLE, LOCKED)
    assert (policy(wide, "field", "label"), policy(wide, "field", "required")) == (
        LOCKED, EDITABLE)
    assert policy(wide, "field", "label", {"label": IMMUTABLE}) == IMMUTABLE
    assert policy(wide, "rule", "condition") == LOCKED
    assert policy(bare, "field", "target") == LOCKED


@pytest.mark.parametrize("level", LEVELS)
def test_names_are_always_immutable(level: str) -> None:
    wide = Pack("crm", "1.0.0", {}, (), customizable=frozen_map(
        {level: frozen_map({"api_name": EDITABLE})}))
    assert policy(wide, level, "api_name", {"api_name": LOCKED}) == IMMUTABLE


def test_the_loader_builds_every_declaration_into_the_model() -> None:
    doc = account(customizable={"label": "locked"})
    doc["fields"][1]["customizable"] = {"options": "immutable"}
    doc["validation_rules"][0]["customizable"] = {"active": "locked"}
    loaded = pack(doc, customizable={"rule": {"message": "locked"}})
    obj = loaded.object("Account")
    assert obj is not None
    assert dict(obj.customizable) == {"label": "locked"}
    assert dict(obj.fields[1].customizable) == {"options": "immutable"}
    assert dict(obj.fields[0].customizable) == {}
    assert dict(obj.validation_rules[0].customizable) == {"active": "locked"}
    assert dict(loaded.customizable["rule"]) == {"message": "locked"}
    with pytest.raises(TypeError):
        obj.fields[1].customizable["label"] = "locked"  # type: ignore[index]
