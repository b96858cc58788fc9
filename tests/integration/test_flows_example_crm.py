"""Issue 15's "Done when" on the example CRM, through REST with three tokens, on SQLite and
PostgreSQL: a dealer buyer places an order of 60,000 and submits it; the dealer boss finds it
among their pending approvals and approves; the partner manager upstream approves (over
50,000); the order is approved and locked with its lines, the example's automation logs an
activity and tells the owner, the buyer was notified, and a webhook subscribed to Order
received every step, signed and in order."""

from __future__ import annotations

from typing import Any

import pytest

from hulian.engine.webhooks import UrlPolicy
from tests.integration.test_rest_support import Api, body
from tests.integration.webhook_receiver import Receiver
from tests.integration.webhook_world import SECRET, World


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return body(response)


@pytest.fixture
def shop(crm, monkeypatch, cheap_hashing):
    """The example CRM with a dealer (a buyer and its boss), its partner manager upstream,
    a product at 1,000 and a local webhook receiver."""
    engine, tenant = crm
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    people = engine.people(tenant)
    people.create_department("Channel")
    people.create_user("wang", display_name="Wang", department="Channel", roles=["sales_rep"])
    people.create_enterprise("Dealer A", partner_manager="wang")
    people.create_user("a.buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    people.create_user("a.boss", enterprise="Dealer A", roles=["dealer_boss"])
    with engine.session(tenant) as s:
        product = s.create("Product", {"name": "Tea", "unit_price": "1000"})["id"]
    receiver = Receiver(SECRET)
    yield engine, tenant, product, World(engine, tenant, receiver)
    receiver.close()


def test_an_order_of_60000_goes_through_the_dealer_boss_and_the_partner_manager(shop):
    engine, tenant, product, world = shop
    admin = Api(engine, tenant)
    buyer, boss, manager = (Api(engine, tenant, user) for user in ("a.buyer", "a.boss", "wang"))
    _ok(admin.post("/admin/webhooks", {"name": "erp", "object": "Order",
                                       "url": world.receiver.url, "secret": SECRET}), 201)

    # 1. the buyer creates an order of 60,000 and submits it
    order = _ok(buyer.post("/objects/Order/records",
                           {"order_date": "2026-12-07", "delivery": "pickup"}), 201)
    lines = [_ok(buyer.post("/objects/OrderLine/records", {
        "sales_order": order["id"], "product": product, "quantity": quantity}), 201)
        for quantity in (40, 20)]
    path = f"/objects/Order/records/{order['id']}"
    assert _ok(buyer.get(path))["total_amount"] == 60000
    state = _ok(buyer.post(f"{path}/approval/submit", {"comment": "for the spring fair"}))
    assert (state["approval"]["status"], state["approval"]["step"], state["locked"]) == \
        ("pending", "dealer_boss", True)
    assert _ok(buyer.get(path))["status"] == "pending_approval"

    # 2. the boss sees it under pending approvals and approves
    assert [a["record_id"] for a in _ok(boss.get("/approvals/pending"))["approvals"]] == \
        [order["id"]]
    assert _ok(manager.get("/approvals/pending"))["approvals"] == []
    state = _ok(boss.post(f"{path}/approval/approve", {"comment": "ok"}))
    assert state["approval"]["step"] == "partner_manager"

    # 3. the partner manager approves
    assert [a["record_id"] for a in _ok(manager.get("/approvals/pending"))["approvals"]] == \
        [order["id"]]
    state = _ok(manager.post(f"{path}/approval/approve", {}))

    # 4. approved and locked, with its lines; an activity records it; the buyer was told
    assert (state["approval"]["status"], state["locked"]) == ("approved", True)
    record = _ok(buyer.get(path))
    assert record["status"] == "approved"
    refused = buyer.patch(path, {"notes": "late change", "version": record["version"]})
    assert (refused.status_code, body(refused)["error"]["code"]) == (409, "record_locked")
    line = _ok(buyer.get(f"/objects/OrderLine/records/{lines[0]['id']}"))
    refused = buyer.patch(f"/objects/OrderLine/records/{line['id']}",
                          {"quantity": 41, "version": line["version"]})
    assert (refused.status_code, body(refused)["error"]["code"]) == (409, "record_locked")
    assert [(h["action"], h["step"]) for h in _ok(buyer.get(f"{path}/approval"))["history"]] == \
        [("submit", "dealer_boss"), ("approve", "dealer_boss"), ("approve", "partner_manager")]
    activities = _ok(buyer.get(f"{path}/activities"))["activities"]
    assert [(a["kind"], a["text"]) for a in activities] == \
        [("note", f"Order {record['number']} approved")]
    told = {api: [n["title"] for n in _ok(api.get("/notifications"))["notifications"]]
            for api in (buyer, manager)}
    assert told[buyer] == [f"Order {record['number']} was approved"]  # the process: submitter
    assert "Order approved" in told[manager]  # the automation: the owner (the dealer's
    # partner manager owns what its people create; the buyer is out_owner_id)

    # the webhook received every step, signed, in the order they happened
    world.run()
    received = [r for r in world.receiver.received if r.signed]
    assert len(received) == len(world.receiver.received)
    changes = [r.json for r in received]
    assert [c["id"] for c in changes] == sorted(c["id"] for c in changes)
    events = [c["after"]["event"] for c in changes
              if c["kind"] == "event" and c["record_id"] == order["id"]]
    assert events == ["approval_submitted", "approval_step_approved", "approval_approved"]
    statuses = [c["after"]["status"] for c in changes if c["record_id"] == order["id"]
                and c["kind"] == "update" and "status" in (c["after"] or {})]
    assert statuses == ["pending_approval", "approved"]
