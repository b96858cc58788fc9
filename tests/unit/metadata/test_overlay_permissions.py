"""A tenant's overlay customising the permissions of its packs: sharing rules, data
permission and roles (extensions/<Object>.json, extensions/roles/<role>.json)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hulian.metadata import (
    Layers,
    MetadataError,
    immutable_changes,
    kept_overrides,
    load_documents,
    load_pack,
    load_schema,
    merge,
    rename_overlay,
    snapshot_documents,
)
from hulian.metadata.checks import check_documents
from hulian.metadata.documents import document_kind, read_documents
from hulian.metadata.model import ObjectAccess

from .layered import example_crm, label, problems

Documents = dict[str, Any]
EXT = "overlay/extensions/Order.json"
ROLE_EXT = "overlay/extensions/roles/dealer_buyer.json"


def order(**extra: Any) -> dict[str, Any]:
    return {"api_name": "Order", "label": label("Order"), "name_field": "name",
            "fields": [{"api_name": "name", "type": "text", "label": label("Name")},
                       {"api_name": "amount", "type": "currency", "label": label("Amount")},
                       {"api_name": "cost", "type": "currency", "label": label("Cost")}],
            "data_permission": {"internal": "private", "external": "company_read"},
            "sharing_rules": [{"api_name": "big_orders", "criteria": "amount >= 10000",
                               "share_with": {"role": "sales_rep"}}],
            "actions": [{"api_name": "approve", "label": label("Approve")},
                        {"api_name": "ship", "label": label("Ship")}],
            **extra}


def role(api_name: str, kind: str = "internal", **extra: Any) -> dict[str, Any]:
    return {"api_name": api_name, "label": label(api_name), "kind": kind, **extra}


BUYER = role("dealer_buyer", "interconnect", objects={
    "Order": {"read": True, "create": True, "actions": ["approve"],
              "fields": {"cost": "hidden", "amount": "read_only"}}})
REP = role("sales_rep", objects={"Order": {"read": True}})


def crm(*objects: dict[str, Any], version: str = "1.0.0", roles: tuple[Any, ...] = (BUYER, REP),
        **manifest: Any) -> Any:
    docs: Documents = {"pack.json": {"name": "crm", "version": version, "label": label("CRM"),
                                     **manifest}}
    for o in objects or (order(),):
        docs[f"objects/{o['api_name']}.json"] = copy.deepcopy(o)
    for r in roles:
        docs[f"roles/{r['api_name']}.json"] = copy.deepcopy(r)
    return load_documents(docs)


def tenant(**files: Any) -> Any:
    """An overlay: ``Order={...}`` is extensions/Order.json, ``roles__x={...}`` is
    extensions/roles/x.json; keys with a "/" are files as they are."""
    docs: Documents = {"pack.json": {"name": "acme", "version": "1.0.0", "label": label("Acme"),
                                     "kind": "tenant"}}
    for key, doc in files.items():
        if "/" in key:
            docs[key] = copy.deepcopy(doc)
        elif key.startswith("roles__"):
            name = key.removeprefix("roles__")
            docs[f"extensions/roles/{name}.json"] = {"role": name, **copy.deepcopy(doc)}
        else:
            docs[f"extensions/{key}.json"] = {"object": key, **copy.deepcopy(doc)}
    return load_documents(docs)


# --- sharing rules and data permission --------------------------------------------------------

EAST = {"api_name": "east_orders__c", "owned_by": {"department": "East"},
        "share_with": {"department": "HQ"}, "access": "edit"}


def test_an_extension_adds_sharing_rules_and_overrides_the_packs() -> None:
    ext = {"sharing_rules": [EAST],
           "sharing_rule_overrides": {"big_orders": {"share_with": {"role": "dealer_buyer"},
                                                     "access": "edit",
                                                     "description": "ours"}},
           "data_permission": {"internal": "company_read"}}
    effective = merge(Layers((crm(),), tenant(Order=ext)))
    obj = effective.pack.object("Order")
    assert obj is not None
    pack_rule, new_rule = obj.sharing_rules
    assert (dict(pack_rule.share_with), pack_rule.access, pack_rule.description) == (
        {"role": "dealer_buyer"}, "edit", "ours")
    assert pack_rule.criteria == "amount >= 10000"
    assert (new_rule.api_name, dict(new_rule.owned_by or {}), new_rule.access) == (
        "east_orders__c", {"department": "East"}, "edit")
    assert dict(obj.data_permission) == {"internal": "company_read", "external": "company_read"}
    origins = effective.origins
    assert origins[("objects/Order.json", "/sharing_rules/1")] == (EXT, "/sharing_rules/0")
    assert origins[("objects/Order.json", "/sharing_rules/0/share_with")] == (
        EXT, "/sharing_rule_overrides/big_orders/share_with")
    assert origins[("objects/Order.json", "/data_permission/internal")] == (
        EXT, "/data_permission/internal")


def test_an_extension_switches_a_packs_sharing_rule_off_and_a_snapshot_keeps_it() -> None:
    ext = {"sharing_rule_overrides": {"big_orders": {"active": False}}}
    effective = merge(Layers((crm(),), tenant(Order=ext)))
    obj = effective.pack.object("Order")
    assert obj is not None and obj.sharing_rules[0].active is False
    again = load_documents(snapshot_documents(effective.pack)).object("Order")
    assert again is not None and again.sharing_rules[0].active is False
    assert crm().object("Order").sharing_rules[0].active is True  # the default


def test_a_level_left_out_keeps_the_packs_and_the_defaults_still_apply() -> None:
    plain = order()
    del plain["data_permission"]
    effective = merge(Layers((crm(plain),), tenant(Order={"data_permission": {
        "external": "public_read"}})))
    obj = effective.pack.object("Order")
    assert obj is not None
    assert dict(obj.data_permission) == {"internal": "company_read_write",
                                         "external": "public_read"}


@pytest.mark.parametrize(("ext", "expected"), [
    ({"sharing_rule_overrides": {"big_order": {"access": "edit"}}},
     ("extension.unknown_sharing_rule", EXT, "/sharing_rule_overrides/big_order")),
    ({"sharing_rule_overrides": {"big_orders": {"criteria": "TRUE"}}},
     ("overlay.locked_property", EXT, "/sharing_rule_overrides/big_orders/criteria")),
    ({"sharing_rule_overrides": {"big_orders": {"share_with": {"role": "nobody"}}}},
     ("sharing_rule.unknown_role", EXT, "/sharing_rule_overrides/big_orders/share_with/role")),
    ({"sharing_rules": [{**EAST, "owned_by": {"role": "dealer_buyer"}}]},
     ("sharing_rule.owner_role_kind", EXT, "/sharing_rules/0/owned_by/role")),
    ({"sharing_rules": [{**EAST, "owned_by": {"role": "sales_rpe"}}]},
     ("sharing_rule.unknown_role", EXT, "/sharing_rules/0/owned_by/role")),
])
def test_each_problem_is_reported_at_the_overlay(ext: dict[str, Any],
                                                  expected: tuple[str, str, str]) -> None:
    assert problems(Layers((crm(),), tenant(Order=ext))) == [expected]


def test_the_unknown_rule_hint_names_the_closest() -> None:
    with pytest.raises(MetadataError) as info:
        merge(Layers((crm(),), tenant(Order={"sharing_rule_overrides": {"big_order": {}}})))
    [problem] = info.value.problems
    assert problem.hint == "did you mean 'big_orders'?"
    assert "sharing rule of Order in the pack crm" in problem.message


def test_policies_lock_sharing_rules_and_data_permission() -> None:
    ext = {"sharing_rule_overrides": {"big_orders": {"access": "edit",
                                                     "share_with": {"role": "sales_rep"}}},
           "data_permission": {"internal": "company_read"}}
    assert problems(Layers((crm(),), tenant(Order=ext))) == []
    pack_wide = crm(customizable={"object": {"data_permission": "locked"},
                                  "sharing_rule": {"access": "immutable"}})
    assert problems(Layers((pack_wide,), tenant(Order=ext))) == [
        ("overlay.locked_property", EXT, "/data_permission"),
        ("overlay.locked_property", EXT, "/sharing_rule_overrides/big_orders/access")]
    own = order(customizable={"data_permission": "editable"})
    own["sharing_rules"][0]["customizable"] = {"share_with": "locked", "access": "editable"}
    element_wins = crm(own, customizable={"object": {"data_permission": "locked"},
                                          "sharing_rule": {"access": "immutable"}})
    assert problems(Layers((element_wins,), tenant(Order=ext))) == [
        ("overlay.locked_property", EXT, "/sharing_rule_overrides/big_orders/share_with")]


def test_a_locked_override_is_not_applied() -> None:
    ext = {"data_permission": {"internal": "company_read"}}
    locked = crm(order(customizable={"data_permission": "locked"}))
    with pytest.raises(MetadataError) as info:
        merge(Layers((locked,), tenant(Order=ext)))
    [problem] = info.value.problems
    assert "Order data_permission is locked in the pack crm" in problem.message


def test_the_overlay_alone_checks_its_new_sharing_rules() -> None:
    with pytest.raises(MetadataError) as info:
        tenant(Order={"sharing_rules": [{**EAST, "api_name": "east"}, {**EAST},
                                        {**EAST},
                                        {**EAST, "api_name": "x__c", "criteria": "TRUE"}]})
    assert [(p.code, p.file, p.pointer) for p in info.value.problems] == [
        ("name.custom_suffix", "extensions/Order.json", "/sharing_rules/0/api_name"),
        ("name.duplicate", "extensions/Order.json", "/sharing_rules/2/api_name"),
        ("sharing_rule.basis", "extensions/Order.json", "/sharing_rules/3/owned_by")]


# --- role extensions -------------------------------------------------------------------------

GRANTS = {"objects": {"Order": {"edit": True, "create": False, "actions": ["ship", "approve"],
                                "fields": {"amount": "editable", "name": "read_only"}},
                      "Visit__c": {"read": True, "create": True}}}
VISIT = {"api_name": "Visit__c", "label": label("Visit"), "name_field": "name__c",
         "fields": [{"api_name": "name__c", "type": "text", "label": label("Name")}]}


def test_a_role_extension_merges_into_the_packs_role() -> None:
    overlay = tenant(**{"objects/Visit__c.json": VISIT,
                        "roles__dealer_buyer": {**GRANTS, "label": label("Buyer"),
                                                "description": "Orders and visits"}})
    effective = merge(Layers((crm(),), overlay))
    buyer = effective.pack.role("dealer_buyer")
    assert buyer is not None
    assert (buyer.label["en"], buyer.description, buyer.kind) == (
        "Buyer", "Orders and visits", "interconnect")
    assert buyer.objects["Order"] == ObjectAccess(
        read=True, create=False, edit=True, actions=("approve", "ship"),
        fields={"cost": "hidden", "amount": "editable", "name": "read_only"})
    assert buyer.objects["Visit__c"] == ObjectAccess(read=True, create=True)
    assert effective.pack.role("sales_rep") == crm().role("sales_rep")
    origins = effective.origins
    assert origins[("roles/dealer_buyer.json", "/objects/Order/edit")] == (
        ROLE_EXT, "/objects/Order/edit")
    assert origins[("roles/dealer_buyer.json", "/objects/Order/actions/1")] == (
        ROLE_EXT, "/objects/Order/actions/0")
    assert origins[("roles/dealer_buyer.json", "/objects/Visit__c")] == (
        ROLE_EXT, "/objects/Visit__c")
    assert set(effective.pack.documents) == {"pack.json", "objects/Order.json",
                                             "objects/Visit__c.json", "roles/dealer_buyer.json",
                                             "roles/sales_rep.json"}


def test_merged_role_problems_point_at_the_extension() -> None:
    overlay = tenant(roles__dealer_buyer={"objects": {
        "Order": {"actions": ["approve", "refund"], "fields": {"cots": "hidden"}},
        "Invoice": {"read": True}}})
    assert sorted(problems(Layers((crm(),), overlay))) == [
        ("role.unknown_action", ROLE_EXT, "/objects/Order/actions/1"),
        ("role.unknown_field", ROLE_EXT, "/objects/Order/fields/cots"),
        ("role.unknown_object", ROLE_EXT, "/objects/Invoice")]


@pytest.mark.parametrize(("name", "hint"), [
    ("dealer_buyr", "did you mean 'dealer_buyer'?"),
    ("member", "member is built in and already allows every action on every object"),
    ("clerk", "clerk is the overlay's own role: change roles/clerk.json itself"),
])
def test_only_a_packs_role_can_be_extended(name: str, hint: str) -> None:
    overlay = tenant(**{"roles/clerk.json": role("clerk"),
                        f"roles__{name}": {"objects": {"Order": {"read": True}}}})
    with pytest.raises(MetadataError) as info:
        merge(Layers((crm(),), overlay))
    [problem] = info.value.problems
    assert (problem.code, problem.file, problem.pointer) == (
        "extension.unknown_role", f"overlay/extensions/roles/{name}.json", "/role")
    assert (problem.hint or "").startswith(hint)


def test_redefining_a_packs_role_is_a_conflict_that_points_at_extensions() -> None:
    with pytest.raises(MetadataError) as info:
        merge(Layers((crm(),), tenant(**{"roles/sales_rep.json": role("sales_rep")})))
    [problem] = info.value.problems
    assert (problem.code, problem.file) == ("pack.role_conflict", "overlay/roles/sales_rep.json")
    assert "extensions/roles/sales_rep.json" in (problem.hint or "")


def test_role_policies() -> None:
    ext = {"label": label("Buyer"), "objects": {"Order": {"edit": True}}}
    locked = crm(roles=(role("dealer_buyer", "interconnect", customizable={"objects": "locked"},
                             objects={"Order": {"read": True}}), REP),
                 customizable={"role": {"label": "immutable", "objects": "editable"}})
    assert problems(Layers((locked,), tenant(roles__dealer_buyer=ext))) == [
        ("overlay.locked_property", ROLE_EXT, "/label"),
        ("overlay.locked_property", ROLE_EXT, "/objects")]
    with pytest.raises(MetadataError):
        merge(Layers((locked,), tenant(roles__dealer_buyer=ext)))


def test_a_role_extension_follows_renamed_objects_and_fields() -> None:
    renamed = order(api_name="Order", renamed_from="Deal")
    renamed["fields"][2] = {**renamed["fields"][2], "renamed_from": "price"}
    overlay = tenant(roles__dealer_buyer={"objects": {"Deal": {"fields": {"price": "read_only"},
                                                              "edit": True}}})
    effective = merge(Layers((crm(renamed),), overlay))
    buyer = effective.pack.role("dealer_buyer")
    assert buyer is not None and dict(buyer.objects["Order"].fields)["cost"] == "read_only"
    assert buyer.objects["Order"].edit
    rewritten, notes = rename_overlay(overlay.documents, crm(renamed))
    assert rewritten["extensions/roles/dealer_buyer.json"]["objects"] == {
        "Order": {"fields": {"cost": "read_only"}, "edit": True}}
    assert len(notes) == 2


# --- the overlay on its own -------------------------------------------------------------------

def test_role_extension_files_are_a_document_kind() -> None:
    assert document_kind("extensions/roles/dealer_buyer.json") == "role_extension"
    assert document_kind("extensions/roles/a/b.json") is None
    assert document_kind("extensions/Order.json") == "extension"


def test_the_folder_is_read_and_other_subfolders_are_unexpected(tmp_path: Path) -> None:
    (tmp_path / "extensions" / "roles").mkdir(parents=True)
    (tmp_path / "extensions" / "other").mkdir()
    (tmp_path / "pack.json").write_text('{"name": "acme", "version": "1.0.0", "kind": "tenant",'
                                        ' "label": {"zh": "甲", "en": "Acme"}}', "utf-8")
    (tmp_path / "extensions" / "roles" / "dealer_buyer.json").write_text(
        '{"role": "dealer_buyer", "objects": {"Order": {"edit": true}}}', "utf-8")
    documents, found = read_documents(tmp_path)
    assert documents["extensions/roles/dealer_buyer.json"]["objects"] == {
        "Order": {"edit": True}}
    assert [(p.code, p.file) for p in found] == [("pack.unexpected_file", "extensions/other")]
    (tmp_path / "extensions" / "other").rmdir()
    assert load_pack(tmp_path).documents["extensions/roles/dealer_buyer.json"]["role"] == (
        "dealer_buyer")


def test_a_role_extension_is_checked_on_its_own() -> None:
    docs = {"pack.json": {"name": "acme", "version": "1.0.0", "label": label("Acme"),
                          "kind": "tenant"},
            "objects/Visit__c.json": VISIT,
            "extensions/roles/buyer.json": {
                "role": "dealer_buyer", "label": {"en": "Buyer"},
                "objects": {"Visit__c": {"fields": {"nme__c": "hidden"}},
                            "Order": {"fields": {"anything": "hidden"}},
                            "Ghost__c": {"read": True}}}}
    assert sorted((p.code, p.file, p.pointer) for p in check_documents(docs)) == [
        ("label.missing_language", "extensions/roles/buyer.json", "/label"),
        ("role.file_name_mismatch", "extensions/roles/buyer.json", "/role"),
        ("role.unknown_field", "extensions/roles/buyer.json", "/objects/Visit__c/fields/nme__c"),
        ("role.unknown_object", "extensions/roles/buyer.json", "/objects/Ghost__c")]


@pytest.mark.parametrize("kind", ["preset", "snapshot"])
def test_role_extensions_belong_to_tenant_packs(kind: str) -> None:
    docs = {"pack.json": {"name": "crm", "version": "1.0.0", "label": label("CRM"),
                          "kind": kind},
            "objects/Order.json": order(),
            "extensions/roles/sales_rep.json": {"role": "sales_rep"}}
    assert [(p.code, p.file) for p in check_documents(docs)
            if p.code != "sharing_rule.unknown_role"] == [
        ("pack.unexpected_file", "extensions/roles/sales_rep.json")]


def test_the_role_extension_schema() -> None:
    with pytest.raises(MetadataError) as info:
        tenant(**{"extensions/roles/x.json": {"role": "x", "kind": "internal",
                                              "objects": {"Order": {"edit": "yes"}}}})
    assert sorted((p.code, p.pointer) for p in info.value.problems) == [
        ("schema.type", "/objects/Order/edit"), ("schema.unknown_key", "/kind")]


def test_the_override_schemas_repeat_the_object_schema() -> None:
    obj, ext = load_schema("object"), load_schema("extension")
    for key in ("internal", "external"):
        levels = obj["properties"]["data_permission"]["properties"][key]["enum"]
        assert ext["properties"]["data_permission"]["properties"][key]["enum"] == levels
    rule = obj["$defs"]["sharingRule"]["properties"]
    override = ext["$defs"]["sharingRuleOverride"]["properties"]
    assert override["share_with"] == rule["share_with"]
    assert override["access"]["enum"] == rule["access"]["enum"]
    assert override["owned_by"]["properties"] == rule["owned_by"]["properties"]


# --- the model and snapshots -----------------------------------------------------------------

def test_policies_of_sharing_rules_and_roles_load_and_round_trip() -> None:
    own = order()
    own["sharing_rules"][0]["customizable"] = {"access": "immutable"}
    pack = crm(own, roles=(role("clerk", customizable={"objects": "locked"}), REP),
               customizable={"sharing_rule": {"share_with": "locked"},
                             "role": {"label": "locked"}})
    obj, clerk = pack.object("Order"), pack.role("clerk")
    assert obj is not None and clerk is not None
    assert dict(obj.sharing_rules[0].customizable) == {"access": "immutable"}
    assert dict(clerk.customizable) == {"objects": "locked"}
    assert dict(pack.customizable["role"]) == {"label": "locked"}
    documents = snapshot_documents(pack)
    assert documents["roles/clerk.json"]["customizable"] == {"objects": "locked"}
    assert replace(load_documents(documents), kind="preset") == pack


# --- upgrades --------------------------------------------------------------------------------

def test_immutable_sharing_rules_and_roles_cannot_change() -> None:
    old_order = order()
    old_order["sharing_rules"][0]["customizable"] = {"criteria": "immutable"}
    new_order = copy.deepcopy(old_order)
    new_order["sharing_rules"][0]["criteria"] = "amount >= 5000"
    old_buyer = {**BUYER, "customizable": {"objects": "immutable"}}
    new_buyer = copy.deepcopy(old_buyer)
    new_buyer["objects"]["Order"]["delete"] = True
    old = crm(old_order, roles=(old_buyer, REP))
    new = crm(new_order, version="1.1.0", roles=(new_buyer, REP))
    assert [(p.code, p.file, p.pointer) for p in immutable_changes(old, new)] == [
        ("pack.immutable_changed", "objects/Order.json", "/sharing_rules/0/criteria"),
        ("pack.immutable_changed", "roles/dealer_buyer.json", "/objects")]


def test_kept_overrides_name_the_permissions_the_tenant_keeps() -> None:
    overlay = tenant(Order={"data_permission": {"internal": "company_read"},
                            "sharing_rule_overrides": {"big_orders": {"access": "edit"}}},
                     roles__dealer_buyer={"objects": {"Order": {
                         "edit": True, "create": True, "fields": {"amount": "editable",
                                                                  "name": "hidden"}}}})
    new_order = order(data_permission={"internal": "company_read_write",
                                       "external": "private"})
    new_order["sharing_rules"][0]["access"] = "edit"
    new_buyer = copy.deepcopy(BUYER)
    new_buyer["objects"]["Order"].update(edit=True, create=False, fields={"cost": "hidden"})
    old_layers = Layers((crm(),), overlay)
    new_layers = Layers((crm(new_order, version="1.1.0", roles=(new_buyer, REP)),), overlay)
    assert kept_overrides(old_layers, new_layers) == [
        "Order sharing rule big_orders access: the pack changed it, the tenant's access is kept",
        "Order data_permission internal: the pack changed it, the tenant's level is kept",
        "the role dealer_buyer Order edit: the pack changed it, the tenant's edit is kept",
        "the role dealer_buyer Order create: the pack changed it, the tenant's create is kept",
        "the role dealer_buyer Order.amount field permission: the pack changed it, the"
        " tenant's permission is kept"]
    effective = merge(new_layers).pack
    obj, buyer = effective.object("Order"), effective.role("dealer_buyer")
    assert obj is not None and buyer is not None
    assert dict(obj.data_permission) == {"internal": "company_read", "external": "private"}
    assert buyer.objects["Order"].create and dict(buyer.objects["Order"].fields) == {
        "cost": "hidden", "amount": "editable", "name": "hidden"}


def test_an_upgrade_that_drops_what_the_overlay_extends_is_reported_at_the_overlay() -> None:
    overlay = tenant(Order={"sharing_rule_overrides": {"big_orders": {"access": "edit"}}},
                     roles__dealer_buyer={"objects": {"Order": {"actions": ["ship"]}}})
    assert problems(Layers((crm(),), overlay)) == []
    dropped = order(sharing_rules=[], actions=[{"api_name": "approve",
                                                "label": label("Approve")}])
    new = crm(dropped, version="2.0.0", roles=(REP,))
    assert problems(Layers((new,), overlay)) == [
        ("extension.unknown_sharing_rule", EXT, "/sharing_rule_overrides/big_orders"),
        ("extension.unknown_role", ROLE_EXT, "/role")]
    no_ship = crm(dropped, version="2.0.0")
    assert problems(Layers((no_ship,), overlay)) == [
        ("extension.unknown_sharing_rule", EXT, "/sharing_rule_overrides/big_orders"),
        ("role.unknown_action", ROLE_EXT, "/objects/Order/actions/0")]


def test_the_role_extension_in_the_packs_doc_merges_with_the_example_crm() -> None:
    text = (Path(__file__).parents[3] / "docs" / "packs.md").read_text("utf-8")
    [doc] = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.DOTALL)
             if '"role": "dealer_buyer"' in b]
    overlay = tenant(**{"objects/Visit__c.json": VISIT,
                        "extensions/roles/dealer_buyer.json": doc})
    crm_pack = example_crm()
    buyer = merge(Layers((crm_pack,), overlay)).pack.role("dealer_buyer")
    before = crm_pack.role("dealer_buyer")
    assert buyer is not None and before is not None
    assert buyer.objects["Order"] == replace(before.objects["Order"], delete=True,
                                             fields={"notes": "read_only"})
    assert dict(buyer.objects["OrderLine"].fields) == {"unit_price": "read_only",
                                                       "discount": "editable"}
    assert buyer.objects["Visit__c"] == ObjectAccess(read=True, create=True)
