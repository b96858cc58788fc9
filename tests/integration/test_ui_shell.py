"""The shell: the app launcher and the home view (TestClient, both databases)."""

from __future__ import annotations

from tests.integration.ui_support import BUYER, REP

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def test_a_dealer_buyer_sees_only_the_order_app_and_the_mobile_home(ui_site):
    client = ui_site.logged_in(BUYER, **{"user-agent": PHONE, "accept-language": "zh"})
    page = client.get("/app")
    assert page.status_code == 200, page.text
    assert 'class="channel-mobile"' in page.text
    assert "订货通" in page.text
    assert 'href="/app?app=crm"' not in page.text          # no internal CRM
    assert "采购首页" in page.text                          # the buyer's mobile home view
    assert 'href="/app/o/Order/new"' in page.text           # quick create
    assert "每周五 16:00 前确认的订单当周发货。" in page.text


def test_a_sales_rep_sees_the_crm_and_the_apps(ui_site):
    client = ui_site.logged_in(REP, **{"accept-language": "en"})
    page = client.get("/app")
    assert page.status_code == 200, page.text
    assert 'class="channel-web"' in page.text
    assert 'href="/app?app=crm"' in page.text
    assert 'href="/app/o/Account"' in page.text
    switched = client.get("/prefs?channel=mobile&next=/app")
    assert switched.headers["location"] == "/app"
    assert 'class="channel-mobile"' in client.get("/app").text
