"""Running an automation's actions on one record, in the write's transaction.

Every formula is evaluated first, on the record as the triggering write left it (so the
actions of one automation see the same values whatever their order). Then:

- the field updates of the record, then those of its master, each target as ONE update
  through the write pipeline (validated like any write; channel ``flow``; a record locked
  by an approval is still updated: the flow acts for the process);
- ``create_record``: a create through the pipeline, owned as the triggering record is;
- ``activity``: an activity of the record (:mod:`hulian.engine.records.activities`);
- ``notify``: an in-app notification (:mod:`hulian.engine.notifications`) to the
  recipients resolved on the record (:mod:`~hulian.engine.parties`);
- ``webhook_event``: an outbox change of kind ``event``,
  ``{"event": <name>, "flow": <automation>}``.

Writes of the flow run as system work (no permission checks) in the name of the user
whose write triggered the automation, with ``ctx.flow_depth`` one deeper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from hulian.engine import notifications
from hulian.engine.automations.compiled import Action
from hulian.engine.errors import FieldError, RecordValidationError
from hulian.engine.parties import resolve
from hulian.engine.records import activities, pipeline
from hulian.engine.records.context import Context
from hulian.engine.records.recycle_bin import object_id
from hulian.engine.schema.compiled import CompiledObject

__all__ = ["OWNERSHIP", "SYSTEM_GUARD", "run_actions"]

OWNERSHIP = ("owner_id", "department_id", "out_tenant_id", "out_owner_id")
"""The columns a record created by a flow takes from the triggering record."""


class _SystemGuard:
    """The guard of a flow's writes: every field may be written (the metadata checks made
    sure the flow names real, writable fields)."""

    def check_input(self, obj: CompiledObject, rows: list[Any], errors: list[FieldError],
                    *, creating: bool) -> list[Any]:
        return rows


SYSTEM_GUARD = _SystemGuard()


def _stored(obj: CompiledObject, name: str, value: Any) -> Any:
    """A formula's value as the field stores it (a percent's fraction as its percentage)."""
    f = obj.field(name)
    shift = f.kind.formula_shift if f is not None else 0
    return value.scaleb(shift) if shift and isinstance(value, Decimal) else value


def _values(obj: CompiledObject, action: Action, env: Any) -> dict[str, Any]:
    return {name: _stored(obj, name, formula.run(env)) for name, formula in action.values.items()}


def _write(ctx: Context, obj: CompiledObject, operation: str, data: Mapping[str, Any],
           record_id: str | None = None) -> None:
    write = pipeline.write_of(ctx, obj, SYSTEM_GUARD, [dict(data)], record_id=record_id)
    pipeline.run(write, operation)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def run_actions(ctx: Context, obj: CompiledObject, flow: str, actions: Sequence[Action],
                record: Mapping[str, Any], env: Any) -> None:
    """Run ``actions`` of the automation ``flow`` on ``record`` of ``obj`` (``env``: the
    record's formula environment); ``ctx`` is the flow's context."""
    updates: dict[tuple[str, str | None], dict[str, Any]] = {}
    others: list[tuple[Action, dict[str, Any]]] = []
    for action in actions:
        if action.type == "field_update":
            target = obj if action.object is None else ctx.object(action.object)
            updates.setdefault((target.api_name, action.via), {}).update(
                _values(target, action, env))
        elif action.type == "create_record":
            assert action.object is not None
            others.append((action, _values(ctx.object(action.object), action, env)))
        else:
            others.append((action, {k: f.run(env) for k, f in action.values.items()}))
    for (target_name, via), values in updates.items():
        target_id = record["id"] if via is None else record.get(via)
        if target_id is not None:
            _write(ctx, ctx.object(target_name), "update", values, target_id)
    for action, values in others:
        _other(ctx, obj, flow, action, values, record)


def _other(ctx: Context, obj: CompiledObject, flow: str, action: Action,
           values: dict[str, Any], record: Mapping[str, Any]) -> None:
    tenant = ctx.schema.tenant
    if action.type == "create_record":
        assert action.object is not None
        owner = {k: record.get(k) for k in OWNERSHIP}
        _write(replace(ctx, owner=owner), ctx.object(action.object), "create", values)
    elif action.type == "activity":
        errors: list[FieldError] = []
        checked = activities.check({"kind": action.kind, "text": _text(values.get("text"))},
                                   ctx.now, errors)
        if errors:
            raise RecordValidationError(obj.api_name, errors)
        activities.insert(ctx.conn, tenant, object_id(ctx.schema, obj.api_name), record["id"],
                          checked, ctx.user.id, ctx.now)
    elif action.type == "notify":
        notifications.send(ctx.conn, tenant, resolve(ctx.conn, tenant, action.to, record, ctx.user),
                           title=_text(values.get("title")), body=_text(values.get("body")),
                           object=object_id(ctx.schema, obj.api_name),
                           record_id=record["id"], source=f"automation:{flow}", now=ctx.now)
    elif action.type == "webhook_event" and ctx.journal is not None:
        ctx.journal.add(obj, "event", record["id"], None, {"event": action.event, "flow": flow})

