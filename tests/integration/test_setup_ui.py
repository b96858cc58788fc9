"""The config UI (issue 17) without a browser: who reaches /setup, and the change flow
(editor -> plan -> deploy) for objects, fields and rules, on both databases."""

from __future__ import annotations

import html
import re

import pytest

from hulian.engine.errors import RecordValidationError
from hulian.metadata.jsontext import loads
from hulian.metadata.problems import MetadataError
from tests.integration.ui_support import PASSWORD, hidden_csrf


@pytest.fixture
def admin(ui_site):
    ui_site.engine.people(ui_site.tenant).set_password("admin", PASSWORD)
    return ui_site.logged_in("admin")


def _post(client, path, data):
    page = client.get(path)
    assert page.status_code == 200, page.text
    form = {"csrf_token": hidden_csrf(page.text), **data}
    base = re.search(r'name="base" value="([^"]*)"', page.text)
    if base:
        form.setdefault("base", base.group(1))
    return client.post(path, data=form)


def _shown_values(page_html, action):
    """What the browser would send for the form posting to ``action`` as shown: its
    inputs' values and the selected option of each select."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}"(.*?)</form>',
                     page_html, re.S).group(1)
    values = {}
    for tag in re.findall(r"<input[^>]*>", form):
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        found = re.search(r'name="([^"]+)" value="([^"]*)"', tag)
        if found:
            values[found.group(1)] = html.unescape(found.group(2))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form,
                                    re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        values[name] = chosen.group(1) if chosen else \
            re.search(r'<option value="([^"]*)"', options).group(1)
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form,
                                 re.S):
        values[name] = html.unescape(text)
    values.pop("csrf_token", None)
    return values


def _deploy(client, plan):
    """Press the plan page's Deploy button."""
    assert plan.status_code == 200, plan.text
    found = re.search(r'<form method="post" action="([^"]+)">((?:(?!</form>).)*)id="deploy"',
                      plan.text, re.S)
    assert found is not None, "the plan has no Deploy button"
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                        found.group(2))
    return client.post(found.group(1), data={k: html.unescape(v) for k, v in fields})


def test_only_administrators_see_setup(ui_site, admin):
    assert admin.get("/setup").status_code == 200
    rep = ui_site.logged_in()
    assert rep.get("/setup").status_code == 404
    assert rep.get("/setup/objects/Order").status_code == 404
    buyer = ui_site.logged_in("buyer")
    assert buyer.get("/setup").status_code == 404
    assert ui_site.client().get("/setup").status_code == 303  # to the login page
    shell = admin.get("/app")
    assert 'href="/setup"' in shell.text
    assert 'href="/setup"' not in rep.get("/app").text


def test_a_picklist_field_is_planned_then_deployed(ui_site, admin):
    plan = _post(admin, "/setup/objects/Order/fields/new?type=picklist", {
        "type": "picklist", "api_name": "channel", "label_zh": "渠道", "label_en": "Channel",
        "options": "web | 网站 | Web\nphone | 电话 | Phone"})
    assert plan.status_code == 200, plan.text
    assert "add field Order.channel__c (picklist)" in plan.text
    assert ui_site.engine.metadata(ui_site.tenant).overlay().version == 1  # not yet
    done = _deploy(admin, plan)
    assert done.status_code == 303
    assert done.headers["location"] == "/setup/objects/Order?deployed=2"
    field = ui_site.engine.metadata(ui_site.tenant).overlay().effective[
        "objects/Order.json"]["fields"][-1]
    assert field["api_name"] == "channel__c"
    assert [o["api_name"] for o in field["options"]] == ["web", "phone"]
    page = admin.get("/setup/objects/Order?deployed=2")
    assert "channel__c" in page.text


