"""Sessions reuse the permissions they read (engine/security/cache.py), and never stale
ones: every change to people, made by this Engine or by another process (a second
Engine on the same database), is seen by the next session, on both databases.

People::

    HQ [boss]
    └── Sales: rep, newcomer (added later)
    pm (no department): partner manager of Dealer A
    Dealer A: buyer (interconnect)
    Ops: ops (added by the tests of people changes)
"""

from __future__ import annotations

import pytest

from hulian.engine import Engine, NotFoundError, PermissionDenied
from tests.packs import documents, field, label, obj, pack_of

ORDER = obj("Order", field("name", "text"),
            data_permission={"internal": "private", "external": "private"})
DOCS = documents(ORDER)
DOCS["roles/dealer_buyer.json"] = {"api_name": "dealer_buyer", "label": label("Buyer"),
                                   "kind": "interconnect",
                                   "objects": {"Order": {"read": True, "create": True}}}
DOCS["roles/reader.json"] = {"api_name": "reader", "label": label("Reader"), "kind": "internal",
                             "objects": {"Order": {"read": True}}}
DOCS["apps/order.json"] = {"api_name": "order", "label": label("Order"), "objects": ["Order"],
                           "roles": ["dealer_buyer"]}


@pytest.fixture
def world(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_department("HQ")
    engine.people(tenant).create_department("Sales", parent="HQ")
    engine.people(tenant).create_user("boss", department="HQ")
    engine.people(tenant).create_user("rep", department="Sales")
    engine.people(tenant).create_user("pm")  # no department: nobody leads what dealers create
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    engine.people(tenant).create_user("buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    with engine.session(tenant, "rep") as s:
        s.create("Order", {"name": "rep's"})
    with engine.session(tenant, "buyer") as s:
        s.create("Order", {"name": "buyer's"})
    return engine, tenant


@pytest.fixture
def other(db_url):
    """A second Engine on the same database: another process, with its own cache."""
    eng = Engine(db_url, migrate=False)
    yield eng
    eng.close()


def names(engine, tenant, user) -> list[str]:
    with engine.session(tenant, user) as s:
        return sorted(r["name"] for r in s.query("Order"))


def test_sessions_reuse_what_they_read(world):
    engine, tenant = world
    names(engine, tenant, "rep")
    before = engine._visibility.hits
    assert names(engine, tenant, "rep") == ["rep's"]
    assert names(engine, tenant, "rep") == ["rep's"]
    assert engine._visibility.hits == before + 2


def test_a_new_leader_is_seen_by_the_next_session_of_another_engine(world, other):
    engine, tenant = world
    assert names(other, tenant, "boss") == []
    engine.people(tenant).set_department_leader("HQ", "boss")
    assert names(other, tenant, "boss") == ["rep's"]  # Sales is below HQ
    engine.people(tenant).set_department_leader("HQ", None)
    assert names(other, tenant, "boss") == []


def test_people_joining_a_led_department_are_seen(world, other):
    engine, tenant = world
    engine.people(tenant).set_department_leader("Sales", "boss")
    assert names(other, tenant, "boss") == ["rep's"]
    engine.people(tenant).create_user("newcomer", department="Sales")
    with engine.session(tenant, "newcomer") as s:
        s.create("Order", {"name": "newcomer's"})
    assert names(other, tenant, "boss") == ["newcomer's", "rep's"]


@pytest.fixture
def ops(world):
    """A department outside HQ, with one person and their order; boss leads HQ."""
    engine, tenant = world
    engine.people(tenant).create_department("Ops")
    engine.people(tenant).create_user("ops", department="Ops")
    with engine.session(tenant, "ops") as s:
        s.create("Order", {"name": "ops's"})
    engine.people(tenant).set_department_leader("HQ", "boss")
    return world


def test_a_user_moved_into_a_led_department_is_seen(ops, other):
    engine, tenant = ops
    assert names(other, tenant, "boss") == ["rep's"]
    engine.people(tenant).update_user("ops", department="Sales")
    assert names(other, tenant, "boss") == ["ops's", "rep's"]
    engine.people(tenant).update_user("ops", department=None)
    assert names(other, tenant, "boss") == ["rep's"]


def test_a_department_moved_under_a_led_one_is_seen(ops, other):
    engine, tenant = ops
    assert names(other, tenant, "boss") == ["rep's"]
    engine.people(tenant).update_department("Ops", parent="Sales")
    assert names(other, tenant, "boss") == ["ops's", "rep's"]
    engine.people(tenant).update_department("Sales", parent=None)  # out of HQ, with Ops below it
    assert names(other, tenant, "boss") == []


def test_a_deactivated_enterprise_is_seen(world, other):
    """Its people cannot open a session any more, on any engine; they can again once it
    is reactivated."""
    engine, tenant = world
    assert names(other, tenant, "buyer") == ["buyer's"]
    engine.people(tenant).update_enterprise("Dealer A", active=False)
    with pytest.raises(NotFoundError) as caught, other.session(tenant, "buyer"):
        pass
    assert caught.value.code == "unknown_user"
    engine.people(tenant).update_enterprise("Dealer A", active=True)
    assert names(other, tenant, "buyer") == ["buyer's"]


def test_a_deactivated_user_cannot_start_a_session_on_another_engine(world, other):
    engine, tenant = world
    assert names(other, tenant, "rep") == ["rep's"]
    engine.people(tenant).update_user("rep", active=False)
    with pytest.raises(NotFoundError) as caught, other.session(tenant, "rep"):
        pass
    assert caught.value.code == "unknown_user"
    engine.people(tenant).update_user("rep", active=True)
    assert names(other, tenant, "rep") == ["rep's"]


def test_role_changes_are_seen(world, other):
    engine, tenant = world
    with other.session(tenant, "rep") as s:
        assert s.can("Order", "delete")  # the built-in member role
    engine.people(tenant).revoke_roles("rep", ["member"])
    engine.people(tenant).grant_roles("rep", ["reader"])
    with other.session(tenant, "rep") as s:
        assert s.can("Order", "read") and not s.can("Order", "delete")
    engine.people(tenant).revoke_roles("rep", ["reader"])
    with other.session(tenant, "rep") as s, pytest.raises(PermissionDenied) as caught:
        s.query("Order")
    assert caught.value.code == "action_denied"


def test_enterprise_overrides_are_seen(world, other):
    engine, tenant = world
    engine.people(tenant).create_user("colleague", enterprise="Dealer A", roles=["dealer_buyer"])
    assert names(other, tenant, "colleague") == []
    engine.people(tenant).set_enterprise_permission("Dealer A", "Order", "company_read")
    assert names(other, tenant, "colleague") == ["buyer's"]
    engine.people(tenant).set_enterprise_permission("Dealer A", "Order", None)
    assert names(other, tenant, "colleague") == []


def test_a_deploy_is_seen(world, other):
    engine, tenant = world
    assert names(other, tenant, "rep") == ["rep's"]
    opened = dict(DOCS)
    opened["objects/Order.json"] = {**DOCS["objects/Order.json"],
                                    "data_permission": {"internal": "company_read",
                                                        "external": "private"}}
    engine.metadata(tenant).deploy(pack_of(opened))
    assert names(other, tenant, "rep") == ["buyer's", "rep's"]


def test_a_failed_change_leaves_the_cache_right(world, other):
    engine, tenant = world
    assert names(other, tenant, "boss") == []
    with pytest.raises(NotFoundError):
        engine.people(tenant).set_department_leader("HQ", "nobody")
    assert names(other, tenant, "boss") == []
    engine.people(tenant).set_department_leader("HQ", "boss")
    assert names(other, tenant, "boss") == ["rep's"]


def test_an_unknown_tenant_or_user_is_still_an_error(world):
    engine, tenant = world
    with pytest.raises(NotFoundError) as caught, engine.session(tenant + "x", "rep"):
        pass
    assert caught.value.code == "unknown_tenant"
    with pytest.raises(NotFoundError) as caught, engine.session(tenant, "ghost"):
        pass
    assert caught.value.code == "unknown_user"
