"""People change (Engine.update_user, update_department, update_enterprise) on both
databases: what each change does, every refusal (and that it changed nothing), and what
deactivation does to logins, tokens, sessions and records.

People::

    HQ [boss]
    ├── Sales: rep
    │   └── East
    └── Support: helper
    pm (no department): partner manager of Dealer A
    Dealer A: buyer (interconnect)
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hulian.engine import (
    ConflictError,
    HulianError,
    NotFoundError,
    UnauthenticatedError,
)
from hulian.engine.system.tables import tenants
from tests.packs import documents, field, label, obj, pack_of

ORDER = obj("Order", field("name", "text"),
            data_permission={"internal": "private", "external": "private"})
DOCS = documents(ORDER)
DOCS["roles/dealer_buyer.json"] = {"api_name": "dealer_buyer", "label": label("Buyer"),
                                   "kind": "interconnect",
                                   "objects": {"Order": {"read": True, "create": True}}}
DOCS["roles/ops_admin.json"] = {"api_name": "ops_admin", "label": label("Ops"), "admin": True}
DOCS["apps/order.json"] = {"api_name": "order", "label": label("Order"), "objects": ["Order"],
                           "roles": ["dealer_buyer"]}
PASSWORD = "correct horse battery"


@pytest.fixture
def world(engine, tenant):
    engine.deploy(pack_of(DOCS), tenant)
    engine.create_department(tenant, "HQ")
    engine.create_department(tenant, "Sales", parent="HQ")
    engine.create_department(tenant, "East", parent="Sales")
    engine.create_department(tenant, "Support", parent="HQ")
    for name, department in (("boss", "HQ"), ("rep", "Sales"), ("helper", "Support"),
                             ("pm", None)):
        engine.create_user(tenant, name, department=department)
    engine.set_department_leader(tenant, "HQ", "boss")
    engine.create_enterprise(tenant, "Dealer A", partner_manager="pm")
    engine.create_user(tenant, "buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    for who in ("rep", "helper", "buyer"):
        with engine.session(tenant, who) as s:
            s.create("Order", {"name": f"{who}'s"})
    return engine, tenant


def user(engine, tenant, username):
    return next(u for u in engine.users(tenant, include_inactive=True)
                if u.username == username)


def department(engine, tenant, name):
    return next(d for d in engine.departments(tenant) if d.name == name)


def people_version(engine, tenant) -> int:
    with engine.db.connect() as conn:
        return conn.scalar(sa.select(tenants.c.people_version)
                           .where(tenants.c.name == tenant))


def names(engine, tenant, who) -> list[str]:
    with engine.session(tenant, who) as s:
        return sorted(r["name"] for r in s.query("Order"))


def snapshot(engine, tenant):
    """Everything a people change could touch, to check that a refused one changed nothing."""
    return (engine.users(tenant, include_inactive=True), engine.departments(tenant),
            engine.enterprises(tenant, include_inactive=True), people_version(engine, tenant))


def refused(engine, tenant, error, code, change):
    before = snapshot(engine, tenant)
    with pytest.raises(error) as caught:
        change()
    assert caught.value.code == code, caught.value
    assert snapshot(engine, tenant) == before
    return caught.value


# -- users ----------------------------------------------------------------------------------

def test_a_user_is_renamed_and_moved(world):
    engine, tenant = world
    version = people_version(engine, tenant)
    moved = engine.update_user(tenant, "rep", display_name="Wang Wei", department="Support")
    assert (moved.display_name, moved.department_id) == \
        ("Wang Wei", department(engine, tenant, "Support").id)
    assert user(engine, tenant, "rep") == moved
    assert people_version(engine, tenant) == version + 1
    rep = engine.update_user(tenant, moved.id, department=None)
    assert rep.department_id is None and rep.display_name == "Wang Wei"
    assert engine.update_user(tenant, "rep", department="East").department_id == \
        department(engine, tenant, "East").id


def test_refused_user_changes_change_nothing(world):
    engine, tenant = world
    refused(engine, tenant, HulianError, "invalid_interconnect_user",
            lambda: engine.update_user(tenant, "buyer", department="Sales"))
    refused(engine, tenant, NotFoundError, "unknown_department",
            lambda: engine.update_user(tenant, "rep", display_name="X", department="Nope"))
    refused(engine, tenant, HulianError, "invalid_display_name",
            lambda: engine.update_user(tenant, "rep", display_name=" "))
    refused(engine, tenant, HulianError, "invalid_display_name",
            lambda: engine.update_user(tenant, "rep", display_name="x" * 201))
    refused(engine, tenant, NotFoundError, "unknown_user",
            lambda: engine.update_user(tenant, "ghost", active=True))
    # an interconnect user has no department to leave: None is accepted
    assert engine.update_user(tenant, "buyer", department=None).department_id is None


def test_a_deactivated_user_keeps_records_but_cannot_get_in(world):
    engine, tenant = world
    engine.set_password(tenant, "rep", PASSWORD)
    login = engine.login(tenant, "rep", PASSWORD)
    token = engine.create_token(tenant, "rep")
    rep = engine.update_user(tenant, "rep", active=False)
    assert not rep.is_active
    with pytest.raises(UnauthenticatedError) as caught:
        engine.login_session(login.secret)
    assert caught.value.code == "invalid_session"
    with pytest.raises(UnauthenticatedError) as caught:
        engine.login(tenant, "rep", PASSWORD)
    assert caught.value.code == "invalid_credentials"
    with pytest.raises(UnauthenticatedError) as caught:
        engine.authenticate(token)
    assert caught.value.code == "invalid_token"
    with pytest.raises(NotFoundError) as caught, engine.session(tenant, "rep"):
        pass
    assert caught.value.code == "unknown_user"
    with engine.session(tenant) as s:  # the admin: the record and its owner stay
        (order,) = s.query("Order", {"name": "rep's"}).records
    assert order["owner_id"] == rep.id
    assert names(engine, tenant, "boss") == ["helper's", "rep's"]  # still led by boss

    assert engine.update_user(tenant, rep.id, active=True).is_active
    assert engine.authenticate(token).username == "rep"  # the token works again
    assert engine.login_session(engine.login(tenant, "rep", PASSWORD).secret).user == \
        user(engine, tenant, "rep")
    assert names(engine, tenant, "rep") == ["rep's"]
    with pytest.raises(UnauthenticatedError):  # the session deactivation ended stays ended
        engine.login_session(login.secret)


def test_inactive_users_are_listed_on_request_and_keep_their_name(world):
    engine, tenant = world
    engine.update_user(tenant, "helper", active=False)
    assert "helper" not in {u.username for u in engine.users(tenant)}
    assert not user(engine, tenant, "helper").is_active
    assert engine.user_roles(tenant, "helper") == ["member"]
    err = refused(engine, tenant, HulianError, "user_exists",
                  lambda: engine.create_user(tenant, "helper"))
    assert "--activate" in err.hint
    renamed = engine.update_user(tenant, "helper", display_name="Old Helper")  # still found
    assert renamed.display_name == "Old Helper" and not renamed.is_active


def test_the_last_admin_cannot_be_deactivated(world):
    engine, tenant = world
    refused(engine, tenant, ConflictError, "last_admin",
            lambda: engine.update_user(tenant, "admin", active=False))
    engine.grant_roles(tenant, "boss", ["admin"])
    engine.update_user(tenant, "admin", active=False)
    refused(engine, tenant, ConflictError, "last_admin",
            lambda: engine.update_user(tenant, "boss", active=False))
    engine.create_user(tenant, "ops", roles=["ops_admin"])  # a pack's admin role counts
    engine.update_user(tenant, "boss", active=False)
    refused(engine, tenant, ConflictError, "last_admin",
            lambda: engine.update_user(tenant, "ops", active=False))
    engine.update_user(tenant, "admin", active=True)  # is_admin counts
    assert not engine.update_user(tenant, "ops", active=False).is_active


def test_a_partner_manager_in_use_cannot_be_deactivated(world):
    engine, tenant = world
    err = refused(engine, tenant, ConflictError, "partner_manager_in_use",
                  lambda: engine.update_user(tenant, "pm", active=False))
    assert "Dealer A" in err.message and "hulian enterprise update" in err.hint
    engine.update_enterprise(tenant, "Dealer A", partner_manager="boss")
    assert not engine.update_user(tenant, "pm", active=False).is_active
    refused(engine, tenant, ConflictError, "partner_manager_in_use",
            lambda: engine.update_user(tenant, "boss", active=False))
    engine.update_enterprise(tenant, "Dealer A", active=False)
    assert not engine.update_user(tenant, "boss", active=False).is_active


# -- departments ----------------------------------------------------------------------------

def test_a_department_is_renamed_and_moved(world):
    engine, tenant = world
    version = people_version(engine, tenant)
    sales = engine.update_department(tenant, "Sales", name="Field Sales")
    assert sales.name == "Field Sales" and sales == department(engine, tenant, "Field Sales")
    assert engine.update_department(tenant, sales.id, name="Field Sales") == sales  # no-op
    top = engine.update_department(tenant, "Field Sales", parent=None)
    assert top.parent_id is None
    under = engine.update_department(tenant, "Field Sales", parent="Support")
    assert under.parent_id == department(engine, tenant, "Support").id
    assert people_version(engine, tenant) == version + 4
    assert engine.create_user(tenant, "newbie", department="Field Sales").department_id == \
        sales.id


def test_refused_department_changes_change_nothing(world):
    engine, tenant = world
    refused(engine, tenant, ConflictError, "department_exists",
            lambda: engine.update_department(tenant, "Sales", name="Support"))
    refused(engine, tenant, HulianError, "invalid_department",
            lambda: engine.update_department(tenant, "Sales", name=""))
    for parent in ("HQ", "Sales", "East"):  # itself, or below it
        err = refused(engine, tenant, HulianError, "department_cycle",
                      lambda parent=parent: engine.update_department(tenant, "HQ",
                                                                     parent=parent))
    assert "below it" in err.message
    refused(engine, tenant, HulianError, "department_cycle",
            lambda: engine.update_department(tenant, "Sales", name="S2", parent="East"))
    refused(engine, tenant, NotFoundError, "unknown_department",
            lambda: engine.update_department(tenant, "Sales", parent="Nope"))
    refused(engine, tenant, NotFoundError, "unknown_department",
            lambda: engine.update_department(tenant, "Nope", name="X"))


def test_what_a_leader_sees_follows_people_and_departments(world):
    engine, tenant = world
    engine.set_department_leader(tenant, "HQ", None)
    engine.set_department_leader(tenant, "Sales", "boss")
    assert names(engine, tenant, "boss") == ["rep's"]
    engine.update_user(tenant, "helper", department="East")  # below Sales
    assert names(engine, tenant, "boss") == ["helper's", "rep's"]
    engine.update_user(tenant, "rep", department="Support")
    assert names(engine, tenant, "boss") == ["helper's"]
    engine.update_department(tenant, "Support", parent="Sales")
    assert names(engine, tenant, "boss") == ["helper's", "rep's"]
    engine.update_department(tenant, "East", parent=None)
    assert names(engine, tenant, "boss") == ["rep's"]


# -- enterprises ----------------------------------------------------------------------------

def test_an_enterprise_is_renamed(world):
    engine, tenant = world
    dealer = engine.update_enterprise(tenant, "Dealer A", name="Dealer Alpha")
    assert dealer.name == "Dealer Alpha" and dealer.is_active
    assert engine.enterprises(tenant) == [dealer]
    assert user(engine, tenant, "buyer").enterprise_id == dealer.id
    assert names(engine, tenant, "buyer") == ["buyer's"]


def test_a_deactivated_enterprise_locks_its_users_out(world):
    engine, tenant = world
    engine.set_password(tenant, "buyer", PASSWORD)
    login = engine.login(tenant, "buyer", PASSWORD)
    version = people_version(engine, tenant)
    dealer = engine.update_enterprise(tenant, "Dealer A", active=False)
    assert not dealer.is_active and people_version(engine, tenant) == version + 1
    assert engine.enterprises(tenant) == []
    assert engine.enterprises(tenant, include_inactive=True) == [dealer]
    with pytest.raises(UnauthenticatedError):
        engine.login_session(login.secret)
    with pytest.raises(NotFoundError) as caught, engine.session(tenant, "buyer"):
        pass  # still a user, who cannot sign in (test_enterprise_sign_in.py)
    assert caught.value.code == "unknown_user"
    with engine.session(tenant) as s:
        assert len(s.query("Order", {"name": "buyer's"}).records) == 1
    assert [u.username for u in engine.users(tenant, enterprise=dealer.id,
                                             include_inactive=True)] == ["buyer"]
    with pytest.raises(NotFoundError):
        engine.users(tenant, enterprise=dealer.id)
    refused(engine, tenant, ConflictError, "enterprise_exists",  # names stay taken
            lambda: engine.create_enterprise(tenant, "Dealer A", partner_manager="pm"))
    again = engine.update_enterprise(tenant, dealer.id, active=True)
    assert again.is_active and names(engine, tenant, "buyer") == ["buyer's"]


def test_refused_enterprise_changes_change_nothing(world):
    engine, tenant = world
    engine.create_enterprise(tenant, "Dealer B", partner_manager="pm")
    refused(engine, tenant, ConflictError, "enterprise_exists",
            lambda: engine.update_enterprise(tenant, "Dealer A", name="Dealer B"))
    refused(engine, tenant, HulianError, "invalid_enterprise",
            lambda: engine.update_enterprise(tenant, "Dealer A", name="x" * 201))
    refused(engine, tenant, HulianError, "invalid_partner_manager",
            lambda: engine.update_enterprise(tenant, "Dealer A", partner_manager="buyer"))
    refused(engine, tenant, NotFoundError, "unknown_enterprise",
            lambda: engine.update_enterprise(tenant, "Nope", active=False))
    engine.update_enterprise(tenant, "Dealer A", active=False)
    engine.update_enterprise(tenant, "Dealer B", partner_manager="boss")
    engine.update_user(tenant, "pm", active=False)
    err = refused(engine, tenant, HulianError, "invalid_partner_manager",
                  lambda: engine.update_enterprise(tenant, "Dealer A", active=True))
    assert "--partner-manager" in err.hint
    back = engine.update_enterprise(tenant, "Dealer A", active=True, partner_manager="boss")
    assert back.is_active and back.partner_manager_id == user(engine, tenant, "boss").id


def test_a_rename_is_told_which_sharing_rules_name_the_old_name(world):
    engine, tenant = world
    shared = dict(DOCS)
    shared["objects/Order.json"] = {**ORDER, "sharing_rules": [
        {"api_name": "sales_to_support", "owned_by": {"department": "Sales"},
         "share_with": {"department": "Support"}},
        {"api_name": "to_dealer", "criteria": "BEGINS(name, 'rep')",
         "share_with": {"enterprise": "Dealer A"}}]}
    engine.deploy(pack_of(shared), tenant)
    assert names(engine, tenant, "helper") == ["helper's", "rep's"]
    assert engine.sharing_rules_naming(tenant, "department", "Sales") == [
        "Order.sales_to_support"]
    assert engine.sharing_rules_naming(tenant, "enterprise", "Dealer A") == ["Order.to_dealer"]
    assert engine.sharing_rules_naming(tenant, "department", "HQ") == []
    engine.update_department(tenant, "Sales", name="Field Sales")
    assert names(engine, tenant, "helper") == ["helper's"]  # the rule names 'Sales' still
    assert engine.sharing_rules_naming(tenant, "department", "Field Sales") == []
