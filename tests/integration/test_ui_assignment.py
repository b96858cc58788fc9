"""Giving a record to a downstream user in the browser (分配给下游): the external owner is
chosen by name among the partners' users, the record page names the user and the
enterprise, and the dealer then sees the record in the portal (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import json
import re

from hulian.runtime.demo import example_pack
from tests.integration.ui_support import BUYER, DEALER, hidden_csrf
from tests.packs import pack_of

LAYOUT = json.loads((example_pack() / "layouts" / "order_detail.json").read_text("utf-8"))


def _with_assignment(ui_site):
    """The tenant's own order_detail layout: the crm one plus the external owner and
    enterprise."""
    layout = copy.deepcopy(LAYOUT)
    layout.pop("$schema", None)
    layout["sections"][-1]["fields"] += ["out_owner_id", "out_tenant_id", "business_type"]
    overlay = {"pack.json": {"name": "acme", "version": "1.0.0", "kind": "tenant",
                             "label": {"zh": "艾克米", "en": "Acme"}},
               "layouts/order_detail.json": layout}
    ui_site.engine.metadata(ui_site.tenant).deploy(pack_of(overlay))


def test_an_order_is_given_to_a_dealer_user_from_its_edit_form(ui_site):
    _with_assignment(ui_site)
    engine, tenant = ui_site.engine, ui_site.tenant
    with engine.session(tenant) as s:
        order = s.create("Order", {"notes": "for the dealer"})
    buyer = next(u for u in engine.people(tenant).users() if u.username == BUYER)
    admin = ui_site.client()
    ui_site.engine.people(tenant).set_password("admin", "admin-password-123")
    assert ui_site.login(admin, "admin", "admin-password-123").status_code == 303
    form = admin.get(f"/app/o/Order/{order['id']}/edit")
    assert form.status_code == 200
    select = re.search(r'<select id="field-out_owner_id".*?</select>', form.text, re.S)
    assert select is not None, "the external owner is chosen from a list"
    assert f'value="{buyer.id}"' in select.group(0)
    assert buyer.display_name in select.group(0) and DEALER in select.group(0)
    assert "Rep" not in select.group(0)                      # upstream users are not offered
    saved = admin.post(f"/app/o/Order/{order['id']}/edit", data={
        "csrf_token": hidden_csrf(form.text), "version": "1", "out_owner_id": buyer.id})
    assert saved.status_code == 303, saved.text
    page = admin.get(f"/app/o/Order/{order['id']}").text
    assert buyer.display_name in page and DEALER in page
    assert buyer.id not in re.sub(r'href="[^"]*"|value="[^"]*"', "", page)  # names, not ids
    assert re.search(r"标准订单|Standard order", page)     # the business type by its label
    assert not re.search(r">\s*standard\s*<", page)
    with engine.session(tenant, BUYER) as s:
        assert [r["notes"] for r in s.query("Order").records] == ["for the dealer"]
