"""Interconnect (issue 6): downstream enterprises, interconnect users, roles and apps,
external data permissions, related teams and sharing rules, on both databases.

People::

    HQ [director]                     internal
    └── Channel: pm (partner manager of Dealer A and Dealer B), rep
    Dealer A: a_buyer, a_boss         interconnect (roles dealer_buyer / dealer_boss)
    Dealer B: b_buyer                 interconnect (dealer_buyer)

Orders are private internally and ``company_read`` externally; products are
``public_read`` externally; ``Note`` is not opened by any app.
"""

from __future__ import annotations

import pytest

from hulian.engine import (
    HulianError,
    NotFoundError,
    PermissionDenied,
    QueryError,
    RecordValidationError,
)
from tests.packs import documents, field, label, obj, pack_of

PRODUCT = obj("Product", field("name", "text"), field("price", "currency", scale=2),
              field("cost", "currency", scale=2),
              data_permission={"internal": "company_read", "external": "public_read"})
ORDER = obj("Order", field("name", "text"), field("amount", "currency", scale=2),
            field("discount", "percent", scale=2), field("product", "lookup", target="Product"),
            data_permission={"internal": "private", "external": "company_read"},
            actions=[{"api_name": "approve", "label": label("Approve")}],
            sharing_rules=[{"api_name": "big_to_rep", "criteria": "amount >= 10000",
                            "share_with": {"role": "sales_rep"}, "access": "read"}])
LINE = obj("OrderLine", field("name", "text"), field("quantity", "number"),
           field("sales_order", "master_detail", target="Order", relationship_name="lines"))
NOTE = obj("Note", field("name", "text"))


def _role(api_name: str, kind: str, objects: dict) -> dict:
    return {"api_name": api_name, "label": label(api_name), "kind": kind, "objects": objects}


BUYER = {"Order": {"create": True, "read": True, "edit": True,
                   "fields": {"discount": "read_only"}},
         "OrderLine": {"create": True, "read": True, "edit": True},
         "Product": {"read": True, "fields": {"cost": "hidden"}},
         "Note": {"read": True}}
DOCS = documents(PRODUCT, ORDER, LINE, NOTE)
DOCS["roles/dealer_buyer.json"] = _role("dealer_buyer", "interconnect", BUYER)
DOCS["roles/dealer_boss.json"] = _role(
    "dealer_boss", "interconnect",
    {**BUYER, "Order": {**BUYER["Order"], "delete": True, "actions": ["approve"]}})
DOCS["roles/sales_rep.json"] = _role("sales_rep", "internal", {
    "Order": {"read": True, "create": True, "edit": True}, "Product": {"read": True},
    "OrderLine": {"read": True, "create": True, "edit": True}})
DOCS["apps/order.json"] = {"api_name": "order", "label": label("Order"),
                           "objects": ["Order", "OrderLine", "Product"],
                           "roles": ["dealer_buyer", "dealer_boss"]}


