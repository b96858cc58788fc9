"""Scheduled actions and notifications of automations, on both databases: planned,
moved and cancelled by writes, run by ``run_scheduled`` exactly once even when a run
fails between two actions (tests/integration/automation_world.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from hulian.engine.automations import run_scheduled, worker
from hulian.engine.changes import outbox
from hulian.engine.system.tenant_tables import tenant_tables
from hulian.runtime.worker import JOBS, Worker
from tests.integration.automation_world import automation, build

REMIND = automation(
    "remind", trigger="create_or_update", condition="!ISPICKVAL(status, 'closed')",
    scheduled=[{"api_name": "before_due", "field": "due_date", "offset_days": -3, "actions": [
        {"type": "activity", "kind": "note", "text": "'Due soon: ' & name"},
        {"type": "notify", "to": [{"owner": True}, {"user": "mei"}],
         "title": "'Due soon'", "body": "name"},
        {"type": "webhook_event", "event": "due_soon"}]}])


def _rows(engine, tenant):
    table = tenant_tables(engine.dialect, tenant).scheduled_actions
    with engine.db.connect() as conn:
        return [(r.state, r.due_at) for r in conn.execute(
            sa.select(table).order_by(table.c.due_at))]


def _notes(engine, tenant, record_id):
    with engine.session(tenant, "rep") as s:
        return [a["text"] for a in s.activities("Order", record_id).records]


def _at(day):
    return dt.datetime(2030, 1, day, tzinfo=dt.UTC)


def test_a_notify_action_reaches_the_owner_and_named_users(engine, tenant):
    build(engine, tenant, automation("tell", trigger="create", actions=[
        {"type": "notify", "to": [{"owner": True}, {"user": "mei"}, {"user": "gone"}],
         "title": "'New order'", "body": "name & ' was created'"}]))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A"})
    for user in ("rep", "mei"):
        with engine.session(tenant, user) as s:
            got = s.notifications().records
        assert [(n["title"], n["body"], n["object"], n["record_id"], n["source"])
                for n in got] == [("New order", "A was created", "Order", made["id"],
                                   "automation:tell")]
    with engine.session(tenant, "admin") as s:
        assert s.notifications().records == []
    table = tenant_tables(engine.dialect, tenant).notifications
    with engine.db.connect() as conn:  # named but deactivated: nothing for them
        assert sorted(conn.scalars(sa.select(table.c.user_id))) == sorted(
            u.id for u in engine.people(tenant).users() if u.username in ("rep", "mei"))


def test_a_scheduled_action_is_planned_moved_and_cancelled(engine, tenant):
    build(engine, tenant, REMIND)
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "due_date": "2030-01-10"})
        blank = s.create("Order", {"name": "B"})
    assert _rows(engine, tenant) == [("pending", _at(7))]
    with engine.session(tenant, "rep") as s:
        s.update("Order", made["id"], {"due_date": "2030-01-20"})
    assert _rows(engine, tenant) == [("pending", _at(17))]
    with engine.session(tenant, "rep") as s:
        s.update("Order", made["id"], {"status": "closed"})
    assert _rows(engine, tenant) == []  # no longer meets the condition
    with engine.session(tenant, "rep") as s:
        s.update("Order", made["id"], {"status": "draft"})
        s.update("Order", blank["id"], {"due_date": "2030-01-05"})
    assert _rows(engine, tenant) == [("pending", _at(2)), ("pending", _at(17))]
    with engine.session(tenant, "rep") as s:
        s.delete("Order", blank["id"])
    assert _rows(engine, tenant) == [("pending", _at(17))]


def test_a_formula_date_schedules_and_moves_with_the_fields_it_reads(engine, tenant):
    build(engine, tenant, automation(
        "chase", trigger="create_or_update", condition="!ISPICKVAL(status, 'closed')",
        scheduled=[{"api_name": "on_follow_up", "field": "follow_up", "offset_days": 0,
                    "actions": [
            {"type": "field_update", "field": "note", "value": "'chased'"}]}]))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "due_date": "2030-01-03"})
        s.create("Order", {"name": "B"})              # no due date: no follow-up, nothing
    assert _rows(engine, tenant) == [("pending", _at(10))]
    with engine.session(tenant, "rep") as s:        # the formula's input moves it
        s.update("Order", made["id"], {"due_date": "2030-01-05"})
    assert _rows(engine, tenant) == [("pending", _at(12))]
    assert run_scheduled(engine, tenant, _at(12)) == 1
    with engine.session(tenant, "rep") as s:
        assert s.get("Order", made["id"])["note"] == "chased"


def test_run_scheduled_runs_due_rows_once(engine, tenant):
    build(engine, tenant, REMIND)
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "due_date": "2030-01-10"})
        later = s.create("Order", {"name": "L", "due_date": "2030-02-10"})
    assert run_scheduled(engine, tenant, _at(6)) == 0
    assert run_scheduled(engine, tenant, _at(7)) == 1
    assert run_scheduled(engine, tenant, _at(8)) == 0
    assert _notes(engine, tenant, made["id"]) == ["Due soon: A"]
    assert _notes(engine, tenant, later["id"]) == []
    with engine.session(tenant, "mei") as s:
        assert [n["body"] for n in s.notifications().records] == ["A"]
    with engine.db.connect() as conn:
        events = [c for c in outbox.read_after(conn, tenant, 0, limit=100)
                  if c.kind == "event"]
    assert [(c.record_id, c.after, c.channel) for c in events] == [
        (made["id"], {"event": "due_soon", "flow": "remind"}, "flow")]
    assert [state for state, _ in _rows(engine, tenant)] == ["done", "pending"]


def test_a_record_that_stopped_matching_is_not_acted_on(engine, tenant):
    build(engine, tenant, REMIND)
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "due_date": "2030-01-10"})
    table = tenant_tables(engine.dialect, tenant).scheduled_actions
    with engine.db.begin() as conn:  # as if it closed by a way that planned nothing
        order = engine.schema(conn, tenant).object("Order").table
        conn.execute(order.update().values(status="closed"))
    assert run_scheduled(engine, tenant, _at(20)) == 0
    assert _notes(engine, tenant, made["id"]) == []
    with engine.db.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(table)) == 0


class Crash(Exception):
    pass


def test_a_run_that_fails_between_actions_loses_and_repeats_nothing(engine, tenant,
                                                                      monkeypatch):
    build(engine, tenant, REMIND)
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "due_date": "2030-01-10"})
    real = worker.run_actions

    def fail_after_the_activity(ctx, obj, flow, actions, record, env):
        real(ctx, obj, flow, actions[:1], record, env)  # the activity is written...
        raise Crash()  # ...and the run dies before the notification

    monkeypatch.setattr(worker, "run_actions", fail_after_the_activity)
    with pytest.raises(Crash):
        run_scheduled(engine, tenant, _at(7))
    monkeypatch.setattr(worker, "run_actions", real)
    assert _notes(engine, tenant, made["id"]) == []  # rolled back with the row
    assert run_scheduled(engine, tenant, _at(7)) == 0  # still leased by the dead run
    assert run_scheduled(engine, tenant, _at(7) + worker.LEASE + dt.timedelta(seconds=1)) == 1
    assert _notes(engine, tenant, made["id"]) == ["Due soon: A"]
    with engine.session(tenant, "mei") as s:
        assert len(s.notifications().records) == 1
    assert run_scheduled(engine, tenant, _at(9)) == 0


def test_a_failure_after_the_actions_leaves_the_row_pending(engine, tenant, monkeypatch):
    build(engine, tenant, REMIND)
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "due_date": "2030-01-10"})

    def crash(row_id):
        raise Crash()

    monkeypatch.setattr(worker, "after_row", crash)
    with pytest.raises(Crash):
        run_scheduled(engine, tenant, _at(7))
    monkeypatch.undo()
    assert [state for state, _ in _rows(engine, tenant)] == ["pending"]
    assert _notes(engine, tenant, made["id"]) == []
    assert run_scheduled(engine, tenant, _at(8) + worker.LEASE) == 1
    assert _notes(engine, tenant, made["id"]) == ["Due soon: A"]


def test_the_worker_runs_due_scheduled_actions_as_one_of_its_jobs(engine, tenant):
    """``hulian worker``'s ``scheduled_actions`` job: a pass at the due time runs the row,
    a later pass finds nothing left to run."""
    build(engine, tenant, REMIND)
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "due_date": "2030-01-10"})
    jobs = [job for job in JOBS if job.name == "scheduled_actions"]
    for moment in (_at(6), _at(7), _at(8)):
        with Worker(engine, clock=lambda moment=moment: moment, tenants=[tenant],
                    jobs=jobs) as worker:
            worker.run(once=True)
        expected = "pending" if moment < _at(7) else "done"
        assert [state for state, _ in _rows(engine, tenant)] == [expected]
    assert _notes(engine, tenant, made["id"]) == ["Due soon: A"]
