"""Pack upgrades: immutable properties, kept overrides and renaming the overlay."""

from __future__ import annotations

import copy
from typing import Any

from hulian.metadata import (
    Layers,
    immutable_changes,
    kept_overrides,
    load_documents,
    merge,
    rename_overlay,
)

from .layered import account, label, overlay, pack

# --- immutable_changes --------------------------------------------------------------------


def _found(old: Any, new: Any) -> list[tuple[str, str, str]]:
    return [(p.code, p.file, p.pointer) for p in immutable_changes(old, new)]


def test_nothing_declared_immutable_means_nothing_to_report() -> None:
    new = account(label=label("Customer"))
    new["fields"][1]["required"] = True
    assert _found(pack(account()), pack(new, version="1.1.0")) == []


def test_a_change_to_an_immutable_property_is_reported_at_the_new_version() -> None:
    policies = {"field": {"label": "immutable"}, "rule": {"message": "immutable"}}
    new = account()
    new["fields"][1]["label"] = label("Sector")
    new["fields"][0]["help"] = label("New help")  # help stays editable
    new["validation_rules"][0]["message"] = label("Changed")
    assert _found(pack(account(), customizable=policies),
                  pack(new, version="1.1.0", customizable=policies)) == [
        ("pack.immutable_changed", "objects/Account.json", "/fields/1/label"),
        ("pack.immutable_changed", "objects/Account.json", "/validation_rules/0/message")]


def test_element_declarations_count_and_renamed_fields_are_followed() -> None:
    old = account(customizable={"description": "immutable"}, description="Firms")
    old["fields"][2]["customizable"] = {"max_length": "immutable"}
    new = copy.deepcopy(old)
    new["description"] = "Companies"
    new["fields"][2].update(api_name="area", renamed_from="region", max_length=80)
    assert _found(pack(old), pack(new, version="2.0.0")) == [
        ("pack.immutable_changed", "objects/Account.json", "/description"),
        ("pack.immutable_changed", "objects/Account.json", "/fields/2/max_length")]


def test_relaxing_an_immutable_policy_is_reported_where_it_is_declared() -> None:
    old = account()
    old["fields"][1]["customizable"] = {"options": "immutable"}
    new = copy.deepcopy(old)
    new["fields"][1]["customizable"] = {"options": "editable"}
    assert _found(pack(old), pack(new)) == [
        ("pack.immutable_changed", "objects/Account.json", "/fields/1/customizable/options")]
    pack_wide = {"field": {"hidden": "immutable"}}
    assert _found(pack(account(), customizable=pack_wide), pack(account())) == [
        ("pack.immutable_changed", "pack.json", "/customizable/field/hidden")]


def test_type_changes_are_left_to_the_deploy() -> None:
    new = account()
    new["fields"][2].update(type="textarea")
    assert _found(pack(account(), customizable={"field": {"label": "immutable"}}),
                  pack(new, customizable={"field": {"label": "immutable"}})) == []


# --- kept_overrides -----------------------------------------------------------------------

OVERRIDES: dict[str, Any] = {
    "label": label("Customer"),
    "field_overrides": {"industry": {"label": label("Sector"), "options": [
        {"api_name": "retail", "label": label("Shops")}]},
        "name": {"help": label("Who")}},
    "rule_overrides": {"name_not_test": {"message": label("No tests")}},
}


def test_kept_overrides_name_each_editable_property_the_pack_changed() -> None:
    new = account(label=label("Client"))
    new["fields"][1]["label"] = label("Branch")
    new["fields"][1]["options"][0]["label"] = label("Retail trade")
    new["fields"][1]["options"][1]["label"] = label("Others")  # not overridden
    new["fields"][0]["label"] = label("Full name")               # not overridden
    new["validation_rules"][0]["message"] = label("Test is not a name")
    tenant = overlay(Account=OVERRIDES)
    old_layers = Layers((pack(account()),), tenant)
    new_layers = Layers((pack(new, version="1.1.0"),), tenant)
    assert kept_overrides(old_layers, new_layers) == [
        "Account label: the pack changed it, the tenant's label is kept",
        "Account.industry label: the pack changed it, the tenant's label is kept",
        "Account.industry option retail label: the pack changed it, the tenant's label is kept",
        "Account rule name_not_test message: the pack changed it, the tenant's message is kept",
    ]
    assert merge(new_layers).pack.object("Account").label["en"] == "Customer"


