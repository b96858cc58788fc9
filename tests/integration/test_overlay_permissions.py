"""A tenant customises the permissions of an installed pack with its overlay, on SQLite and
PostgreSQL: a new sharing rule, an override of the pack's sharing rule, another data
permission level, and more rights for a pack role; an upgrade of the pack keeps them.

People::

    HQ                                 internal
    └── Channel: pm (partner manager of Dealer A), rep (sales_rep)
    Dealer A: a_buyer, a_clerk         interconnect (dealer_buyer)

``Order`` is private internally and company_read externally; the pack shares orders of
10,000 or more with ``sales_rep`` (read).
"""

from __future__ import annotations

import copy

import pytest

from hulian.engine import MetadataError, PermissionDenied, RecordValidationError
from tests.packs import documents, field, label, obj, pack_of

ORDER = obj("Order", field("name", "text"), field("amount", "currency", scale=2),
            field("discount", "percent", scale=2),
            data_permission={"internal": "private", "external": "company_read"},
            actions=[{"api_name": "approve", "label": label("Approve")}],
            sharing_rules=[{"api_name": "big_to_rep", "criteria": "amount >= 10000",
                            "share_with": {"role": "sales_rep"}, "access": "read"}])
BUYER = {"api_name": "dealer_buyer", "label": label("Dealer buyer"), "kind": "interconnect",
         "objects": {"Order": {"create": True, "read": True, "edit": True,
                               "fields": {"discount": "read_only"}}}}
REP = {"api_name": "sales_rep", "label": label("Sales rep"),
       "objects": {"Order": {"create": True, "read": True, "edit": True}}}


def crm(version: str, order: dict | None = None, buyer: dict | None = BUYER) -> dict:
    docs = documents(order or ORDER, name="crm", version=version)
    docs["roles/sales_rep.json"] = REP
    if buyer is not None:
        docs["roles/dealer_buyer.json"] = buyer
        docs["apps/order.json"] = {"api_name": "order", "label": label("Order"),
                                   "objects": ["Order"], "roles": ["dealer_buyer"]}
    return docs


OVERLAY = {
    "pack.json": {"name": "acme", "version": "1.0.0", "label": label("Acme"), "kind": "tenant"},
    "extensions/Order.json": {
        "object": "Order",
        "data_permission": {"external": "company_read_write"},
        "sharing_rule_overrides": {"big_to_rep": {"access": "edit"}},
        "sharing_rules": [{"api_name": "small_to_rep__c", "criteria": "amount < 100",
                           "share_with": {"role": "sales_rep"}},
                          {"api_name": "all_to_auditors__c", "criteria": "amount > 0",
                           "share_with": {"role": "order_auditor"}}],
    },
    "roles/order_auditor.json": {"api_name": "order_auditor", "label": label("Auditor"),
                                 "objects": {"Order": {"read": True, "export": True}}},
    "extensions/roles/dealer_buyer.json": {
        "role": "dealer_buyer",
        "objects": {"Order": {"delete": True, "actions": ["approve"],
                              "fields": {"discount": "editable"}}},
    },
}


@pytest.fixture
def world(engine, tenant):
    engine.metadata(tenant).install_pack(pack_of(crm("1.0.0")))
    engine.people(tenant).create_department("HQ")
    engine.people(tenant).create_department("Channel", parent="HQ")
    engine.people(tenant).create_user("pm", department="Channel")
    engine.people(tenant).create_user("rep", department="Channel", roles=["sales_rep"])
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    for who in ("a_buyer", "a_clerk"):
        engine.people(tenant).create_user(who, enterprise="Dealer A", roles=["dealer_buyer"])
    ids = {}
    with engine.session(tenant, "pm") as s:
        for name, amount in (("big", "20000"), ("small", "20"), ("middle", "500")):
            ids[name] = s.create("Order", {"name": name, "amount": amount})["id"]
    with engine.session(tenant, "a_buyer") as s:
        ids["dealer"] = s.create("Order", {"name": "dealer", "amount": "300"})["id"]
    return ids


