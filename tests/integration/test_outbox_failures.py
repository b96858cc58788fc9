"""Failure injection: a write that fails after any step of its pipeline leaves the records,
the counters and the outbox exactly as they were, on both databases; the same write then
succeeds and has its changes. (The outbox is written in the write's transaction.)"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from hulian.engine.records import pipeline
from hulian.engine.system.tenant_tables import tables_of
from tests.packs import documents, field, label, obj, options, pack_of

ACCOUNT = obj("Account", field("name", "text"),
              {**field("order_total", "currency", scale=2),
               "roll_up": {"object": "Order", "relationship": "account", "function": "SUM",
                           "field": "amount"}})
ORDER = obj("Order", field("name", "text"), field("amount", "currency", scale=2),
            field("code", "text", unique=True),
            field("number", "auto_number", format="O-{0000}"),
            field("region", "picklist", options=options("east", "north")),
            field("city", "picklist", options=options("shanghai", "beijing")),
            {**field("due", "date"), "default_formula": "TODAY() + 7"},
            field("account", "lookup", target="Account", relationship_name="orders",
                  on_delete="set_null"),
            validation_rules=[{"api_name": "positive", "condition": "amount < 0",
                               "message": label("no"), "error_field": "amount"}],
            business_types=[{"api_name": "standard", "label": label("Standard"),
                             "default": True}],
            field_dependencies=[{"controlling": "region", "dependent": "city",
                                 "values": {"east": ["shanghai"], "north": ["beijing"]}}],
            owner_rules=[{"api_name": "pm", "owner": {"partner_manager": True}}])
LINE = obj("Line", field("name", "text"),
           field("sales_order", "master_detail", target="Order", relationship_name="lines"))
BATCH = obj("Batch", field("name", "text"),
            {**field("shipped", "currency", scale=2),
             "roll_up": {"object": "Shipment", "relationship": "batch", "function": "SUM",
                         "field": "value"}})
SHIPMENT = obj("Shipment", field("name", "text"),
               field("batch", "lookup", target="Batch", relationship_name="shipments"),
               field("shipped_order", "lookup", target="Order", relationship_name="shipments"),
               field("value", "currency", scale=2, formula="shipped_order.amount"))
""" A roll-up that reads orders through a formula: an order's update has a ``quotes`` step."""
OBJECTS = (ACCOUNT, ORDER, LINE, BATCH, SHIPMENT)
APPROVAL = {"api_name": "order_approval", "type": "approval", "object": "Order",
            "label": label("Approval"),
            "steps": [{"api_name": "s1", "label": label("S1"),
                       "approvers": [{"user": "admin"}]}]}
""" An approval process (never submitted here): Order's and Line's writes have a ``locked``
step."""
AUTOMATION = {"api_name": "order_rule", "type": "automation", "object": "Order",
              "label": label("Rule"), "trigger": "create_or_update",
              "condition": "amount > 0",
              "actions": [{"type": "activity", "kind": "note", "text": "'changed ' & name"},
                          {"type": "webhook_event", "event": "order_changed"}],
              "scheduled": [{"api_name": "remind", "field": "due", "offset_days": -1,
                             "actions": [{"type": "activity", "kind": "note",
                                          "text": "'due soon'"}]}]}
""" An automation that fires on the orders written here, with a scheduled action: Order's
writes have the ``automations`` and ``scheduled`` steps."""


@pytest.fixture(scope="module")
def world(engine):
    tenant = f"fail{engine.dialect[:2]}{id(engine) % 10_000}"
    docs = documents(*OBJECTS)
    docs["flows/order_approval.json"] = APPROVAL
    docs["flows/order_rule.json"] = AUTOMATION
    engine.metadata(tenant).deploy(pack_of(docs))
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Acme"})["id"]
        order = s.create("Order", {"name": "A", "amount": "5", "code": "c1", "region": "east",
                                   "city": "shanghai", "account": account})["id"]
        line = s.create("Line", {"name": "l", "sales_order": order})["id"]
        batch = s.create("Batch", {"name": "b"})["id"]
        s.create("Shipment", {"name": "s", "batch": batch, "shipped_order": order})
        gone = s.create("Order", {"name": "gone", "code": "c2"})["id"]
        s.delete("Order", gone)
    return engine, tenant, {"account": account, "order": order, "gone": gone, "line": line}


def _state(engine, tenant: str) -> Any:
    """Everything a write could change: the records, the counters, the outbox, and what
    the automation does (activities, scheduled actions)."""
    with engine.session(tenant, readonly=True) as s:
        tables = [s.schema.object(o["api_name"]).table for o in OBJECTS]
    with engine.db.connect() as conn:
        mine = tables_of(conn, tenant)
        tables += [mine.sequences, mine.changes, mine.activities, mine.scheduled_actions]
        return [sorted(repr(sorted(r._mapping.items())) for r in conn.execute(sa.select(t)))
                for t in tables]


OPERATIONS = {
    "create": lambda s, ids: s.create("Order", {"name": "new", "amount": "7", "code": "c3",
                                                "region": "north", "city": "beijing",
                                                "account": ids["account"]}),
    "update": lambda s, ids: s.update("Order", ids["order"], {"amount": "9", "region": "north",
                                                              "city": "beijing"}),
    "delete": lambda s, ids: s.delete("Order", ids["order"]),
    "restore": lambda s, ids: s.restore("Order", ids["gone"]),
}
ON_DETAILS = {  # the masters step runs for details only
    "create": lambda s, ids: s.create("Line", {"name": "new", "sales_order": ids["order"]}),
    "update": lambda s, ids: s.update("Line", ids["line"], {"name": "renamed"}),
}
CASES = [(operation, step.name) for operation, (checking, applying)
         in pipeline.OPERATIONS.items() for step in (*checking, *applying)]


class Injected(Exception):
    pass


def test_every_step_runs_for_the_order_object(world):
    engine, tenant, _ = world
    with engine.session(tenant, readonly=True) as s:
        obj = s.schema.object("Order")
        for operation in OPERATIONS:
            write = pipeline.write_of(s._context(), obj, s.guard, [])
            checking, applying = pipeline.chosen(write, operation)
            assert [(operation, x.name) for x in (*checking, *applying)] == \
                [case for case in CASES if case[0] == operation and case[1] != "masters"]


@pytest.mark.parametrize(("operation", "step"), CASES)
def test_a_failure_after_any_step_changes_nothing(world, operation, step):
    engine, tenant, ids = world
    found = next(s for s in (*pipeline.OPERATIONS[operation][0],
                             *pipeline.OPERATIONS[operation][1]) if s.name == step)
    original = found.run

    def failing(w: pipeline.Write) -> None:
        original(w)
        raise Injected(step)

    before = _state(engine, tenant)
    object.__setattr__(found, "run", failing)
    try:
        with pytest.raises(Injected), engine.session(tenant) as s:
            (ON_DETAILS if step == "masters" else OPERATIONS)[operation](s, ids)
    finally:
        object.__setattr__(found, "run", original)
    assert _state(engine, tenant) == before


def test_the_operations_succeed_and_record_their_changes(world):
    engine, tenant, ids = world
    with engine.db.connect() as conn:
        start = len(conn.execute(sa.select(tables_of(conn, tenant).changes)).all())
    for operation in ("create", "update", "delete", "restore"):
        with engine.session(tenant) as s:
            OPERATIONS[operation](s, ids)
    with engine.db.connect() as conn:
        kinds = [r.kind for r in conn.execute(sa.select(tables_of(conn, tenant).changes)
                                              .order_by("id"))][start:]
    for kind in ("create", "update", "delete", "restore"):
        assert kind in kinds
