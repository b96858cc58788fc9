"""The order pack (订货通) in a real browser: Dealer A's buyer, on a 390 px phone, logs in
through the portal, creates an order for the dealer's account, adds two lines at the
dealer's gold tier prices, sees the net total roll up, and submits the order for approval
(the dealer boss is next). Screenshots for docs/apps/order.md
(``HULIAN_UI_SCREENSHOTS=docs/img/apps``: order-*.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from hulian.engine import Engine
from tests.browser.actions import choose_lookup, click, field, record_id, related
from tests.browser.live import LiveServer, serving
from tests.conftest import EXAMPLE_CRM, ROOT

TENANT = "acme"
PASSWORDS = {"a.buyer": "demo-buyer-pass", "a.boss": "demo-boss-pass"}
PUMP, FILTER = "离心泵 CP-200", "滤芯 F-10（箱装）"
PRICES = {PUMP: ("12800", "11000.00"), FILTER: ("560.50", "480.00")}  # list, gold
ACCOUNT = "华东泵业经销有限公司"
NET_TOTAL = re.compile(r"26,?800\.00")  # 2 pumps and 10 boxes of filters at gold prices


def order_world(engine: Engine) -> None:
    """crm and the order pack; upstream wang, Dealer A with a buyer and a boss; two products
    with gold prices; the dealer's account (registered by its boss) on gold terms."""
    engine.metadata(TENANT).deploy(EXAMPLE_CRM)
    engine.metadata(TENANT).install_pack(ROOT / "examples" / "order")
    people = engine.people(TENANT)
    people.create_department("Channel")
    people.create_user("wang", display_name="王经理", department="Channel", roles=["sales_rep"])
    people.create_enterprise("Dealer A", partner_manager="wang")
    people.create_user("a.buyer", display_name="小李", enterprise="Dealer A",
                       roles=["dealer_buyer"])
    people.create_user("a.boss", display_name="老陈", enterprise="Dealer A",
                       roles=["dealer_boss"])
    for username, password in PASSWORDS.items():
        people.set_password(username, password)
    with engine.session(TENANT) as s:
        gold = s.create("PriceBook", {"name": "金牌价目表", "tier": "gold"})["id"]
        for name, (list_price, gold_price) in PRICES.items():
            product = s.create("Product", {"name": name, "unit_price": list_price})["id"]
            s.create("PriceBookEntry", {"name": f"{name} · 金牌价", "price_book": gold,
                                        "product": product, "price": gold_price})
    with engine.session(TENANT, "a.boss") as s:
        account = s.create("Account", {"name": ACCOUNT})["id"]
    with engine.session(TENANT) as s:
        s.create("DealerTerms", {"account": account, "dealer_tier": "gold", "price_book": gold,
                                 "credit_limit": "200000", "status": "effective"})


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    engine = Engine(f"sqlite:///{tmp_path_factory.mktemp('order-ui') / 'ui.db'}")
    order_world(engine)
    with serving(engine, TENANT) as server:
        yield server


def add_line(window, order_path: str, product: str, quantity: str) -> None:
    window.go(order_path)
    related(window.page, "明细").get_by_role("link", name="新建").click()
    window.page.wait_for_load_state()
    assert "sales_order=" in window.path, "the related list's New prefills the order"
    choose_lookup(window, "产品", product.split()[0], product)
    choose_lookup(window, "价目表价格", product.split()[0], f"{product} · 金牌价")
    field(window.page, "数量").fill(quantity)
    window.shot(f"line {product}", doc="order-line-phone" if product == PUMP else None)
    click(window, "button", "保存")
    assert record_id(window)


def test_a_dealer_buyer_orders_at_gold_prices_and_submits_on_a_phone(open_window, live):
    window = open_window(phone=True)
    page = window.page
    window.go(f"/portal/{TENANT}")
    window.login("a.buyer", PASSWORDS["a.buyer"])
    window.submit_login()
    assert window.path.startswith("/app"), window.path
    window.shot("home", doc="order-home-phone")

    window.go("/app/o/Order")
    click(window, "link", "新建")
    choose_lookup(window, "客户", ACCOUNT[:2], ACCOUNT)
    field(page, "交付方式").select_option(label="自提")
    window.shot("new order", doc="order-new-phone")
    click(window, "button", "保存")
    order_path = f"/app/o/Order/{record_id(window)}"

    add_line(window, order_path, PUMP, "2")
    add_line(window, order_path, FILTER, "10")
    window.go(order_path)
    assert page.get_by_text(NET_TOTAL).first.is_visible(), "the gold-price total rolls up"
    lines = related(page, "明细")
    assert lines.get_by_text("11,000.00").count() >= 1, "the pump at the gold price"
    assert lines.get_by_text("12,800.00").count() == 0, "no list price among the lines"
    window.shot("order with lines", doc="order-lines-phone")

    click(window, "button", "提交审批")
    assert page.get_by_text("审批中").first.is_visible()
    window.shot("submitted", doc="order-submitted-phone")
    with live.engine.session(TENANT, "a.boss", readonly=True) as s:
        pending = s.pending_approvals()
    assert [a["record_id"] for a in pending] == [order_path.rsplit("/", 1)[1]]
