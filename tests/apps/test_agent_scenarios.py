"""代理通 (examples/agent) through REST as each role, on SQLite and PostgreSQL.

One tenant per database with crm and agent installed, the channel people upstream and two
agents downstream (Agent East, whose partner manager is the channel manager, and Agent
West); each test makes its own records. What is checked is what each user sees and may
do: a lead upstream distributes to Agent East reaches its people and no one of Agent West;
a deal registration goes through the partner manager and the channel director and opens a
partner opportunity; the same customer cannot be registered twice, by any agent, until a
rejection releases it; an activity's expenses roll up exactly and may not exceed its
approved budget; the upstream sales team sees the partner pipeline as the sharing rules
say, the home views count what their reader sees, and a registration's protection ends
after 90 days unless its deal was won.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from decimal import Decimal
from typing import Any

import pytest

from hulian.engine.automations import run_scheduled
from hulian.metadata import load_pack
from tests.conftest import EXAMPLE_CRM, ROOT
from tests.integration.test_rest_support import Api, body

EXAMPLE_AGENT = ROOT / "examples" / "agent"
USERS = ("admin", "chen", "liu", "zhao", "rep", "east.boss", "east.sales", "west.boss",
         "west.sales")
_codes = itertools.count(1)


class World:
    """The installed tenant: an :class:`Api` per user and a product at 1,000."""

    def __init__(self, engine: Any, tenant: str) -> None:
        self.engine, self.tenant = engine, tenant
        self.api = {user: Api(engine, tenant, user) for user in USERS}
        self.product = self.api["admin"].create(
            "Product", {"name": "CP-200", "sku": f"CP-{tenant}", "unit_price": "1000"})["id"]

    def __getitem__(self, user: str) -> Api:
        return self.api[user]


@pytest.fixture(scope="module")
def world(engine) -> World:
    """crm and agent installed once per database. Departments: Sales (led by zhao, the
    sales director, with the sales rep) and, apart from it, Channel with Agent Channel
    below (led by liu, the channel director, with chen, the channel manager)."""
    tenant = f"agent{os.getpid()}"
    metadata = engine.metadata(tenant)
    metadata.install_pack(load_pack(EXAMPLE_CRM))
    metadata.install_pack(load_pack(EXAMPLE_AGENT))
    people = engine.people(tenant)
    people.create_department("Sales")
    people.create_department("Channel")
    people.create_department("Agent Channel", parent="Channel")
    people.create_user("zhao", department="Sales", roles=["sales_director"])
    people.create_user("rep", department="Sales", roles=["sales_rep"])
    people.create_user("chen", department="Agent Channel", roles=["channel_manager"])
    people.create_user("liu", department="Agent Channel", roles=["channel_director"])
    people.set_department_leader("Sales", "zhao")
    people.set_department_leader("Agent Channel", "liu")
    for name, prefix in (("Agent East", "east"), ("Agent West", "west")):
        people.create_enterprise(name, partner_manager="chen")
        people.create_user(f"{prefix}.boss", enterprise=name, roles=["agent_boss"])
        people.create_user(f"{prefix}.sales", enterprise=name, roles=["agent_sales"])
    return World(engine, tenant)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return body(response)


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return body(response)["error"]


def _ids(api: Api, object_name: str) -> set[str]:
    return {r["id"] for r in api.list(object_name, limit=200)["records"]}


def _credit_code() -> str:
    """A unified social credit code no other test registers (18 characters)."""
    return f"91310000MA{os.getpid() % 10000:04d}{next(_codes):04d}"


def _register(api: Api, world: World, **values: Any) -> dict[str, Any]:
    return api.create("DealRegistration", {
        "customer_name": "华信商贸", "product": world.product, "expected_amount": "120000",
        **values})


# --- leads ----------------------------------------------------------------------------


def test_upstream_distributes_a_lead_to_agent_east_and_only_its_people_see_it(engine, world):
    chen, east, boss, west = world["chen"], world["east.sales"], world["east.boss"], \
        world["west.sales"]
    lead = chen.create("PartnerLead", {"company": "金陵精密", "phone": "+86 25 8466 1020",
                                       "estimated_amount": "380000"})
    assert (lead["business_type"], lead["source"], lead["status"]) == \
        ("distributed", "brand_campaign", "new")
    path = f"/objects/PartnerLead/records/{lead['id']}"
    assert lead["id"] not in _ids(east, "PartnerLead")  # not before it is given to them

    # distributing: upstream assigns it to Agent East (分配给下游)
    east_id = {e.name: e.id for e in engine.people(world.tenant).enterprises()}["Agent East"]
    given = _ok(chen.patch(path, {"out_tenant_id": east_id, "version": lead["version"]}))
    assert (given["status"], given["out_tenant_id"]) == ("assigned", east_id)
    assert given["distributed_on"] is not None  # the automation lead_distributed
    assert given["owner_id"] == lead["owner_id"]  # still the channel manager's upstream
    titles = [n["title"] for n in _ok(east.get("/notifications"))["notifications"]]
    assert "新线索 / New lead: 金陵精密" in titles
    assert lead["id"] in _ids(east, "PartnerLead") and lead["id"] in _ids(boss, "PartnerLead")
    record = _ok(east.get(path))
    worked = _ok(east.patch(path, {"status": "working", "notes": "电话已联系",
                                   "version": record["version"]}))
    assert worked["status"] == "working"
    refused = east.patch(path, {"source": "agent_own", "version": worked["version"]})
    assert _error(refused, 422)["details"][0]["code"] == "field_read_only"
    refused = east.patch(path, {"out_tenant_id": None, "version": worked["version"]})
    assert _error(refused, 422)["details"][0]["code"] == "read_only"  # only upstream assigns

    # another agent sees nothing of it, not even that it exists
    assert lead["id"] not in _ids(west, "PartnerLead")
    assert _error(west.get(path), 404)["code"] == "record_not_found"
    assert _error(west.call("PUT", f"{path}/team/west.sales", {"access": "read"}), 404)[
        "code"] == "record_not_found"
    # upstream: the channel manager owns it, the channel director leads the department
    assert lead["id"] in _ids(world["liu"], "PartnerLead")
    assert _error(world["rep"].get(path), 403)["code"] == "action_denied"  # no lead rights


def test_an_agents_own_lead_goes_to_the_channel_managers_and_stays_in_its_enterprise(world):
    east, boss, west = world["east.sales"], world["east.boss"], world["west.boss"]
    lead = east.create("PartnerLead", {"company": "太湖水务", "phone": "139 1234 5678"})
    assert (lead["business_type"], lead["source"], lead["status"]) == \
        ("agent_sourced", "agent_own", "working")
    chen_id = _ok(world["chen"].get("/auth/me"))["user"]["id"]
    assert lead["owner_id"] == chen_id  # the owner rule: channel managers in turn
    assert lead["id"] in _ids(boss, "PartnerLead")  # company_read_write in the enterprise
    assert lead["id"] not in _ids(west, "PartnerLead")
    assert lead["id"] in _ids(world["chen"], "PartnerLead")

    refused = east.post("/objects/PartnerLead/records", {"company": "无联系方式"})
    assert _error(refused, 422)["details"][0]["hint"] == "rule reach_needed"
    refused = east.post("/objects/PartnerLead/records",
                        {"company": "x", "phone": "13100000001", "business_type": "distributed"})
    assert _error(refused, 422)["details"][0]["code"] == "business_type_not_allowed"


# --- deal registration ------------------------------------------------------------------


def test_a_deal_registration_is_approved_end_to_end(world):
    chen, liu, east, boss = world["chen"], world["liu"], world["east.sales"], world["east.boss"]
    lead = east.create("PartnerLead", {"company": "华东水务", "phone": "13800000001"})
    lead_path = f"/objects/PartnerLead/records/{lead['id']}"
    refused = east.patch(lead_path, {"status": "converted", "version": lead["version"]})
    assert _error(refused, 422)["details"][0]["hint"] == "rule convert_by_registering"

    code = _credit_code()
    registration = _register(east, world, customer_name="华东水务", credit_code=code.lower(),
                             lead=lead["id"], expected_amount="600000")
    assert (registration["status"], registration["credit_key"]) == ("draft", code)
    path = f"/objects/DealRegistration/records/{registration['id']}"
    refused = east.patch(path, {"status": "approved", "version": registration["version"]})
    assert _error(refused, 422)["details"][0]["code"] == "field_read_only"

    # the agent submits; the partner manager, then the channel director (over 500,000)
    state = _ok(east.post(f"{path}/approval/submit", {"comment": "客户 1 月定标"}))
    assert (state["approval"]["step"], state["locked"]) == ("partner_manager", True)
    assert registration["id"] in {a["record_id"] for a in
                                  _ok(chen.get("/approvals/pending"))["approvals"]}
    assert _error(liu.post(f"{path}/approval/approve", {}), 403)["code"] == "not_an_approver"
    assert _ok(chen.post(f"{path}/approval/approve", {}))["approval"]["step"] == \
        "channel_director"
    state = _ok(liu.post(f"{path}/approval/approve", {"comment": "同意"}))
    assert (state["approval"]["status"], state["locked"]) == ("approved", True)

    record = _ok(east.get(path))
    approved_on = dt.date.fromisoformat(record["approved_on"])
    assert record["status"] == "approved"
    assert dt.date.fromisoformat(record["protected_until"]) == approved_on + dt.timedelta(90)
    refused = east.patch(path, {"notes": "late", "version": record["version"]})
    assert _error(refused, 409)["code"] == "record_locked"

    # the automation opened a partner opportunity, the agent's, and told its people
    opportunity = _ok(east.get(f"{path}/related/opportunities"))["records"]
    assert [(o["amount"], o["stage"], o["customer_name"]) for o in opportunity] == \
        [(Decimal("600000.00"), "qualification", "华东水务")]
    assert opportunity[0]["out_tenant_id"] == record["out_tenant_id"]
    assert opportunity[0]["id"] in _ids(boss, "PartnerOpportunity")
    assert opportunity[0]["id"] not in _ids(world["west.boss"], "PartnerOpportunity")
    titles = [n["title"] for n in _ok(boss.get("/notifications"))["notifications"]]
    assert "报备已通过 / Registration approved: 华东水务" in titles

    # the lead is converted now that a registration names it
    lead = _ok(east.get(lead_path))
    assert lead["registration_count"] == 1
    converted = _ok(east.patch(lead_path, {"status": "converted", "version": lead["version"]}))
    assert converted["converted_on"] == record["approved_on"]  # both today


def test_a_small_registration_needs_only_the_partner_manager(world):
    east, chen = world["east.sales"], world["chen"]
    registration = _register(east, world, customer_phone=f"+86 139 {next(_codes):04d} 0001",
                             expected_amount="80000")
    path = f"/objects/DealRegistration/records/{registration['id']}"
    _ok(east.post(f"{path}/approval/submit", {}))
    state = _ok(chen.post(f"{path}/approval/approve", {}))
    assert state["approval"]["status"] == "approved"
    # 80,000: the director's step was skipped, nobody of it was asked
    assert {a["step"] for a in state["approval"]["approvers"]} == {"partner_manager"}


def test_a_second_registration_of_the_same_customer_is_refused(world):
    east, west, chen = world["east.sales"], world["west.sales"], world["chen"]
    code, number = _credit_code(), next(_codes)
    first = _register(east, world, credit_code=code.lower(),
                      customer_phone=f"+86 138-{number:04d}-5678")

    # the same code, written differently, by another agent: refused, naming the key
    refused = west.post("/objects/DealRegistration/records", {
        "customer_name": "华信（另一家代理商）", "credit_code": f" {code} ".strip(),
        "product": world.product, "expected_amount": "1000"})
    error = _error(refused, 422)
    assert error["code"] == "validation_failed"
    assert [(d["field"], d["code"]) for d in error["details"]] == \
        [("credit_key", "duplicate_value")]
    assert "already has this value" in error["details"][0]["message"]
    # the same phone with other punctuation, by the same agent
    refused = east.post("/objects/DealRegistration/records", {
        "customer_name": "华信", "customer_phone": f"138 {number:04d} 5678",
        "product": world.product, "expected_amount": "1000"})
    assert [(d["field"], d["code"]) for d in _error(refused, 422)["details"]] == \
        [("phone_key", "duplicate_value")]
    # the agent did not learn which agent registered it: West cannot read the first
    assert first["id"] not in _ids(west, "DealRegistration")

    # neither code nor phone: the customer cannot be checked, so it is refused
    refused = east.post("/objects/DealRegistration/records", {
        "customer_name": "无标识", "product": world.product, "expected_amount": "1000"})
    assert _error(refused, 422)["details"][0]["hint"] == "rule code_or_phone"
    # the customer cannot be swapped on a registration
    refused = east.patch(f"/objects/DealRegistration/records/{first['id']}",
                         {"credit_code": _credit_code(), "version": first["version"]})
    assert _error(refused, 422)["details"][0]["hint"] == "rule customer_fixed"

    # a rejection releases the customer: West may register it then
    path = f"/objects/DealRegistration/records/{first['id']}"
    _ok(east.post(f"{path}/approval/submit", {}))
    _ok(chen.post(f"{path}/approval/reject", {"comment": "客户已由直销跟进"}))
    rejected = _ok(east.get(path))
    assert (rejected["status"], rejected["credit_key"], rejected["phone_key"]) == \
        ("rejected", None, None)
    again = _register(west, world, credit_code=code)
    assert again["credit_key"] == code


# --- marketing activities ------------------------------------------------------------


def test_an_activity_request_is_approved_and_its_expenses_roll_up_within_budget(world):
    boss, east, chen, west = world["east.boss"], world["east.sales"], world["chen"], \
        world["west.boss"]
    activity = boss.create("MarketingActivity", {
        "title": "华东水处理研讨会", "activity_type": "seminar", "start_date": "2027-01-12",
        "requested_budget": "30000"})
    path = f"/objects/MarketingActivity/records/{activity['id']}"
    expenses = "/objects/ActivityExpense/records"
    refused = east.post(expenses, {"activity": activity["id"], "amount": "100"})
    assert "rule activity_approved" in {d["hint"] for d in _error(refused, 422)["details"]}

    _ok(boss.post(f"{path}/approval/submit", {}))
    state = _ok(chen.post(f"{path}/approval/approve", {}))  # 30,000: one step
    assert (state["approval"]["status"], state["locked"]) == ("approved", False)
    record = _ok(boss.get(path))
    assert (record["status"], record["approved_budget"]) == ("approved", Decimal("30000.00"))
    refused = boss.patch(path, {"approved_budget": "90000", "version": record["version"]})
    assert _error(refused, 422)["details"][0]["code"] == "field_read_only"
    refused = boss.patch(path, {"requested_budget": "90000", "version": record["version"]})
    assert _error(refused, 422)["details"][0]["hint"] == "rule budget_fixed_once_submitted"

    made = [east.create("ActivityExpense", {"activity": activity["id"], "amount": amount,
                                            "expense_type": kind})
            for amount, kind in (("12000.50", "venue"), ("9999.25", "catering"))]
    record = _ok(boss.get(path))
    assert (record["spent"], record["remaining"], record["expense_count"],
            record["largest_expense"], record["budget_used"]) == \
        (Decimal("21999.75"), Decimal("8000.25"), 2, Decimal("12000.50"), Decimal("73.33"))

    # one cent over the budget is refused; exactly the rest is accepted
    refused = east.post(expenses, {"activity": activity["id"], "amount": "8000.26"})
    details = _error(refused, 422)["details"]
    assert [(d["field"], d["hint"]) for d in details] == [("amount", "rule within_budget")]
    assert details[0]["messages"]["zh"].startswith("费用超出活动的批准预算")
    last = east.create("ActivityExpense", {"activity": activity["id"], "amount": "8000.25"})
    assert _ok(boss.get(path))["remaining"] == Decimal("0.00")
    refused = east.patch(f"{expenses}/{last['id']}", {"amount": "8000.26",
                                                      "version": last["version"]})
    assert _error(refused, 422)["details"][0]["hint"] == "rule within_budget"
    _ok(east.patch(f"{expenses}/{last['id']}", {"amount": "5000", "version": last["version"]}))
    assert boss.delete(f"{expenses}/{made[0]['id']}").status_code == 204
    record = _ok(boss.get(path))
    assert (record["spent"], record["remaining"], record["expense_count"]) == \
        (Decimal("14999.25"), Decimal("15000.75"), 2)

    # the activity and its expenses are Agent East's alone; upstream reads them
    assert activity["id"] not in _ids(west, "MarketingActivity")
    assert _error(west.get(f"{expenses}/{last['id']}"), 404)["code"] == "record_not_found"
    assert activity["id"] in _ids(chen, "MarketingActivity")
    assert activity["id"] in _ids(world["liu"], "MarketingActivity")


def test_a_big_activity_budget_goes_to_the_channel_director(world):
    boss, chen, liu = world["east.boss"], world["chen"], world["liu"]
    activity = boss.create("MarketingActivity", {
        "title": "春季路演", "activity_type": "roadshow", "start_date": "2027-03-05",
        "requested_budget": "86000"})
    path = f"/objects/MarketingActivity/records/{activity['id']}"
    _ok(boss.post(f"{path}/approval/submit", {}))
    assert _ok(chen.post(f"{path}/approval/approve", {}))["approval"]["step"] == \
        "channel_director"
    assert _ok(liu.post(f"{path}/approval/reject", {"comment": "预算过高"}))["approval"][
        "status"] == "rejected"
    assert _ok(boss.get(path))["status"] == "rejected"


# --- the partner pipeline upstream ------------------------------------------------------


def test_upstream_sees_the_partner_opportunities_as_the_sharing_rules_say(world):
    east, boss, west = world["east.sales"], world["east.boss"], world["west.boss"]
    big = east.create("PartnerOpportunity", {"title": "无锡水厂改造", "amount": "1200000",
                                             "product": world.product})
    small = east.create("PartnerOpportunity", {"title": "滤芯补货", "amount": "28000"})
    both = {big["id"], small["id"]}
    assert both <= _ids(boss, "PartnerOpportunity")  # company_read_write in Agent East
    assert not both & _ids(west, "PartnerOpportunity")
    assert both <= _ids(world["chen"], "PartnerOpportunity")  # the partner manager owns them
    assert both <= _ids(world["liu"], "PartnerOpportunity")  # leads Agent Channel
    assert both <= _ids(world["zhao"], "PartnerOpportunity")  # pipeline_to_sales_director
    rep = _ids(world["rep"], "PartnerOpportunity")
    assert big["id"] in rep and small["id"] not in rep  # big_deals_to_sales: a million+
    refused = world["zhao"].patch(f"/objects/PartnerOpportunity/records/{big['id']}",
                                  {"stage": "won", "version": big["version"]})
    assert _error(refused, 403)["code"] == "action_denied"  # the director reads the pipeline

    # winning needs the amount and cannot be undone; a won registration reaches the director
    code = _credit_code()
    registration = _register(east, world, credit_code=code)
    path = f"/objects/DealRegistration/records/{registration['id']}"
    assert registration["id"] not in _ids(world["zhao"], "DealRegistration")
    _ok(east.post(f"{path}/approval/submit", {}))
    _ok(world["chen"].post(f"{path}/approval/approve", {}))
    opportunity = _ok(east.get(f"{path}/related/opportunities"))["records"][0]
    opp_path = f"/objects/PartnerOpportunity/records/{opportunity['id']}"
    refused = east.patch(opp_path, {"stage": "won", "amount": None,
                                    "version": opportunity["version"]})
    assert _error(refused, 422)["details"][0]["hint"] == "rule won_needs_amount"
    won = _ok(east.patch(opp_path, {"stage": "won", "amount": "118000",
                                    "version": opportunity["version"]}))
    refused = east.patch(opp_path, {"stage": "negotiation", "version": won["version"]})
    assert _error(refused, 422)["details"][0]["hint"] == "rule closed_stays_closed"
    assert _ok(east.get(path))["won_amount"] == Decimal("118000.00")
    assert registration["id"] in _ids(world["zhao"], "DealRegistration")  # won_to_sales_director


def test_the_home_views_count_what_their_reader_sees(engine, world):
    """A fresh agent, so the numbers are exact: its owner's performance widgets and its
    salesperson's phone home count only its own records."""
    people = engine.people(world.tenant)
    people.create_enterprise("Agent North", partner_manager="chen")
    people.create_user("north.boss", enterprise="Agent North", roles=["agent_boss"])
    people.create_user("north.sales", enterprise="Agent North", roles=["agent_sales"])
    boss, sales = Api(engine, world.tenant, "north.boss"), Api(engine, world.tenant, "north.sales")
    for amount, stage in (("100000", "quotation"), ("50000", "solution"), ("30000", "won")):
        sales.create("PartnerOpportunity", {"title": f"north {amount}", "amount": amount,
                                            "stage": stage})
    sales.create("PartnerLead", {"company": "北方客户", "phone": "13100000000"})

    home = _ok(boss.get("/home"))
    assert home["api_name"] == "agent_boss_home"
    values = {w["label"]["en"]: w.get("value") for w in home["widgets"] if w["kind"] == "metric"}
    assert values == {"Registrations won": 0, "Won amount": Decimal("30000.00"),
                      "Pipeline": Decimal("150000.00"),
                      "Weighted pipeline": Decimal("15000.00"),  # probability 10% by default
                      "Activity budget used": Decimal("0"), "Activity budget left": Decimal("0")}
    mobile = _ok(sales.get("/home", params={"channel": "mobile"}))
    assert mobile["api_name"] == "agent_mobile_home"
    values = {w["label"]["en"]: w.get("value") for w in mobile["widgets"] if w["kind"] == "metric"}
    assert values == {"Open leads": 1, "Pipeline": Decimal("150000.00")}
    desk = _ok(world["chen"].get("/home"))
    assert desk["api_name"] == "channel_desk"
    assert [w["label"]["en"] for w in desk["widgets"]][:2] == \
        ["Registrations to approve", "Partner pipeline"]


