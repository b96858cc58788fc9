"""Owner rules (负责人): who owns, upstream, a record a downstream user creates, on both
databases; and the checks a consultant gets for a bad rule.

People::

    Channel: pm (partner manager of Dealer A), kam
    Service: s1, s2, s3 (s3 inactive in one test)   role: service_desk on s1 and s3
    Dealer A: buyer (dealer_buyer)
"""

from __future__ import annotations

import pytest

from hulian.engine import MetadataError, RecordValidationError
from tests.packs import documents, field, label, obj, options, pack_of

RULES = [
    {"api_name": "big", "condition": "amount >= 50000", "owner": {"user": "kam"}},
    {"api_name": "repairs", "condition": "ISPICKVAL(kind, \"repair\")",
     "owner": {"round_robin": {"department": "Service"}}},
    {"api_name": "desk", "condition": "ISPICKVAL(kind, \"question\")",
     "owner": {"round_robin": {"role": "service_desk"}}},
    {"api_name": "ghost", "condition": "ISPICKVAL(kind, \"ghost\")", "owner": {"user": "nobody"}},
]
TICKET = obj("Ticket", field("name", "text"), field("amount", "currency", scale=2),
             field("kind", "picklist", options=options("order", "repair", "question", "ghost")),
             data_permission={"internal": "private", "external": "company_read"},
             owner_rules=RULES)


def _role(api_name: str, kind: str) -> dict:
    return {"api_name": api_name, "label": label(api_name), "kind": kind,
            "objects": {"Ticket": {"create": True, "read": True, "edit": True}}}


def _docs(ticket: dict = TICKET) -> dict:
    docs = documents(ticket)
    docs["roles/dealer_buyer.json"] = _role("dealer_buyer", "interconnect")
    docs["roles/service_desk.json"] = _role("service_desk", "internal")
    docs["apps/service.json"] = {"api_name": "service", "label": label("Service"),
                                 "objects": ["Ticket"], "roles": ["dealer_buyer"]}
    return docs


