"""A write that fires no automation changes nothing but the write, on both databases:
random creates and updates of orders go to a tenant whose Order has automations (none
of whose conditions the generated values meet; one with scheduled actions) and to a
tenant without any; the stored values and the record changes are the same, and the
tenant with automations has no activity, notification, task or scheduled action."""

from __future__ import annotations

import itertools
import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hulian.engine.changes import outbox
from hulian.engine.system.tenant_tables import tenant_tables
from tests.integration.automation_world import automation, build

_names = itertools.count(1)
FIELDS = ("name", "status", "amount", "due_date", "note")
NEVER = [
    automation("big", trigger="create_or_update", condition="amount > 1000000", actions=[
        {"type": "field_update", "field": "note", "value": "'big'"},
        {"type": "activity", "kind": "note", "text": "'big'"},
        {"type": "notify", "to": [{"owner": True}], "title": "'big'", "body": "name"},
        {"type": "webhook_event", "event": "big"}]),
    automation("closing", trigger="becomes_true", condition="ISPICKVAL(status, 'closed')",
               actions=[{"type": "create_record", "object": "Task",
                         "values": {"subject": "name"}}],
               scheduled=[{"api_name": "later", "field": "due_date", "offset_days": 1,
                           "actions": [{"type": "activity", "kind": "note",
                                        "text": "name"}]}]),
]


@pytest.fixture(scope="module")
def pair(engine):
    base = f"f3p{os.getpid()}_{next(_names)}"
    build(engine, f"{base}_flows", *NEVER)
    build(engine, f"{base}_plain")
    return f"{base}_flows", f"{base}_plain"


TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
values = st.fixed_dictionaries({}, optional={
    "name": st.text(TEXT, min_size=1, max_size=20).filter(str.strip),
    "status": st.sampled_from(["draft", "approved"]),
    "amount": st.decimals(min_value=-1000, max_value=1000, places=2),
    "due_date": st.dates().map(lambda d: d.isoformat()) | st.none(),
    "note": st.text(TEXT, max_size=10) | st.none(),
})
writes = st.tuples(values.map(lambda v: {"name": "x", **v}), st.lists(values, max_size=4))


def _apply(engine, tenant, create, updates):
    with engine.db.connect() as conn:
        start = outbox.last_id(conn, tenant)
    with engine.session(tenant, "rep") as s:
        record = s.create("Order", create)
        for change in updates:
            record = s.update("Order", record["id"], change)
    with engine.db.connect() as conn:
        changes = outbox.read_after(conn, tenant, start, limit=100)
    shown = [(c.kind, c.channel, {k: v for k, v in (c.after or {}).items() if k in FIELDS})
             for c in changes]
    return {k: record[k] for k in FIELDS}, shown


def _side_effects(engine, tenant):
    tables = tenant_tables(engine.dialect, tenant)
    with engine.db.connect() as conn:
        return [conn.scalar(sa.select(sa.func.count()).select_from(t))
                for t in (tables.activities, tables.notifications, tables.scheduled_actions)]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(write=writes)
def test_a_write_that_fires_nothing_changes_nothing_else(engine, pair, write):
    flows, plain = pair
    create, updates = write
    assert _apply(engine, flows, create, updates) == _apply(engine, plain, create, updates)
    assert _side_effects(engine, flows) == [0, 0, 0]
    with engine.session(flows, "rep") as s:
        assert s.query("Task").records == []