def test_kept_overrides_follow_renames_and_need_an_overlay() -> None:
    new = account(renamed_from="Customer")
    new["fields"][2].update(api_name="area", renamed_from="region", label=label("Area"))
    old = account(api_name="Customer")
    tenant = overlay(Customer={"field_overrides": {"region": {"label": label("Zone")}}})
    assert kept_overrides(Layers((pack(old),), tenant),
                          Layers((pack(new, version="2.0.0"),), tenant)) == [
        "Account.area label: the pack changed it, the tenant's label is kept"]
    assert kept_overrides(Layers((pack(old),)), Layers((pack(new),))) == []


# --- rename_overlay -----------------------------------------------------------------------

def _renamed_pack() -> Any:
    doc = account(renamed_from="Customer")
    doc["fields"][2].update(api_name="area", renamed_from="region")
    return pack(doc, version="2.0.0")


def test_rename_overlay_rewrites_old_names() -> None:
    visit = {"api_name": "Visit__c", "label": label("Visit"), "name_field": "name__c",
             "fields": [{"api_name": "name__c", "type": "text", "label": label("Name")},
                        {"api_name": "customer__c", "type": "lookup", "label": label("C"),
                         "target": "Customer"}]}
    ext = {"field_overrides": {"region": {"label": label("Zone")},
                               "industry": {"hidden": True}},
           "rule_overrides": {"name_not_test": {"error_field": "region"}},
           "validation_rules": [{"api_name": "r__c", "condition": "TRUE",
                                 "message": label("m"), "error_field": "region"}]}
    tenant = overlay(visit, Customer=ext)
    documents, notes = rename_overlay(tenant.documents, _renamed_pack())
    assert "extensions/Customer.json" not in documents
    rewritten = documents["extensions/Account.json"]
    assert rewritten["object"] == "Account"
    assert list(rewritten["field_overrides"]) == ["area", "industry"]
    assert rewritten["rule_overrides"]["name_not_test"]["error_field"] == "area"
    assert rewritten["validation_rules"][0]["error_field"] == "area"
    assert documents["objects/Visit__c.json"]["fields"][1]["target"] == "Account"
    assert notes == [
        "extensions/Customer.json: object 'Customer' is now 'Account' (crm renamed it)",
        "extensions/Customer.json: field_overrides 'region' now apply to 'area'"
        " (crm renamed Account.region to area)",
        "extensions/Customer.json: validation_rules 0 error_field 'region' is now 'area'"
        " (crm renamed the field)",
        "extensions/Customer.json: rule_overrides 'name_not_test' error_field 'region' is now"
        " 'area' (crm renamed the field)",
        "extensions/Customer.json: moved to extensions/Account.json",
        "objects/Visit__c.json: /fields/1 target 'Customer' is now 'Account'"
        " (crm renamed the object)",
    ]
    assert tenant.documents["extensions/Customer.json"]["object"] == "Customer"
    again, more = rename_overlay(documents, _renamed_pack())
    assert (again, more) == (documents, [])


def test_the_new_name_wins_when_the_overlay_uses_both() -> None:
    ext = {"field_overrides": {"region": {"label": label("Old"), "hidden": True},
                               "area": {"label": label("New")}}}
    documents, _ = rename_overlay(overlay(Account=ext).documents, _renamed_pack())
    assert documents["extensions/Account.json"]["field_overrides"] == {
        "area": {"label": label("New"), "hidden": True}}


def test_a_rewritten_overlay_merges_like_the_old_one() -> None:
    ext = {"field_overrides": {"region": {"label": label("Zone")}}}
    tenant = overlay(Customer=ext)
    documents, _ = rename_overlay(tenant.documents, _renamed_pack())
    rewritten = load_documents(documents)
    before = merge(Layers((_renamed_pack(),), tenant)).pack
    after = merge(Layers((_renamed_pack(),), rewritten)).pack
    assert before.objects == after.objects
    assert after.object("Account").field("area").label["en"] == "Zone"
