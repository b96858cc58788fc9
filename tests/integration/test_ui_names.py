"""People read names, not ids: owners and other users in list columns, on the record page,
in its history and in the edit form (a choice of users, not an id box); lookups and
picklists in the home view's lists by the record's name and the option's label."""

from __future__ import annotations

import datetime as dt
import re

from hulian.runtime.demo import SALES_REP
from tests.integration.test_ui_records import client_for, field_block, site  # noqa: F401

REP_NAME = "Zhang (sales rep)"


def _give_first_order_to_the_rep(engine, tenant):
    with engine.session(tenant, "admin") as s:
        order = s.query("Order", limit=1, order_by="number").records[0]
        rep = next(u for u in engine.people(tenant).users() if u.username == SALES_REP)
        s.update("Order", order["id"], {"owner_id": rep.id})
    return order, rep


def test_owner_is_shown_by_name_in_lists_records_and_history(site):  # noqa: F811
    engine, tenant, _ = site
    order, rep = _give_first_order_to_the_rep(engine, tenant)
    client, _ = client_for(site)
    listed = client.get("/app/o/Order?scene=all&sort=number").text
    assert REP_NAME in listed and rep.id not in listed
    page = client.get(f"/app/o/Order/{order['id']}").text
    owner = re.search(r"<dt>Owner</dt><dd>(.*?)</dd>", page)
    assert owner is not None and owner.group(1) == REP_NAME
    history = page[page.index('class="section history"'):]
    assert f"Owner: Administrator → {REP_NAME}" in history
    assert rep.id not in page


def test_the_edit_forms_owner_is_a_choice_of_users_by_name(site):  # noqa: F811
    engine, tenant, _ = site
    order, rep = _give_first_order_to_the_rep(engine, tenant)
    client, _ = client_for(site)
    block = field_block(client.get(f"/app/o/Order/{order['id']}/edit").text, "owner_id")
    assert '<select id="field-owner_id" name="owner_id"' in block
    assert f'<option value="{rep.id}" selected>{REP_NAME}</option>' in block
    assert ">Administrator</option>" in block
    assert "Xiao Li" not in block  # a dealer's buyer is not an internal record's owner
    assert 'type="text"' not in block


def test_home_lists_show_record_names_and_option_labels(site):  # noqa: F811
    engine, tenant, _ = site
    engine.people(tenant).set_password(SALES_REP, "correct horse battery")
    with engine.session(tenant, SALES_REP) as s:
        account = s.query("Account", limit=1, order_by="name").records[0]
        s.create("Opportunity", {"title": "Pumps for Q1", "account": account["id"],
                                 "stage": "proposal", "amount": 1000,
                                 "close_date": dt.date.today()})
    client, _ = client_for(site, SALES_REP)
    home = client.get("/app").text
    closing = home[home.index("Closing soon"):]
    row = closing[closing.index("Pumps for Q1") - 400:closing.index("Pumps for Q1") + 600]
    assert account["name"] in row and account["id"] not in row
    assert "Proposal" in row and "proposal<" not in row
