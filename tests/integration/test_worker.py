"""The ``hulian worker`` process on both databases: the command, its periodic jobs (each on
its interval, by the worker's clock) and the purge of old deliveries."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from hulian.engine.webhooks import UrlPolicy
from hulian.engine.webhooks.store import purge_delivered
from hulian.runtime.cli import main
from hulian.runtime.worker import JOBS, Job
from tests.integration.webhook_receiver import Receiver
from tests.integration.webhook_world import SECRET, SETTINGS, World


@pytest.fixture
def world(crm, monkeypatch):
    engine, tenant = crm
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    receiver = Receiver(SECRET)
    yield World(engine, tenant, receiver)
    receiver.close()


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


@pytest.mark.parametrize("option", ["--timeout=0", "--max-attempts=-1", "--poll=x"])
def test_the_command_refuses_options_that_cannot_work(option, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["worker", "--once", option])
    assert stopped.value.code == 2
    assert "worker" in capsys.readouterr().err


def test_jobs_run_on_their_interval_by_the_workers_clock(world):
    runs: list[dt.datetime] = []
    job = Job("probe", dt.timedelta(hours=1), lambda engine, now: runs.append(now))
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
    assert [job.name for job in JOBS][:1] == ["webhook_deliveries"]
    orders = world.orders(3)
    world.subscribe()
    old = world.update(orders[0], {"notes": "1"})
    dead = world.update(orders[1], {"notes": "1"})
    world.receiver.fail_once = {dead}
    world.run(settings=replace(SETTINGS, max_attempts=1))
    world.later(dt.timedelta(days=7).total_seconds() + 1)
    recent = world.update(orders[2], {"notes": "1"})
    world.run()
    assert purge_delivered(world.engine, world.clock.now) >= 1
    assert world.statuses() == {dead: "dead", recent: "delivered"}
    assert old not in world.statuses()
