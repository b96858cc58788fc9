"""服务通 (the service pack, docs/apps/service.md) on a 390 px phone: a technician of the
provider Service North logs in through the tenant's portal, opens the work order the service
desk dispatched to Service North (and its dispatcher gave them), checks in on site, checks out
with the result and completes the work order; the desk then has a survey to call.

The world is the module's own (this module's ``live`` replaces the demo's): crm and service
in a fresh SQLite file, the service pack's people (data/_people.json, with their passwords),
and one dispatched work order. Screenshots for docs/apps/service.md: ``service-*.png``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hulian.engine import Engine
from tests.browser.actions import click, field, record_id, related
from tests.browser.live import LiveServer, serve
from tests.browser.window import Window
from tests.conftest import ROOT

SERVICE, CRM = ROOT / "examples" / "service", ROOT / "examples" / "crm"
TENANT = "demo"
TECH = "north.tech"
CUSTOMER = "华信商贸（上海）有限公司"
SITE = "上海市浦东新区张江路 88 号 2 号仓库"
RESOLUTION = "更换轴承和机械密封，试运行 30 分钟无异响。"


def people(engine: Engine) -> dict[str, str]:
    """The service pack's departments, users and enterprises (data/_people.json); returns
    username -> password."""
    spec = json.loads((SERVICE / "data" / "_people.json").read_text(encoding="utf-8"))
    admin = engine.people(TENANT)
    passwords = {}
    for department in spec["departments"]:
        admin.create_department(department["name"])
    for user in spec["users"]:
        admin.create_user(user["username"], display_name=user["display_name"],
                          department=user["department"], roles=user["roles"])
        passwords[user["username"]] = user["password"]
    for department in spec["departments"]:
        admin.set_department_leader(department["name"], department["leader"])
    for enterprise in spec["enterprises"]:
        admin.create_enterprise(enterprise["name"],
                                partner_manager=enterprise["partner_manager"])
        for user in enterprise["users"]:
            admin.create_user(user["username"], display_name=user["display_name"],
                              enterprise=enterprise["name"], roles=user["roles"])
            passwords[user["username"]] = user["password"]
    for username, password in passwords.items():
        admin.set_password(username, password)
    return passwords


def dispatch(engine: Engine) -> str:
    """A customer's urgent request under its agreement, its work order assigned by the desk
    to Service North's dispatcher, accepted with the technician named; returns its id."""
    users = {u.username: u.id for u in engine.people(TENANT).users()}
    with engine.session(TENANT) as admin:
        account = admin.create("Account", {"name": CUSTOMER})
        contact = admin.create("Contact", {"name": "王芳", "account": account["id"],
                                           "mobile": "+86 138 0000 1234"})
        product = admin.create("Product", {"name": "离心泵 CP-200", "unit_price": "12800.00"})
    with engine.session(TENANT, "svc.manager") as manager:
        agreement = manager.create("ServiceAgreement", {
            "title": "华信尊享维保协议", "account": account["id"], "level": "premium",
            "response_hours": 2, "resolution_hours": 24, "start_date": "2026-01-01"})
    with engine.session(TENANT, "svc.agent") as agent:
        request = agent.create("ServiceRequest", {
            "subject": "离心泵运行异响", "account": account["id"], "contact": contact["id"],
            "product": product["id"], "agreement": agreement["id"], "priority": "urgent",
            "site_address": SITE, "description": "启动后有明显异响，振动偏大，已临时停机。"})
        work_order = agent.create("WorkOrder", {
            "subject": "检修 2 号仓库离心泵", "service_request": request["id"],
            "account": account["id"], "product": product["id"]})
        agent.update("WorkOrder", work_order["id"], {"out_owner_id": users["north.dispatch"]},
                     version=agent.get("WorkOrder", work_order["id"])["version"])
    with engine.session(TENANT, "north.dispatch") as dispatcher:
        current = dispatcher.get("WorkOrder", work_order["id"])
        assert current["status"] == "dispatched"
        dispatcher.update("WorkOrder", work_order["id"], {
            "status": "accepted", "technician": users[TECH],
            "appointment_at": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()},
            version=current["version"])
    return work_order["id"]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[tuple[Engine, dict[str, str], str]]:
    engine = Engine(f"sqlite:///{tmp_path_factory.mktemp('service-ui') / 'ui.db'}")
    engine.metadata(TENANT).deploy(CRM)
    engine.metadata(TENANT).install_pack(SERVICE)
    passwords = people(engine)
    try:
        yield engine, passwords, dispatch(engine)
    finally:
        engine.close()


