"""The 服务通 (service, ITR) preset pack through REST, as each of its roles, on SQLite and
PostgreSQL (docs/apps/service.md): a service request becomes a work order that the service
desk assigns downstream to the provider Service North (its dispatcher as the external owner,
or the enterprise alone), whose dispatcher and technician see it while another provider does
not; the technician checks in and completes it, and a satisfaction survey follows; a part
requisition's roll-ups are exact and it goes through its two approvals; the SLA due times
are computed and the worker flags an overdue work order; a dealer files a request that the
service desk receives.

crm and service are installed once per module and database; each test makes its own
records (the people are shared)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pytest

from hulian.engine.automations import run_scheduled
from tests.conftest import ROOT
from tests.integration.test_rest_support import Api, body, error

SERVICE = ROOT / "examples" / "service"
CRM = ROOT / "examples" / "crm"
USERS = ("svc.manager", "svc.agent", "north.dispatch", "north.tech", "south.dispatch",
         "south.tech", "a.buyer", "a.boss", "b.buyer")


@pytest.fixture(scope="module")
def world(engine):
    """crm and service in one tenant: the Service department (svc.manager leads it,
    svc.agent), the partner manager wang; providers Service North and Service South, each
    with a dispatcher and a technician; dealers Dealer A (a buyer and its boss) and Dealer
    B (a buyer). Yields (engine, tenant, {username: Api})."""
    tenant = f"svc_{os.getpid()}"
    engine.metadata(tenant).deploy(CRM)
    engine.metadata(tenant).install_pack(SERVICE)
    people = engine.people(tenant)
    people.create_department("Service")
    people.create_user("svc.manager", display_name="Zhou Min", department="Service",
                       roles=["service_manager"])
    people.set_department_leader("Service", "svc.manager")
    people.create_user("svc.agent", display_name="Sun Li", department="Service",
                       roles=["service_agent"])
    people.create_user("wang", roles=["sales_rep"])
    for provider, prefix in (("Service North", "north"), ("Service South", "south")):
        people.create_enterprise(provider, partner_manager="svc.manager")
        people.create_user(f"{prefix}.dispatch", display_name=f"{prefix} dispatcher",
                           enterprise=provider, roles=["sp_manager"])
        people.create_user(f"{prefix}.tech", display_name=f"{prefix} technician",
                           enterprise=provider, roles=["sp_technician"])
    people.create_enterprise("Dealer A", partner_manager="wang")
    people.create_user("a.buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    people.create_user("a.boss", enterprise="Dealer A", roles=["dealer_boss"])
    people.create_enterprise("Dealer B", partner_manager="wang")
    people.create_user("b.buyer", enterprise="Dealer B", roles=["dealer_buyer"])
    apis = {user: Api(engine, tenant, user) for user in ("admin", *USERS)}
    yield engine, tenant, apis
    for api in apis.values():
        api.client.close()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return body(response)


def field_errors(response: Any) -> set[tuple[str, str]]:
    err = error(response, 422)
    return {(d.get("field"), d.get("code")) for d in err["details"]}


def path(object_name: str, record: dict[str, Any]) -> str:
    return f"/objects/{object_name}/records/{record['id']}"


def patch(api: Api, object_name: str, record: dict[str, Any], values: dict[str, Any]) -> Any:
    """PATCH ``values`` at the version ``api``'s user reads now (1 when they cannot read it)."""
    current = api.get(path(object_name, record))
    version = body(current)["version"] if current.status_code == 200 else 1
    return api.patch(path(object_name, record), {**values, "version": version})


def numbers(api: Api, object_name: str, **params: Any) -> set[str]:
    return {r["number"] for r in api.list(object_name, limit=200, **params)["records"]}


def user_id(engine, tenant: str, username: str) -> str:
    return next(u.id for u in engine.people(tenant).users() if u.username == username)


def enterprise_id(engine, tenant: str, name: str) -> str:
    return next(e.id for e in engine.people(tenant).enterprises() if e.name == name)


