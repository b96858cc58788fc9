"""The sample data loader (runtime/sample_data.py): people, ``$as``, keys shared across
packs, files that are not records, and the errors a pack author sees, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hulian.engine import HulianError
from hulian.runtime.demo import demo_packs
from hulian.runtime.sample_data import (
    load_people,
    load_records,
    load_sample_data,
    people_passwords,
    read_people,
)
from tests.conftest import EXAMPLE_CRM


def write(folder: Path, files: dict[str, object]) -> Path:
    for name, value in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
def crm_with_data(crm):
    """crm deployed into a fresh tenant with its people and records; (engine, tenant, keys)."""
    engine, tenant = crm
    keys: dict[str, str] = {}
    loaded = load_sample_data(engine, tenant, EXAMPLE_CRM, keys)
    assert loaded.records["Account"] == 4 and loaded.people
    return engine, tenant, keys


def test_crm_people_are_created_once(crm_with_data):
    engine, tenant, _ = crm_with_data
    people = engine.people(tenant)
    users = {u.username: u for u in people.users()}
    assert {"zhao", "sales.rep", "wang", "dealer.buyer"} <= set(users)
    departments = {d.name: d for d in people.departments()}
    assert departments["Sales"].leader_id == users["zhao"].id
    assert departments["Channel"].parent_id == departments["Sales"].id
    (dealer,) = people.enterprises()
    assert dealer.name == "Dealer A" and users["dealer.buyer"].enterprise_id == dealer.id
    assert people.user_roles("dealer.buyer") == ["dealer_buyer"]
    assert people.user_roles("zhao") == ["sales_director"]
    # a second run creates nothing and says so
    assert load_people(engine, tenant, EXAMPLE_CRM) == []
    assert len(people.users()) == len(users) and len(people.enterprises()) == 1


def test_a_later_pack_adds_users_to_the_same_enterprise_and_department(crm_with_data,
                                                                        tmp_path):
    engine, tenant, _ = crm_with_data
    later = write(tmp_path / "later", {"data/_people.json": {
        "departments": [{"name": "Sales"}, {"name": "Service", "parent": "Sales",
                                            "leader": "li.service"}],
        "users": [{"username": "li.service", "department": "Service", "roles": ["sales_rep"],
                   "password": "demo-service-pass"},
                  {"username": "sales.rep", "roles": ["sales_rep", "sales_director"]}],
        "enterprises": [{"name": "Dealer A", "users": [
            {"username": "dealer.boss", "roles": ["dealer_boss"], "password": "demo-boss-pass"}]},
            {"name": "Dealer B", "partner_manager": "wang",
             "users": [{"username": "b.buyer", "roles": ["dealer_buyer"]}]}],
    }})
    made = load_people(engine, tenant, later)
    assert made == ["department 'Service' below 'Sales'", "user 'li.service' in 'Service' "
                    "(sales_rep)", "user 'sales.rep' given sales_director",
                    "'li.service' leads 'Service'", "user 'dealer.boss' of 'Dealer A' "
                    "(dealer_boss)", "enterprise 'Dealer B' (partner manager 'wang')",
                    "user 'b.buyer' of 'Dealer B' (dealer_buyer)"]
    people = engine.people(tenant)
    assert [e.name for e in people.enterprises()] == ["Dealer A", "Dealer B"]
    assert {u.username for u in people.users(enterprise="Dealer A")} == {"dealer.buyer",
                                                                         "dealer.boss"}
    assert [d.name for d in people.departments()].count("Sales") == 1
    assert people.user_roles("sales.rep") == ["sales_director", "sales_rep"]
    assert people_passwords(later) == {"li.service": "demo-service-pass",
                                       "dealer.boss": "demo-boss-pass"}
    assert load_people(engine, tenant, later) == []


def test_as_creates_the_record_in_that_users_session(crm_with_data):
    engine, tenant, keys = crm_with_data
    buyer = next(u for u in engine.people(tenant).users() if u.username == "dealer.buyer")
    with engine.session(tenant) as s:
        placed = s.get("Order", keys["so_dealer_a"])
        others = s.get("Order", keys["so_huaxin"])
    assert placed["out_owner_id"] == buyer.id and placed["out_tenant_id"] == buyer.enterprise_id
    assert placed["line_count"] == 1
    assert others["out_tenant_id"] is None
    with engine.session(tenant, "dealer.buyer") as s:  # the dealer sees their own order only
        assert [r["id"] for r in s.query("Order").records] == [keys["so_dealer_a"]]


def test_keys_are_shared_across_packs_and_underscore_files_are_not_records(crm_with_data,
                                                                           tmp_path):
    engine, tenant, keys = crm_with_data
    later = write(tmp_path / "later", {
        "data/Contact.json": [{"$key": "later_li", "name": "Li", "account": {"$ref": "huaxin"}}],
        "data/Opportunity.json": [{"title": "Pumps for Li", "account": {"$ref": "huaxin"},
                                   "stage": "qualification"}],
        "data/_notes.json": {"not": "records"},
    })
    counts = load_records(engine, tenant, later, keys)
    assert counts == {"Contact": 1, "Opportunity": 1}
    with engine.session(tenant) as s:
        assert s.get("Contact", keys["later_li"])["account"] == keys["huaxin"]


def test_team_adds_people_to_the_new_records_team(crm_with_data, tmp_path):
    engine, tenant, keys = crm_with_data
    later = write(tmp_path / "later", {"data/Order.json": [
        {"$key": "later_order", "notes": "shared", "account": {"$ref": "huaxin"},
         "$team": [{"user": "sales.rep", "access": "edit"}, {"user": "zhao"}]}]})
    load_records(engine, tenant, later, keys)
    with engine.session(tenant) as s:
        team = {m["username"]: m["access"] for m in s.team("Order", keys["later_order"])}
    assert team == {"sales.rep": "edit", "zhao": "read"}


def test_user_and_enterprise_refs_give_a_record_downstream(crm_with_data, tmp_path):
    engine, tenant, keys = crm_with_data
    later = write(tmp_path / "later", {"data/Order.json": [
        {"$key": "given", "notes": "given", "out_owner_id": {"$user": "dealer.buyer"}},
        {"$key": "dispatched", "notes": "dispatched", "out_tenant_id": {"$enterprise":
                                                                        "Dealer A"}}]})
    load_records(engine, tenant, later, keys)
    with engine.session(tenant, "dealer.buyer") as s:
        seen = {r["notes"]: r for r in s.query("Order", filter="notes = 'given' || "
                                                         "notes = 'dispatched'").records}
    assert set(seen) == {"given", "dispatched"}
    buyer = next(u.id for u in engine.people(tenant).users() if u.username == "dealer.buyer")
    assert seen["given"]["out_owner_id"] == buyer
    assert seen["dispatched"]["out_owner_id"] is None


@pytest.mark.parametrize("files, where, says", [
    ({"data/Contact.json": [{"name": "A"}, {"name": "B", "account": {"$ref": "nowhere"}}]},
     "later/data/Contact.json/1", "$ref 'nowhere' names no record loaded before"),
    ({"data/Contact.json": [{"name": "A", "$as": "dealer.buyr"}]},
     "later/data/Contact.json/0", "$as 'dealer.buyr' is no user of the tenant"),
    ({"data/Contct.json": [{"name": "A"}]}, "later/data/Contct.json",
     "there is no object 'Contct'"),
    ({"data/Contact.json": [{"name": "A"}, {"name": "B", "email": "not an email"}]},
     "later/data/Contact.json/1", "Contact record is invalid: email"),
    ({"data/_people.json": {"users": [{"username": "x", "role": ["sales_rep"]}]}},
     "later/data/_people.json/users/0", "unknown key 'role'"),
    ({"data/Contact.json": [{"name": "A"}, {"name": "B", "$team": [{"username": "zhao"}]}]},
     "later/data/Contact.json/1", "$team must be a list of"),
    ({"data/Contact.json": [{"name": "A"}, {"name": "B", "owner_id": {"$user": "zhoa"}}]},
     "later/data/Contact.json/1", "$user 'zhoa' names no user"),
], ids=["ref", "as", "object", "invalid", "people", "team", "user"])
def test_a_mistake_names_the_file_the_record_and_what_is_wrong(crm_with_data, tmp_path,
                                                               files, where, says):
    engine, tenant, keys = crm_with_data
    with pytest.raises(HulianError) as caught:
        load_sample_data(engine, tenant, write(tmp_path / "later", files), keys)
    assert caught.value.code == "sample_data_invalid"
    assert caught.value.message.startswith(f"{where}: {says}"), caught.value.message
    if "$as" in says:
        assert caught.value.hint.startswith("did you mean 'dealer.buyer'?")
    with engine.session(tenant) as s:  # nothing of the bad file's earlier records stays
        assert s.count("Contact", filter="name = 'A'") == 0


def test_read_people_without_a_file_is_empty(tmp_path):
    assert read_people(tmp_path) == {"departments": [], "users": [], "enterprises": []}


def test_demo_packs_come_after_what_they_require(tmp_path):
    def pack(name, requires=None):
        write(tmp_path, {f"{name}/pack.json": {"name": name, "version": "1.0.0",
                                               "requires": requires or {}}})
    pack("crm")
    pack("zeta", {"crm": "^1.0.0"})
    pack("alpha", {"zeta": "^1.0.0"})   # through another dependent pack
    pack("beta", {"crm": "^1.0.0"})
    pack("other")                       # requires nothing: not a demo pack
    write(tmp_path, {"notes/readme.json": {}})
    assert [p.name for p in demo_packs(tmp_path)] == ["crm", "beta", "zeta", "alpha"]
