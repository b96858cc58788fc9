"""The worker against a local receiver that is up, down, slow or failing, on both databases:
no change is lost, deliveries come in order per record and signed, backoff follows the
worker's clock, dead letters replay, and a receiver that acknowledged gets a delivery again
only after a worker stopped between its POST and recording the answer."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import replace

import pytest

from hulian.engine.webhooks import UrlPolicy, keep_from, queue
from hulian.engine.webhooks.signing import digest
from hulian.engine.webhooks.store import purge_changes
from tests.integration.webhook_world import REQUEST, SECRET, SETTINGS


@pytest.fixture
def world(webhook_world):
    return webhook_world


def _in_order_per_record(bodies: list[dict]) -> bool:
    seen: dict[str, list[int]] = defaultdict(list)
    for body in bodies:
        seen[body["record_id"]].append(body["id"])
    return all(ids == sorted(ids) for ids in seen.values())


def test_changes_arrive_signed_with_their_id_as_delivery_key(world):
    world.subscribe()
    a, first = world.create({"status": "draft", "notes": "ΑΒΓ 中文"})
    b, created = world.create({"status": "draft"})
    second = world.update(a, {"status": "confirmed"})
    third = world.delete(b)
    report = world.run()
    assert (report.enqueued, report.delivered) == (4, 4)
    assert sorted(world.receiver.acknowledged()) == [("erp", first), ("erp", created),
                                                     ("erp", second), ("erp", third)]
    assert _in_order_per_record(world.receiver.bodies())
    assert all(r.signed for r in world.receiver.received)
    request = next(r for r in world.receiver.received if r.key == ("erp", second))
    timestamp = int(world.clock.now.timestamp())
    assert request.headers["X-Hulian-Signature"] == \
        f"t={timestamp},v1={digest(SECRET, timestamp, request.body)}"
    assert request.headers["X-Hulian-Tenant"] == world.tenant
    (recorded,) = [c for c in world.changes_after(0) if c.id == second]
    with world.engine.session(world.tenant, readonly=True) as session:
        admin = session.user.id
    assert request.json == {
        "id": second, "subscription": "erp", "kind": "update", "object": "Order",
        "record_id": a, "user": admin, "enterprise": None, "channel": "api",
        "request_id": REQUEST, "at": recorded.at.isoformat(),
        "before": {"status": "draft"}, "after": {"status": "confirmed"}}
    assert next(r for r in world.receiver.received if r.key == ("erp", first)).json[
        "after"]["notes"] == "ΑΒΓ 中文"
    assert world.statuses() == {first: "delivered", created: "delivered",
                                second: "delivered", third: "delivered"}


def test_only_the_subscribed_object_and_events_are_delivered(world):
    world.subscribe(events=["update"])
    order, _ = world.create({"status": "draft"})
    wanted = world.update(order, {"status": "confirmed"})
    account, _ = world.create({"name": "a"}, "Account")
    world.update(account, {"name": "b"}, "Account")
    world.delete(order)
    world.run()
    assert world.receiver.acknowledged() == [("erp", wanted)]


def test_a_receiver_that_is_down_gets_everything_once_it_is_back(world):
    orders = world.orders(3)
    world.subscribe()
    world.receiver.stop()
    ids = [world.update(orders[i % 3], {"notes": str(i)}) for i in range(9)]
    world.run()
    assert set(world.statuses().values()) == {"retrying", "pending"}
    assert world.receiver.received == []
    world.receiver.start()
    world.run()                                     # still in backoff: nothing is sent
    assert world.receiver.received == []
    world.later(1)
    world.run()
    assert sorted(world.receiver.acknowledged()) == [("erp", i) for i in ids]
    assert len(world.receiver.acknowledged()) == len(ids)         # each exactly once
    assert _in_order_per_record(world.receiver.bodies())


def test_a_later_change_of_a_record_waits_for_the_earlier_one(world):
    a, b = world.orders(2)
    world.subscribe()
    a1 = world.update(a, {"notes": "1"})
    b1 = world.update(b, {"notes": "1"})
    a2 = world.update(a, {"notes": "2"})
    a3 = world.update(a, {"notes": "3"})
    world.receiver.fail_once = {a1}
    world.run()
    assert world.receiver.acknowledged() == [("erp", b1)]          # a2, a3 wait for a1
    assert world.statuses() == {a1: "retrying", b1: "delivered", a2: "pending",
                                a3: "pending"}
    world.later(1)
    world.run()
    assert world.receiver.acknowledged() == [("erp", b1), ("erp", a1), ("erp", a2),
                                             ("erp", a3)]


def test_500_and_timeouts_back_off_then_dead_letter_then_replay(world):
    order, = world.orders(1)
    world.subscribe()
    change = world.update(order, {"notes": "x"})
    world.receiver.mode = "error"
    start = world.clock.now
    world.run()
    waits = []
    for _ in range(3):
        (found,) = world.deliveries()
        waits.append(found["next_at"] - world.clock.now)
        world.run()                           # not yet: the delivery waits its turn
        assert len(world.receiver.received) == len(waits)
        world.later((found["next_at"] - world.clock.now).total_seconds())
        world.receiver.mode = "slow" if len(waits) == 2 else "error"
        world.run()
    assert waits == [dt.timedelta(seconds=1), dt.timedelta(seconds=2),
                     dt.timedelta(seconds=3)]                     # doubling, capped at 3 s
    assert world.clock.now - start == dt.timedelta(seconds=6)
    (dead,) = world.deliveries(status="dead")
    assert (dead["change_id"], dead["attempts"], dead["next_at"]) == (change, 4, None)
    assert dead["last_error"] == "the receiver answered HTTP 500"
    assert world.receiver.acknowledged() == []
    hooks = world.engine.webhooks(world.tenant)
    assert hooks.get("erp")["deliveries"] == {"pending": 0, "retrying": 0, "delivered": 0,
                                              "dead": 1}
    world.receiver.mode = "ok"
    assert hooks.replay("erp", change)["status"] == "pending"
    world.run()
    assert world.receiver.acknowledged() == [("erp", change)]
    assert world.statuses() == {change: "delivered"}


def test_a_timeout_is_a_failed_attempt_with_its_reason(world):
    order, = world.orders(1)
    world.subscribe()
    world.update(order, {"notes": "x"})
    world.receiver.mode = "slow"
    world.run()
    (found,) = world.deliveries()
    assert (found["status"], found["last_error"]) == \
        ("retrying", "the receiver did not answer in time")
    world.receiver.mode = "ok"
    world.later(1)
    world.run()
    assert world.statuses() == {found["change_id"]: "delivered"}


def test_a_receiver_that_refuses_connections_is_retried(world):
    order, = world.orders(1)
    world.subscribe()
    world.update(order, {"notes": "x"})
    world.receiver.stop()
    world.run()
    (found,) = world.deliveries()
    assert found["last_error"] == "the receiver refused the connection (or is down)"


def test_a_worker_stopped_between_post_and_record_redelivers_those_only(world, monkeypatch):
    """The documented at-least-once case: the receiver acknowledged, the worker did not
    record it; once the lease runs out, the next worker sends them again."""
    orders = world.orders(2)
    world.subscribe()
    before = [world.update(orders[0], {"notes": "0"})]
    world.run()
    crashed = [world.update(orders[i % 2], {"notes": str(i)}) for i in range(1, 5)]

    def crash(*args, **kwargs):
        raise RuntimeError("the worker was killed")

    record = queue.record_outcomes
    monkeypatch.setattr(queue, "record_outcomes", crash)
    with pytest.raises(RuntimeError), world.worker() as worker:
        worker.run(once=True)
    monkeypatch.setattr(queue, "record_outcomes", record)
    assert sorted(world.receiver.acknowledged()) == [("erp", i) for i in before + crashed]
    world.run()                                      # leased: nobody sends them meanwhile
    assert len(world.receiver.acknowledged()) == 5
    world.later(SETTINGS.lease)
    after = [world.update(orders[0], {"notes": "5"})]
    world.run()
    received = world.receiver.acknowledged()
    twice = {key for key in received if received.count(key) > 1}
    assert twice == {("erp", i) for i in crashed}
    assert sorted(set(received)) == [("erp", i) for i in before + crashed + after]
    assert _in_order_per_record(world.receiver.bodies()[len(before) + len(crashed):])
    assert set(world.statuses().values()) == {"delivered"}


def test_a_paused_subscription_keeps_its_changes_for_later(world):
    order, = world.orders(1)
    world.subscribe(active=False)
    change = world.update(order, {"notes": "x"})
    world.run()
    assert world.receiver.received == []
    with world.engine.db.connect() as conn:
        assert keep_from(conn, world.tenant) == change
    world.engine.webhooks(world.tenant).update("erp", active=True)
    world.run()
    assert world.receiver.acknowledged() == [("erp", change)]
    with world.engine.db.connect() as conn:
        assert keep_from(conn, world.tenant) == change + 1


def test_keep_from_is_the_oldest_change_still_to_deliver(world):
    with world.engine.db.connect() as conn:
        assert keep_from(conn, world.tenant) is None               # no subscription
    order, other = world.orders(2)
    world.subscribe()
    stuck = world.update(order, {"notes": "1"})
    world.update(other, {"notes": "1"})
    world.receiver.fail_once = {stuck}
    world.run()
    with world.engine.db.connect() as conn:
        assert keep_from(conn, world.tenant) == stuck
    world.later(1)
    world.run()
    with world.engine.db.connect() as conn:
        assert keep_from(conn, world.tenant) == stuck + 2


def test_a_dead_letter_replays_after_retention_purged_its_change(world):
    """A dead letter keeps its body, so the outbox's purge need not keep its change."""
    order, = world.orders(1)
    world.subscribe()
    change = world.update(order, {"notes": "x"})
    world.receiver.mode = "error"
    world.run(settings=replace(SETTINGS, max_attempts=1))
    assert world.statuses() == {change: "dead"}
    with world.engine.db.connect() as conn:
        assert keep_from(conn, world.tenant) == change + 1
    purged = purge_changes(world.engine, world.tenant, world.later(400 * 86400))
    assert purged.purged_through == change and world.changes_after(0) == []
    world.receiver.mode = "ok"
    world.engine.webhooks(world.tenant).replay("erp", change)
    world.run()
    assert world.receiver.acknowledged() == [("erp", change)]
    assert world.receiver.bodies()[0]["after"] == {"notes": "x"}


