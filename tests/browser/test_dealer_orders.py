"""Scenario 1 (issue 16): a dealer buyer on a 390 px phone logs in through the tenant's
portal, sees only the order app and their home widgets, creates an order with two lines and
sees the total roll up."""

from __future__ import annotations

import re

from hulian.runtime import demo
from tests.browser.actions import choose_lookup, click, field, record_id, related, sign_in

PUMP, FILTER = "离心泵 CP-200", "滤芯 F-10（箱装）"  # 12,800.00 and 560.50 (sample data)
LINES = "明细"  # the related list of the dealers' mobile order layout
TOTAL = re.compile(r"27,?281\.50")  # 2 pumps and 3 boxes of filters


def add_line(window, order_path: str, product: str, quantity: str) -> None:
    window.go(order_path)
    lines = related(window.page, LINES)
    lines.get_by_role("link", name="新建").click()
    window.page.wait_for_load_state()
    assert "sales_order=" in window.path, "the related list's New prefills the order"
    assert field(window.page, "销售订单").input_value().startswith("SO-"), "prefilled"
    choose_lookup(window, "产品", product.split()[0], product)
    field(window.page, "数量").fill(quantity)
    window.shot(f"line {product}")
    click(window, "button", "保存")
    assert record_id(window)


def test_a_dealer_buyer_orders_two_lines_on_a_phone(open_window, live):
    window = open_window(phone=True)
    sign_in(window, demo.DEALER_BUYER, portal=True)
    page = window.page
    window.shot("home", doc="home-phone")
    for widget in ("待处理订单", "我的草稿", "订货通"):
        assert page.get_by_text(widget, exact=True).filter(visible=True).count() >= 1, widget
    assert page.get_by_text("每周五 16:00 前确认的订单当周发货。").is_visible()
    for internal in ("/app/o/Account", "/app/o/Opportunity", "/app/o/Contact"):
        assert page.locator(f'a[href^="{internal}"]').count() == 0, internal
    assert window.status_of("/app/o/Account") == 404, "internal pages are 404 for dealers"
    window.shot("account list is not found")

    window.go("/app")
    click(window, "link", "销售订单")
    window.shot("orders")
    click(window, "link", "新建")
    assert window.path.startswith("/app/o/Order/new")
    assert page.get_by_label("业务类型").count() == 0, "a buyer may use one business type only"
    field(page, "交付方式").select_option(label="自提")
    field(page, "备注").fill("周五前提货")
    window.shot("new order", doc="new-order-phone")
    click(window, "button", "保存")
    order_path = f"/app/o/Order/{record_id(window)}"
    window.shot("order created")

    add_line(window, order_path, PUMP, "2")
    add_line(window, order_path, FILTER, "3")
    window.go(order_path)
    window.shot("order with two lines", doc="order-phone")
    total = page.get_by_text(TOTAL)
    assert total.count() >= 1 and total.first.is_visible(), "the total rolls up on the page"
    lines = related(page, LINES)
    assert lines.get_by_text(PUMP).count() >= 1 and lines.get_by_text(FILTER).count() >= 1
