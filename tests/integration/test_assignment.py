"""Assigning records to downstream enterprises (分配给下游) on SQLite and PostgreSQL: an
upstream user hands an order to a dealer's user or to the dealer as a whole, takes it back,
and the order's lines follow; interconnect users cannot reassign; bad ids are clear errors
that write nothing (engine/records/assignment.py)."""

from __future__ import annotations

import pytest

from hulian.engine import RecordValidationError


@pytest.fixture
def dealers(crm):
    engine, tenant = crm
    people = engine.people(tenant)
    people.create_user("pm")
    a = people.create_enterprise("Dealer A", partner_manager="pm")
    b = people.create_enterprise("Dealer B", partner_manager="pm")
    people.create_user("a.buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    people.create_user("a.boss", enterprise="Dealer A", roles=["dealer_boss"])
    people.create_user("b.buyer", enterprise="Dealer B", roles=["dealer_buyer"])
    ids = {u.username: u.id for u in people.users()}
    with engine.session(tenant) as s:
        ids["pump"] = s.create("Product", {"name": "Pump", "unit_price": 100})["id"]
    return engine, tenant, {"A": a.id, "B": b.id, **ids}


def _visible(engine, tenant, user):
    with engine.session(tenant, user) as s:
        return {r["notes"] for r in s.query("Order").records}


def _errors(exc):
    return {(e.field, e.code) for e in exc.value.errors}


def test_an_order_given_to_a_dealer_user_is_theirs_and_their_enterprise(dealers):
    engine, tenant, ids = dealers
    with engine.session(tenant) as s:
        order = s.create("Order", {"notes": "to A", "out_owner_id": ids["a.buyer"]})
        s.create("OrderLine", {"sales_order": order["id"], "product":
                               ids["pump"], "quantity": 1})
        assert (order["out_tenant_id"], order["out_owner_id"]) == (ids["A"], ids["a.buyer"])
    assert _visible(engine, tenant, "a.buyer") == {"to A"}
    assert _visible(engine, tenant, "a.boss") == {"to A"}      # Order is company_read outside
    assert _visible(engine, tenant, "b.buyer") == set()
    with engine.session(tenant, "a.buyer") as s:
        [line] = s.query("OrderLine").records
        assert line["out_owner_id"] == ids["a.buyer"]


def test_an_order_assigned_to_the_enterprise_then_moved_and_taken_back(dealers):
    engine, tenant, ids = dealers
    with engine.session(tenant) as s:
        order = s.create("Order", {"notes": "dispatch", "out_tenant_id": ids["A"]})
        assert order["out_owner_id"] is None
    assert _visible(engine, tenant, "a.boss") == {"dispatch"}
    with engine.session(tenant) as s:
        s.update("Order", order["id"], {"out_owner_id": ids["b.buyer"]})
    assert _visible(engine, tenant, "a.boss") == set()
    assert _visible(engine, tenant, "b.buyer") == {"dispatch"}
    with engine.session(tenant) as s:
        back = s.update("Order", order["id"], {"out_owner_id": None})
        assert (back["out_tenant_id"], back["out_owner_id"]) == (None, None)
    assert _visible(engine, tenant, "b.buyer") == set()


def test_bad_assignments_are_errors_that_write_nothing(dealers):
    engine, tenant, ids = dealers
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("Order", {"notes": "x", "out_owner_id": ids["pm"]})
        assert _errors(exc) == {("out_owner_id", "unknown_user")}
        with pytest.raises(RecordValidationError) as exc:
            s.create("Order", {"notes": "x", "out_tenant_id": "nope"})
        assert _errors(exc) == {("out_tenant_id", "unknown_enterprise")}
        with pytest.raises(RecordValidationError) as exc:
            s.create("Order", {"notes": "x", "out_owner_id": ids["a.buyer"],
                               "out_tenant_id": ids["B"]})
        assert _errors(exc) == {("out_tenant_id", "enterprise_mismatch")}
        order = s.create("Order", {"notes": "mine"})
        with pytest.raises(RecordValidationError) as exc:
            s.create("OrderLine", {"sales_order": order["id"], "quantity": 1,
                                   "product": ids["pump"],
                                   "out_owner_id": ids["a.buyer"]})
        assert ("out_owner_id", "read_only") in _errors(exc)
        assert s.count("Order", filter="notes = 'x'") == 0


def test_an_interconnect_user_cannot_reassign(dealers):
    engine, tenant, ids = dealers
    with engine.session(tenant, "a.buyer") as s:
        order = s.create("Order", {"notes": "placed by A", "delivery": "pickup"})
        assert order["out_tenant_id"] == ids["A"]
        with pytest.raises(RecordValidationError) as exc:
            s.update("Order", order["id"], {"out_owner_id": ids["b.buyer"]})
        assert _errors(exc) == {("out_owner_id", "read_only")}
    assert _visible(engine, tenant, "b.buyer") == set()


def test_a_deactivated_enterprise_takes_no_new_records(dealers):
    engine, tenant, ids = dealers
    engine.people(tenant).update_enterprise("Dealer B", active=False)
    with engine.session(tenant) as s, pytest.raises(RecordValidationError) as exc:
        s.create("Order", {"notes": "x", "out_tenant_id": ids["B"]})
    assert _errors(exc) == {("out_tenant_id", "unknown_enterprise")}


def test_a_detail_is_not_assigned_on_its_own(dealers):
    engine, tenant, ids = dealers
    with engine.session(tenant) as s:
        order = s.create("Order", {"notes": "lines", "out_owner_id": ids["a.buyer"]})
        line = s.create("OrderLine", {"sales_order": order["id"], "product": ids["pump"],
                                      "quantity": 2})
        with pytest.raises(RecordValidationError) as exc:
            s.update("OrderLine", line["id"], {"out_owner_id": ids["b.buyer"]})
        assert _errors(exc) == {("out_owner_id", "read_only")}
        s.update("OrderLine", line["id"], {"quantity": 3})    # other changes still work
