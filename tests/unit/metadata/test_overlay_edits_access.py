"""Roles, apps and sharing rules as overlay edits (hulian.metadata.overlay_edits_access):
what lands in which overlay document, and that a pack role's extension holds only the
differences from the pack."""

from __future__ import annotations

import doctest

import pytest

from hulian.metadata import overlay_edits_access as access
from hulian.metadata.overlay_edits import OverlayDraft

LABEL = {"zh": "甲", "en": "A"}
PACK_BUYER = {"api_name": "dealer_buyer", "label": LABEL, "kind": "interconnect",
              "objects": {"Order": {"create": True, "read": True, "edit": True,
                                    "actions": ["submit"],
                                    "fields": {"discount": "read_only"}}}}


def test_docstring_examples() -> None:
    assert doctest.testmod(access).failed == 0


def test_a_pack_role_extension_holds_only_the_differences() -> None:
    draft = OverlayDraft({}, {})
    wanted = {"create": True, "read": True, "edit": True, "delete": True,
              "actions": ["submit", "cancel"],
              "fields": {"discount": "editable", "notes": "hidden"}}
    place = access.set_role_grants(draft, "dealer_buyer", "Order", wanted, PACK_BUYER)
    assert place.file == "overlay/extensions/roles/dealer_buyer.json"
    assert place.pointer == "/objects/Order"
    put, delete = draft.change()
    assert put == {"extensions/roles/dealer_buyer.json": {
        "role": "dealer_buyer",
        "objects": {"Order": {"delete": True, "actions": ["cancel"],
                              "fields": {"discount": "editable", "notes": "hidden"}}}}}
    assert delete == []


def test_withdrawing_a_pack_grant_writes_false() -> None:
    draft = OverlayDraft({}, {})
    access.set_role_grants(draft, "dealer_buyer", "Order",
                           {"read": True, "actions": ["submit"],
                            "fields": {"discount": "read_only"}}, PACK_BUYER)
    assert draft.documents["extensions/roles/dealer_buyer.json"]["objects"] == {
        "Order": {"create": False, "edit": False}}


def test_going_back_to_the_pack_deletes_the_extension() -> None:
    ext = {"role": "dealer_buyer", "objects": {"Order": {"delete": True}}}
    draft = OverlayDraft({"extensions/roles/dealer_buyer.json": ext}, {})
    same = PACK_BUYER["objects"]["Order"]
    access.set_role_grants(draft, "dealer_buyer", "Order", same, PACK_BUYER)
    assert draft.change() == ({}, ["extensions/roles/dealer_buyer.json"])


def test_an_extension_keeps_its_other_objects_and_label() -> None:
    ext = {"role": "dealer_buyer", "label": LABEL,
           "objects": {"Product": {"read": True}, "Order": {"delete": True}}}
    draft = OverlayDraft({"extensions/roles/dealer_buyer.json": ext}, {})
    access.set_role_grants(draft, "dealer_buyer", "Order", PACK_BUYER["objects"]["Order"],
                           PACK_BUYER)
    assert draft.documents["extensions/roles/dealer_buyer.json"] == {
        "role": "dealer_buyer", "label": LABEL, "objects": {"Product": {"read": True}}}
    assert ext["objects"]["Order"] == {"delete": True}  # the given documents stay as they were


def test_an_own_role_is_written_whole() -> None:
    role = {"api_name": "visit_planner", "label": LABEL, "kind": "interconnect"}
    draft = OverlayDraft({}, {})
    place = access.add_role(draft, role)
    assert place.file == "overlay/roles/visit_planner.json"
    assert access.owns_role(draft, "visit_planner")
    access.set_role_grants(draft, "visit_planner", "Visit__c",
                           {"read": True, "create": True, "fields": {"code": "read_only",
                                                                     "name": "editable"}})
    assert draft.documents["roles/visit_planner.json"]["objects"] == {
        "Visit__c": {"create": True, "read": True, "fields": {"code": "read_only"}}}
    access.set_role_grants(draft, "visit_planner", "Visit__c", {})
    assert "objects" not in draft.documents["roles/visit_planner.json"]


def test_role_properties_go_to_the_definition_or_the_extension() -> None:
    own = {"api_name": "visit_planner", "label": LABEL}
    draft = OverlayDraft({"roles/visit_planner.json": own}, {})
    access.set_role(draft, "visit_planner", {"description": "plans visits"})
    access.set_role(draft, "dealer_buyer", {"label": {"zh": "采购", "en": "Buyer"}})
    put, _ = draft.change()
    assert put["roles/visit_planner.json"]["description"] == "plans visits"
    assert put["extensions/roles/dealer_buyer.json"] == {
        "role": "dealer_buyer", "label": {"zh": "采购", "en": "Buyer"}}


def test_own_sharing_rules_are_added_replaced_and_removed() -> None:
    draft = OverlayDraft({}, {"objects/Order.json": {"api_name": "Order"}})
    rule = {"api_name": "big__c", "criteria": "total_amount > 1", "share_with": {"role": "x"}}
    place = access.put_sharing_rule(draft, "Order", rule)
    assert (place.file, place.pointer) == ("overlay/extensions/Order.json", "/sharing_rules/0")
    access.put_sharing_rule(draft, "Order", {**rule, "access": "edit"})
    assert draft.documents["extensions/Order.json"]["sharing_rules"] == [
        {**rule, "access": "edit"}]
    assert access.own_sharing_rule(draft, "Order", "big__c") == ("extensions/Order.json", 0)
    access.remove_sharing_rule(draft, "Order", "big__c")
    assert "sharing_rules" not in draft.documents["extensions/Order.json"]
    with pytest.raises(KeyError):
        access.remove_sharing_rule(draft, "Order", "big_orders")


def test_an_own_objects_sharing_rule_lives_in_its_definition() -> None:
    draft = OverlayDraft({"objects/Visit__c.json": {"api_name": "Visit__c"}}, {})
    place = access.put_sharing_rule(draft, "Visit__c", {"api_name": "all__c",
                                                        "criteria": "true",
                                                        "share_with": {"role": "x"}})
    assert place.file == "overlay/objects/Visit__c.json"


def test_a_pack_sharing_rule_is_overridden_and_given_back() -> None:
    draft = OverlayDraft({}, {})
    place = access.override_sharing_rule(draft, "Order", "big_orders",
                                         {"active": False, "access": "edit"})
    assert place.pointer == "/sharing_rule_overrides/big_orders"
    assert draft.documents["extensions/Order.json"]["sharing_rule_overrides"] == {
        "big_orders": {"active": False, "access": "edit"}}
    access.override_sharing_rule(draft, "Order", "big_orders", {"active": None,
                                                                "access": None})
    assert "sharing_rule_overrides" not in draft.documents["extensions/Order.json"]
    with pytest.raises(KeyError):
        access.override_sharing_rule(draft, "Order", "big_orders", {"criteria": "true"})


def test_an_own_app_is_put_whole() -> None:
    draft = OverlayDraft({}, {})
    app = {"api_name": "visits", "label": LABEL, "objects": ["Order"],
           "roles": ["dealer_buyer"]}
    place = access.put_app(draft, app)
    assert place.file == "overlay/apps/visits.json"
    assert access.owns_app(draft, "visits") and not access.owns_app(draft, "order")