@pytest.fixture(scope="module")
def live(world) -> Iterator[LiveServer]:
    """The app over this module's world (replaces the demo's ``live`` of conftest.py)."""
    server = serve(world[0], TENANT)
    try:
        yield server
    finally:
        server.stop()


def shot(window: Window, step: str, doc: str | None = None) -> Path:
    """The step's screenshot from the top of the page (a page scrolled to the field being
    filled draws the sticky header in its middle), copied as ``service-<doc>.png``."""
    window.page.evaluate("window.scrollTo(0, 0)")
    return window.shot(step, doc=f"service-{doc}" if doc else None)


def test_a_technician_checks_in_and_completes_a_work_order_on_a_phone(open_window, world):
    engine, passwords, work_order = world
    window = open_window(phone=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = window.page
    window.go(f"/portal/{TENANT}")
    window.login(TECH, passwords[TECH])
    shot(window, "login")
    window.submit_login()
    assert window.path.startswith("/app"), f"after logging in: {window.path}"

    # the phone home: their open work orders first
    with engine.session(TENANT, TECH) as session:
        number = session.get("WorkOrder", work_order)["number"]
    mine = page.locator("section", has=page.get_by_role("heading", name="我的未完成工单"))
    card = mine.get_by_role("link", name=number)
    assert card.is_visible()
    shot(window, "home", doc="home-phone")
    with page.expect_navigation():
        card.click()
    assert record_id(window) == work_order
    for shown in (CUSTOMER, SITE, "王芳", "已接单"):
        assert page.get_by_text(shown).first.is_visible(), shown
    assert page.get_by_text("服务请求", exact=True).count() == 0, "the request stays upstream"
    shot(window, "work order", doc="work-order-phone")

    # check in: a visit from the work order's related list, the time defaulting to now
    related(page, "上门签到").get_by_role("link", name="新建").click()
    page.wait_for_load_state()
    assert field(page, "工单").input_value() == number, "the visit is for this work order"
    checked_in = field(page, "签到时间").input_value()
    assert checked_in, "the check-in time defaults to now"
    shot(window, "check in", doc="check-in-phone")
    click(window, "button", "保存")
    visit = record_id(window)
    shot(window, "checked in")

    # check out two hours later with the result
    window.go(f"/app/o/TechnicianVisit/{visit}/edit")
    out = dt.datetime.fromisoformat(field(page, "签到时间").input_value()) + dt.timedelta(hours=2)
    field(page, "签退时间").fill(out.strftime("%Y-%m-%dT%H:%M"))
    field(page, "结果").select_option(label="已解决")
    field(page, "现场记录").fill("轴承磨损，已更换；机械密封同时更换。")
    shot(window, "check out")
    click(window, "button", "保存")
    assert record_id(window) == visit
    assert page.get_by_text("已解决").first.is_visible()

    # the check-in started the work: complete it with the resolution
    window.go(f"/app/o/WorkOrder/{work_order}")
    assert page.get_by_text("处理中").first.is_visible(), "checking in started the work"
    click(window, "link", "编辑")
    field(page, "状态").select_option(label="已完工")
    field(page, "处理结果").fill(RESOLUTION)
    shot(window, "complete", doc="complete-phone")
    click(window, "button", "保存")
    assert record_id(window) == work_order
    assert page.get_by_text("已完工").first.is_visible()
    assert page.get_by_text(RESOLUTION).first.is_visible()
    visits = related(page, "上门签到")
    assert visits.get_by_text("已解决").count() == 1
    shot(window, "completed", doc="completed-phone")

    # upstream, the desk has the satisfaction survey to call
    with engine.session(TENANT, "svc.agent") as agent:
        surveys = agent.query("SatisfactionSurvey", filter="ISPICKVAL(status, 'pending')").records
        assert [s["work_order"] for s in surveys] == [work_order]
        assert agent.get("WorkOrder", work_order)["completed_at"] is not None

