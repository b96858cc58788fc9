"""Automations (workflow rules) through the Python API, on both databases: triggers,
immediate actions, channel ``flow`` in the outbox, and the loop bound
(tests/integration/automation_world.py)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest

from hulian.engine import ConflictError, RecordValidationError
from hulian.engine.changes import outbox
from tests.integration.automation_world import automation, build


def _changes(engine, tenant):
    with engine.db.connect() as conn:
        return outbox.read_after(conn, tenant, 0, limit=1000)


def test_a_field_update_runs_when_the_condition_becomes_true(engine, tenant):
    build(engine, tenant, automation(
        "stamp_approval", trigger="becomes_true",
        condition="ISPICKVAL(status, 'approved') && !ISPICKVAL(PRIORVALUE(status), 'closed')",
        actions=[{"type": "field_update", "field": "approved_on", "value": "TODAY()"},
                 {"type": "field_update", "field": "note", "value": "'approved: ' & name"}]))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "status": "draft"})
        assert made["approved_on"] is None
        approved = s.update("Order", made["id"], {"status": "approved"})
        assert approved["approved_on"] == dt.datetime.now(dt.UTC).date()
        assert approved["note"] == "approved: A"
        s.update("Order", made["id"], {"approved_on": None})
        again = s.update("Order", made["id"], {"name": "A2"})
    assert again["approved_on"] is None  # still approved: it did not *become* true
    flow = [c for c in _changes(engine, tenant) if c.channel == "flow"]
    assert [(c.kind, c.after) for c in flow] == [
        ("update", {"approved_on": approved["approved_on"].isoformat(), "note": "approved: A"})]


def test_the_flow_writes_come_after_the_users_write_in_the_outbox(engine, tenant):
    build(engine, tenant, automation(
        "copy", trigger="create", actions=[
            {"type": "field_update", "field": "note", "value": "name & '!'"}]))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A"})
    assert made["note"] == "A!"
    changes = _changes(engine, tenant)
    assert [(c.kind, c.channel) for c in changes] == [("create", "api"), ("update", "flow")]
    assert changes[1].user == changes[0].user  # in the name of the user who triggered it


@pytest.mark.parametrize("trigger, fires_on_create, fires_on_update", [
    ("create", True, False), ("update", False, True), ("create_or_update", True, True),
    ("becomes_true", True, False)])
def test_triggers(engine, tenant, trigger, fires_on_create, fires_on_update):
    build(engine, tenant, automation(
        "count", trigger=trigger, condition="amount > 10 && !ISCHANGED(counter)", actions=[
            {"type": "field_update", "field": "counter", "value": "BLANKVALUE(counter, 0) + 1"}]))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "amount": 20})
        changed = s.update("Order", made["id"], {"amount": 30})
        small = s.create("Order", {"name": "B", "amount": 5})
    assert made["counter"] == (1 if fires_on_create else None)
    assert changed["counter"] == (fires_on_create + fires_on_update or None)
    assert small["counter"] is None


def test_becomes_true_sees_a_formula_field_change_through_the_field_it_reads(engine,
                                                                              tenant):
    build(engine, tenant, automation(
        "large", trigger="becomes_true", condition="double > 100", actions=[
            {"type": "field_update", "field": "note", "value": "'large'"}]))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "amount": 10})
        s.update("Order", made["id"], {"name": "B"})
        assert s.get("Order", made["id"])["note"] is None
        assert s.update("Order", made["id"], {"amount": 60})["note"] == "large"


def test_an_update_that_changes_nothing_fires_nothing(engine, tenant):
    build(engine, tenant, automation(
        "count", trigger="update", actions=[
            {"type": "field_update", "field": "counter", "value": "BLANKVALUE(counter, 0) + 1"}]))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A"})
        same = s.update("Order", made["id"], {"name": "A"})
    assert same["counter"] is None


def test_master_update_create_record_activity_and_webhook_event(engine, tenant):
    build(engine, tenant, automation(
        "line_added", "OrderLine", trigger="create", actions=[
            {"type": "field_update", "target": "master", "field": "last_line_on",
             "value": "DATE(2024, 5, 1)"},
            {"type": "create_record", "object": "Task",
             "values": {"subject": "'Ship ' & name", "purchase": "purchase"}},
            {"type": "activity", "kind": "note", "text": "'Line ' & name & ' added'"},
            {"type": "webhook_event", "event": "line_added"}]))
    with engine.session(tenant, "rep") as s:
        order = s.create("Order", {"name": "O"})
        line = s.create("OrderLine", {"name": "L1", "purchase": order["id"], "qty": 2})
        assert s.get("Order", order["id"])["last_line_on"] == dt.date(2024, 5, 1)
        tasks = s.query("Task").records
        notes = s.activities("OrderLine", line["id"]).records
    assert [(t["subject"], t["purchase"], t["owner_id"]) for t in tasks] == \
        [("Ship L1", order["id"], line["owner_id"])]
    assert [(a["kind"], a["text"]) for a in notes] == [("note", "Line L1 added")]
    events = [c for c in _changes(engine, tenant) if c.kind == "event"]
    assert [(c.object, c.record_id, c.before, c.after, c.channel) for c in events] == [
        ("OrderLine", line["id"], None, {"event": "line_added", "flow": "line_added"},
         "flow")]


def test_a_flow_update_is_validated_and_a_failure_rolls_the_write_back(engine, tenant):
    build(engine, tenant, automation(
        "bad", trigger="create", actions=[
            {"type": "field_update", "field": "name", "value": "BLANKVALUE(note, '')"}]))
    with engine.session(tenant, "rep") as s, pytest.raises(RecordValidationError) as caught:
        s.create("Order", {"name": "A"})
    assert [e.field for e in caught.value.errors] == ["name"]
    with engine.session(tenant, "rep") as s:
        assert s.query("Order").records == []
    assert _changes(engine, tenant) == []


def _chain(limit):
    return automation("again", trigger="update", condition=f"counter < {limit}", actions=[
        {"type": "field_update", "field": "counter", "value": "counter + 1"}])


def test_a_chain_as_deep_as_the_bound_runs(engine, tenant):
    build(engine, tenant, _chain(5))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "counter": 0})
        done = s.update("Order", made["id"], {"amount": 1})
    assert done["counter"] == 5


def test_a_chain_deeper_than_the_bound_is_flow_loop_and_writes_nothing(engine, tenant,
                                                                        caplog):
    build(engine, tenant, _chain(6))
    with engine.session(tenant, "rep") as s:
        made = s.create("Order", {"name": "A", "counter": 0})
    before = _changes(engine, tenant)
    with caplog.at_level(logging.ERROR, logger="hulian.flows"), \
            engine.session(tenant, "rep") as s, pytest.raises(ConflictError) as caught:
        s.update("Order", made["id"], {"amount": 1})
    assert caught.value.code == "flow_loop" and "again" in str(caught.value)
    assert any("flow_loop" in r.getMessage() for r in caplog.records)
    with engine.session(tenant, "rep") as s:
        stored = s.get("Order", made["id"])
    assert (stored["counter"], stored["amount"]) == (Decimal(0), None)
    assert _changes(engine, tenant) == before


def test_an_inactive_automation_does_nothing(engine, tenant):
    build(engine, tenant, automation("off", trigger="create", active=False, actions=[
        {"type": "field_update", "field": "note", "value": "'x'"}]))
    with engine.session(tenant, "rep") as s:
        assert s.create("Order", {"name": "A"})["note"] is None