def _names(engine, tenant, user):
    with engine.session(tenant, user) as s:
        return {r["name"] for r in s.query("Order", limit=100)}


def _denied(engine, tenant, user, record, data):
    with engine.session(tenant, user) as s:
        try:
            s.update("Order", record, data)
        except PermissionDenied as denied:
            return denied.code
        except RecordValidationError as invalid:
            return invalid.errors[0].code
    return None


def _check_customised(engine, tenant, ids):
    """What the overlay gives, whatever pack version is installed under it."""
    assert _names(engine, tenant, "rep") == {"big", "small"}             # the new rule
    assert _denied(engine, tenant, "rep", ids["big"], {"amount": "30000"}) is None  # edit now
    assert _denied(engine, tenant, "rep", ids["small"], {"amount": "10"}) == "edit_denied"
    assert _denied(engine, tenant, "a_clerk", ids["dealer"], {"amount": "310"}) is None
    assert _denied(engine, tenant, "a_buyer", ids["dealer"], {"discount": "5"}) is None
    with engine.session(tenant, "a_buyer") as s:
        assert s.can("Order", "approve") and s.can("Order", "delete")
        assert s.describe("Order")["permissions"]["delete"] is True


def test_the_overlay_customises_the_packs_permissions(engine, tenant, world):
    assert _names(engine, tenant, "rep") == {"big"}
    assert _denied(engine, tenant, "rep", world["big"], {"amount": "30000"}) == "edit_denied"
    assert _denied(engine, tenant, "a_clerk", world["dealer"], {"amount": "310"}) == (
        "edit_denied")
    assert _denied(engine, tenant, "a_buyer", world["dealer"], {"discount": "5"}) == (
        "field_read_only")
    with engine.session(tenant, "a_buyer") as s:
        assert not s.can("Order", "approve") and not s.can("Order", "delete")

    engine.metadata(tenant).deploy(pack_of(OVERLAY))
    _check_customised(engine, tenant, world)
    assert _names(engine, tenant, "a_clerk") == {"dealer"}   # still only their enterprise
    engine.people(tenant).create_user("auditor", department="HQ", roles=["order_auditor"])
    assert _names(engine, tenant, "auditor") == {"big", "small", "middle", "dealer"}
    assert _denied(engine, tenant, "auditor", world["big"], {"amount": "1"}) == "action_denied"
    with engine.session(tenant, "a_buyer") as s:
        s.delete("Order", world["dealer"])
    with engine.db.connect() as conn:
        effective = engine.schema(conn, tenant).pack
    assert [r.api_name for r in effective.object("Order").sharing_rules] == [
        "big_to_rep", "small_to_rep__c", "all_to_auditors__c"]


def test_a_bad_criteria_is_reported_at_the_overlay(engine, tenant, world):
    bad = copy.deepcopy(OVERLAY)
    bad["extensions/Order.json"]["sharing_rules"][1]["criteria"] = "amount > 'many'"
    with pytest.raises(MetadataError) as refused:
        engine.metadata(tenant).deploy(pack_of(bad))
    [problem] = refused.value.problems
    assert problem.code.startswith("formula.")
    assert (problem.file, problem.pointer) == ("overlay/extensions/Order.json",
                                               "/sharing_rules/1/criteria")