@pytest.fixture
def world(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(_docs()))
    staff = engine.people(tenant)
    staff.create_department("Channel")
    staff.create_department("Service")
    staff.create_department("Field", parent="Service")  # members of sub-departments: not taken
    staff.create_user("pm", department="Channel")
    staff.create_user("kam", department="Channel")
    for name in ("s2", "s1", "s3"):
        staff.create_user(name, department="Service",
                          roles=["service_desk"] if name != "s2" else None)
    staff.create_user("f1", department="Field")
    staff.create_enterprise("Dealer A", partner_manager="pm")
    staff.create_user("buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    return engine, tenant


def _owners(engine, tenant, rows: list[dict]) -> list[str]:
    users = {u.id: u.username for u in engine.people(tenant).users()}
    with engine.session(tenant, "buyer") as s:
        ids = s.create_many("Ticket", rows)
    with engine.session(tenant) as s:
        return [users[s.get("Ticket", i)["owner_id"]] for i in ids]


def test_the_first_matching_rule_names_the_owner(world):
    engine, tenant = world
    with engine.session(tenant, "buyer") as s:
        big = s.create("Ticket", {"name": "big", "amount": "60000", "kind": "repair"})
        small = s.create("Ticket", {"name": "small", "amount": "10", "kind": "order"})
    users = {u.username: u for u in engine.people(tenant).users()}
    assert big["owner_id"] == users["kam"].id  # both "big" and "repairs" hold: first wins
    assert big["department_id"] == users["kam"].department_id
    assert small["owner_id"] == users["pm"].id  # no rule holds: the partner manager
    assert big["out_owner_id"] == users["buyer"].id  # the creator still owns it downstream


def test_round_robin_over_a_department_takes_turns_in_username_order(world):
    engine, tenant = world
    rows = [{"name": f"r{i}", "kind": "repair"} for i in range(4)]
    assert _owners(engine, tenant, rows[:1]) == ["s1"]
    assert _owners(engine, tenant, rows[1:]) == ["s2", "s3", "s1"]  # Field's f1 never


def test_round_robin_over_a_role_skips_people_without_it_and_inactive_people(world):
    engine, tenant = world
    engine.people(tenant).update_user("s3", active=False)
    rows = [{"name": f"q{i}", "kind": "question"} for i in range(3)]
    assert _owners(engine, tenant, rows) == ["s1", "s1", "s1"]


def test_the_owner_sees_the_record_and_other_internal_users_do_not(world):
    engine, tenant = world
    with engine.session(tenant, "buyer") as s:
        ticket = s.create("Ticket", {"name": "big", "amount": "90000", "kind": "order"})["id"]
    with engine.session(tenant, "kam") as s:
        assert s.get("Ticket", ticket)["name"] == "big"
    with engine.session(tenant, "pm") as s:
        assert [r["id"] for r in s.query("Ticket")] == []


def test_a_rule_naming_nobody_active_hands_the_record_to_the_partner_manager(world):
    engine, tenant = world
    assert _owners(engine, tenant, [{"name": "g", "kind": "ghost"}]) == ["pm"]
    for name in ("s1", "s3"):
        engine.people(tenant).update_user(name, active=False)
    assert _owners(engine, tenant, [{"name": "q", "kind": "question"}]) == ["pm"]


def test_internal_users_keep_owning_what_they_create(world):
    engine, tenant = world
    users = {u.username: u.id for u in engine.people(tenant).users()}
    with engine.session(tenant, "s2") as s:
        ticket = s.create("Ticket", {"name": "mine", "amount": "90000", "kind": "repair"})
    assert ticket["owner_id"] == users["s2"]


def test_a_failed_write_does_not_use_up_a_turn(world):
    engine, tenant = world
    with engine.session(tenant, "buyer") as s, pytest.raises(RecordValidationError):
        s.create_many("Ticket", [{"name": "ok", "kind": "repair"},
                                 {"name": "bad", "kind": "nope"}])
    assert _owners(engine, tenant, [{"name": "r", "kind": "repair"}]) == ["s1"]


def _problems(engine, tenant, docs) -> list[tuple[str, str, str]]:
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(pack_of(docs))
    return sorted((p.code, p.file, p.pointer) for p in exc.value.problems)


def test_bad_rules_are_reported_all_at_once(engine, tenant):
    bad = obj("Ticket", field("name", "text"), field("amount", "currency", scale=2),
              owner_rules=[
                  {"api_name": "a", "condition": "amount + 1", "owner": {"user": "kam"}},
                  {"api_name": "a", "owner": {"round_robin": {"role": "dealer_buyer"}}},
                  {"api_name": "c", "owner": {"user": "kam", "partner_manager": True}},
              ])
    found = _problems(engine, tenant, _docs(bad))
    assert ("name.duplicate", "objects/Ticket.json", "/owner_rules/1/api_name") in found
    assert ("owner_rule.unknown_role", "objects/Ticket.json",
            "/owner_rules/1/owner/round_robin/role") in found
    assert any(code.startswith("schema.") and pointer.startswith("/owner_rules/2/owner")
               for code, _, pointer in found)


def test_a_condition_must_be_a_boolean_formula(engine, tenant):
    bad = obj("Ticket", field("name", "text"), field("amount", "currency", scale=2),
              owner_rules=[{"api_name": "a", "condition": "amount + 1",
                            "owner": {"user": "kam"}}])
    found = _problems(engine, tenant, _docs(bad))
    assert [(f, p) for _, f, p in found] == [("objects/Ticket.json", "/owner_rules/0/condition")]


def test_details_have_no_owner_rules(engine, tenant):
    line = obj("TicketLine", field("name", "text"),
               field("ticket", "master_detail", target="Ticket", relationship_name="lines"),
               owner_rules=[{"api_name": "a", "owner": {"partner_manager": True}}])
    docs = _docs()
    docs.update(documents(line))
    found = _problems(engine, tenant, docs)
    assert found == [("owner_rule.on_detail", "objects/TicketLine.json", "/owner_rules")]
