"""The config UI's layout editor (issue 17): the list, editing a layout without script
(the move buttons post and come back), assignments, problems beside their inputs, and
the issue's first scenario: a new picklist field put on the dealer's mobile layout
reaches the dealer's form. On both databases."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

from hulian.runtime.ui.channel import CHANNEL_COOKIE
from tests.integration.test_setup_ui import _deploy, _post, admin  # noqa: F401
from tests.integration.ui_support import hidden_csrf


class _EditorForm(HTMLParser):
    """The layout editor's inputs as a browser sends them (without any button): hidden
    and text inputs, checked checkboxes, each select's selected option (else its first)
    and textareas, in document order."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.found: list[tuple[str, str]] = []
        self.select: list[Any] | None = None
        self.textarea: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "layout-editor" in (a.get("class") or ""):
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
    assert parser.found, "no layout editor on the page"
    return parser.found


def _send(client, path, page, changes=(), drop=(), op="update"):
    """Post the editor as shown, with some inputs changed or added (``changes``: name,
    value pairs replacing every input of that name) and some left out."""
    names = {n for n, _ in changes}
    form = [(n, v) for n, v in _editor_form(page) if n not in names and n not in drop]
    form += list(changes) + [("op", op)]
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