def test_replay_from_a_change_delivers_again_what_the_subscription_takes(world):
    order, = world.orders(1)
    world.subscribe(events=["update"])
    first = world.update(order, {"notes": "1"})
    world.create({"status": "draft"})
    third = world.update(order, {"notes": "3"})
    world.run()
    assert world.receiver.acknowledged() == [("erp", first), ("erp", third)]
    hooks = world.engine.webhooks(world.tenant)
    assert hooks.replay_from("erp", first)["position"] == first - 1
    world.run()
    assert world.receiver.acknowledged() == [("erp", first), ("erp", third), ("erp", first),
                                             ("erp", third)]


def test_the_worker_holds_no_lock_while_it_waits_for_a_receiver(world):
    """A write commits while a delivery is on its way (the receiver has not answered)."""
    order, = world.orders(1)
    world.subscribe()
    world.update(order, {"notes": "1"})
    world.receiver.hold = threading.Event()
    worker = world.worker()
    thread = threading.Thread(target=worker.run_once)
    thread.start()
    try:
        assert world.receiver.holding.wait(10)
        world.create({"status": "draft"})
        world.update(order, {"notes": "2"})
    finally:
        world.receiver.hold.set()
        thread.join(10)
        worker.close()
    assert len(world.receiver.acknowledged()) == 1


def test_a_delivery_to_a_host_the_policy_refuses_fails_with_the_reason(world, monkeypatch):
    order, = world.orders(1)
    world.subscribe()
    world.update(order, {"notes": "1"})
    monkeypatch.setattr(world.engine, "webhook_urls", UrlPolicy())   # production
    world.run()
    assert world.receiver.received == []
    (found,) = world.deliveries()
    assert found["status"] == "retrying"
    assert found["last_error"].startswith("webhook_host_not_allowed: 127.0.0.1 resolves to")