def test_protection_ends_after_90_days_unless_the_deal_was_won(engine, world):
    """The worker's scheduled action on protected_until expires an approved registration
    and releases its customer; one whose opportunity was won stays approved."""
    east, chen = world["east.sales"], world["chen"]
    codes = [_credit_code(), _credit_code()]
    paths = []
    for code in codes:
        registration = _register(east, world, credit_code=code, expected_amount="90000")
        path = f"/objects/DealRegistration/records/{registration['id']}"
        _ok(east.post(f"{path}/approval/submit", {}))
        _ok(chen.post(f"{path}/approval/approve", {}))
        paths.append(path)
    won = _ok(east.get(f"{paths[1]}/related/opportunities"))["records"][0]
    _ok(east.patch(f"/objects/PartnerOpportunity/records/{won['id']}",
                   {"stage": "won", "version": won["version"]}))

    until = dt.date.fromisoformat(_ok(east.get(paths[0]))["protected_until"])
    assert run_scheduled(engine, world.tenant, dt.datetime.combine(
        until - dt.timedelta(days=1), dt.time(12), dt.UTC), limit=1000) == 0
    assert run_scheduled(engine, world.tenant, dt.datetime.combine(
        until, dt.time(0, 1), dt.UTC), limit=1000) >= 2
    expired, kept = (_ok(east.get(path)) for path in paths)
    assert (expired["status"], expired["credit_key"]) == ("expired", None)
    assert (kept["status"], kept["credit_key"]) == ("approved", codes[1])
    assert _register(world["west.sales"], world, credit_code=codes[0])["credit_key"] == codes[0]
    refused = world["west.sales"].post("/objects/DealRegistration/records", {
        "customer_name": "x", "credit_code": codes[1], "product": world.product,
        "expected_amount": "1"})
    assert _error(refused, 422)["details"][0]["field"] == "credit_key"


def test_an_agents_end_customer_is_its_enterprises_and_hides_the_partner_roll_ups(world):
    east, boss, west = world["east.sales"], world["east.boss"], world["west.boss"]
    account = east.create("Account", {"name": f"苏州园区水务 {next(_codes)}",
                                      "business_type": "end_customer",
                                      "customer_segment": "mid_market"})
    assert account["channels"] == ["dealer"]  # the type's default
    assert "partner_pipeline" not in account and "partner_won" not in account
    east.create("PartnerOpportunity", {"title": "园区二期", "account": account["id"],
                                       "amount": "70000"})
    path = f"/objects/Account/records/{account['id']}"
    record = _ok(boss.get(path))
    _ok(boss.patch(path, {"agent_contact": "Lao Zhou", "version": record["version"]}))
    assert _error(west.get(path), 404)["code"] == "record_not_found"
    upstream = _ok(world["chen"].get(path))
    assert upstream["partner_pipeline"] == Decimal("70000.00")
