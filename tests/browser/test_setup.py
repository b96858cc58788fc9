"""The config UI in Chromium (issue 17): an administrator changes the metadata in the
browser, reads the plan and deploys; what a wrong change shows before anything applies."""

from __future__ import annotations

import re

from hulian.runtime import demo
from tests.browser.actions import click, field, sign_in


def _admin(open_window):
    window = open_window(phone=False, locale="en-US", name="admin")
    sign_in(window, demo.ADMIN)
    window.go("/setup")
    window.shot("setup", doc="setup-objects")
    return window


def test_a_type_change_names_the_record_in_the_way_and_applies_nothing(open_window, live):
    window = _admin(open_window)
    page = window.page
    window.go("/setup/objects/Account/fields/new?type=text")
    field(page, "API name").fill("erp_code")
    page.get_by_label("English").first.fill("ERP code")
    click(window, "button", "Review the plan")
    assert page.get_by_text("add field Account.erp_code__c (text)").is_visible()
    window.shot("plan of a new field", doc="setup-plan")
    click(window, "button", "Deploy")
    assert "deployed=" in window.path
    with live.engine.session(live.tenant, demo.ADMIN) as session:
        account = session.query("Account", order_by="name", limit=1).records[0]
        session.update("Account", account["id"], {"erp_code__c": "K-17"},
                       version=account["version"])

    window.go("/setup/objects/Account/fields/erp_code__c")
    page.get_by_label("Change the type").select_option("number")
    click(window, "button", "Choose")
    click(window, "button", "Review the plan")
    failed = page.locator(".check-failed")
    assert failed.is_visible()
    assert page.get_by_role("link", name=account["id"]).is_visible(), \
        "the plan names the record whose value does not convert"
    assert page.get_by_role("button", name="Deploy").count() == 0
    assert page.get_by_role("alert").filter(has_text="Nothing was applied").is_visible()
    window.shot("type change refused", doc="setup-type-check")
    with live.engine.session(live.tenant, demo.ADMIN) as session:
        assert session.get("Account", account["id"])["erp_code__c"] == "K-17"


def test_a_rule_with_a_type_error_shows_the_caret_while_typing(open_window):
    window = _admin(open_window)
    page = window.page
    window.go("/setup/objects/Order/rules/new")
    field(page, "API name").fill("too_big")
    condition = field(page, "Condition (a formula)")
    condition.fill("total_amount > 'lots'")
    status = page.locator("#formula-status")
    status.filter(has_text="^").wait_for()
    assert re.match(r"^1:\d+: ", status.inner_text()), "line:column first"
    assert condition.get_attribute("aria-invalid") == "true"
    window.shot("caret while typing", doc="setup-formula-caret")

    condition.fill("total_amount > 1000000")
    status.filter(has_text="boolean").wait_for()
    page.get_by_label("English").first.fill("Orders over a million need a call first")
    click(window, "button", "Review the plan")
    assert page.get_by_text("too_big__c").first.is_visible() or \
        page.locator(".plan-steps").is_visible()
    click(window, "button", "Deploy")
    assert "deployed=" in window.path


