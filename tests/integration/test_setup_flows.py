"""The config UI's flows (/setup/flows) without a browser, on both databases: the list,
an approval process and an automation made with the forms and deployed, a pack's
automation switched off, problems beside their inputs with nothing applied."""

from __future__ import annotations

import html
import re

import pytest

from tests.integration.test_setup_ui import _deploy
from tests.integration.ui_support import PASSWORD, hidden_csrf


@pytest.fixture
def admin(ui_site):
    ui_site.engine.people(ui_site.tenant).set_password("admin", PASSWORD)
    return ui_site.logged_in("admin")


def _post(client, path, data):
    """Fill in the form at ``path`` (its hidden inputs kept: the CSRF token, the base
    version, the number of rows) and send it."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form = {k: html.unescape(v) for k, v in form.items()}
    form.update(data)
    return client.post(path.split("?")[0], data=form)


def _version(ui_site):
    return ui_site.engine.metadata(ui_site.tenant).overlay().version


def _order(ui_site, user="admin", **values):
    with ui_site.engine.session(ui_site.tenant, user=user) as session:
        account = session.create("Account", {"name": "Acme"})
        return session.create("Order", {"account": account["id"], **values})


APPROVAL = {
    "type": "approval", "object": "Order", "api_name": "big_orders",
    "label_zh": "大额订单", "label_en": "Big orders", "active": "true",
    "entry_criteria": "ISPICKVAL(status, 'draft')",
    "step0_label_en": "Channel head", "step0_users": "wang", "step0_decision": "any",
    "submit0_field": "status", "submit0_value": "'pending_approval'",
    "approve0_field": "status", "approve0_value": "'approved'",
    "lock_details": "true", "lock_when_approved": "",
}


def test_the_list_shows_every_flow_with_its_object_kind_state_and_source(admin):
    page = admin.get("/setup/flows")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'href="/setup/flows/order_approval"' in text
    assert 'href="/setup/flows/order_approved_activity"' in text
    assert text.count('action="/setup/flows/order_approval/switch"') == 1
    assert 'href="/setup/flows" aria-current="page"' in text
    pack = admin.get("/setup/flows/order_approval")
    assert pack.status_code == 200
    assert "dealer_boss" in pack.text and 'action="/setup/flows/order_approval/delete"' \
        not in pack.text  # a pack's flow is shown, not edited nor deleted


def test_an_approval_made_with_the_form_waits_for_its_named_approver(ui_site, admin):
    form = admin.get("/setup/flows/new?type=approval&object=Order")
    assert form.status_code == 200 and 'name="rows_step" value="3"' in form.text
    plan = _post(admin, "/setup/flows/new?type=approval&object=Order", APPROVAL)
    assert plan.status_code == 200, plan.text
    assert "big_orders__c" in plan.text
    assert _version(ui_site) == 1  # nothing applied before the plan is confirmed
    done = _deploy(admin, plan)
    assert done.status_code == 303
    assert done.headers["location"] == "/setup/flows/big_orders__c?deployed=2"
    flow = ui_site.engine.metadata(ui_site.tenant).overlay().documents["flows/big_orders__c.json"]
    assert flow["steps"] == [{"api_name": "step_1", "label": {"zh": "Channel head",
                                                               "en": "Channel head"},
                              "approvers": [{"user": "wang"}]}]
    assert flow["lock"] == {"when_approved": False}

    order = _order(ui_site, user="rep", status="draft")
    with ui_site.engine.session(ui_site.tenant, user="rep") as session:
        state = session.submit_for_approval("Order", order["id"], process="big_orders__c")
        assert (state["approval"]["status"], state["approval"]["step"]) == ("pending", "step_1")
        assert session.get("Order", order["id"])["status"] == "pending_approval"
    with ui_site.engine.session(ui_site.tenant, user="wang") as session:
        assert [a["record_id"] for a in session.pending_approvals()] == [order["id"]]
        session.approve("Order", order["id"])
    with ui_site.engine.session(ui_site.tenant, user="rep") as session:
        assert session.get("Order", order["id"])["status"] == "approved"
        assert session.approval("Order", order["id"])["locked"] is False  # when_approved off

    again = admin.get("/setup/flows/big_orders__c")  # the same form, filled in
    assert again.status_code == 200
    assert 'name="step0_users" value="wang"' in again.text
    assert 'name="step0_api_name" value="step_1"' in again.text


def test_switching_the_pack_automation_off_stops_it(ui_site, admin):
    before = _order(ui_site, status="draft")
    with ui_site.engine.session(ui_site.tenant, user="admin") as session:
        session.update("Order", before["id"], {"status": "approved"},
                                               version=before["version"])
        assert len(session.activities("Order", before["id"]).records) == 1  # it fires
    page = admin.get("/setup/flows")
    plan = admin.post("/setup/flows/order_approved_activity/switch",
                      data={"csrf_token": hidden_csrf(page.text), "active": "false"})
    assert plan.status_code == 200 and "order_approved_activity" in plan.text
    assert _deploy(admin, plan).headers["location"] == "/setup/flows?deployed=2"
    overlay = ui_site.engine.metadata(ui_site.tenant).overlay()
    assert overlay.documents["flows/order_approved_activity.json"] == {
        "api_name": "order_approved_activity", "active": False}
    assert "停用" in admin.get("/setup/flows").text or \
        "inactive" in admin.get("/setup/flows").text
    after = _order(ui_site, status="draft")
    with ui_site.engine.session(ui_site.tenant, user="admin") as session:
        session.update("Order", after["id"], {"status": "approved"},
                                              version=after["version"])
        assert session.activities("Order", after["id"]).records == []


def test_a_bad_entry_formula_shows_its_caret_and_applies_nothing(ui_site, admin):
    page = _post(admin, "/setup/flows/new?type=approval&object=Order",
                 {**APPROVAL, "entry_criteria": "total_amount > 'x'"})
    assert page.status_code == 422
    assert 'id="error-entry_criteria"' in page.text
    found = html.unescape(page.text).split('id="error-entry_criteria">')[1].split("</p>")[0]
    assert "^" in found and "total_amount > 'x'" in found
    assert 'value="Channel head"' in page.text  # what was typed stays
    assert _version(ui_site) == 1


def test_an_unknown_approver_and_a_computed_field_are_shown_beside_their_inputs(ui_site, admin):
    page = _post(admin, "/setup/flows/new?type=approval&object=Order",
                 {**APPROVAL, "step0_users": "ghost"})
    assert page.status_code == 422
    assert "ghost" in page.text.split('id="error-step0_approvers"')[1].split("</p>")[0]
    page = _post(admin, "/setup/flows/new?type=approval&object=Order",
                 {**APPROVAL, "step1_roles": "sales_director", "step1_label_en": "Director",
                  "approve0_field": "total_amount"})
    assert page.status_code == 422
    assert 'id="error-approve0_field"' in page.text
    assert _version(ui_site) == 1


def test_an_automation_made_with_the_form_runs_then_is_deleted(ui_site, admin):
    plan = _post(admin, "/setup/flows/new?type=automation&object=Order", {
        "type": "automation", "object": "Order", "api_name": "welcome", "label_en": "Welcome",
        "active": "true", "trigger": "create", "condition": "ISPICKVAL(delivery, 'express')",
        "a_activity0_kind": "call", "a_activity0_text": "'Call about ' & number",
        "a_notify0_owner": "true", "a_notify0_title": "'Express order'",
        "a_notify0_body": "number", "s_field": "order_date", "s_offset_days": "x"})
    assert plan.status_code == 422
    assert 'id="error-s_offset_days"' in plan.text  # not a number, beside its input
    plan = _post(admin, "/setup/flows/new?type=automation&object=Order", {
        "type": "automation", "object": "Order", "api_name": "welcome", "label_en": "Welcome",
        "active": "true", "trigger": "create", "condition": "ISPICKVAL(delivery, 'express')",
        "a_activity0_kind": "call", "a_activity0_text": "'Call about ' & number",
        "a_notify0_owner": "true", "a_notify0_title": "'Express order'",
        "a_notify0_body": "number", "s_field": "order_date", "s_offset_days": "-2",
        "s_notify0_users": "wang", "s_notify0_title": "'Ships soon'", "s_notify0_body": "number"})
    assert _deploy(admin, plan).status_code == 303
    flow = ui_site.engine.metadata(ui_site.tenant).overlay().documents["flows/welcome__c.json"]
    assert [a["type"] for a in flow["actions"]] == ["activity", "notify"]
    assert flow["scheduled"][0]["offset_days"] == -2
    express = _order(ui_site, delivery="express")
    pickup = _order(ui_site, delivery="pickup")
    with ui_site.engine.session(ui_site.tenant, user="admin") as session:
        texts = [a["text"] for a in session.activities("Order", express["id"]).records]
        assert texts == [f"Call about {express['number']}"]
        assert session.activities("Order", pickup["id"]).records == []

    page = admin.get("/setup/flows/welcome__c")
    assert 'name="a_activity0_text"' in page.text
    plan = admin.post("/setup/flows/welcome__c/delete",
                      data={"csrf_token": hidden_csrf(page.text)})
    assert plan.status_code == 200 and "welcome__c" in plan.text
    assert _deploy(admin, plan).status_code == 303
    assert "flows/welcome__c.json" not in \
        ui_site.engine.metadata(ui_site.tenant).overlay().effective
    again = _order(ui_site, delivery="express")
    with ui_site.engine.session(ui_site.tenant, user="admin") as session:
        assert session.activities("Order", again["id"]).records == []


def test_others_do_not_reach_the_flows_pages(ui_site):
    rep = ui_site.logged_in()
    assert rep.get("/setup/flows").status_code == 404
    assert rep.get("/setup/flows/order_approval").status_code == 404
