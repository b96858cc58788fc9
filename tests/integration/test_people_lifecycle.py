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
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_department("HQ")
    engine.people(tenant).create_department("Sales", parent="HQ")
    engine.people(tenant).create_department("East", parent="Sales")
    engine.people(tenant).create_department("Support", parent="HQ")
    for name, department in (("boss", "HQ"), ("rep", "Sales"), ("helper", "Support"),
                             ("pm", None)):
        engine.people(tenant).create_user(name, department=department)
    engine.people(tenant).set_department_leader("HQ", "boss")
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    engine.people(tenant).create_user("buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    for who in ("rep", "helper", "buyer"):
        with engine.session(tenant, who) as s:
            s.create("Order", {"name": f"{who}'s"})
    return engine, tenant


def user(engine, tenant, username):
    return next(u for u in engine.people(tenant).users(include_inactive=True)
                if u.username == username)


def department(engine, tenant, name):
    return next(d for d in engine.people(tenant).departments() if d.name == name)


def people_version(engine, tenant) -> int:
    with engine.db.connect() as conn:
        return conn.scalar(sa.select(tenants.c.people_version)
                           .where(tenants.c.name == tenant))


def names(engine, tenant, who) -> list[str]:
    with engine.session(tenant, who) as s:
        return sorted(r["name"] for r in s.query("Order"))


def snapshot(engine, tenant):
    """Everything a people change could touch, to check that a refused one changed nothing."""
    return (engine.people(tenant).users(include_inactive=True), engine.people(tenant).departments(),
            engine.people(tenant).enterprises(include_inactive=True),
            people_version(engine, tenant))


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
    moved = engine.people(tenant).update_user("rep", display_name="Wang Wei", department="Support")
    assert (moved.display_name, moved.department_id) == \
        ("Wang Wei", department(engine, tenant, "Support").id)
    assert user(engine, tenant, "rep") == moved
    assert people_version(engine, tenant) == version + 1
    rep = engine.people(tenant).update_user(moved.id, department=None)
    assert rep.department_id is None and rep.display_name == "Wang Wei"
    assert engine.people(tenant).update_user("rep", department="East").department_id == \
        department(engine, tenant, "East").id


def test_refused_user_changes_change_nothing(world):
    engine, tenant = world
    refused(engine, tenant, HulianError, "invalid_interconnect_user",
            lambda: engine.people(tenant).update_user("buyer", department="Sales"))
    refused(engine, tenant, NotFoundError, "unknown_department",
            lambda: engine.people(tenant).update_user("rep", display_name="X", department="Nope"))
    refused(engine, tenant, HulianError, "invalid_display_name",
            lambda: engine.people(tenant).update_user("rep", display_name=" "))
    refused(engine, tenant, HulianError, "invalid_display_name",
            lambda: engine.people(tenant).update_user("rep", display_name="x" * 201))
    refused(engine, tenant, NotFoundError, "unknown_user",
            lambda: engine.people(tenant).update_user("ghost", active=True))
    # an interconnect user has no department to leave: None is accepted
    assert engine.people(tenant).update_user("buyer", department=None).department_id is None


def test_a_deactivated_user_keeps_records_but_cannot_get_in(world):
    engine, tenant = world
    engine.people(tenant).set_password("rep", PASSWORD)
    login = engine.accounts.login(tenant, "rep", PASSWORD)
    token = engine.people(tenant).create_token("rep")
    rep = engine.people(tenant).update_user("rep", active=False)
    assert not rep.is_active
    with pytest.raises(UnauthenticatedError) as caught:
        engine.accounts.login_session(login.secret)
    assert caught.value.code == "invalid_session"
    with pytest.raises(UnauthenticatedError) as caught:
        engine.accounts.login(tenant, "rep", PASSWORD)
    assert caught.value.code == "invalid_credentials"
    with pytest.raises(UnauthenticatedError) as caught:
        engine.accounts.authenticate(token)
    assert caught.value.code == "invalid_token"
    with pytest.raises(NotFoundError) as caught, engine.session(tenant, "rep"):
        pass
    assert caught.value.code == "unknown_user"
    with engine.session(tenant) as s:  # the admin: the record and its owner stay
        (order,) = s.query("Order", {"name": "rep's"}).records
    assert order["owner_id"] == rep.id
    assert names(engine, tenant, "boss") == ["helper's", "rep's"]  # still led by boss

    assert engine.people(tenant).update_user(rep.id, active=True).is_active
    assert engine.accounts.authenticate(token).username == "rep"  # the token works again
    accounts = engine.accounts
    assert accounts.login_session(accounts.login(tenant, "rep", PASSWORD).secret).user == \
        user(engine, tenant, "rep")
    assert names(engine, tenant, "rep") == ["rep's"]
    with pytest.raises(UnauthenticatedError):  # the session deactivation ended stays ended
        engine.accounts.login_session(login.secret)


def test_inactive_users_are_listed_on_request_and_keep_their_name(world):
    engine, tenant = world
    engine.people(tenant).update_user("helper", active=False)
    assert "helper" not in {u.username for u in engine.people(tenant).users()}
    assert not user(engine, tenant, "helper").is_active
    assert engine.people(tenant).user_roles("helper") == ["member"]
    err = refused(engine, tenant, HulianError, "user_exists",
                  lambda: engine.people(tenant).create_user("helper"))
    assert "--activate" in err.hint
    renamed = engine.people(tenant).update_user("helper", display_name="Old Helper")  # still found
    assert renamed.display_name == "Old Helper" and not renamed.is_active


def test_the_last_admin_cannot_be_deactivated(world):
    engine, tenant = world
    refused(engine, tenant, ConflictError, "last_admin",
            lambda: engine.people(tenant).update_user("admin", active=False))
    engine.people(tenant).grant_roles("boss", ["admin"])
    engine.people(tenant).update_user("admin", active=False)
    refused(engine, tenant, ConflictError, "last_admin",
            lambda: engine.people(tenant).update_user("boss", active=False))
    engine.people(tenant).create_user("ops", roles=["ops_admin"])  # a pack's admin role counts
    engine.people(tenant).update_user("boss", active=False)
    refused(engine, tenant, ConflictError, "last_admin",
            lambda: engine.people(tenant).update_user("ops", active=False))
    engine.people(tenant).update_user("admin", active=True)  # is_admin counts
    assert not engine.people(tenant).update_user("ops", active=False).is_active


def test_a_partner_manager_in_use_cannot_be_deactivated(world):
    engine, tenant = world
    err = refused(engine, tenant, ConflictError, "partner_manager_in_use",
                  lambda: engine.people(tenant).update_user("pm", active=False))
    assert "Dealer A" in err.message and "hulian enterprise update" in err.hint
    engine.people(tenant).update_enterprise("Dealer A", partner_manager="boss")
    assert not engine.people(tenant).update_user("pm", active=False).is_active
    refused(engine, tenant, ConflictError, "partner_manager_in_use",
            lambda: engine.people(tenant).update_user("boss", active=False))
    engine.people(tenant).update_enterprise("Dealer A", active=False)
    assert not engine.people(tenant).update_user("boss", active=False).is_active


# -- departments ----------------------------------------------------------------------------

def test_a_department_is_renamed_and_moved(world):
    engine, tenant = world
    version = people_version(engine, tenant)
    sales = engine.people(tenant).update_department("Sales", name="Field Sales")
    assert sales.name == "Field Sales" and sales == department(engine, tenant, "Field Sales")
    assert engine.people(tenant).update_department(sales.id, name="Field Sales") == sales  # no-op
    top = engine.people(tenant).update_department("Field Sales", parent=None)
    assert top.parent_id is None
    under = engine.people(tenant).update_department("Field Sales", parent="Support")
    assert under.parent_id == department(engine, tenant, "Support").id
    assert people_version(engine, tenant) == version + 4
    assert engine.people(tenant).create_user("newbie", department="Field Sales").department_id == \
        sales.id


def test_refused_department_changes_change_nothing(world):
    engine, tenant = world
    refused(engine, tenant, ConflictError, "department_exists",
            lambda: engine.people(tenant).update_department("Sales", name="Support"))
    refused(engine, tenant, HulianError, "invalid_department",
            lambda: engine.people(tenant).update_department("Sales", name=""))
    for parent in ("HQ", "Sales", "East"):  # itself, or below it
        err = refused(engine, tenant, HulianError, "department_cycle",
                      lambda parent=parent: engine.people(tenant).update_department("HQ",
                                                                     parent=parent))
    assert "below it" in err.message
    refused(engine, tenant, HulianError, "department_cycle",
            lambda: engine.people(tenant).update_department("Sales", name="S2", parent="East"))
    refused(engine, tenant, NotFoundError, "unknown_department",
            lambda: engine.people(tenant).update_department("Sales", parent="Nope"))
    refused(engine, tenant, NotFoundError, "unknown_department",
            lambda: engine.people(tenant).update_department("Nope", name="X"))


def test_what_a_leader_sees_follows_people_and_departments(world):
    engine, tenant = world
    engine.people(tenant).set_department_leader("HQ", None)
    engine.people(tenant).set_department_leader("Sales", "boss")
    assert names(engine, tenant, "boss") == ["rep's"]
    engine.people(tenant).update_user("helper", department="East")  # below Sales
    assert names(engine, tenant, "boss") == ["helper's", "rep's"]
    engine.people(tenant).update_user("rep", department="Support")
    assert names(engine, tenant, "boss") == ["helper's"]
    engine.people(tenant).update_department("Support", parent="Sales")
    assert names(engine, tenant, "boss") == ["helper's", "rep's"]
    engine.people(tenant).update_department("East", parent=None)
    assert names(engine, tenant, "boss") == ["rep's"]


# -- enterprises ----------------------------------------------------------------------------

def test_an_enterprise_is_renamed(world):
    engine, tenant = world
    dealer = engine.people(tenant).update_enterprise("Dealer A", name="Dealer Alpha")
    assert dealer.name == "Dealer Alpha" and dealer.is_active
    assert engine.people(tenant).enterprises() == [dealer]
    assert user(engine, tenant, "buyer").enterprise_id == dealer.id
    assert names(engine, tenant, "buyer") == ["buyer's"]


def test_a_deactivated_enterprise_locks_its_users_out(world):
    engine, tenant = world
    engine.people(tenant).set_password("buyer", PASSWORD)
    login = engine.accounts.login(tenant, "buyer", PASSWORD)
    version = people_version(engine, tenant)
    dealer = engine.people(tenant).update_enterprise("Dealer A", active=False)
    assert not dealer.is_active and people_version(engine, tenant) == version + 1
    assert engine.people(tenant).enterprises() == []
    assert engine.people(tenant).enterprises(include_inactive=True) == [dealer]
    with pytest.raises(UnauthenticatedError):
        engine.accounts.login_session(login.secret)
    with pytest.raises(NotFoundError) as caught, engine.session(tenant, "buyer"):
        pass  # still a user, who cannot sign in (test_enterprise_sign_in.py)
    assert caught.value.code == "unknown_user"
    with engine.session(tenant) as s:
        assert len(s.query("Order", {"name": "buyer's"}).records) == 1
    assert [u.username for u in engine.people(tenant).users(enterprise=dealer.id,
                                             include_inactive=True)] == ["buyer"]
    with pytest.raises(NotFoundError):
        engine.people(tenant).users(enterprise=dealer.id)
    refused(engine, tenant, ConflictError, "enterprise_exists",  # names stay taken
            lambda: engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm"))
    again = engine.people(tenant).update_enterprise(dealer.id, active=True)
    assert again.is_active and names(engine, tenant, "buyer") == ["buyer's"]


def test_refused_enterprise_changes_change_nothing(world):
    engine, tenant = world
    engine.people(tenant).create_enterprise("Dealer B", partner_manager="pm")
    refused(engine, tenant, ConflictError, "enterprise_exists",
            lambda: engine.people(tenant).update_enterprise("Dealer A", name="Dealer B"))
    refused(engine, tenant, HulianError, "invalid_enterprise",
            lambda: engine.people(tenant).update_enterprise("Dealer A", name="x" * 201))
    refused(engine, tenant, HulianError, "invalid_partner_manager",
            lambda: engine.people(tenant).update_enterprise("Dealer A", partner_manager="buyer"))
    refused(engine, tenant, NotFoundError, "unknown_enterprise",
            lambda: engine.people(tenant).update_enterprise("Nope", active=False))
    engine.people(tenant).update_enterprise("Dealer A", active=False)
    engine.people(tenant).update_enterprise("Dealer B", partner_manager="boss")
    engine.people(tenant).update_user("pm", active=False)
    err = refused(engine, tenant, HulianError, "invalid_partner_manager",
                  lambda: engine.people(tenant).update_enterprise("Dealer A", active=True))
    assert "--partner-manager" in err.hint
    back = engine.people(tenant).update_enterprise("Dealer A", active=True, partner_manager="boss")
    assert back.is_active and back.partner_manager_id == user(engine, tenant, "boss").id


def test_a_rename_is_told_which_sharing_rules_name_the_old_name(world):
    engine, tenant = world
    shared = dict(DOCS)
    shared["objects/Order.json"] = {**ORDER, "sharing_rules": [
        {"api_name": "sales_to_support", "owned_by": {"department": "Sales"},
         "share_with": {"department": "Support"}},
        {"api_name": "to_dealer", "criteria": "BEGINS(name, 'rep')",
         "share_with": {"enterprise": "Dealer A"}}]}
    engine.metadata(tenant).deploy(pack_of(shared))
    assert names(engine, tenant, "helper") == ["helper's", "rep's"]
    assert engine.people(tenant).sharing_rules_naming("department", "Sales") == [
        "Order.sales_to_support"]
    assert engine.people(tenant).sharing_rules_naming("enterprise", "Dealer A") == [
        "Order.to_dealer"]
    assert engine.people(tenant).sharing_rules_naming("department", "HQ") == []
    engine.people(tenant).update_department("Sales", name="Field Sales")
    assert names(engine, tenant, "helper") == ["helper's"]  # the rule names 'Sales' still
    assert engine.people(tenant).sharing_rules_naming("department", "Field Sales") == []


def test_a_user_made_with_a_password_is_one_change(world):
    engine, tenant = world
    refused(engine, tenant, HulianError, "password_too_short",
            lambda: engine.people(tenant).create_user("li", password="short"))
    refused(engine, tenant, HulianError, "unknown_role",
            lambda: engine.people(tenant).create_user("li", password="li-initial-pass",
                                                      roles=["nope"]))
    engine.people(tenant).create_user("li", password="li-initial-pass")
    assert engine.accounts.login(tenant, "li", "li-initial-pass").user.username == "li"


def test_roles_are_set_in_one_change_or_not_at_all(world):
    engine, tenant = world
    staff = engine.people(tenant)
    before = staff.user_roles("rep")
    refused(engine, tenant, HulianError, "unknown_role",
            lambda: staff.set_roles("rep", ["member", "no_such_role"]))
    assert staff.user_roles("rep") == before
    assert staff.set_roles("rep", ["member"]) == ["member"]
    assert staff.user_roles("rep") == ["member"]