def customer(apis: dict[str, Api], *, resolution_hours: int = 24, name: str = "Huaxin"
             ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An account with a contact, a product and a service agreement (4 h / resolution_hours)."""
    manager = apis["svc.manager"]
    account = apis["admin"].create("Account", {"name": name})
    contact = apis["admin"].create("Contact", {"name": "Wang Fang", "account": account["id"],
                                               "mobile": "+86 138 0000 1234"})
    product = apis["admin"].create("Product", {"name": "Pump CP-200", "unit_price": "12800.00"})
    agreement = manager.create("ServiceAgreement", {
        "title": f"{name} premium", "account": account["id"], "level": "premium",
        "response_hours": 4, "resolution_hours": resolution_hours, "start_date": "2026-01-01"})
    return account, contact, product, agreement


def dispatched(world, provider_prefix: str = "north", *, resolution_hours: int = 24,
               **request: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A request and its work order, assigned by the desk to the provider's dispatcher
    (which dispatches it) and accepted by them, naming their technician."""
    engine, tenant, apis = world
    agent, dispatcher = apis["svc.agent"], apis[f"{provider_prefix}.dispatch"]
    account, contact, product, agreement = customer(apis, resolution_hours=resolution_hours)
    sr = agent.create("ServiceRequest", {
        "subject": "Pump is noisy", "account": account["id"], "contact": contact["id"],
        "product": product["id"], "agreement": agreement["id"], "priority": "high",
        "site_address": "88 Zhangjiang Road", "description": "Loud noise at start", **request})
    wo = agent.create("WorkOrder", {"subject": "Repair the pump", "service_request": sr["id"],
                                    "account": account["id"], "product": product["id"]})
    assigned = ok(patch(agent, "WorkOrder", wo, {
        "out_owner_id": user_id(engine, tenant, f"{provider_prefix}.dispatch")}))
    assert assigned["status"] == "dispatched"
    ok(patch(dispatcher, "WorkOrder", wo, {
        "status": "accepted", "technician": user_id(engine, tenant, f"{provider_prefix}.tech")}))
    return sr, ok(agent.get(path("WorkOrder", wo)))


def test_a_request_becomes_a_work_order_that_only_service_north_sees(world):
    engine, tenant, apis = world
    agent, north, tech = apis["svc.agent"], apis["north.dispatch"], apis["north.tech"]
    account, contact, product, agreement = customer(apis)
    sr = agent.create("ServiceRequest", {
        "subject": "Pump is noisy", "account": account["id"], "contact": contact["id"],
        "product": product["id"], "agreement": agreement["id"], "priority": "high",
        "site_address": "88 Zhangjiang Road", "description": "Loud noise at start"})
    assert (sr["business_type"], sr["status"], sr["origin"]) == ("customer", "new", "phone")
    wo = agent.create("WorkOrder", {"subject": "Repair the pump", "service_request": sr["id"],
                                    "account": account["id"], "product": product["id"]})
    # what the provider needs is copied from the request when the work order is made
    assert (wo["business_type"], wo["status"], wo["priority"], wo["customer_name"],
            wo["contact_name"], wo["contact_phone"], wo["site_address"], wo["problem"]) == (
        "repair", "new", "high", "Huaxin", "Wang Fang", "+86 138 0000 1234",
        "88 Zhangjiang Road", "Loud noise at start")
    assert ok(agent.get(path("ServiceRequest", sr)))["work_order_count"] == 1

    # nobody downstream sees it yet; it cannot be dispatched without a provider, nor skip a step
    for user in ("north.dispatch", "north.tech", "south.dispatch"):
        assert error(apis[user].get(path("WorkOrder", wo)), 404)["code"] == "record_not_found"
    assert field_errors(patch(agent, "WorkOrder", wo, {"status": "dispatched"})) == {
        ("status", "validation_rule")}
    assert ("status", "validation_rule") in field_errors(
        patch(agent, "WorkOrder", wo, {"status": "in_progress"}))
    # only an interconnect user of an active enterprise can be the external owner
    assert field_errors(patch(agent, "WorkOrder", wo, {
        "out_owner_id": user_id(engine, tenant, "svc.manager")})) == {
        ("out_owner_id", "unknown_user")}

    # the desk assigns it to Service North's dispatcher: that dispatches it
    dispatcher_id = user_id(engine, tenant, "north.dispatch")
    assigned = ok(patch(agent, "WorkOrder", wo, {"out_owner_id": dispatcher_id}))
    assert (assigned["status"], assigned["out_owner_id"], assigned["out_tenant_id"]) == (
        "dispatched", dispatcher_id, enterprise_id(engine, tenant, "Service North"))
    assert assigned["owner_id"] == user_id(engine, tenant, "svc.agent")   # still the desk's
    seen = ok(north.get(path("WorkOrder", wo)))
    assert seen["customer_name"] == "Huaxin"
    assert not {"service_request", "account", "sla_due"} & set(seen)   # hidden upstream data
    assert wo["number"] in numbers(north, "WorkOrder", scene="to_accept")
    assert wo["number"] in numbers(north, "WorkOrder", scene="my_open_work_orders")
    error(north.get(path("ServiceRequest", sr)), 404)           # no such object for them
    # a provider cannot hand it on to another enterprise
    assert field_errors(patch(north, "WorkOrder", wo, {
        "out_tenant_id": enterprise_id(engine, tenant, "Service South")})) == {
        ("out_tenant_id", "read_only")}
    # its technician sees the provider's work orders; their own list once they are named
    assert wo["number"] in numbers(tech, "WorkOrder")
    assert wo["number"] not in numbers(tech, "WorkOrder", scene="my_open_work_orders")
    tech_id = user_id(engine, tenant, "north.tech")
    accepted = ok(patch(north, "WorkOrder", wo, {"status": "accepted", "technician": tech_id}))
    assert accepted["technician"] == tech_id
    assert wo["number"] in numbers(tech, "WorkOrder", scene="my_open_work_orders")
    assert field_errors(patch(tech, "WorkOrder", wo, {"priority": "low"})) == {
        ("priority", "field_read_only")}

    # the other provider sees nothing of it, and cannot even tell that it exists
    for user in ("south.dispatch", "south.tech"):
        assert wo["number"] not in numbers(apis[user], "WorkOrder")
        assert error(apis[user].get(path("WorkOrder", wo)), 404)["code"] == "record_not_found"
        error(patch(apis[user], "WorkOrder", wo, {"status": "in_progress"}), 404)
    # upstream, the service manager sees it
    assert wo["number"] in numbers(apis["svc.manager"], "WorkOrder")


def test_a_work_order_given_to_a_provider_is_taken_back_and_given_to_another(world):
    engine, tenant, apis = world
    agent, south, north = apis["svc.agent"], apis["south.dispatch"], apis["north.dispatch"]
    account = customer(apis, name="Jinan Steel")[0]
    wo = agent.create("WorkOrder", {"subject": "Service the pumps", "account": account["id"]})
    north_id, south_id = (enterprise_id(engine, tenant, name)
                          for name in ("Service North", "Service South"))
    # the user named and the enterprise named must agree
    assert field_errors(patch(agent, "WorkOrder", wo, {
        "out_owner_id": user_id(engine, tenant, "north.dispatch"), "out_tenant_id": south_id})
    ) == {("out_tenant_id", "enterprise_mismatch")}
    # given to Service South alone (no external owner): all its users see it
    given = ok(patch(agent, "WorkOrder", wo, {"out_tenant_id": south_id}))
    assert (given["status"], given["out_tenant_id"], given["out_owner_id"]) == (
        "dispatched", south_id, None)
    assert wo["number"] in numbers(south, "WorkOrder", scene="to_accept")
    assert wo["number"] not in numbers(south, "WorkOrder", scene="my_open_work_orders")
    ok(apis["south.tech"].get(path("WorkOrder", wo)))
    error(north.get(path("WorkOrder", wo)), 404)
    ok(patch(south, "WorkOrder", wo, {"status": "accepted",
                                      "technician": user_id(engine, tenant, "south.tech")}))

    # taken back upstream: an accepted work order goes back to new with it
    assert field_errors(patch(agent, "WorkOrder", wo, {"out_tenant_id": None})) == {
        ("status", "validation_rule")}
    back = ok(patch(agent, "WorkOrder", wo, {"out_tenant_id": None, "status": "new"}))
    assert (back["status"], back["out_tenant_id"], back["out_owner_id"]) == ("new", None, None)
    for user in ("south.dispatch", "south.tech"):
        assert error(apis[user].get(path("WorkOrder", wo)), 404)["code"] == "record_not_found"
    # given to Service North's dispatcher: dispatched again, South's technician cleared
    again = ok(patch(agent, "WorkOrder", wo, {
        "out_owner_id": user_id(engine, tenant, "north.dispatch")}))
    assert (again["status"], again["out_tenant_id"], again["technician"]) == (
        "dispatched", north_id, None)
    assert wo["number"] in numbers(north, "WorkOrder", scene="to_accept")
    assert wo["number"] not in numbers(south, "WorkOrder")
    history = ok(agent.get(f"{path('WorkOrder', wo)}/history"))
    handed = [(e["user"]["name"], f["old"], f["new"]) for e in history["entries"]
              for f in e.get("fields") or () if f["field"] == "out_owner_id"]
    assert handed == [("Sun Li", None, user_id(engine, tenant, "north.dispatch"))]


def test_a_check_in_starts_the_work_and_completion_brings_a_survey(world):
    apis = world[2]
    tech, agent = apis["north.tech"], apis["svc.agent"]
    _, wo = dispatched(world)
    wo_path = path("WorkOrder", wo)
    assert wo["status"] == "accepted"
    # completing without a visit, or skipping "in progress", is refused
    assert ("status", "validation_rule") in field_errors(
        patch(tech, "WorkOrder", wo, {"status": "completed", "resolution": "Fixed"}))

    before = dt.datetime.now(dt.UTC)
    visit = tech.create("TechnicianVisit", {"work_order": wo["id"]})   # check in: now
    check_in = dt.datetime.fromisoformat(visit["check_in"])
    assert before - dt.timedelta(seconds=1) <= check_in <= dt.datetime.now(dt.UTC)
    assert visit["technician"] == "north technician"
    after_check_in = ok(tech.get(wo_path))
    assert (after_check_in["status"], after_check_in["visit_count"]) == ("in_progress", 1)
    assert after_check_in["last_check_in"] == visit["check_in"]

    # checking out before the check-in, or without a result, is refused
    early = (check_in - dt.timedelta(hours=1)).isoformat()
    assert ("check_out", "validation_rule") in field_errors(
        patch(tech, "TechnicianVisit", visit, {"check_out": early, "result": "resolved"}))
    assert field_errors(patch(tech, "TechnicianVisit", visit, {
        "check_out": (check_in + dt.timedelta(hours=2)).isoformat()})) == {
        ("result", "validation_rule")}
    ok(patch(tech, "TechnicianVisit", visit, {
        "check_out": (check_in + dt.timedelta(minutes=90)).isoformat(), "result": "resolved"}))
    assert ok(tech.get(wo_path))["visit_hours"] == Decimal("1.50")

    assert field_errors(patch(tech, "WorkOrder", wo, {"status": "completed"})) == {
        ("resolution", "validation_rule")}
    done = ok(patch(tech, "WorkOrder", wo, {"status": "completed",
                                            "resolution": "Replaced the bearing"}))
    assert done["status"] == "completed" and done["completed_at"] is not None

    # the automation opened a survey for the desk; the provider does not see surveys
    [survey] = agent.list("SatisfactionSurvey", where={"work_order": wo["id"]})["records"]
    assert (survey["status"], survey["score"], survey["customer_name"], survey["technician"]) == (
        "pending", None, "Huaxin", "north technician")
    assert survey["number"] in numbers(agent, "SatisfactionSurvey", scene="surveys_to_call")
    error(tech.get(path("SatisfactionSurvey", survey)), 404)
    assert field_errors(patch(agent, "SatisfactionSurvey", survey, {"status": "done"})) == {
        ("score", "validation_rule")}
    assert field_errors(patch(agent, "SatisfactionSurvey", survey, {"score": 6})) == {
        ("score", "too_large")}
    ok(patch(agent, "SatisfactionSurvey", survey, {"status": "done", "score": 4,
                                                         "comments": "On time"}))
    assert ok(agent.get(wo_path))["survey_score"] == 4
    titles = [n["title"] for n in ok(agent.get("/notifications"))["notifications"]]
    assert f"工单已完工 / Completed: {wo['number']}" in titles
    # upstream closes it; it cannot be reopened by going back
    ok(patch(agent, "WorkOrder", wo, {"status": "closed"}))
    assert ("status", "validation_rule") in field_errors(
        patch(agent, "WorkOrder", wo, {"status": "in_progress"}))


def test_a_requisition_adds_up_exactly_and_is_approved_twice(world):
    apis = world[2]
    tech, north, manager = apis["north.tech"], apis["north.dispatch"], apis["svc.manager"]
    _, wo = dispatched(world)
    filt = apis["admin"].create("Product", {"name": "Filter F-10", "unit_price": "560.50"})
    pump = apis["admin"].create("Product", {"name": "Pump CP-200", "unit_price": "12800.00"})
    pr = tech.create("PartRequisition", {"work_order": wo["id"], "reason": "Bearing worn"})
    pr_path = path("PartRequisition", pr)
    assert (pr["status"], pr["line_count"], pr["total_quantity"], pr["total_amount"]) == (
        "draft", 0, 0, 0)
    # nothing to approve yet
    assert error(tech.post(f"{pr_path}/approval/submit", {}), 422)["code"] == \
        "approval_entry_criteria_not_met"
    lines = [tech.create("PartRequisitionLine", {"requisition": pr["id"], "product": p["id"],
                                                  "quantity": q})
             for p, q in ((filt, "2.5"), (pump, 1), (filt, "0.125"))]
    got = ok(tech.get(pr_path))
    # 2.5 x 560.50 + 1 x 12,800 + 0.125 x 560.50 = 1,401.25 + 12,800 + 70.06 (rounded line)
    assert (got["line_count"], got["total_quantity"], got["total_amount"]) == (
        3, Decimal("3.625"), Decimal("14271.31"))
    assert tech.delete(path("PartRequisitionLine", lines[2])).status_code == 204
    ok(patch(tech, "PartRequisitionLine", lines[0], {"quantity": 3}))
    got = ok(tech.get(pr_path))
    assert (got["line_count"], got["total_quantity"], got["total_amount"]) == (
        2, Decimal("4.000"), Decimal("14481.50"))
    # the other provider does not see it
    assert pr["number"] not in numbers(apis["south.dispatch"], "PartRequisition")

    state = ok(tech.post(f"{pr_path}/approval/submit", {"comment": "urgent"}))
    assert (state["approval"]["status"], state["approval"]["step"], state["locked"]) == (
        "pending", "provider_dispatcher", True)
    assert error(patch(tech, "PartRequisitionLine", lines[1], {"quantity": 2}), 409)[
        "code"] == "record_locked"
    assert [a["record_id"] for a in ok(apis["south.dispatch"].get("/approvals/pending"))[
        "approvals"]] == []
    assert pr["id"] in [a["record_id"] for a in ok(north.get("/approvals/pending"))["approvals"]]
    state = ok(north.post(f"{pr_path}/approval/approve", {"comment": "ok"}))
    # over 5,000: the service manager upstream approves too
    assert (state["approval"]["status"], state["approval"]["step"]) == (
        "pending", "service_manager")
    assert ok(north.get(path("WorkOrder", wo)))["parts_amount"] == 0   # approved ones only
    state = ok(manager.post(f"{pr_path}/approval/approve", {}))
    assert state["approval"]["status"] == "approved"
    assert ok(tech.get(pr_path))["status"] == "approved"
    assert ok(north.get(path("WorkOrder", wo)))["parts_amount"] == Decimal("14481.50")


def test_a_small_requisition_needs_only_the_provider(world):
    _, _, apis = world
    tech, north = apis["north.tech"], apis["north.dispatch"]
    _, wo = dispatched(world)
    part = apis["admin"].create("Product", {"name": "Seal kit", "unit_price": "45.00"})
    pr = tech.create("PartRequisition", {"work_order": wo["id"]})
    tech.create("PartRequisitionLine", {"requisition": pr["id"], "product": part["id"],
                                        "quantity": 4})
    ok(tech.post(f"{path('PartRequisition', pr)}/approval/submit", {}))
    state = ok(north.post(f"{path('PartRequisition', pr)}/approval/approve", {}))
    assert state["approval"]["status"] == "approved"
    assert ok(north.get(path("WorkOrder", wo)))["parts_amount"] == Decimal("180.00")


def test_sla_due_times_and_the_scheduled_overdue_flag(world):
    engine, tenant, apis = world
    agent, manager = apis["svc.agent"], apis["svc.manager"]
    # 12 hours to resolve under the agreement (a high priority alone would give 24)
    sr, wo = dispatched(world, resolution_hours=12)
    created = dt.datetime.fromisoformat(sr["created_at"])
    assert dt.datetime.fromisoformat(sr["response_due"]) == created + dt.timedelta(hours=4)
    assert dt.datetime.fromisoformat(sr["resolution_due"]) == created + dt.timedelta(hours=12)
    # the work order's due time counts from the request; it is stored in due_at, which the
    # provider reads (the formula reads through the request, which they may not)
    assert wo["sla_due"] == sr["resolution_due"] == wo["due_at"]
    assert ok(apis["north.tech"].get(path("WorkOrder", wo)))["due_at"] == wo["due_at"]
    # without an agreement the priority decides: urgent, 2 h to respond, 8 h to resolve
    bare = agent.create("ServiceRequest", {"subject": "Leak", "priority": "urgent",
                                           "account": apis["admin"].create(
                                               "Account", {"name": "Walk-in"})["id"],
                                           "description": "Water on the floor"})
    bare_created = dt.datetime.fromisoformat(bare["created_at"])
    assert dt.datetime.fromisoformat(bare["response_due"]) == bare_created + dt.timedelta(hours=2)
    assert dt.datetime.fromisoformat(bare["resolution_due"]) == \
        bare_created + dt.timedelta(hours=8)
    # the first response is recorded when the request leaves New, within 4 hours: met
    triaged = ok(patch(agent, "ServiceRequest", sr, {"status": "triaged"}))
    assert triaged["first_response_at"] is not None and triaged["response_met"] is True

    # a second work order that is completed before its due time is never flagged
    _, finished = dispatched(world)
    tech = apis["north.tech"]
    tech.create("TechnicianVisit", {"work_order": finished["id"]})
    ok(patch(tech, "WorkOrder", finished, {"status": "completed", "resolution": "Done"}))

    due = dt.datetime.fromisoformat(wo["due_at"])
    run_scheduled(engine, tenant, due - dt.timedelta(minutes=1), limit=1000)
    assert ok(agent.get(path("WorkOrder", wo)))["overdue"] is False
    run_scheduled(engine, tenant, due + dt.timedelta(minutes=1), limit=1000)
    late = ok(agent.get(path("WorkOrder", wo)))
    assert late["overdue"] is True
    assert ok(agent.get(path("WorkOrder", finished)))["overdue"] is False
    assert wo["number"] in numbers(manager, "WorkOrder", scene="overdue_work_orders")
    assert wo["number"] in numbers(apis["north.dispatch"], "WorkOrder",
                                   scene="overdue_work_orders")
    for user in ("svc.agent", "svc.manager"):   # its owner and the service managers
        titles = [n["title"] for n in ok(apis[user].get("/notifications"))["notifications"]]
        assert f"工单超期 / Overdue: {wo['number']}" in titles
    # the provider cannot clear the flag
    assert field_errors(patch(apis["north.tech"], "WorkOrder", wo, {"overdue": False})) == {
        ("overdue", "field_read_only")}


def test_a_dealer_files_a_request_that_the_service_desk_receives(world):
    engine, tenant, apis = world
    buyer, agent = apis["a.buyer"], apis["svc.agent"]
    product = apis["admin"].create("Product", {"name": "Pump CP-300", "unit_price": "9800"})
    made = buyer.create("ServiceRequest", {"subject": "Display pump leaks",
                                           "product": product["id"],
                                           "site_address": "200 Wensan Road",
                                           "description": "Water under the base"})
    assert (made["business_type"], made["origin"], made["status"]) == (
        "dealer", "dealer_portal", "new")
    assert not {"account", "agreement", "contact"} & set(made)
    assert made["out_owner_id"] == user_id(engine, tenant, "a.buyer")
    # the owner rules hand it to a service agent, who is told
    got = ok(agent.get(path("ServiceRequest", made)))
    assert got["owner_id"] == user_id(engine, tenant, "svc.agent")
    titles = [n["title"] for n in ok(agent.get("/notifications"))["notifications"]]
    assert f"经销商报修 / Dealer request: {made['number']}" in titles
    # an urgent one goes to the service manager instead
    # the dealer's form requires the site address
    assert field_errors(buyer.post("/objects/ServiceRequest/records", {
        "subject": "Pump stopped", "priority": "urgent", "description": "Stopped"})) == {
        ("site_address", "required")}
    urgent = buyer.create("ServiceRequest", {"subject": "Pump stopped", "priority": "urgent",
                                             "description": "Stopped", "site_address": "Depot"})
    assert ok(apis["svc.manager"].get(path("ServiceRequest", urgent)))["owner_id"] == \
        user_id(engine, tenant, "svc.manager")
    # dealers file dealer requests only, set no status, and see no work orders
    assert error(buyer.post("/objects/ServiceRequest/records", {
        "business_type": "customer", "subject": "x", "description": "y"}), 422)["details"][0][
        "code"] == "business_type_not_allowed"
    assert field_errors(patch(buyer, "ServiceRequest", made, {"status": "closed"})) == {
        ("status", "field_read_only")}
    assert error(buyer.get("/objects/WorkOrder/records"), 404)["code"] == "unknown_object"
    # its boss sees the dealer's requests; another dealer sees none of them
    assert made["number"] in numbers(apis["a.boss"], "ServiceRequest")
    assert made["number"] not in numbers(apis["b.buyer"], "ServiceRequest")
    error(apis["b.buyer"].get(path("ServiceRequest", made)), 404)


def test_each_role_gets_its_home_and_the_technician_a_phone_layout(world):
    _, _, apis = world
    home = ok(apis["north.tech"].get("/home", params={"channel": "mobile"}))
    assert (home["api_name"], home["channel"]) == ("sp_mobile", "mobile")
    assert [w["kind"] for w in home["widgets"]][:2] == ["scene_list", "metric"]
    assert ok(apis["north.dispatch"].get("/home"))["api_name"] == "sp_manager"
    assert ok(apis["north.tech"].get("/home"))["api_name"] == "sp_technician"
    assert ok(apis["svc.manager"].get("/home"))["api_name"] == "service_manager"
    assert ok(apis["svc.agent"].get("/home"))["api_name"] == "service_agent"
    layout = ok(apis["north.tech"].get("/objects/WorkOrder/layout",
                                       params={"channel": "mobile"}))
    assert layout["layout"] == "work_order_mobile"
    fields = [f["api_name"] for s in layout["sections"] for f in s["fields"]]
    assert fields[:3] == ["customer_name", "site_address", "contact_name"]
    assert "service_request" not in fields
    upstream = ok(apis["svc.agent"].get("/objects/WorkOrder/layout"))
    assert upstream["layout"] == "work_order_detail"
    mobile = ok(apis["a.buyer"].get("/home", params={"channel": "mobile"}))
    apps = {a["api_name"] for w in mobile["widgets"] if w["kind"] == "app_tiles"
            for a in w["apps"]}
    assert {"order", "service"} <= apps
