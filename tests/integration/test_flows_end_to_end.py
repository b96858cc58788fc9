"""Issue 15's "Done when", through REST with three tokens (dealer buyer, dealer boss,
partner manager), on both databases: an order of 60,000 with lines, submitted, approved
by the boss and then upstream, approved and locked, the buyer notified.

The example CRM has no approval process on this branch yet (F1 adds
examples/crm/flows/): :func:`world_of` builds the tenant of
tests/integration/approval_world.py instead, whose ``Deal`` / ``Line`` stand for
``Order`` / ``OrderLine``; the lead points it at the example CRM at merge. Whether an
activity records the approval (F3's automation) and whether a webhook received every step
are asserted by :func:`assert_automation_and_webhooks`, which the lead extends.
"""

from __future__ import annotations

import pytest

from tests.integration.approval_world import FLOW, build
from tests.integration.test_rest_openapi import validator
from tests.integration.test_rest_support import Api, body

ORDER, LINE, MASTER = "Deal", "Line", "deal"


def world_of(engine, tenant):
    """The tenant, with the upstream step's approvers reduced to the partner manager (as
    the example's order_approval has it)."""
    upstream = {**FLOW["steps"][1], "approvers": [{"partner_manager": True}],
                "criteria": "amount > 50000"}
    build(engine, tenant, {**FLOW, "steps": [FLOW["steps"][0], upstream]})


def assert_automation_and_webhooks(api: Api, order_id: str) -> None:
    """The activity an automation logs when the order is approved, and the webhook
    deliveries: on other branches (F3, webhooks); the lead adds them here at merge."""
    events = [c["after"]["event"] for c in body(api.get("/changes"))["changes"]
              if c["kind"] == "event" and c["record_id"] == order_id]
    assert events == ["approval_submitted", "approval_step_approved", "approval_approved"]


@pytest.fixture
def apis(engine, tenant, cheap_hashing):
    world_of(engine, tenant)
    return {user: Api(engine, tenant, user) for user in ("buyer", "boss", "pm")}


def test_an_order_of_60000_through_both_approvals(apis):
    buyer, boss, pm = apis["buyer"], apis["boss"], apis["pm"]
    order = buyer.create(ORDER, {"name": "O-60000", "amount": 60000})
    for amount in (40000, 20000):
        buyer.create(LINE, {"name": f"line {amount}", "amount": amount, MASTER: order["id"]})
    base = f"/objects/{ORDER}/records/{order['id']}/approval"
    document = body(buyer.get("/openapi.json"))
    response = buyer.post(f"{base}/submit", {"comment": "for the spring fair"})
    assert response.status_code == 200, response.text
    validator(document, "ApprovalState").validate(body(response))

    response = boss.get("/approvals/pending")
    assert response.status_code == 200
    validator(document, "PendingApprovals").validate(body(response))
    assert [a["record_id"] for a in body(response)["approvals"]] == [order["id"]]
    assert body(pm.get("/approvals/pending"))["approvals"] == []
    assert body(boss.post(f"{base}/approve", {"comment": "ok"}))["approval"]["step"] == \
        "upstream"

    assert [a["record_id"] for a in body(pm.get("/approvals/pending"))["approvals"]] == \
        [order["id"]]
    response = pm.post(f"{base}/approve", {})
    assert response.status_code == 200, response.text
    state = body(response)
    assert (state["approval"]["status"], state["locked"]) == ("approved", True)

    record = body(buyer.get(f"/objects/{ORDER}/records/{order['id']}"))
    assert record["status"] == "approved"
    assert [h["action"] for h in body(buyer.get(base))["history"]] == \
        ["submit", "approve", "approve"]
    notes = body(buyer.get("/notifications", params={"unread": "true"}))["notifications"]
    assert [n["title"] for n in notes] == ["Deal O-60000 was approved"]
    assert_automation_and_webhooks(buyer, order["id"])


def test_while_pending_edits_answer_409_and_bad_calls_their_codes(apis):
    buyer, boss, pm = apis["buyer"], apis["boss"], apis["pm"]
    order = buyer.create(ORDER, {"name": "O-1", "amount": 60000})
    line = buyer.create(LINE, {"name": "l", "amount": 1, MASTER: order["id"]})
    base = f"/objects/{ORDER}/records/{order['id']}/approval"
    assert buyer.post(f"{base}/submit", {}).status_code == 200
    edits = [buyer.patch(f"/objects/{ORDER}/records/{order['id']}",
                         {"name": "x", "version": body(buyer.get(
                             f"/objects/{ORDER}/records/{order['id']}"))["version"]}),
             buyer.delete(f"/objects/{LINE}/records/{line['id']}"),
             buyer.post(f"/objects/{LINE}/records", {"name": "n", MASTER: order["id"]})]
    for response in edits:
        assert (response.status_code, body(response)["error"]["code"]) == \
            (409, "record_locked")
    expected = [(buyer.post(f"{base}/submit", {}), 409, "approval_pending"),
                (pm.post(f"{base}/approve", {}), 403, "not_an_approver"),
                (boss.post(f"{base}/recall", {}), 403, "recall_denied"),
                (boss.post(f"{base}/approve", {"note": "x"}), 400, "invalid_parameter"),
                (boss.post(f"{base}/approve", {"comment": 5}), 400, "invalid_parameter")]
    for response, status, code in expected:
        assert (response.status_code, body(response)["error"]["code"]) == (status, code)
    zero = buyer.create(ORDER, {"name": "O-0", "amount": 0})
    response = buyer.post(f"/objects/{ORDER}/records/{zero['id']}/approval/submit", {})
    assert (response.status_code, body(response)["error"]["code"]) == \
        (422, "approval_entry_criteria_not_met")
    assert "amount > 0" in body(response)["error"]["message"]
    assert buyer.post(f"{base}/recall", {"comment": "wrong price"}).status_code == 200
    assert body(buyer.get(base))["approval"]["status"] == "recalled"