def test_an_object_opened_to_a_new_role_is_seen_by_its_new_user(open_window, live):
    window = _admin(open_window)
    page = window.page
    window.go("/setup/roles")
    click(window, "link", "New interconnect role")
    field(page, "API name").fill("contact_keeper")
    page.get_by_label("English").first.fill("Contact keeper")
    page.get_by_label("中文").first.fill("联系人维护")
    click(window, "button", "Review the plan")
    click(window, "button", "Deploy")
    window.go("/setup/roles/contact_keeper")
    page.get_by_label("Contact: Read").check()
    page.get_by_label("Contact: Create").check()
    window.shot("role matrix", doc="setup-role-matrix")
    click(window, "button", "Review the plan")
    click(window, "button", "Deploy")

    window.go("/setup/apps")
    click(window, "link", "New interconnect app")
    field(page, "API name").fill("contacts")
    page.get_by_label("English").first.fill("Partner contacts")
    page.get_by_label("中文").first.fill("伙伴联系人")
    page.get_by_role("checkbox", name="Contact Contact", exact=True).check()
    page.get_by_label(re.compile(r"^Contact keeper\b")).check()
    click(window, "button", "Review the plan")
    click(window, "button", "Deploy")

    window.go("/setup/partners")
    field(page, "Enterprise name").fill("Dealer C")
    manager = page.locator("#partner_manager option", has_text=f"({demo.PARTNER_MANAGER})")
    field(page, "Partner manager").select_option(manager.get_attribute("value"))
    click(window, "button", "Create the enterprise")
    field(page, "Username (to sign in)").fill("c.chen.dealer")
    field(page, "Display name").fill("Chen")
    page.get_by_label(re.compile(r"^Contact keeper\b")).check()
    page.get_by_label(re.compile("password", re.I)).first.fill("c.chen.dealer")
    click(window, "button", "Create the user")
    assert page.locator("#error-password").is_visible(), "the policy speaks beside it"
    page.get_by_label(re.compile(r"^Contact keeper\b")).check()
    page.get_by_label(re.compile("password", re.I)).first.fill("chen-initial-pass")
    click(window, "button", "Create the user")
    window.shot("user created", doc="setup-user")

    dealer = open_window(phone=True, locale="en-US", name="dealer")
    dealer.go(f"/portal/{demo.DEMO_TENANT}")
    dealer.login("c.chen.dealer", "chen-initial-pass")
    dealer.submit_login()
    assert dealer.path.startswith("/app")
    dealer.go("/app/o/Contact")
    assert dealer.page.get_by_role("heading", name=re.compile("Contact")).first.is_visible()
    dealer.shot("contacts on a phone")
    assert dealer.status_of("/app/o/Order") == 404


def test_a_new_picklist_on_the_dealers_phone_layout_reaches_the_dealer(open_window):
    window = _admin(open_window)
    page = window.page
    window.go("/setup/objects/Order/fields/new")
    click(window, "link", "Picklist picklist")
    field(page, "API name").fill("delivery_window")
    page.get_by_label("English").first.fill("Delivery window")
    page.get_by_label("中文").first.fill("送货时段")
    page.get_by_label("Options").fill("morning | 上午 | Morning\nafternoon | 下午 | Afternoon")
    click(window, "button", "Review the plan")
    click(window, "button", "Deploy")

    window.go("/setup/layouts/order_dealer_mobile")
    field(page, "Field").select_option("delivery_window__c")
    adding = page.get_by_role("group", name="Add a field")
    with page.expect_navigation():
        adding.get_by_role("button", name="Add", exact=True).click()
    assert page.locator('[name="required.delivery_window__c"]').count() == 1, \
        "the field is on the layout being edited"
    window.shot("layout editor", doc="setup-layout")
    click(window, "button", "Review the plan")
    assert page.get_by_text("order_dealer_mobile").first.is_visible()
    window.shot("layout plan")
    click(window, "button", "Deploy")
    assert "deployed=" in window.path

    dealer = open_window(phone=True, locale="en-US", name="dealer")
    sign_in(dealer, demo.DEALER_BUYER, portal=True)
    dealer.go("/app/o/Order/new")
    select = field(dealer.page, "Delivery window")
    assert select.is_visible()
    options = select.locator("option").all_inner_texts()
    assert "Morning" in options and "Afternoon" in options
    dealer.shot("the dealer's form with the new field")


def _main_fields(live) -> list[str]:
    layout = live.engine.metadata(live.tenant).overlay().effective[
        "layouts/order_detail.json"]
    return [f if isinstance(f, str) else f["field"] for f in layout["sections"][0]["fields"]]


def test_fields_are_reordered_by_dragging_and_from_the_keyboard(open_window, live):
    window = _admin(open_window)
    page = window.page
    before = _main_fields(live)
    window.go("/setup/layouts/order_detail")
    rows = page.locator("li.layout-field")
    first, last = before[0], before[-1]
    page.locator(f'li.layout-field[data-field="{last}"]').drag_to(
        page.locator(f'li.layout-field[data-field="{first}"]'),
        target_position={"x": 10, "y": 2})
    assert rows.first.get_attribute("data-field") == last, "dragged to the top"
    down = page.get_by_role("button", name=f"Move down {first}")
    down.focus()
    page.keyboard.press("Enter")
    assert page.locator(f'li.layout-field[data-field="{first}"]').evaluate(
        "row => row.previousElementSibling && row.previousElementSibling.dataset.field"
    ) == before[1], "the keyboard moved it one down, without leaving the page"
    window.shot("reordered", doc="setup-layout-reorder")
    click(window, "button", "Review the plan")
    click(window, "button", "Deploy")
    after = _main_fields(live)
    assert after[0] == last
    assert after.index(first) == after.index(before[1]) + 1
