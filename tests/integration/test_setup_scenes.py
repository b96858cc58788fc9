"""The config UI's scenes (issue 17): a new scene for dealers with a filter, columns and
sort reaches the dealer's list; a pack's scene replaced; a filter with a type error is
shown beside it and nothing applies. On both databases."""

from __future__ import annotations

import html

from tests.integration.test_setup_ui import _deploy, _post, admin  # noqa: F401


def _overlay(ui_site):
    return ui_site.engine.metadata(ui_site.tenant).overlay()


def test_a_new_scene_reaches_the_dealers_list(ui_site, admin):  # noqa: F811
    listed = admin.get("/setup/scenes")
    assert listed.status_code == 200 and 'href="/setup/scenes/big_orders"' in listed.text
    path = "/setup/scenes/new?object=Order&api_name=dealer_big"
    plan = _post(admin, path, {
        "object": "Order", "api_name": "dealer_big", "label_zh": "大单", "label_en": "Big",
        "filter": "total_amount >= 5000", "columns": "number, total_amount",
        "sort": "-total_amount", "roles": ["dealer_buyer"]})
    assert plan.status_code == 200, plan.text
    assert _deploy(admin, plan).status_code == 303
    assert _overlay(ui_site).documents["scenes/dealer_big.json"] == {
        "api_name": "dealer_big", "object": "Order", "label": {"zh": "大单", "en": "Big"},
        "filter": "total_amount >= 5000", "columns": ["number", "total_amount"],
        "sort": "-total_amount", "visible_to": {"roles": ["dealer_buyer"]}}
    with ui_site.engine.session(ui_site.tenant, user="buyer") as session:
        assert "dealer_big" in [s["api_name"] for s in session.scenes("Order")]
    with ui_site.engine.session(ui_site.tenant, user="rep") as session:
        assert "dealer_big" not in [s["api_name"] for s in session.scenes("Order")]
    dealer = ui_site.logged_in("buyer")
    assert dealer.get("/app/o/Order", params={"scene": "dealer_big"}).status_code == 200


def test_a_packs_scene_is_replaced_by_the_overlays(ui_site, admin):  # noqa: F811
    page = admin.get("/setup/scenes/big_orders")
    assert 'data-context="filter"' in page.text and "total_amount &gt;= 10000" in page.text
    done = _deploy(admin, _post(admin, "/setup/scenes/big_orders", {
        "label_zh": "大额订单", "label_en": "Large orders", "filter": "total_amount >= 20000",
        "columns": "number, account, total_amount, status", "sort": "-total_amount",
        "roles": ["sales_director", "dealer_boss"]}))
    assert done.status_code == 303
    stored = _overlay(ui_site).documents["scenes/big_orders.json"]
    assert stored["label"]["en"] == "Large orders"
    assert stored["filter"] == "total_amount >= 20000"
    assert "$schema" not in stored and "description" not in stored  # not sent: removed
    with ui_site.engine.session(ui_site.tenant, user="admin") as session:
        scene = session.scene("Order", "big_orders")
    assert scene["label"]["en"] == "Large orders"


def test_a_bad_filter_is_shown_beside_it_and_nothing_applies(ui_site, admin):  # noqa: F811
    page = _post(admin, "/setup/scenes/big_orders", {
        "label_en": "Big", "filter": "total_amount >= 'x'"})
    assert page.status_code == 422
    assert 'id="error-filter"' in page.text and "^" in html.unescape(page.text)
    page = _post(admin, "/setup/scenes/big_orders", {
        "label_en": "Big", "filter": "total_amount >= 1", "columns": "number, nope"})
    assert page.status_code == 422 and 'id="error-columns"' in page.text
    assert "scenes/big_orders.json" not in _overlay(ui_site).documents
    bad = admin.get("/setup/scenes/new", params={"object": "Order", "api_name": "9x"})
    assert bad.status_code == 422
