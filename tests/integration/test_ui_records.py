"""The browser UI's lists, record pages and forms through Starlette's TestClient, on both
databases: what renders, what a submitted form writes, errors beside their fields, the
stale-version conflict, CSRF, permissions and escaping."""

from __future__ import annotations

import re
import warnings

import pytest

from hulian.runtime.api import create_app
from hulian.runtime.demo import DEALER, DEALER_BUYER, example_pack, set_up

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery"
XSS = '<script>alert("x")</script>'


@pytest.fixture
def site(engine, tenant):
    set_up(engine, tenant, [example_pack()])  # the example CRM alone (not the preset apps)
    people = engine.people(tenant)
    people.create_enterprise("Dealer B", partner_manager="wang")
    people.create_user("other.buyer", enterprise="Dealer B", roles=["dealer_buyer"])
    people.create_user("dealer.boss", enterprise=DEALER, roles=["dealer_boss"])
    for user in ("admin", DEALER_BUYER, "other.buyer", "dealer.boss"):
        people.set_password(user, PASSWORD)
    return engine, tenant, create_app(engine)


def client_for(site, username="admin", **cookies):
    _, tenant, app = site
    client = TestClient(app, follow_redirects=False)
    response = client.post("/api/v1/auth/login", json={
        "tenant": tenant, "username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.cookies.update({"lang": "en", **cookies})
    return client, response.json()["csrf_token"]


def an_order(site, username="admin"):
    engine, tenant, _ = site
    with engine.session(tenant, username) as s:
        return s.query("Order", limit=1, order_by="number").records[0]


def field_block(html, name):
    """The markup of one form field (its wrapper div)."""
    start = html.index(f'id="field-{name}"')
    begin = html.rindex('<div class="field', 0, start)
    return html[begin:html.index('<div class="field', start) if '<div class="field' in
                html[start:] else len(html)]


def test_list_shows_scenes_with_counts_columns_and_rows(site):
    client, _ = client_for(site)
    page = client.get("/app/o/Order")
    assert page.status_code == 200
    html = page.text
    assert "Open orders" in html and 'aria-current="page"' in html
    assert re.search(r"All <span class=\"count\">\d+</span>", html)
    assert "Order number" in html and "SO-" in html
    sorted_page = client.get("/app/o/Order?scene=all&sort=-number").text
    numbers = re.findall(r">(SO-\d+)<", sorted_page)
    assert numbers == sorted(numbers, reverse=True) and len(numbers) > 1
    assert 'aria-sort="descending"' in sorted_page


def test_scene_counts_stop_at_the_limit_with_a_plus(site, monkeypatch):
    """The picker counts up to COUNT_LIMIT (99): a scene with more shows "99+"."""
    from hulian.runtime.ui import list_pages

    client, _ = client_for(site)
    exact = re.search(r"All <span class=\"count\">(\d+)</span>",
                      client.get("/app/o/Order").text)
    assert exact and int(exact.group(1)) > 1
    monkeypatch.setattr(list_pages, "COUNT_LIMIT", 1)
    assert 'All <span class="count">1+</span>' in client.get("/app/o/Order").text
    monkeypatch.setattr(list_pages, "COUNT_LIMIT", int(exact.group(1)))
    assert f'All <span class="count">{exact.group(1)}</span>' in \
        client.get("/app/o/Order").text


def test_list_filters_search_and_bad_filter_values(site):
    client, _ = client_for(site)
    order = an_order(site)
    found = client.get(f"/app/o/Order?scene=all&q={order['number']}").text
    assert re.findall(r">(SO-\d+)<", found) == [order["number"]]
    none = client.get("/app/o/Order?scene=all&f_status=cancelled&q=SO-").text
    assert "No records" in none or "SO-" not in none.split("</nav>", 2)[-1]
    bad = client.get("/app/o/Order?scene=all&f_total_amount=lots")
    assert bad.status_code == 200 and 'id="filter-error"' in bad.text


def test_mobile_channel_shows_cards(site):
    client, _ = client_for(site, DEALER_BUYER, channel="mobile")
    html = client.get("/app/o/Order").text
    assert 'class="cards"' in html and 'class="card-title"' in html
    assert "<table" not in html


def test_record_page_sections_related_lists_and_prefilled_new(site):
    client, _ = client_for(site)
    order = an_order(site)
    html = client.get(f"/app/o/Order/{order['id']}").text
    assert order["number"] in html
    assert f'href="/app/o/OrderLine/new?sales_order={order["id"]}"' in html
    new = client.get(f"/app/o/OrderLine/new?sales_order={order['id']}").text
    assert f'value="{order["id"]}"' in field_block(new, "sales_order")
    assert 'id="activities"' in html


def test_create_through_the_form_and_errors_beside_their_fields(site):
    engine, tenant, _ = site
    client, csrf = client_for(site)
    form = client.get("/app/o/Order/new").text
    assert '<label for="field-delivery">' in form and 'type="date"' in form
    refused = client.post("/app/o/Order/new", data={
        "csrf_token": csrf, "delivery": "express", "carrier": "deppon", "status": "draft",
        "order_date": "2024-02-30"})
    assert refused.status_code == 422
    carrier = field_block(refused.text, "carrier")
    assert 'aria-describedby="help-carrier error-carrier"' in carrier
    assert "error-message" in carrier and 'value="deppon" selected' in carrier
    assert "error-message" in field_block(refused.text, "order_date")
    assert 'class="error-summary"' in refused.text
    made = client.post("/app/o/Order/new", data={
        "csrf_token": csrf, "delivery": "express", "carrier": "sf", "status": "draft",
        "notes": XSS})
    assert made.status_code == 303
    record_id = made.headers["location"].rsplit("/", 1)[-1]
    with engine.session(tenant) as s:
        stored = s.get("Order", record_id)
    assert (stored["carrier"], stored["notes"]) == ("sf", XSS)
    page = client.get(made.headers["location"]).text
    assert XSS not in page and "&lt;script&gt;" in page


def test_validation_rule_message_in_the_users_language(site):
    client, csrf = client_for(site, lang="zh")
    client.cookies.set("lang", "zh")
    data = {"csrf_token": csrf, "title": "Big", "stage": "won", "probability": "50"}
    refused = client.post("/app/o/Opportunity/new", data=data)
    assert refused.status_code == 422
    assert "赢单的赢率必须是100%" in field_block(refused.text, "probability")
    client.cookies.set("lang", "en")
    again = client.post("/app/o/Opportunity/new", data=data)
    assert "A won opportunity has a probability of 100%" in field_block(again.text,
                                                                       "probability")


def test_edit_and_the_stale_version_conflict(site):
    engine, tenant, _ = site
    client, csrf = client_for(site)
    order = an_order(site)
    form = client.get(f"/app/o/Order/{order['id']}/edit").text
    assert f'name="version" value="{order["version"]}"' in form
    with engine.session(tenant) as s:  # someone else saves first
        s.update("Order", order["id"], {"notes": "changed meanwhile"})
    stale = client.post(f"/app/o/Order/{order['id']}/edit", data={
        "csrf_token": csrf, "version": str(order["version"]), "notes": "mine",
        "delivery": order["delivery"], "status": order["status"]})
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.text and "changed meanwhile" in stale.text
    with engine.session(tenant) as s:
        current = s.get("Order", order["id"])["version"]
    assert current > order["version"]
    assert f'name="version" value="{current}"' in stale.text
    saved = client.post(f"/app/o/Order/{order['id']}/edit", data={
        "csrf_token": csrf, "version": str(current), "notes": "mine",
        "delivery": order["delivery"], "status": order["status"]})
    assert saved.status_code == 303
    with engine.session(tenant) as s:
        assert s.get("Order", order["id"])["notes"] == "mine"


def test_posts_without_the_csrf_token_are_refused(site):
    engine, tenant, _ = site
    client, _ = client_for(site)
    order = an_order(site)
    for url, data in ((f"/app/o/Order/{order['id']}/delete", {}),
                      ("/app/o/Order/new", {"delivery": "pickup"}),
                      (f"/app/o/Order/{order['id']}/edit", {"notes": "x"})):
        assert client.post(url, data={**data, "csrf_token": "wrong"}).status_code == 403
        assert client.post(url, data=data).status_code == 403
    with engine.session(tenant) as s:
        assert s.get("Order", order["id"])["version"] == order["version"]


def test_another_enterprises_record_is_the_same_404_as_a_missing_one(site):
    mine = an_order(site, DEALER_BUYER)
    other, _ = client_for(site, "other.buyer")
    missing = other.get("/app/o/Order/01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    guessed = other.get(f"/app/o/Order/{mine['id']}")
    assert missing.status_code == guessed.status_code == 404
    assert missing.text.replace("01ZZZZZZZZZZZZZZZZZZZZZZZZ", mine["id"]) == guessed.text
    assert other.get(f"/app/o/Order/{mine['id']}/edit").status_code == 404
    assert DEALER not in other.get("/app/o/Order?scene=all").text


def test_delete_bin_restore_bulk_and_export(site):
    engine, tenant, _ = site
    client, csrf = client_for(site)
    with engine.session(tenant) as s:
        ids = [s.create("Account", {"name": f"Zeta {i}"})["id"] for i in range(3)]
    gone = client.post(f"/app/o/Account/{ids[0]}/delete", data={"csrf_token": csrf})
    assert gone.status_code == 303 and gone.headers["location"] == "/app/o/Account"
    assert client.get(f"/app/o/Account/{ids[0]}").status_code == 404
    bin_page = client.get("/app/o/Account/bin").text
    assert "Zeta 0" in bin_page
    back = client.post(f"/app/o/Account/{ids[0]}/restore", data={"csrf_token": csrf})
    assert back.status_code == 303 and client.get(back.headers["location"]).status_code == 200
    bulk = client.post("/app/o/Account/bulk", data={"csrf_token": csrf, "ids": ids[1:],
                                                    "next": "/app/o/Account?scene=all"})
    assert bulk.status_code == 303 and bulk.headers["location"] == "/app/o/Account?scene=all"
    with engine.session(tenant) as s:
        assert s.count("Account", {"name": {"starts_with": "Zeta"}}) == 1
    export = client.get("/app/o/Account/export?scene=all&q=Zeta")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,") and len(lines) == 2 and "Zeta 0" in lines[1]


def test_dealers_may_not_export_or_delete_in_bulk(site):
    client, _ = client_for(site, DEALER_BUYER)
    html = client.get("/app/o/Order").text
    assert "/export" not in html and "Delete selected" not in html
    assert client.get("/app/o/Order/export").status_code in (403, 404)


def test_lookup_search_json_and_page(site):
    client, _ = client_for(site)
    found = client.get("/app/lookup/Account?q=a", headers={"Accept": "application/json"})
    assert found.status_code == 200 and found.json()["records"]
    first = found.json()["records"][0]
    page = client.get("/app/lookup/Account?q=a&field=account&back=/app/o/Order/new").text
    assert f'href="/app/o/Order/new?account={first["id"]}"' in page
    evil = client.get("/app/lookup/Account?field=account&back=//evil.example/x").text
    assert "evil.example" not in evil.split("<ul class=\"choices\">")[-1]


def test_activities_are_logged_from_the_record_page(site):
    client, csrf = client_for(site)
    order = an_order(site)
    done = client.post(f"/app/o/Order/{order['id']}/activities", data={
        "csrf_token": csrf, "kind": "call", "text": f"Called {XSS}"})
    assert done.status_code == 303
    html = client.get(f"/app/o/Order/{order['id']}").text
    assert "Called &lt;script&gt;" in html and XSS not in html


def test_labels_and_option_names_are_escaped(engine, tenant):
    from tests.packs import field, label, obj, pack

    evil = label(XSS, XSS)
    thing = obj("Thing", {**field("name", "text"), "label": evil},
                {**field("kind", "picklist"), "label": evil,
                 "options": [{"api_name": "bad", "label": evil}]})
    engine.metadata(tenant).deploy(pack(thing))
    engine.people(tenant).set_password("admin", PASSWORD)
    with engine.session(tenant) as s:
        made = s.create("Thing", {"name": XSS, "kind": "bad"})
    client, _ = client_for((engine, tenant, create_app(engine)))
    for url in ("/app/o/Thing?scene=all", f"/app/o/Thing/{made['id']}", "/app/o/Thing/new",
                f"/app/o/Thing/{made['id']}/edit", "/app/o/Thing?scene=all&f_kind=bad"):
        html = client.get(url).text
        assert "<script>" not in html.split("</head>", 1)[1], url
        assert "&lt;script&gt;" in html, url


def test_approval_panel_offers_what_the_user_may_do(site):
    order = an_order(site, DEALER_BUYER)
    client, csrf = client_for(site, DEALER_BUYER)
    html = client.get(f"/app/o/Order/{order['id']}").text
    assert 'id="approval"' in html and "Not submitted" in html
    assert f"/app/o/Order/{order['id']}/approval/submit" in html
    sent = client.post(f"/app/o/Order/{order['id']}/approval/submit",
                       data={"csrf_token": csrf, "comment": "please"})
    assert sent.status_code == 303
    after = client.get(f"/app/o/Order/{order['id']}").text
    assert "Pending" in after and "/approval/recall" in after
    assert "/approval/approve" not in after
    assert client.post(f"/app/o/Order/{order['id']}/approval/dance",
                       data={"csrf_token": csrf}).status_code == 404
    boss, boss_csrf = client_for(site, "dealer.boss")
    panel = boss.get(f"/app/o/Order/{order['id']}").text
    assert "/approval/approve" in panel and "/approval/reject" in panel
    done = boss.post(f"/app/o/Order/{order['id']}/approval/approve",
                     data={"csrf_token": boss_csrf, "comment": "ok"})
    assert done.status_code == 303
    assert "Approved" in boss.get(f"/app/o/Order/{order['id']}").text


def test_my_subordinates_is_offered_only_to_those_who_lead_someone(site):
    from hulian.runtime.demo import SALES_MANAGER, SALES_REP

    engine, tenant, _ = site
    for user in (SALES_MANAGER, SALES_REP):
        engine.people(tenant).set_password(user, PASSWORD)
    offered = {}
    for user in (SALES_MANAGER, SALES_REP, "admin", DEALER_BUYER):
        client, _ = client_for(site, user)
        offered[user] = "scene=my_subordinates" in client.get("/app/o/Order").text
    assert offered == {SALES_MANAGER: True, SALES_REP: False, "admin": False,
                       DEALER_BUYER: False}
