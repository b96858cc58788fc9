"""The config UI's layout editor (issue 17): the list, editing a layout without script
(the move buttons post and come back), assignments, problems beside their inputs, and
the issue's first scenario: a new picklist field put on the dealer's mobile layout
reaches the dealer's form. On both databases."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest

from hulian.runtime.ui.channel import CHANNEL_COOKIE
from tests.conftest import EXAMPLE_CRM
from tests.integration.test_setup_ui import _deploy, _post, admin  # noqa: F401
from tests.integration.ui_support import PASSWORD, UISite


class _EditorForm(HTMLParser):
    """An editor's inputs (the form of class ``editor-form``) as a browser sends them
    without any button: hidden and text inputs, checked checkboxes, each select's
    selected option (else its first) and textareas, in document order."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.found: list[tuple[str, str]] = []
        self.select: list[Any] | None = None
        self.textarea: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "editor-form" in (a.get("class") or "").split():
            self.inside = True
        if not self.inside or "name" not in a:
            if tag == "option" and self.select is not None:
                self._option(a)
            return
        if tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            self.found.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select = [a["name"], None, None]
        elif tag == "textarea":
            self.textarea = [a["name"], ""]

    def _option(self, a):
        assert self.select is not None
        if self.select[1] is None:
            self.select[1] = a.get("value", "")
        if "selected" in a:
            self.select[2] = a.get("value", "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, first, chosen = self.select
            self.found.append((name, chosen if chosen is not None else first or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.found.append((self.textarea[0], self.textarea[1]))
            self.textarea = None


def _editor_form(page: str) -> list[tuple[str, str]]:
    parser = _EditorForm()
    parser.feed(page)
    assert parser.found, "no editor form on the page"
    return parser.found


def _send(client, path, page, changes=(), drop=(), op="update"):
    """Post the editor as shown, with some inputs changed or added (``changes``: name,
    value pairs replacing every input of that name) and some left out."""
    names = {n for n, _ in changes}
    form = [(n, v) for n, v in _editor_form(page) if n not in names and n not in drop]
    form += [*changes, ("op", op)]
    return client.post(path, content=urlencode(form),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})


def _fields_of(section: dict) -> list[str]:
    return [f["field"] if isinstance(f, dict) else f for f in section["fields"]]


def test_the_layouts_are_listed_with_their_assignments(ui_site, admin):  # noqa: F811
    page = admin.get("/setup/layouts")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'href="/setup/layouts/order_dealer_mobile"' in page.text
    assert "dealer_buyer × " in text
    assert ui_site.logged_in("buyer").get("/setup/layouts").status_code == 404


def test_a_new_picklist_field_reaches_the_dealers_mobile_form(ui_site, admin):  # noqa: F811
    done = _deploy(admin, _post(admin, "/setup/objects/Order/fields/new?type=picklist", {
        "type": "picklist", "api_name": "channel", "label_zh": "渠道", "label_en": "Channel",
        "options": "web | 网站 | Web\nphone | 电话 | Phone"}))
    assert done.status_code == 303
    path = "/setup/layouts/order_dealer_mobile"
    editor = admin.get(path)
    assert editor.status_code == 200
    assert '<option value="channel__c">' in editor.text
    added = _send(admin, path, editor.text, [("add_field", "channel__c"),
                                             ("add_field_to", "main")])
    assert added.status_code == 200
    assert 'value="main/channel__c"' in added.text
    plan = _send(admin, path, added.text, op="plan")
    assert plan.status_code == 200, plan.text
    assert "order_dealer_mobile" in plan.text
    assert "layouts/order_dealer_mobile.json" not in ui_site.engine.metadata(
        ui_site.tenant).overlay().documents  # nothing applied before the Deploy button
    assert _deploy(admin, plan).status_code == 303
    stored = ui_site.engine.metadata(ui_site.tenant).overlay().documents[
        "layouts/order_dealer_mobile.json"]
    assert _fields_of(stored["sections"][0])[-1] == "channel__c"
    assert stored["assignments"] == [{"role": "dealer_buyer"}, {"role": "dealer_boss"}]
    assert stored["buttons"] == ["edit"]  # what the editor does not show is kept
    dealer = ui_site.client()
    dealer.cookies.set(CHANNEL_COOKIE, "mobile")
    assert ui_site.login(dealer, "buyer").status_code == 303
    form = dealer.get("/app/o/Order/new")
    assert form.status_code == 200, form.text
    select = re.search(r'<select[^>]*name="channel__c"[^>]*>(.*?)</select>', form.text, re.S)
    assert select is not None, "the dealer's form has no channel__c select"
    assert 'value="web"' in select.group(1) and 'value="phone"' in select.group(1)
    web = ui_site.logged_in("buyer")
    web.cookies.set(CHANNEL_COOKIE, "web")
    assert 'name="channel__c"' not in web.get("/app/o/Order/new").text


def _version(ui_site):
    return ui_site.engine.metadata(ui_site.tenant).overlay().version


def test_without_script_the_move_buttons_reorder_and_nothing_is_saved(ui_site,
                                                                      admin):  # noqa: F811
    path = "/setup/layouts/order_dealer_mobile"
    editor = admin.get(path)
    moved = _send(admin, path, editor.text, op="move:field:order_date:up")
    assert moved.status_code == 200
    fields = [v for n, v in _editor_form(moved.text) if n == "field"]
    assert fields[:6] == ["main/number", "main/status", "main/total_amount",
                          "main/delivery", "main/carrier", "main/order_date"]
    again = _send(admin, path, moved.text, op="move:field:number:down")
    fields = [v for n, v in _editor_form(again.text) if n == "field"]
    assert fields[:2] == ["main/status", "main/number"]
    assert _version(ui_site) == 1  # only the plan's Deploy button applies anything
    done = _deploy(admin, _send(admin, path, again.text, op="plan"))
    assert done.status_code == 303
    stored = ui_site.engine.metadata(ui_site.tenant).overlay().documents[
        "layouts/order_dealer_mobile.json"]
    assert _fields_of(stored["sections"][0])[:2] == ["status", "number"]
    assert _fields_of(stored["sections"][1]) == ["line_count", "notes"]


def test_a_problem_is_shown_beside_its_field_and_nothing_applies(ui_site,
                                                                 admin):  # noqa: F811
    path = "/setup/layouts/order_dealer_mobile"
    editor = admin.get(path)
    page = _send(admin, path, editor.text, [("required.line_count", "true")], op="plan")
    assert page.status_code == 422
    beside = re.search(r'<p class="error-message" id="error-field.line_count">([^<]+)',
                       page.text)
    assert beside is not None and "line_count" in html.unescape(beside.group(1))
    assert 'id="deploy"' not in page.text
    assert "layouts/order_dealer_mobile.json" not in ui_site.engine.metadata(
        ui_site.tenant).overlay().documents


def test_a_new_layout_with_a_section_and_an_assignment(ui_site, admin):  # noqa: F811
    bad = admin.get("/setup/layouts/new", params={"object": "Account", "kind": "detail",
                                                  "channel": "web", "api_name": "Bad Name"})
    assert bad.status_code == 422 and 'id="error-api_name"' in bad.text
    path = "/setup/layouts/new"
    editor = admin.get(path, params={"object": "Account", "kind": "detail",
                                     "channel": "mobile", "api_name": "account_rep"})
    assert editor.status_code == 200
    page = _send(admin, path, editor.text, [("new_section_zh", "联系"),
                                            ("new_section_en", "Contact details")])
    assert 'name="section" value="contact_details"' in page.text
    page = _send(admin, path, page.text, [("add_field", "owner_id"),
                                          ("add_field_to", "contact_details"),
                                          ("new_assign_role", "sales_rep")])
    plan = _send(admin, path, page.text, op="plan")
    assert plan.status_code == 200, plan.text
    assert _deploy(admin, plan).status_code == 303
    stored = ui_site.engine.metadata(ui_site.tenant).overlay().documents[
        "layouts/account_rep.json"]
    assert stored["channel"] == "mobile" and stored["object"] == "Account"
    assert [s["api_name"] for s in stored["sections"]] == ["main", "contact_details"]
    assert stored["sections"][1]["fields"] == ["owner_id"]
    assert stored["assignments"] == [{"role": "sales_rep"}]
    with ui_site.engine.session(ui_site.tenant, user="rep") as session:
        layout = session.layout("Account", channel="mobile")
    assert layout["layout"] == "account_rep"
    assert admin.get("/setup/layouts/account_rep").status_code == 200
    listed = admin.get("/setup/layouts")
    assert 'href="/setup/layouts/account_rep"' in listed.text


@pytest.fixture
def locked_site(engine, tenant, clock, tmp_path):
    """The example CRM with its dealers' mobile layout locked by the pack."""
    pack = tmp_path / "crm"
    shutil.copytree(EXAMPLE_CRM, pack)
    file = pack / "layouts" / "order_dealer_mobile.json"
    doc = json.loads(file.read_text(encoding="utf-8"))
    doc["customizable"] = {"document": "locked"}
    file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    engine.metadata(tenant).deploy(pack)
    site = UISite(engine, tenant, clock)
    engine.people(tenant).set_password("admin", PASSWORD)
    return site


def test_a_layout_the_pack_locks_says_so_and_is_refused(locked_site):
    admin_client = locked_site.logged_in("admin")
    path = "/setup/layouts/order_dealer_mobile"
    editor = admin_client.get(path)
    assert editor.status_code == 200
    assert 'class="alert alert-error" role="alert"' in editor.text  # the lock, up front
    page = _send(admin_client, path, editor.text, [("label_en", "Mine")], op="plan")
    assert page.status_code == 422
    summary = re.search(r'error-summary.*?</div>', page.text, re.S)
    assert summary is not None and "locks its layout" in html.unescape(summary.group(0))
    assert "layouts/order_dealer_mobile.json" not in locked_site.engine.metadata(
        locked_site.tenant).overlay().documents
