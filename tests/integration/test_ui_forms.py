"""Create and edit forms as a person fills them: only fillable fields on create, defaults
and default formulas prefilled, lookup choices that respect the field's lookup filter,
and (without script) a lookup chosen through the search page that keeps what was typed."""

from __future__ import annotations

import datetime as dt
import re

from tests.integration.test_ui_records import client_for, field_block, site  # noqa: F401

INACTIVE = "Ball valve DN50"  # a product of the sample data with is_active false


def test_a_create_form_shows_only_what_the_user_can_fill(site):  # noqa: F811
    client, _ = client_for(site)
    new = client.get("/app/o/Order/new").text
    edit_page = client.get("/app/o/Order").text
    order_id = re.search(r'href="/app/o/Order/(\w{26})"', edit_page).group(1)
    edit = client.get(f"/app/o/Order/{order_id}/edit").text
    for computed in ("number", "total_amount", "created_at"):
        assert f'id="field-{computed}"' not in new, computed
        assert f'id="field-{computed}"' in edit, computed
    assert '<output' not in new


def test_defaults_and_default_formulas_prefill_the_create_form(site):  # noqa: F811
    engine, tenant, _ = site
    client, _ = client_for(site)
    new = client.get("/app/o/Order/new").text
    with engine.session(tenant, "admin") as s:
        today = s.new_values("Order")["order_date"]
    assert isinstance(today, dt.date)
    assert f'value="{today.isoformat()}"' in field_block(new, "order_date")
    assert re.search(r'<option value="draft" selected>', field_block(new, "status"))


def test_lookup_choices_respect_the_lookup_filter(site):  # noqa: F811
    client, _ = client_for(site)
    scoped = client.get("/app/lookup/Product?q=&for=OrderLine&field=product",
                        headers={"Accept": "application/json"}).json()["records"]
    assert scoped and INACTIVE not in [r["name"] for r in scoped]
    anywhere = client.get("/app/lookup/Product?q=", headers={"Accept": "application/json"})
    assert INACTIVE in [r["name"] for r in anywhere.json()["records"]]
    new = client.get("/app/o/OrderLine/new").text
    assert 'data-lookup-for="OrderLine" data-lookup-field="product"' in new


def test_without_script_a_lookup_search_keeps_what_was_typed(site):  # noqa: F811
    client, csrf = client_for(site)
    form = client.get("/app/o/Opportunity/new").text
    search = re.search(r'formaction="(/app/lookup/Account\?[^"]+)"', form)
    assert search is not None, "the account lookup has a Search button posting the form"
    typed = {"csrf_token": csrf, "title": "Typed before searching", "stage": "proposal",
             "amount": "1234.50", "account": ""}
    page = client.post(search.group(1).replace("&amp;", "&"), data=typed)
    assert page.status_code == 200, page.text
    assert 'value="Typed before searching"' in page.text
    choice = re.search(r'<button type="submit" name="account" value="(\w+)">([^<]+)</button>',
                       page.text)
    assert choice is not None
    action = re.search(r'<form method="post" action="([^"]+)" class="lookup-return">',
                       page.text).group(1)
    back = client.post(action, data={**typed, "pick": "1", "account": choice.group(1)})
    assert back.status_code == 200, back.text
    assert 'value="Typed before searching"' in field_block(back.text, "title")
    assert 'value="1234.50"' in field_block(back.text, "amount")
    assert choice.group(2) in field_block(back.text, "account")
    assert "error" not in field_block(back.text, "account")
    engine, tenant, _ = site
    with engine.session(tenant, "admin") as s:
        assert s.count("Opportunity", {"title": "Typed before searching"}) == 0, \
            "choosing a lookup does not save the form"
