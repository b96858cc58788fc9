"""The config UI's roles, interconnect apps, sharing rules, partners and users (issue 17)
through the Starlette TestClient as the admin, on both databases: what the admin sees,
what got deployed or changed, and that bad input applies nothing."""

from __future__ import annotations

import html
import re

import pytest

from tests.integration.test_setup_ui import _deploy, _post
from tests.integration.ui_support import PASSWORD, hidden_csrf


@pytest.fixture
def admin(ui_site):
    ui_site.engine.people(ui_site.tenant).set_password("admin", PASSWORD)
    return ui_site.logged_in("admin")


def _overlay(ui_site):
    return ui_site.engine.metadata(ui_site.tenant).overlay()


def _user_id(page_text, username):
    found = re.search(rf'<option value="([^"]+)"[^>]*>[^<]*\({username}\)</option>', page_text)
    assert found is not None, f"no option for {username}"
    return found.group(1)


def _post_form(client, page_path, action, data):
    """Post one form of a page (the one whose action is ``action``) with its CSRF token."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    return client.post(action, data={"csrf_token": hidden_csrf(page.text), **data})


def test_an_admin_opens_an_object_to_a_new_role_and_its_user_sees_it(ui_site, admin):
    """The issue's scenario 3: a new interconnect role with read/create on Contact, an app
    of the tenant's own opening Contact to it, a downstream enterprise with a user of that
    role and a password; the user logs in and sees the app and the object's list."""
    done = _deploy(admin, _post(admin, "/setup/roles/new", {
        "api_name": "contact_keeper", "label_zh": "联系人维护", "label_en": "Contact keeper",
        "kind": "interconnect"}))
    assert done.headers["location"] == "/setup/roles/contact_keeper?deployed=2"
    role_page = admin.get("/setup/roles/contact_keeper")
    assert "联系人维护" in role_page.text and "未开放" in role_page.text
    plan = _post(admin, "/setup/roles/contact_keeper", {
        "label_zh": "联系人维护", "label_en": "Contact keeper",
        "grant.Contact.read": "true", "grant.Contact.create": "true"})
    assert plan.status_code == 200, plan.text
    assert _deploy(admin, plan).status_code == 303
    assert _overlay(ui_site).documents["roles/contact_keeper.json"]["objects"] == {
        "Contact": {"create": True, "read": True}}

    plan = _post(admin, "/setup/apps/new", {
        "api_name": "contacts", "label_zh": "联系人", "label_en": "Partner contacts",
        "objects": ["Contact"], "roles": ["contact_keeper"]})
    assert plan.status_code == 200, plan.text
    assert _deploy(admin, plan).headers["location"] == "/setup/apps/contacts?deployed=4"
    assert _overlay(ui_site).documents["apps/contacts.json"]["objects"] == ["Contact"]

    partners = admin.get("/setup/partners")
    created = _post_form(admin, "/setup/partners", "/setup/partners/new", {
        "name": "Dealer B", "partner_manager": _user_id(partners.text, "wang")})
    assert created.status_code == 303
    enterprise_page = created.headers["location"].split("?")[0]
    refused = _post_form(admin, enterprise_page, enterprise_page + "/users/new", {
        "username": "b.chen", "display_name": "Chen", "roles": ["contact_keeper"],
        "password": "short"})
    assert refused.status_code == 422
    assert 'id="error-password"' in refused.text
    assert "b.chen" not in [u.username for u in ui_site.engine.people(ui_site.tenant).users()]
    made = _post_form(admin, enterprise_page, enterprise_page + "/users/new", {
        "username": "b.chen", "display_name": "Chen", "roles": ["contact_keeper"],
        "password": PASSWORD})
    assert made.status_code == 303
    assert made.headers["location"] == "/setup/users/b.chen?done=user_created"
    assert ui_site.engine.people(ui_site.tenant).user_roles("b.chen") == ["contact_keeper"]

    dealer = ui_site.client()
    assert ui_site.login(dealer, "b.chen").status_code == 303
    shell = dealer.get("/app")
    assert shell.status_code == 200
    assert "Partner contacts" in shell.text or "联系人" in shell.text
    listing = dealer.get("/app/o/Contact")
    assert listing.status_code == 200, listing.text
    assert dealer.get("/app/o/Order").status_code == 404  # not opened to the role


def test_a_pack_role_is_changed_through_an_extension_of_its_differences(ui_site, admin):
    page = admin.get("/setup/roles/dealer_buyer")
    assert 'name="grant.Order.read" value="true" checked' in page.text
    assert "role extension" in page.text or "角色扩展" in page.text
    form = {"label_zh": "经销商采购", "label_en": "Dealer buyer",
            "grant.Order.create": "true", "grant.Order.read": "true",
            "grant.Order.edit": "true", "grant.Order.delete": "true",
            "grant.OrderLine.create": "true", "grant.OrderLine.read": "true",
            "grant.OrderLine.edit": "true", "grant.Product.read": "true"}
    assert _deploy(admin, _post(admin, "/setup/roles/dealer_buyer", form)).status_code == 303
    overlay = _overlay(ui_site)
    assert overlay.documents["extensions/roles/dealer_buyer.json"] == {
        "role": "dealer_buyer", "objects": {"Order": {"delete": True}}}
    plan = _post(admin, "/setup/roles/dealer_buyer/objects/OrderLine",
                 {"field.unit_price": "read_only", "field.discount": "editable",
                  "field.product": "hidden"})
    assert _deploy(admin, plan).status_code == 303
    ext = _overlay(ui_site).documents["extensions/roles/dealer_buyer.json"]
    assert ext["objects"]["OrderLine"] == {"fields": {"discount": "editable",
                                                      "product": "hidden"}}
    buyer = ui_site.engine.session(ui_site.tenant, user="buyer")
    with buyer as session:
        assert session.can("Order", "delete")
        fields = session.describe("OrderLine")["fields"]
    names = [f["api_name"] for f in fields]
    assert "product" not in names and "discount" in names


