"""The ``hulian worker`` process on both databases: the command, its periodic jobs (each on
its interval, by the worker's clock) and the purge of old deliveries."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from hulian.engine import NotFoundError
from hulian.engine.changes.retention import purged_through
from hulian.engine.webhooks.store import purge_delivered
from hulian.runtime.cli import main
from hulian.runtime.worker import JOBS, Job
from tests.integration.webhook_world import SETTINGS


@pytest.fixture
def world(webhook_world):
    return webhook_world


def test_the_command_delivers_what_is_due_and_exits(world, db_url, capsys, monkeypatch):
    orders = world.orders(3)
    world.subscribe()
    ids = [world.update(order, {"notes": "1"}) for order in orders]
    monkeypatch.delenv("HULIAN_DEVELOPMENT", raising=False)
    assert main(["worker", "--db", db_url, "--once", "--tenant", world.tenant,
                 "--development"]) == 0
    assert sorted(world.receiver.acknowledged()) == [("erp", i) for i in ids]
    assert "delivered 3, failed 0, dead-lettered 0 (enqueued 3)" in capsys.readouterr().err


def test_without_development_the_command_refuses_this_machine(world, db_url, capsys,
                                                             monkeypatch):
    world.subscribe()
    world.orders(1)
    monkeypatch.delenv("HULIAN_DEVELOPMENT", raising=False)
    assert main(["worker", "--db", db_url, "--once", "--tenant", world.tenant]) == 0
    assert world.receiver.received == []
    assert "failed 1" in capsys.readouterr().err
    (found,) = world.deliveries()
    assert found["last_error"].startswith("webhook_host_not_allowed")


def test_the_command_empties_the_recycle_bin_after_the_days_it_is_given(world, db_url):
    gone, = world.orders(1)
    world.delete(gone)
    assert main(["worker", "--db", db_url, "--once", "--tenant", world.tenant]) == 0
    with world.engine.session(world.tenant) as session:
        assert [e["id"] for e in session.recycle_bin("Order")] == [gone]
    assert main(["worker", "--db", db_url, "--once", "--tenant", world.tenant,
                 "--recycle-bin-days=0", "--feed-retention-days=1"]) == 0
    with world.engine.session(world.tenant) as session:
        assert list(session.recycle_bin("Order")) == []


@pytest.mark.parametrize("option", ["--timeout=0", "--max-attempts=-1", "--poll=x",
                                    "--feed-retention-days=0", "--recycle-bin-days=-1",
                                    "--recycle-bin-days=x"])
def test_the_command_refuses_options_that_cannot_work(option, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["worker", "--once", option])
    assert stopped.value.code == 2
    assert "worker" in capsys.readouterr().err


def test_jobs_run_on_their_interval_by_the_workers_clock(world):
    runs: list[dt.datetime] = []
    job = Job("probe", dt.timedelta(hours=1), lambda engine, tenant, now: runs.append(now))
    with world.worker(jobs=[job]) as worker:
        worker.run_once()
        start = world.clock.now
        worker.run_once()
        world.later(3599)
        worker.run_once()
        world.later(1)
        worker.run_once()
    assert runs == [start, start + dt.timedelta(hours=1)]


def test_the_registered_jobs_purge_old_deliveries(world):
    assert [job.name for job in JOBS] == ["webhook_deliveries", "record_changes",
                                          "recycle_bin", "scheduled_actions"]
    orders = world.orders(3)
    world.subscribe()
    old = world.update(orders[0], {"notes": "1"})
    dead = world.update(orders[1], {"notes": "1"})
    world.receiver.fail_once = {dead}
    world.run(settings=replace(SETTINGS, max_attempts=1))
    world.later(dt.timedelta(days=7).total_seconds() + 1)
    recent = world.update(orders[2], {"notes": "1"})
    world.run(jobs=JOBS)
    assert purge_delivered(world.engine, world.tenant, world.clock.now) == 0   # the job did
    assert world.statuses() == {dead: "dead", recent: "delivered"}
    assert old not in world.statuses()


def test_a_pass_purges_old_changes_but_keeps_those_a_webhook_has_still_to_deliver(world):
    orders = world.orders(2)                    # before the subscription: nobody needs them
    world.subscribe()
    world.receiver.mode = "error"
    needed = world.update(orders[0], {"notes": "1"})
    later = world.update(orders[1], {"notes": "2"})
    world.run()
    assert set(world.statuses().values()) == {"retrying"}
    world.later(dt.timedelta(days=400).total_seconds())      # past every retention
    with world.worker(jobs=JOBS) as worker:
        worker.run_once()
    assert [c.id for c in world.changes_after(0)] == [needed, later]
    with world.engine.db.connect() as conn:
        assert purged_through(conn, world.tenant) == needed - 1
    world.receiver.mode = "ok"
    world.later(SETTINGS.backoff_cap)
    world.run()
    assert sorted(world.receiver.acknowledged()) == [("erp", needed), ("erp", later)]
    assert {b["id"]: b["after"] for b in world.receiver.bodies()} == {   # two records:
        needed: {"notes": "1"}, later: {"notes": "2"}}                   # in any order
    with world.worker(jobs=JOBS) as worker:     # delivered: now retention takes them too
        worker.run_once()
    assert world.changes_after(0) == []


def test_a_pass_empties_the_recycle_bin_after_its_days_and_keeps_the_history(world):
    gone, kept = world.orders(2)
    world.update(gone, {"status": "confirmed"})
    deleted = world.delete(gone)
    before = [(c.id, c.kind) for c in world.changes_after(0) if c.record_id == gone]
    assert [kind for _, kind in before] == ["create", "update", "delete"]
    days = world.engine.recycle_bin_days
    world.clock.now = dt.datetime.now(dt.UTC)   # the deletion was stamped by the real clock
    with world.worker(jobs=JOBS) as worker:
        world.later(dt.timedelta(days=days - 1).total_seconds())
        worker.run_once()
        with world.engine.session(world.tenant) as session:
            assert [e["id"] for e in session.recycle_bin("Order")] == [gone]
        world.later(dt.timedelta(days=1, seconds=1).total_seconds())
        worker.run_once()
    with world.engine.session(world.tenant) as session:
        assert list(session.recycle_bin("Order")) == []
        with pytest.raises(NotFoundError):
            session.get("Order", gone, include_deleted=True)
        assert session.get("Order", kept)["status"] == "draft"
    after = [(c.id, c.kind) for c in world.changes_after(0) if c.record_id == gone]
    assert after == before and after[-1][0] == deleted