def test_an_upgrade_keeps_the_customisation(engine, tenant, world):
    engine.metadata(tenant).deploy(pack_of(OVERLAY))
    order = copy.deepcopy(ORDER)
    order["fields"].append(field("note", "text"))
    order["data_permission"] = {"internal": "private", "external": "private"}
    order["sharing_rules"][0]["description"] = "big orders for the reps"
    buyer = copy.deepcopy(BUYER)
    buyer["objects"]["Order"]["fields"] = {"discount": "hidden", "note": "read_only"}
    report = engine.metadata(tenant).upgrade_pack(pack_of(crm("2.0.0", order, buyer)))
    assert "Order data_permission external: the pack changed it, the tenant's level is kept" \
        in report.notes
    assert ("the role dealer_buyer Order.discount field permission: the pack changed it,"
            " the tenant's permission is kept") in report.notes
    assert engine.metadata(tenant).installed()["packs"] == {"crm": "2.0.0"}
    _check_customised(engine, tenant, world)
    assert _denied(engine, tenant, "a_buyer", world["dealer"], {"note": "x"}) == (
        "field_read_only")                                   # the pack's new grant came through


def test_an_upgrade_that_drops_what_the_overlay_extends_is_refused(engine, tenant, world):
    engine.metadata(tenant).deploy(pack_of(OVERLAY))
    order = copy.deepcopy(ORDER)
    order["sharing_rules"] = []
    with pytest.raises(MetadataError) as refused:
        engine.metadata(tenant).upgrade_pack(pack_of(crm("2.0.0", order, buyer=None)))
    assert sorted((p.code, p.file, p.pointer) for p in refused.value.problems) == [
        ("extension.unknown_role", "overlay/extensions/roles/dealer_buyer.json", "/role"),
        ("extension.unknown_sharing_rule", "overlay/extensions/Order.json",
         "/sharing_rule_overrides/big_to_rep")]
    assert engine.metadata(tenant).installed()["packs"] == {"crm": "1.0.0"}
    _check_customised(engine, tenant, world)


def test_an_overlay_cannot_change_what_the_pack_locks(engine, tenant, world):
    locked = crm("1.1.0", {**ORDER, "customizable": {"data_permission": "locked"}},
                 {**BUYER, "customizable": {"objects": "locked"}})
    engine.metadata(tenant).upgrade_pack(pack_of(locked))
    with pytest.raises(MetadataError) as refused:
        engine.metadata(tenant).deploy(pack_of(OVERLAY))
    assert sorted((p.code, p.file, p.pointer) for p in refused.value.problems) == [
        ("overlay.locked_property", "overlay/extensions/Order.json", "/data_permission"),
        ("overlay.locked_property", "overlay/extensions/roles/dealer_buyer.json", "/objects")]
    assert _names(engine, tenant, "rep") == {"big"}


def test_an_overlay_switches_a_packs_sharing_rule_off_and_on(engine, tenant, world):
    assert _names(engine, tenant, "rep") == {"big"}
    off = {"pack.json": OVERLAY["pack.json"],
           "extensions/Order.json": {"object": "Order",
                                     "sharing_rule_overrides": {"big_to_rep": {"active": False}}}}
    engine.metadata(tenant).deploy(pack_of(off))
    assert _names(engine, tenant, "rep") == set()
    with engine.db.connect() as conn:
        (rule,) = engine.schema(conn, tenant).pack.object("Order").sharing_rules
    assert rule.active is False
    off["extensions/Order.json"]["sharing_rule_overrides"]["big_to_rep"]["active"] = True
    engine.metadata(tenant).deploy(pack_of(off))
    assert _names(engine, tenant, "rep") == {"big"}


def test_a_pack_may_lock_its_sharing_rule_on(engine, tenant):
    locked = copy.deepcopy(ORDER)
    locked["sharing_rules"][0]["customizable"] = {"active": "locked"}
    engine.metadata(tenant).install_pack(pack_of(crm("1.0.0", order=locked)))
    off = {"pack.json": OVERLAY["pack.json"],
           "extensions/Order.json": {"object": "Order",
                                     "sharing_rule_overrides": {"big_to_rep": {"active": False}}}}
    with pytest.raises(MetadataError) as refused:
        engine.metadata(tenant).deploy(pack_of(off))
    [problem] = refused.value.problems
    assert (problem.code, problem.pointer) == ("overlay.locked_property",
                                               "/sharing_rule_overrides/big_to_rep/active")