def test_a_role_problem_is_shown_and_nothing_applies(ui_site, admin):
    page = _post(admin, "/setup/roles/new", {"api_name": "Bad Name", "label_en": "Bad",
                                             "kind": "interconnect"})
    assert page.status_code == 422
    assert 'id="error-api_name"' in page.text
    page = _post(admin, "/setup/roles/new", {"api_name": "dealer_buyer", "label_en": "Again",
                                             "kind": "interconnect"})
    assert page.status_code == 422 and 'id="error-api_name"' in page.text
    assert _overlay(ui_site).version == 1


def test_a_pack_app_says_what_can_be_done_instead(ui_site, admin):
    page = admin.get("/setup/apps/order")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "cannot change" in text or "不能修改" in text
    assert 'href="/setup/apps/new?role=dealer_buyer&role=dealer_boss&"' in text
    assert admin.post("/setup/apps/order", data={
        "csrf_token": hidden_csrf(page.text)}).status_code == 404


def test_sharing_rules_own_and_pack(ui_site, admin):
    plan = _post(admin, "/setup/objects/Order/sharing/new", {
        "api_name": "big_to_dealer", "basis": "criteria", "criteria": "total_amount > 1000",
        "share_kind": "enterprise", "share_name": "Dealer A", "access": "read",
        "active": "true"})
    assert plan.status_code == 200, plan.text
    assert _deploy(admin, plan).status_code == 303
    ext = _overlay(ui_site).documents["extensions/Order.json"]
    assert ext["sharing_rules"] == [{"api_name": "big_to_dealer__c",
                                     "criteria": "total_amount > 1000",
                                     "share_with": {"enterprise": "Dealer A"},
                                     "access": "read"}]
    listing = admin.get("/setup/objects/Order/sharing")
    assert "big_to_dealer__c" in listing.text
    bad = _post(admin, "/setup/objects/Order/sharing/new", {
        "api_name": "typo", "basis": "criteria", "criteria": "totl_amount > 1",
        "share_kind": "role", "share_name": "sales_rep", "access": "read", "active": "true"})
    assert bad.status_code == 422
    assert _overlay(ui_site).version == 2


def test_an_enterprise_is_renamed_overridden_and_deactivated(ui_site, admin):
    people = ui_site.engine.people(ui_site.tenant)
    dealer = next(e for e in people.enterprises() if e.name == "Dealer A")
    path = f"/setup/partners/{dealer.id}"
    page = admin.get(path)
    assert "Xiao Li" in page.text
    done = _post_form(admin, path, path, {"action": "permissions", "level.Order":
                                          "company_read_write"})
    assert done.status_code == 303
    assert people.enterprise_permissions(dealer.id) == {"Order": "company_read_write"}
    people.create_enterprise("Dealer Z", partner_manager="wang")
    taken = _post_form(admin, path, path, {"action": "rename", "name": "Dealer Z"})
    assert taken.status_code == 422 and 'id="error-name"' in taken.text
    renamed = _post_form(admin, path, path, {"action": "rename", "name": "Dealer A2"})
    assert renamed.status_code == 303
    assert _post_form(admin, path, path, {"action": "deactivate"}).status_code == 303
    assert not next(e for e in people.enterprises(include_inactive=True)
                    if e.id == dealer.id).is_active
    buyer = ui_site.client()
    assert ui_site.login(buyer, "buyer").status_code != 303
    assert _post_form(admin, path, path, {"action": "reactivate"}).status_code == 303
    assert ui_site.login(ui_site.client(), "buyer").status_code == 303


def test_a_users_roles_change_and_they_can_be_deactivated(ui_site, admin):
    path = "/setup/users/buyer"
    page = admin.get(path)
    assert 'value="dealer_buyer" checked' in page.text
    done = _post_form(admin, path, path, {"action": "roles", "roles": ["dealer_boss"]})
    assert done.status_code == 303
    assert ui_site.engine.people(ui_site.tenant).user_roles("buyer") == ["dealer_boss"]
    wrong = _post_form(admin, path, path, {"action": "roles", "roles": ["sales_rep"]})
    assert wrong.status_code == 422 and 'id="error-roles"' in wrong.text
    assert _post_form(admin, path, path, {"action": "deactivate"}).status_code == 303
    assert ui_site.login(ui_site.client(), "buyer").status_code != 303


def test_only_administrators_reach_the_access_pages(ui_site, admin):
    rep = ui_site.logged_in()
    for path in ("/setup/roles", "/setup/apps", "/setup/partners", "/setup/users/buyer",
                 "/setup/objects/Order/sharing"):
        assert admin.get(path).status_code == 200, path
        assert rep.get(path).status_code == 404, path