def test_problems_are_shown_beside_their_inputs_and_nothing_applies(ui_site, admin):
    page = _post(admin, "/setup/objects/Order/fields/new?type=number", {
        "type": "number", "api_name": "score", "label_zh": "", "label_en": "",
        "precision": "40", "scale": "x"})
    assert page.status_code == 422
    assert "“x” is not a number" in html.unescape(page.text) or \
        "“x” 不是数字" in html.unescape(page.text)
    page = _post(admin, "/setup/objects/Order/fields/new?type=number", {
        "type": "number", "api_name": "score", "label_zh": "分", "label_en": "Score",
        "precision": "40"})
    assert page.status_code == 422
    assert 'id="error-precision"' in page.text
    assert ui_site.engine.metadata(ui_site.tenant).overlay().version == 1


def test_a_formula_field_with_a_type_error_shows_the_caret(ui_site, admin):
    page = _post(admin, "/setup/objects/Order/fields/new?type=number&derived=formula", {
        "type": "number", "derived": "formula", "api_name": "double", "label_en": "Double",
        "formula": "total_amount * 'two'"})
    assert page.status_code == 422
    text = html.unescape(page.text)
    assert 'id="error-formula"' in page.text
    assert "^" in text
    check = admin.get("/setup/formula-check", params={
        "object": "Order", "formula": "total_amount > 'x'", "context": "validation"})
    found = loads(check.text)
    assert found["ok"] is False and found["line"] == 1 and "^" in found["excerpt"]
    ok = loads(admin.get("/setup/formula-check", params={
        "object": "Order", "formula": "total_amount > 100", "context": "validation"}).text)
    assert ok == {"ok": True, "type": "boolean"}


def test_a_type_change_names_the_record_in_the_way(ui_site, admin):
    done = _deploy(admin, _post(admin, "/setup/objects/Order/fields/new?type=text", {
        "type": "text", "api_name": "code", "label_en": "Code"}))
    assert done.status_code == 303
    rep = ui_site.engine.session(ui_site.tenant, user="admin")
    with rep as session:
        account = session.create("Account", {"name": "Acme"})
        session.create("Order", {"account": account["id"], "code__c": "12"})
        bad = session.create("Order", {"account": account["id"], "code__c": "twelve"})
    plan = _post(admin, "/setup/objects/Order/fields/code__c?type=number", {
        "type": "number", "api_name": "code__c", "label_en": "Code", "scale": "0"})
    assert plan.status_code == 200
    assert bad["id"] in plan.text
    assert 'id="deploy"' not in plan.text  # nothing can be applied
    assert ui_site.engine.metadata(ui_site.tenant).overlay().version == 2


def test_a_change_planned_before_another_deploy_is_refused(ui_site, admin):
    plan = _post(admin, "/setup/objects/Order/fields/new?type=text", {
        "type": "text", "api_name": "first", "label_en": "First"})
    other = _post(admin, "/setup/objects/Order/fields/new?type=text", {
        "type": "text", "api_name": "second", "label_en": "Second"})
    assert _deploy(admin, other).status_code == 303
    refused = _deploy(admin, plan)
    assert refused.status_code == 409
    fields = [f["api_name"] for f in ui_site.engine.metadata(ui_site.tenant).overlay()
              .effective["objects/Order.json"]["fields"]]
    assert "second__c" in fields and "first__c" not in fields


def test_a_custom_object_a_rule_and_a_rollback(ui_site, admin):
    done = _deploy(admin, _post(admin, "/setup/objects/new", {
        "api_name": "CampaignRequest", "label_zh": "活动申请", "label_en": "Campaign request",
        "name_zh": "主题", "name_en": "Subject", "internal": "company_read_write",
        "external": "company_read"}))
    assert done.headers["location"] == "/setup/objects/CampaignRequest__c?deployed=2"
    page = _post(admin, "/setup/objects/CampaignRequest__c/rules/new", {
        "api_name": "subject_short", "condition": "LEN(name__c) < 'x'",
        "message_en": "Too short", "active": "true"})
    assert page.status_code == 422 and 'id="error-condition"' in page.text
    done = _deploy(admin, _post(admin, "/setup/objects/CampaignRequest__c/rules/new", {
        "api_name": "subject_short", "condition": "LEN(name__c) < 3",
        "message_zh": "主题太短", "message_en": "Too short", "active": "true"}))
    assert done.status_code == 303
    with ui_site.engine.session(ui_site.tenant, user="admin") as session, \
            pytest.raises(RecordValidationError, match=r"Too short|主题太短"):
        session.create("CampaignRequest__c", {"name__c": "ab"})
    versions = admin.get("/setup/versions")
    assert "/setup/versions/2/rollback" in versions.text
    rollback = admin.post("/setup/versions/2/rollback",
                          data={"csrf_token": hidden_csrf(versions.text)})
    assert rollback.status_code == 200 and 'id="deploy"' in rollback.text
    assert _deploy(admin, rollback).status_code == 303
    with ui_site.engine.session(ui_site.tenant, user="admin") as session:
        assert session.create("CampaignRequest__c", {"name__c": "ab"})["name__c"] == "ab"


