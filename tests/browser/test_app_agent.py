"""代理通 in a real browser: Agent East's salesperson, on a 390 px phone, logs in through the
tenant's portal, sees the agents' home, registers a deal and submits it for approval; a
second registration of the same customer is refused on the form. Then the channel manager,
at a desk, finds it waiting and approves it. The screenshots named ``agent-*`` are the ones
docs/apps/agent.md shows (``HULIAN_UI_SCREENSHOTS=docs/img/apps``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hulian.engine import Engine
from hulian.metadata import load_pack
from hulian.runtime import demo
from tests.browser.actions import choose_lookup, click, field, record_id
from tests.browser.live import LiveServer, serving
from tests.conftest import EXAMPLE_CRM, ROOT

TENANT = demo.DEMO_TENANT
PASSWORD = "agent-browser-pass"
CREDIT_CODE = "91320500MA1AGENT0X"
PRODUCT = "离心泵 CP-200"
RULES = "同一客户（信用代码或电话）只能报备一次；通过后保护 90 天。"  # the home's text widget


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    """crm and agent in a fresh SQLite file, the channel people and Agent East with
    passwords, a product; served for the module (replaces the demo's ``live``)."""
    engine = Engine(f"sqlite:///{tmp_path_factory.mktemp('agent-ui') / 'ui.db'}")
    metadata = engine.metadata(TENANT)
    metadata.install_pack(load_pack(EXAMPLE_CRM))
    metadata.install_pack(load_pack(ROOT / "examples" / "agent"))
    people = engine.people(TENANT)
    people.create_department("Channel")
    people.create_user("channel.chen", display_name="陈经理", department="Channel",
                       roles=["channel_manager"])
    people.create_enterprise("Agent East", partner_manager="channel.chen")
    people.create_user("east.sales", display_name="小吴", enterprise="Agent East",
                       roles=["agent_sales"])
    for user in ("channel.chen", "east.sales"):
        people.set_password(user, PASSWORD)
    with engine.session(TENANT) as session:
        session.create("Product", {"name": PRODUCT, "sku": "CP-200", "unit_price": "12800"})
        east = {e.name: e.id for e in people.enterprises()}["Agent East"]
        session.create("PartnerLead", {"company": "金陵精密", "phone": "+86 25 8466 1020",
                                       "out_tenant_id": east})
    with serving(engine, TENANT) as server:
        yield server


def sign_in(window, username: str, *, portal: bool) -> None:
    window.go(f"/portal/{TENANT}" if portal else "/login")
    window.login(username, PASSWORD, tenant=None if portal else TENANT)
    window.submit_login()
    assert window.path.startswith("/app"), f"after logging in: {window.path}"


def new_registration(window, customer: str) -> None:
    """The registration form, filled in as on the phone: the customer, the code, the
    product, the amount."""
    page = window.page
    window.go("/app/o/DealRegistration/new")
    field(page, "客户名称").fill(customer)
    field(page, "统一社会信用代码").fill(CREDIT_CODE.lower())
    field(page, "客户电话").fill("138 0000 1234")
    choose_lookup(window, "意向产品", "离心泵", PRODUCT)
    field(page, "预计金额").fill("320000")


def test_an_agent_registers_a_deal_on_a_phone_and_the_channel_manager_approves(open_window):
    window = open_window(phone=True)
    sign_in(window, "east.sales", portal=True)
    page = window.page
    window.shot("home", doc="agent-home-phone")
    for widget in ("跟进中的线索", "保护中的报备", "代理通"):
        assert page.get_by_text(widget, exact=True).filter(visible=True).count() >= 1, widget
    assert page.get_by_text(RULES).is_visible()
    assert window.status_of("/app/o/Order") == 404, "the order app is not the agent's"

    new_registration(window, "苏州园区水务")
    window.shot("new registration", doc="agent-register-phone")
    click(window, "button", "保存")
    registration = f"/app/o/DealRegistration/{record_id(window)}"
    assert page.get_by_text("草稿", exact=True).count() >= 1
    window.shot("registration saved", doc="agent-registration-phone")

    # the same customer again: refused on the form, on the duplicate key
    new_registration(window, "苏州园区水务（重复）")
    click(window, "button", "保存")
    assert window.path.startswith("/app/o/DealRegistration/new")
    for key in ("已报备信用代码", "已报备电话"):  # the code and the phone are both taken
        refused = page.get_by_text(f"{key}: 已有其他报备使用了此{key}")
        assert refused.count() == 1, f"the form says why it was refused, in Chinese: {key}"
    window.shot("duplicate refused", doc="agent-duplicate-phone")

    window.go(registration)
    click(window, "button", "提交审批")
    assert page.get_by_text("审批中", exact=True).count() >= 1
    window.shot("submitted")

    desk = open_window(phone=False, name="channel-manager")
    sign_in(desk, "channel.chen", portal=False)
    desk.shot("channel desk", doc="agent-channel-desk")
    assert desk.page.get_by_text("苏州园区水务").count() >= 1, "pending on the channel desk"
    desk.go(registration)
    click(desk, "button", "同意")
    assert desk.page.get_by_text("已通过", exact=True).count() >= 1
    desk.shot("approved", doc="agent-approved-desktop")
