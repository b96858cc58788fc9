"""Roles, apps, sharing rules and custom actions: loading, cross-checks, merging, export."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from hulian.metadata import (
    Layers,
    MetadataError,
    load_documents,
    load_pack,
    merge,
    rename_overlay,
    snapshot_documents,
)
from hulian.metadata.checks import check_documents
from hulian.metadata.model import ObjectAccess
from tests.unit.metadata.layered import EXAMPLE_CRM, label

Documents = dict[str, Any]


def order(**extra: Any) -> dict[str, Any]:
    return {"api_name": "Order", "label": label("Order"), "name_field": "name",
            "fields": [{"api_name": "name", "type": "text", "label": label("Name")},
                       {"api_name": "amount", "type": "currency", "label": label("Amount")},
                       {"api_name": "cost", "type": "currency", "label": label("Cost")}],
            **extra}


def line(**extra: Any) -> dict[str, Any]:
    return {"api_name": "OrderLine", "label": label("Line"), "name_field": "name",
            "fields": [{"api_name": "name", "type": "text", "label": label("Name")},
                       {"api_name": "sales_order", "type": "master_detail",
                        "label": label("Order"), "target": "Order"}],
            **extra}


def role(api_name: str, kind: str = "internal", **extra: Any) -> dict[str, Any]:
    return {"api_name": api_name, "label": label(api_name), "kind": kind, **extra}


def app(api_name: str, objects: list[str], roles: list[str]) -> dict[str, Any]:
    return {"api_name": api_name, "label": label(api_name), "objects": objects, "roles": roles}


APPROVE = {"api_name": "approve", "label": label("Approve")}
BUYER = role("dealer_buyer", "interconnect", objects={
    "Order": {"create": True, "read": True, "edit": True, "import": True,
              "actions": ["approve"], "fields": {"cost": "hidden", "amount": "read_only"}}})


def docs(*objects: dict[str, Any], kind: str = "preset", **files: Any) -> Documents:
    out: Documents = {"pack.json": {"name": "shop", "version": "1.0.0", "label": label("Shop"),
                                    "kind": kind}}
    out.update({f"objects/{o['api_name']}.json": copy.deepcopy(o) for o in objects})
    out.update(copy.deepcopy(files))
    return out


def found(documents: Documents) -> list[tuple[str, str, str]]:
    """(code, file, pointer) of every problem, sorted; [] when the documents load."""
    try:
        load_documents(documents)
    except MetadataError as error:
        return sorted((p.code, p.file, p.pointer) for p in error.problems)
    return []


SHOP = docs(order(actions=[APPROVE], data_permission={"external": "public_read"},
                  sharing_rules=[
                      {"api_name": "big_orders", "criteria": "amount > 10000",
                       "share_with": {"role": "director"}, "access": "edit"},
                      {"api_name": "from_east", "owned_by": {"department": "East"},
                       "share_with": {"enterprise": "Dealer A"}, "description": "East"}]),
            line(),
            **{"roles/dealer_buyer.json": BUYER,
               "roles/director.json": role("director", admin=True, description="all"),
               "apps/order.json": app("order", ["Order", "OrderLine"], ["dealer_buyer"])})


# -- loading ---------------------------------------------------------------------------------

def test_roles_apps_sharing_rules_and_actions_load_into_the_model() -> None:
    pack = load_documents(SHOP)
    assert [r.api_name for r in pack.roles] == ["dealer_buyer", "director"]
    buyer = pack.role("dealer_buyer")
    assert buyer is not None and buyer.kind == "interconnect" and not buyer.admin
    assert buyer.source == "roles/dealer_buyer.json"
    access = buyer.objects["Order"]
    assert access == ObjectAccess(create=True, read=True, edit=True, import_=True,
                                  actions=("approve",),
                                  fields={"cost": "hidden", "amount": "read_only"})
    assert [a for a in ("create", "read", "edit", "delete", "export", "import", "approve", "x")
            if access.allows(a)] == ["create", "read", "edit", "import", "approve"]
    director = pack.role("director")
    assert director is not None and director.kind == "internal" and director.admin
    assert director.objects == {} and director.description == "all"
    [order_app] = pack.apps
    assert (order_app.objects, order_app.roles, order_app.source) == (
        ("Order", "OrderLine"), ("dealer_buyer",), "apps/order.json")
    obj = pack.object("Order")
    assert obj is not None
    assert dict(obj.data_permission) == {"internal": "company_read_write",
                                         "external": "public_read"}
    big, east = obj.sharing_rules
    assert (big.criteria, big.owned_by, dict(big.share_with), big.access) == (
        "amount > 10000", None, {"role": "director"}, "edit")
    assert (east.criteria, dict(east.owned_by or {}), east.access, east.description) == (
        None, {"department": "East"}, "read", "East")
    assert [(a.api_name, a.label["en"]) for a in obj.actions] == [("approve", "Approve")]


def test_defaults_are_filled_in() -> None:
    pack = load_documents(docs(order(), **{"roles/clerk.json": {"api_name": "clerk",
                                                                 "label": label("Clerk")}}))
    obj = pack.object("Order")
    assert obj is not None
    assert dict(obj.data_permission) == {"internal": "company_read_write", "external": "private"}
    assert obj.sharing_rules == () and obj.actions == ()
    clerk = pack.role("clerk")
    assert clerk is not None and (clerk.kind, clerk.admin, dict(clerk.objects)) == (
        "internal", False, {})
    assert ObjectAccess() == ObjectAccess(False, False, False, False, False, False, (), {})


def test_the_documents_rebuild_an_equal_pack() -> None:
    pack = load_documents(SHOP)
    assert load_documents(pack.documents) == pack


def test_the_example_crm_has_its_roles_and_app() -> None:
    crm = load_pack(EXAMPLE_CRM)
    assert [(r.api_name, r.kind) for r in crm.roles] == [
        ("dealer_boss", "interconnect"), ("dealer_buyer", "interconnect"),
        ("sales_director", "internal"), ("sales_rep", "internal")]
    [order_app] = crm.apps
    assert order_app.label["zh"] == "订货通"
    assert order_app.roles == ("dealer_buyer", "dealer_boss")
    rep, director = crm.role("sales_rep"), crm.role("sales_director")
    assert rep is not None and director is not None
    assert rep.objects["Product"] == ObjectAccess(read=True)
    assert not rep.objects["Order"].delete and director.objects["Order"].delete
    assert set(rep.objects) == set(director.objects) == {
        "Account", "Contact", "Opportunity", "Order", "OrderLine", "Product"}


# -- cross-checks ----------------------------------------------------------------------------

def test_a_valid_pack_has_no_problems() -> None:
    assert check_documents(SHOP) == []


def test_role_problems_are_all_reported_at_once() -> None:
    bad = role("clerk", objects={
        "Oder": {"read": True},
        "Order": {"read": True, "actions": ["aprove", "delete", 7],
                  "fields": {"amont": "hidden", "cost": "hidden"}}})
    documents = docs(order(actions=[APPROVE]), **{"roles/clerk.json": bad,
                                                  "roles/member.json": role("member")})
    assert found(documents) == sorted([
        ("role.builtin_name", "roles/member.json", "/api_name"),
        ("role.unknown_object", "roles/clerk.json", "/objects/Oder"),
        ("role.unknown_action", "roles/clerk.json", "/objects/Order/actions/0"),
        ("role.unknown_action", "roles/clerk.json", "/objects/Order/actions/1"),
        ("schema.type", "roles/clerk.json", "/objects/Order/actions/2"),
        ("role.unknown_field", "roles/clerk.json", "/objects/Order/fields/amont"),
    ])


def test_hints_name_the_fix() -> None:
    bad = role("clerk", objects={"Oder": {}, "Order": {"actions": ["aprove", "edit"],
                                                       "fields": {"amont": "hidden"}}})
    with pytest.raises(MetadataError) as info:
        load_documents(docs(order(actions=[APPROVE]), **{"roles/clerk.json": bad}))
    hints = [p.hint for p in info.value.problems]
    assert hints == ["did you mean 'Order'?", "did you mean 'approve'?",
                     'edit is a standard action: set "edit": true instead',
                     "did you mean 'amount'?"]


def test_an_interconnect_role_cannot_be_admin_and_names_are_checked() -> None:
    assert found(docs(order(), **{
        "roles/dealer.json": role("dealer", "interconnect", admin=True),
        "roles/Boss.json": role("Boss"),
        "roles/x.json": role("y"),
    })) == sorted([
        ("name.pattern", "roles/Boss.json", "/api_name"),
        ("role.interconnect_admin", "roles/dealer.json", "/admin"),
        ("role.file_name_mismatch", "roles/x.json", "/api_name"),
    ])


def test_role_api_names_are_unique_and_may_be_sql_words() -> None:
    assert found(docs(order(), **{"roles/a.json": role("order"), "roles/order.json": role("order"),
                                  "roles/select.json": role("select")})) == sorted([
        ("role.file_name_mismatch", "roles/a.json", "/api_name"),
        ("name.duplicate", "roles/order.json", "/api_name"),
    ])


def test_app_problems() -> None:
    assert found(docs(order(), **{
        "roles/dealer.json": role("dealer", "interconnect"),
        "roles/clerk.json": role("clerk"),
        "apps/order.json": app("order", ["Order", "Oder"], ["dealer", "clerk", "admin", "dealr"]),
        "apps/other.json": app("order", [], []),
    })) == sorted([
        ("app.unknown_object", "apps/order.json", "/objects/1"),
        ("app.role_kind", "apps/order.json", "/roles/1"),
        ("app.role_kind", "apps/order.json", "/roles/2"),
        ("app.unknown_role", "apps/order.json", "/roles/3"),
        ("app.file_name_mismatch", "apps/other.json", "/api_name"),
        ("name.duplicate", "apps/other.json", "/api_name"),
    ])


def test_an_app_needs_objects_and_roles() -> None:
    assert found(docs(order(), **{"apps/order.json": {"api_name": "order",
                                                      "label": label("Order")}})) == sorted([
        ("schema.required", "apps/order.json", "/objects"),
        ("schema.required", "apps/order.json", "/roles"),
    ])


def test_sharing_rule_problems() -> None:
    rules = [
        {"api_name": "by_both", "criteria": "amount > 1", "owned_by": {"role": "clerk"},
         "share_with": {"role": "dealer"}},
        {"api_name": "neither", "share_with": {"department": "HQ"}},
        {"api_name": "from_dealers", "owned_by": {"role": "dealer"},
         "share_with": {"role": "clerkk"}},
        {"api_name": "from_admins", "owned_by": {"role": "admin"},
         "share_with": {"department": "HQ", "role": "clerk"}},
        {"api_name": "From_admins", "owned_by": {"role": "member"},
         "share_with": {"team": "HQ"}, "access": "write"},
    ]
    assert found(docs(order(sharing_rules=rules), **{
        "roles/dealer.json": role("dealer", "interconnect"),
        "roles/clerk.json": role("clerk")})) == sorted([
        ("sharing_rule.basis", "objects/Order.json", "/sharing_rules/0/owned_by"),
        ("sharing_rule.basis", "objects/Order.json", "/sharing_rules/1"),
        ("sharing_rule.owner_role_kind", "objects/Order.json",
         "/sharing_rules/2/owned_by/role"),
        ("sharing_rule.unknown_role", "objects/Order.json", "/sharing_rules/2/share_with/role"),
        ("schema.range", "objects/Order.json", "/sharing_rules/3/share_with"),
        ("name.pattern", "objects/Order.json", "/sharing_rules/4/api_name"),
        ("name.duplicate", "objects/Order.json", "/sharing_rules/4/api_name"),
        ("schema.enum", "objects/Order.json", "/sharing_rules/4/access"),
        ("schema.unknown_key", "objects/Order.json", "/sharing_rules/4/share_with/team"),
    ])


def test_action_problems() -> None:
    actions = [APPROVE, {"api_name": "export", "label": label("Export")},
               {"api_name": "approve", "label": {"en": "Again"}},
               {"api_name": "Ship", "label": label("Ship")}]
    assert found(docs(order(actions=actions))) == sorted([
        ("action.standard_name", "objects/Order.json", "/actions/1/api_name"),
        ("name.duplicate", "objects/Order.json", "/actions/2/api_name"),
        ("label.missing_language", "objects/Order.json", "/actions/2/label"),
        ("name.pattern", "objects/Order.json", "/actions/3/api_name"),
    ])


def test_external_data_permission_levels() -> None:
    assert found(docs(order(data_permission={"external": "public_read_write"}))) == []
    assert found(docs(order(data_permission={"internal": "public_read"}))) == [
        ("schema.enum", "objects/Order.json", "/data_permission/internal")]


def test_a_detail_object_follows_its_master() -> None:
    detail = line(data_permission={"external": "company_read"},
                  sharing_rules=[{"api_name": "everyone", "criteria": "TRUE",
                                  "share_with": {"role": "member"}}])
    with pytest.raises(MetadataError) as info:
        load_documents(docs(order(), detail))
    problems = [(p.code, p.pointer) for p in info.value.problems]
    assert problems == [("master_detail.access", "/data_permission"),
                        ("master_detail.access", "/sharing_rules")]
    assert "Order" in (info.value.problems[0].hint or "")


def test_a_tenant_pack_may_name_the_installed_packs_objects_and_roles() -> None:
    overlay = docs(kind="tenant", **{
        "roles/clerk__c.json": role("clerk__c", objects={"Account": {"read": True,
                                                                     "fields": {"x": "hidden"}},
                                                         "Visit__c": {"read": True}}),
        "apps/visits.json": app("visits", ["Account", "Visit__c"], ["dealer"])})
    assert found(overlay) == sorted([
        ("role.unknown_object", "roles/clerk__c.json", "/objects/Visit__c"),
        ("app.unknown_object", "apps/visits.json", "/objects/1")])


# -- merging ---------------------------------------------------------------------------------

def _pack(**files: Any) -> Any:
    return load_documents(docs(order(actions=[APPROVE]), **files))


def _overlay(**files: Any) -> Any:
    return load_documents(docs(kind="tenant", **files) | {"pack.json": {
        "name": "acme", "version": "1.0.0", "label": label("Acme"), "kind": "tenant"}})


def test_the_overlay_roles_and_apps_join_the_packs() -> None:
    crm = _pack(**{"roles/dealer.json": role("dealer", "interconnect")})
    overlay = _overlay(**{
        "roles/clerk.json": role("clerk", objects={"Order": {"read": True, "actions": ["approve"],
                                                             "fields": {"cost": "hidden"}}}),
        "apps/order.json": app("order", ["Order"], ["dealer"])})
    effective = merge(Layers((crm,), overlay), name="acme")
    assert [r.api_name for r in effective.pack.roles] == ["clerk", "dealer"]
    assert [a.api_name for a in effective.pack.apps] == ["order"]
    assert effective.origins[("roles/clerk.json", "")] == ("overlay/roles/clerk.json", "")
    assert effective.origins[("roles/dealer.json", "")] == ("packs/shop/roles/dealer.json", "")
    assert set(effective.pack.documents) == {"pack.json", "objects/Order.json",
                                             "roles/clerk.json", "roles/dealer.json",
                                             "apps/order.json"}


def test_a_role_or_app_defined_twice_is_a_conflict_at_the_later_layer() -> None:
    crm = _pack(**{"roles/dealer.json": role("dealer", "interconnect"),
                   "apps/order.json": app("order", ["Order"], ["dealer"])})
    overlay = _overlay(**{"roles/dealer.json": role("dealer", "interconnect"),
                          "apps/order.json": app("order", ["Order"], ["dealer"])})
    with pytest.raises(MetadataError) as info:
        merge(Layers((crm,), overlay))
    assert [(p.code, p.file, p.pointer) for p in info.value.problems] == [
        ("pack.app_conflict", "overlay/apps/order.json", "/api_name"),
        ("pack.role_conflict", "overlay/roles/dealer.json", "/api_name")]


def test_merge_problems_point_at_the_overlay() -> None:
    overlay = _overlay(**{"roles/clerk.json": role("clerk", objects={
        "Order": {"fields": {"cots": "hidden"}}}),
        "apps/order.json": app("order", ["Order"], ["staff", "nobody"])})
    with pytest.raises(MetadataError) as info:
        merge(Layers((_pack(**{"roles/staff.json": role("staff")}),), overlay))
    assert [(p.code, p.file, p.pointer) for p in info.value.problems] == [
        ("app.role_kind", "overlay/apps/order.json", "/roles/0"),
        ("app.unknown_role", "overlay/apps/order.json", "/roles/1"),
        ("role.unknown_field", "overlay/roles/clerk.json", "/objects/Order/fields/cots")]


def test_the_overlay_follows_renamed_objects_and_fields() -> None:
    renamed = order(renamed_from="Deal")
    renamed["fields"][2] = {**renamed["fields"][2], "renamed_from": "price"}
    crm = load_documents(docs(renamed, **{"roles/dealer.json": role("dealer", "interconnect")}))
    overlay = _overlay(**{
        "roles/clerk.json": role("clerk", objects={"Deal": {"fields": {"price": "hidden"}}}),
        "apps/order.json": app("order", ["Deal"], ["dealer"])})
    effective = merge(Layers((crm,), overlay))
    clerk = effective.pack.role("clerk")
    assert clerk is not None and dict(clerk.objects["Order"].fields) == {"cost": "hidden"}
    assert effective.pack.apps[0].objects == ("Order",)
    rewritten, notes = rename_overlay(overlay.documents, crm)
    assert rewritten["roles/clerk.json"]["objects"] == {"Order": {"fields": {"cost": "hidden"}}}
    assert rewritten["apps/order.json"]["objects"] == ["Order"]
    assert len(notes) == 3


# -- export ----------------------------------------------------------------------------------

def test_the_snapshot_round_trips_roles_apps_and_access_keys() -> None:
    pack = load_documents(SHOP)
    documents = snapshot_documents(pack)
    assert documents["roles/dealer_buyer.json"] == {
        "api_name": "dealer_buyer", "label": label("dealer_buyer"), "kind": "interconnect",
        "objects": {"Order": {"create": True, "read": True, "edit": True, "import": True,
                              "actions": ["approve"],
                              "fields": {"cost": "hidden", "amount": "read_only"}}}}
    assert documents["roles/director.json"] == {
        "api_name": "director", "label": label("director"), "admin": True, "description": "all"}
    assert documents["apps/order.json"] == SHOP["apps/order.json"]
    order_doc = documents["objects/Order.json"]
    assert order_doc["data_permission"] == {"external": "public_read"}
    assert order_doc["sharing_rules"] == SHOP["objects/Order.json"]["sharing_rules"]
    assert order_doc["actions"] == [APPROVE]
    assert "data_permission" not in documents["objects/OrderLine.json"]
    assert replace(load_documents(documents), kind="preset") == pack


def test_the_example_crm_round_trips_through_a_snapshot() -> None:
    crm = load_pack(EXAMPLE_CRM)
    documents = snapshot_documents(crm)
    assert sorted(d for d in documents if d.startswith(("roles/", "apps/"))) == [
        "apps/order.json", "roles/dealer_boss.json", "roles/dealer_buyer.json",
        "roles/sales_director.json", "roles/sales_rep.json"]
    assert replace(load_documents(documents), kind="preset") == crm