@pytest.fixture
def world(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_department("HQ")
    engine.people(tenant).create_department("Channel", parent="HQ")
    people = {
        "director": engine.people(tenant).create_user("director", department="HQ"),
        "pm": engine.people(tenant).create_user("pm", department="Channel"),
        "rep": engine.people(tenant).create_user("rep", department="Channel", roles=["sales_rep"]),
    }
    engine.people(tenant).set_department_leader("HQ", "director")
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    engine.people(tenant).create_enterprise("Dealer B", partner_manager="pm")
    people["a_buyer"] = engine.people(tenant).create_user("a_buyer", enterprise="Dealer A",
                                           roles=["dealer_buyer"])
    people["a_boss"] = engine.people(tenant).create_user("a_boss", enterprise="Dealer A",
                                          roles=["dealer_boss"])
    people["b_buyer"] = engine.people(tenant).create_user("b_buyer", enterprise="Dealer B",
                                           roles=["dealer_buyer"])
    with engine.session(tenant) as s:
        product = s.create("Product", {"name": "Widget", "price": "10", "cost": "4"})["id"]
    orders = {}
    for who in ("a_buyer", "a_boss", "b_buyer"):
        with engine.session(tenant, who) as s:
            orders[who] = s.create("Order", {"name": f"order of {who}", "amount": "100",
                                             "product": product})["id"]
    return {"people": people, "product": product, "orders": orders}


def _names(engine, tenant, user, object_name="Order"):
    with engine.session(tenant, user) as s:
        return {r["name"] for r in s.query(object_name, limit=100)}


def test_an_interconnect_record_is_owned_upstream_by_the_partner_manager(engine, tenant, world):
    people = world["people"]
    with engine.session(tenant) as s:
        order = s.get("Order", world["orders"]["a_buyer"])
    dealer_a = {e.name: e.id for e in engine.people(tenant).enterprises()}["Dealer A"]
    assert order["owner_id"] == people["pm"].id
    assert order["department_id"] == people["pm"].department_id
    assert order["out_tenant_id"] == dealer_a
    assert order["out_owner_id"] == people["a_buyer"].id


def test_dealers_see_their_enterprise_and_never_another(engine, tenant, world):
    assert _names(engine, tenant, "a_buyer") == {"order of a_buyer", "order of a_boss"}
    assert _names(engine, tenant, "b_buyer") == {"order of b_buyer"}
    with engine.session(tenant, "b_buyer") as s, pytest.raises(NotFoundError) as missing:
        s.get("Order", world["orders"]["a_buyer"])
    assert missing.value.code == "record_not_found"
    with engine.session(tenant, "b_buyer") as s:
        assert s.count("Order") == 1
        assert s.count("Order", filter="amount > 0") == 1


def test_upstream_hierarchy_sees_partner_activity(engine, tenant, world):
    everything = {"order of a_buyer", "order of a_boss", "order of b_buyer"}
    assert _names(engine, tenant, "pm") == everything
    assert _names(engine, tenant, "director") == everything  # leads HQ, above Channel
    assert _names(engine, tenant, "rep") == set()  # private, and not the owner


def test_company_read_edits_only_ones_own(engine, tenant, world):
    with engine.session(tenant, "a_buyer") as s:
        s.update("Order", world["orders"]["a_buyer"], {"amount": "120"})
        with pytest.raises(PermissionDenied) as denied:
            s.update("Order", world["orders"]["a_boss"], {"amount": "120"})
    assert denied.value.code == "edit_denied"


def test_enterprise_override_widens_one_dealer_only(engine, tenant, world):
    engine.people(tenant).set_enterprise_permission("Dealer A", "Order", "private")
    assert _names(engine, tenant, "a_buyer") == {"order of a_buyer"}
    assert _names(engine, tenant, "b_buyer") == {"order of b_buyer"}
    engine.people(tenant).set_enterprise_permission("Dealer B", "Order", "public_read")
    assert len(_names(engine, tenant, "b_buyer")) == 3
    engine.people(tenant).set_enterprise_permission("Dealer A", "Order", None)
    assert _names(engine, tenant, "a_buyer") == {"order of a_buyer", "order of a_boss"}


def test_public_read_products_and_hidden_fields(engine, tenant, world):
    with engine.session(tenant, "b_buyer") as s:
        (product,) = s.query("Product").records
        assert "cost" not in product and product["price"] is not None
        assert "cost" not in {f["api_name"] for f in s.describe("Product")["fields"]}
        for attempt in ({"where": {"cost": {"gt": 1}}}, {"order_by": "cost"},
                        {"filter": "cost > 1"}):
            with pytest.raises(HulianError) as refused:
                s.query("Product", **attempt)
            assert "cost" not in (refused.value.hint or "")
        with pytest.raises(QueryError) as unknown:
            s.query("Product", where={"nosuch": 1})
        assert "cost" not in (unknown.value.hint or "")
        with pytest.raises(PermissionDenied):
            s.update("Product", world["product"], {"name": "x"})


def test_read_only_field_refuses_writes(engine, tenant, world):
    with engine.session(tenant, "a_buyer") as s, pytest.raises(RecordValidationError) as bad:
        s.update("Order", world["orders"]["a_buyer"], {"discount": "5"})
    assert [e.code for e in bad.value.errors] == ["field_read_only"]


def test_objects_not_opened_by_an_app_do_not_exist_downstream(engine, tenant, world):
    with engine.session(tenant, "a_buyer") as s:
        assert "Note" not in s.objects()
        with pytest.raises(NotFoundError) as missing:
            s.query("Note")
        assert missing.value.code == "unknown_object" and "Note" not in (missing.value.hint or "")


def test_functional_permissions_and_custom_actions(engine, tenant, world):
    with engine.session(tenant, "a_buyer") as s:
        assert not s.can("Order", "approve") and not s.can("Order", "delete")
        with pytest.raises(PermissionDenied) as denied:
            s.delete("Order", world["orders"]["a_buyer"])
        assert denied.value.code == "action_denied"
    with engine.session(tenant, "a_boss") as s:
        assert s.can("Order", "approve")
        s.delete("Order", world["orders"]["a_boss"])
    with engine.session(tenant, "rep") as s, pytest.raises(PermissionDenied):
        s.query("Note")


def test_details_follow_their_master(engine, tenant, world):
    with engine.session(tenant, "a_buyer") as s:
        s.create("OrderLine", {"name": "l1", "quantity": 1,
                               "sales_order": world["orders"]["a_buyer"]})
    with engine.session(tenant, "a_boss") as s:
        assert [r["name"] for r in s.query("OrderLine")] == ["l1"]
    with engine.session(tenant, "b_buyer") as s:
        assert s.query("OrderLine").records == []
        with pytest.raises(RecordValidationError):
            s.create("OrderLine", {"name": "l2", "sales_order": world["orders"]["a_buyer"]})


def test_related_team_gives_access(engine, tenant, world):
    order = world["orders"]["a_buyer"]
    assert "order of a_buyer" not in _names(engine, tenant, "b_buyer")
    with engine.session(tenant, "pm") as s:
        team = s.share("Order", order, "b_buyer", access="read")
    assert [m["username"] for m in team] == ["b_buyer"] and team[0]["external"]
    assert "order of a_buyer" in _names(engine, tenant, "b_buyer")
    with engine.session(tenant, "b_buyer") as s, pytest.raises(PermissionDenied):
        s.update("Order", order, {"amount": "1"})
    with engine.session(tenant, "pm") as s:
        s.share("Order", order, "rep", access="edit")
    with engine.session(tenant, "rep") as s:
        s.update("Order", order, {"amount": "2"})
    with engine.session(tenant, "pm") as s:
        s.unshare("Order", order, "b_buyer")
    assert "order of a_buyer" not in _names(engine, tenant, "b_buyer")


def test_criteria_sharing_rule(engine, tenant, world):
    with engine.session(tenant, "pm") as s:
        s.create("Order", {"name": "big", "amount": "20000"})
        s.create("Order", {"name": "small", "amount": "20"})
    assert _names(engine, tenant, "rep") == {"big"}
    with engine.session(tenant, "rep") as s:
        big = s.query("Order").records[0]["id"]
        with pytest.raises(PermissionDenied):
            s.update("Order", big, {"amount": "1"})


def test_roles_are_checked_when_assigned(engine, tenant, world):
    with pytest.raises(HulianError) as wrong:
        engine.people(tenant).create_user("x", enterprise="Dealer A", roles=["sales_rep"])
    assert wrong.value.code == "unknown_role"
    with pytest.raises(HulianError):
        engine.people(tenant).grant_roles("rep", ["dealer_buyer"])
    assert engine.people(tenant).grant_roles("rep", ["member"]) == ["member", "sales_rep"]
    assert _names(engine, tenant, "rep") == set()  # member: all actions, data still private


def test_export_and_import_need_their_rights(engine, tenant, world):
    with engine.session(tenant, "a_buyer") as s:
        with pytest.raises(PermissionDenied) as denied:
            s.export("Order")  # refused before anything is read
        assert denied.value.code == "action_denied"
        with pytest.raises(PermissionDenied):
            s.import_records("Order", [{"name": "x"}])
    with engine.session(tenant) as s:
        exported = list(s.export("Order", order_by="name"))
        assert [r["name"] for r in exported] == sorted(
            f"order of {who}" for who in world["orders"])
        ids = s.import_records("Note", [{"name": "n1"}, {"name": "n2"}])
        assert len(ids) == 2 and s.count("Note") == 2
