"""What the pages say: the app tile's description in the user's language, a portal login
message without a tenant it does not ask for, the tenant's dealer-facing brand for
interconnect users only, named related-list sections, and history times in the user's
time zone (UTC, said so, without one)."""

from __future__ import annotations

import re

from tests.integration.test_ui_records import an_order, client_for, site  # noqa: F401
from tests.integration.ui_support import BUYER, REP, hidden_csrf

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
BRAND = {"zh": "艾克米订货", "en": "Acme Ordering"}


def test_the_app_tiles_description_follows_the_language(ui_site):
    zh = ui_site.logged_in(BUYER, **{"user-agent": PHONE, "accept-language": "zh"})
    assert "经销商订货" in zh.get("/app").text
    en = ui_site.logged_in(BUYER, **{"user-agent": PHONE, "accept-language": "en"})
    page = en.get("/app").text
    assert "Order-to-cash (O2C) for dealers" in page and "经销商订货" not in page


def test_a_wrong_portal_login_does_not_mention_a_tenant(ui_site):
    client = ui_site.client(**{"accept-language": "en"})
    path = f"/portal/{ui_site.tenant}"
    wrong = ui_site.login(client, BUYER, "not the password", path=path)
    assert wrong.status_code == 401
    assert "The username or password is not right." in wrong.text
    assert "tenant" not in re.search(r'role="alert"[^>]*>([^<]*)<', wrong.text).group(1).lower()
    internal = ui_site.login(ui_site.client(**{"accept-language": "en"}), REP, "nope")
    assert "The tenant, username or password is not right." in internal.text


def test_the_brand_is_the_portals_and_internal_users_see_the_product(ui_site):
    dealer = ui_site.logged_in(BUYER, **{"accept-language": "en"}).get("/app").text
    assert BRAND["en"] in dealer
    rep = ui_site.logged_in(REP, **{"accept-language": "en"}).get("/app").text
    assert BRAND["en"] not in rep
    assert '<span class="brand-name">hulian</span>' in rep  # the product's name
    portal = ui_site.client(**{"accept-language": "en"}).get(f"/portal/{ui_site.tenant}")
    assert BRAND["en"] in portal.text
    assert hidden_csrf(portal.text)


def test_related_lists_are_named_by_their_heading(site):  # noqa: F811
    client, _ = client_for(site)
    engine, tenant, _ = site
    with engine.session(tenant, "admin") as s:
        account = s.query("Account", limit=1, order_by="name").records[0]
    page = client.get(f"/app/o/Account/{account['id']}").text
    sections = re.findall(r'<section class="section related" aria-labelledby="([^"]+)">\s*'
                          r'<div class="section-head">\s*<h2 id="([^"]+)">', page)
    assert sections and all(a == b for a, b in sections)


def test_history_times_are_in_the_users_zone_and_say_which(site):  # noqa: F811
    order = an_order(site)
    client, _ = client_for(site)
    utc = client.get(f"/app/o/Order/{order['id']}").text
    history = utc[utc.index('class="section history"'):]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC ·", history)
    client.cookies.set("tz", "Asia/Shanghai")
    local = client.get(f"/app/o/Order/{order['id']}").text
    history = local[local.index('class="section history"'):]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00 ·", history)
    client.cookies.set("tz", "../../etc/passwd")
    assert " UTC ·" in client.get(f"/app/o/Order/{order['id']}").text
