"""OverlayDraft's flow edits (metadata/overlay_edits.py): the tenant's own flows, and
switches of a pack's flows, as the overlay documents docs/flows.md describes."""

from __future__ import annotations

from hulian.metadata.overlay_edits import OverlayDraft

MANIFEST = {"name": "acme", "version": "1.0.0", "kind": "tenant"}
OWN = {"api_name": "big__c", "type": "automation", "object": "Order",
       "label": {"zh": "大", "en": "Big"}, "trigger": "create", "actions": []}


def test_switching_a_pack_flow_off_writes_only_its_name_and_state():
    draft = OverlayDraft({"pack.json": MANIFEST}, {})
    place = draft.switch_flow("order_approval", False)
    assert place.file == "overlay/flows/order_approval.json"
    assert draft.change() == ({"flows/order_approval.json": {"api_name": "order_approval",
                                                             "active": False}}, [])
    assert not draft.own_flow("order_approval")  # a switch is not the overlay's own flow


def test_switching_an_own_flow_changes_its_active_key():
    draft = OverlayDraft({"pack.json": MANIFEST, "flows/big__c.json": OWN}, {})
    assert draft.own_flow("big__c")
    assert draft.switch_flow("big__c", False).pointer == "/active"
    assert draft.change()[0]["flows/big__c.json"]["active"] is False
    draft.switch_flow("big__c", True)
    assert "active" not in draft.change()[0]["flows/big__c.json"]


def test_putting_and_removing_an_own_flow():
    draft = OverlayDraft({"pack.json": MANIFEST}, {})
    assert draft.put_flow(OWN).file == "overlay/flows/big__c.json"
    assert draft.change() == ({"flows/big__c.json": OWN}, [])
    saved = OverlayDraft({"pack.json": MANIFEST, "flows/big__c.json": OWN}, {})
    saved.remove_flow("big__c")
    assert saved.change() == ({}, ["flows/big__c.json"])
