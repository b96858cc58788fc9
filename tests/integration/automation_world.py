"""A tenant with orders, their lines and tasks, and automations given by each test: for
the automation tests (tests/integration/test_automations*.py). Builds inputs; asserts
nothing."""

from __future__ import annotations

from typing import Any

from hulian.engine import Engine
from tests.packs import documents, field, label, obj, options, pack_of

ORDER = obj(
    "Order",
    field("name", "text", required=True),
    field("status", "picklist", options=options("draft", "approved", "closed")),
    field("amount", "number", scale=2),
    field("counter", "number", scale=0),
    field("approved_on", "date"),
    field("due_date", "date"),
    field("last_line_on", "date"),
    field("note", "text"),
    field("double", "number", formula="amount * 2", scale=2),
    field("follow_up", "date", formula="due_date + 7"),
)
LINE = obj(
    "OrderLine",
    field("name", "text", required=True),
    field("purchase", "master_detail", target="Order"),
    field("qty", "number", scale=0),
)
TASK = obj(
    "Task",
    field("subject", "text", required=True),
    field("purchase", "lookup", target="Order"),
    name_field="subject",
)


def automation(api_name: str, object_name: str = "Order", *, trigger: str = "update",
               condition: str | None = None, actions: list[dict[str, Any]] | None = None,
               scheduled: list[dict[str, Any]] | None = None, active: bool = True
               ) -> dict[str, Any]:
    doc: dict[str, Any] = {"api_name": api_name, "type": "automation", "object": object_name,
                           "label": label(api_name), "active": active, "trigger": trigger,
                           "actions": actions or []}
    if condition is not None:
        doc["condition"] = condition
    if scheduled is not None:
        doc["scheduled"] = scheduled
    return doc


def docs(*flows: dict[str, Any]) -> dict[str, Any]:
    out = documents(ORDER, LINE, TASK, name="flowsworld")
    for flow in flows:
        out[f"flows/{flow['api_name']}.json"] = flow
    return out


def build(engine: Engine, tenant: str, *flows: dict[str, Any]) -> None:
    """Deploy the objects with ``flows``; users ``rep`` (an administrator, who writes),
    ``mei`` and ``gone`` (deactivated), made first: a deploy refuses flows that name a
    user the tenant lacks."""
    engine.metadata(tenant).deploy(pack_of(docs()))
    people = engine.people(tenant)
    people.create_user("rep", is_admin=True)
    people.create_user("mei")
    people.create_user("gone")
    people.update_user("gone", active=False)
    if flows:
        engine.metadata(tenant).deploy(pack_of({**docs(*flows), "pack.json": {
            **docs()["pack.json"], "version": "1.0.1"}}))