def test_archive_and_restore_an_own_field(ui_site, admin):
    _deploy(admin, _post(admin, "/setup/objects/Order/fields/new?type=text", {
        "type": "text", "api_name": "code", "label_en": "Code"}))
    with ui_site.engine.session(ui_site.tenant, user="admin") as session:
        account = session.create("Account", {"name": "Acme"})
        order = session.create("Order", {"account": account["id"], "code__c": "K-1"})
    page = admin.get("/setup/objects/Order")
    archive = admin.post("/setup/objects/Order/fields/code__c/archive",
                         data={"csrf_token": hidden_csrf(page.text)})
    assert archive.status_code == 200 and "destructive" in archive.text
    assert _deploy(admin, archive).status_code == 303
    page = admin.get("/setup/objects/Order")
    assert "/fields/code__c/restore" in page.text
    restore = admin.post("/setup/objects/Order/fields/code__c/restore",
                         data={"csrf_token": hidden_csrf(page.text)})
    assert restore.status_code == 200
    assert _deploy(admin, restore).status_code == 303
    with ui_site.engine.session(ui_site.tenant, user="admin") as session:
        assert session.get("Order", order["id"])["code__c"] == "K-1"


def test_the_setup_permission_opens_setup_without_every_record(ui_site):
    engine, tenant = ui_site.engine, ui_site.tenant
    role = {"api_name": "configurator__c", "label": {"en": "Configurator", "zh": "配置员"},
            "setup": True}
    engine.metadata(tenant).change_overlay({"roles/configurator__c.json": role})
    engine.people(tenant).create_user("cfg", roles=["configurator__c"])
    engine.people(tenant).set_password("cfg", PASSWORD)
    client = ui_site.logged_in("cfg")
    assert client.get("/setup/objects/Order").status_code == 200
    assert 'href="/setup"' in client.get("/app").text
    with engine.session(tenant, user="cfg") as session:
        assert session.objects() == [], "setup is not the admin role: no records"
    interconnect = {"api_name": "bad__c", "label": {"en": "Bad", "zh": "坏"},
                    "kind": "interconnect", "setup": True}
    with pytest.raises(MetadataError) as refused:
        engine.metadata(tenant).change_overlay({"roles/bad__c.json": interconnect})
    assert [p.code for p in refused.value.problems] == ["role.interconnect_setup"]


def test_an_object_page_shows_the_data_permission_it_has_and_saving_it_keeps_it(
        ui_site, admin):
    done = _deploy(admin, _post(admin, "/setup/objects/new", {
        "api_name": "Visit", "label_en": "Visit", "name_en": "Subject",
        "internal": "company_read_write", "external": "company_read"}))
    assert done.status_code == 303
    page = admin.get("/setup/objects/Visit__c")
    assert '<option value="company_read_write" selected>' in page.text
    sent = _shown_values(page.text, "/setup/objects/Visit__c")
    assert sent["internal"] == "company_read_write" and sent["external"] == "company_read"
    plan = _post(admin, "/setup/objects/Visit__c", {**sent, "label_en": "Site visit"})
    assert _deploy(admin, plan).status_code == 303
    visit = ui_site.engine.metadata(ui_site.tenant).overlay().documents[
        "objects/Visit__c.json"]
    assert visit["label"]["en"] == "Site visit"
    assert visit["data_permission"] == {"internal": "company_read_write",
                                        "external": "company_read"}
    assert "track_history" not in visit
