"""Scheduled actions: planned by writes, kept in the tenant's ``hulian_scheduled_actions``.

A record *meets* an automation when its condition holds on the record evaluated as on a
new record (``ISNEW()`` true, ``ISCHANGED(f)`` true when ``f`` has a value,
``PRIORVALUE(f)`` blank). When an automation with ``scheduled`` actions fires on a record
(its trigger and condition, as for its immediate actions) and the record meets it, each
scheduled entry gets a pending row due at the record's ``field`` + ``offset_days`` (a date
field: 00:00 UTC of that day), replacing a pending one; a blank date plans nothing. A
later write of the record that does not fire the automation:

- cancels its pending rows when the record no longer meets the automation, or when the
  date became blank;
- moves them when the date changed.

A write of a record that met the automation neither before nor after it touches no row
(there can be none): the table is not even read.

Deleting the record cancels its pending rows. Cancelled rows are deleted; rows that ran
stay, marked ``done``. The worker (:func:`~hulian.engine.automations.worker.run_scheduled`)
runs due rows whose record still meets the condition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from hulian.engine.automations.compiled import Automation, Scheduled, scheduling_of
from hulian.engine.ids import new_id
from hulian.engine.records.context import Context
from hulian.engine.records.recycle_bin import object_id
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.system.tenant_tables import tables_of

__all__ = ["as_new", "cancel", "due_at", "meets", "plan"]


def due_at(entry: Scheduled, value: Any) -> dt.datetime | None:
    """When ``entry`` runs for a record whose date field holds ``value`` (None: blank)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    else:
        return None
    return moment + dt.timedelta(days=entry.offset_days)


def meets(automation: Automation, env_as_new: Any) -> bool:
    """Whether a record still meets ``automation``'s condition (``env_as_new``: its
    formula environment as a new record's)."""
    return automation.condition is None or automation.condition.run(env_as_new) is True


def as_new(env: dict[tuple[str, ...], Any]) -> dict[tuple[str, ...], Any]:
    """A record's formula environment as a new record's (no ``$Prior``, ``$IsNew``)."""
    out = {k: v for k, v in env.items() if k[0] != "$Prior"}
    out[("$IsNew",)] = True
    return out


def _statements(table: sa.Table) -> tuple[Any, Any]:
    """Delete and move the pending row of ``:flow``, ``:action``, ``:record_id``."""
    where = (table.c.flow == sa.bindparam("flow"), table.c.action == sa.bindparam("action"),
             table.c.record_id == sa.bindparam("record_id"), table.c.state == "pending")
    return (table.delete().where(*where),
            table.update().where(*where).values(
                due_at=sa.bindparam("due"), lease_owner=None, lease_until=None,
                updated_at=sa.bindparam("now")))


def moving(schema: Any, obj: CompiledObject, changed: frozenset[str]
           ) -> tuple[Automation, ...]:
    """The automations with scheduled actions whose pending rows an update changing
    ``changed`` may move or cancel: those whose condition reads a changed field, or
    whose scheduled date changed (an automation the update fires is planned again
    anyway)."""
    return tuple(a for a in scheduling_of(schema, obj)
                 if a.reads is None or a.reads & changed
                 or any(s.field in changed or s.reads is None or s.reads & changed
                        for s in a.scheduled))


def plan(ctx: Context, obj: CompiledObject, record: Mapping[str, Any],
         prior: Mapping[str, Any] | None, fired: Sequence[Automation],
         moved: Sequence[Automation], env: Any, prior_env: Any | None) -> None:
    """Plan the scheduled actions of the ``fired`` automations for ``record`` after its
    write, and move or cancel those of ``moved`` (:func:`moving`; ``env``,
    ``prior_env``: the record's formula environments after and before the write)."""
    automations = [a for a in scheduling_of(ctx.schema, obj) if a in fired or a in moved]
    if not automations:
        return
    table = tables_of(ctx.conn, ctx.schema.tenant).scheduled_actions
    delete, move = ctx.schema.memo.get(("scheduled_statements",), lambda: _statements(table))
    now_env = env if prior is None else as_new(env)
    before = None if prior_env is None else as_new(prior_env)
    for automation in automations:
        meets_now = meets(automation, now_env)
        for entry in automation.scheduled:
            value = _value(entry, record, now_env)
            due = due_at(entry, value)
            key = {"flow": automation.api_name, "action": entry.api_name,
                   "record_id": record["id"]}
            if automation in fired:
                if prior is not None:
                    ctx.conn.execute(delete, key)
                if due is not None and meets_now:
                    ctx.conn.execute(table.insert().values(
                        id=new_id(), object=object_id(ctx.schema, obj.api_name), due_at=due,
                        state="pending", user_id=ctx.user.id, lease_owner=None,
                        lease_until=None, created_at=ctx.now, updated_at=ctx.now, **key))
                continue
            if before is None or not meets(automation, before):
                continue  # nothing can be pending: rows are kept only for records that meet
            if due is None or not meets_now:
                ctx.conn.execute(delete, key)
            elif value != _value(entry, prior or {}, before):
                ctx.conn.execute(move, {**key, "due": due, "now": ctx.now})


def _value(entry: Scheduled, record: Mapping[str, Any], env: Any) -> Any:
    """The scheduled date or datetime of ``record``: its stored value, or a formula
    field's, computed in ``env`` (the record's formula environment as a new record's)."""
    if entry.value is None:
        return record.get(entry.field)
    return entry.value.run(env)


def cancel(ctx: Context, obj: CompiledObject, record_ids: Iterable[str]) -> None:
    """Cancel the pending scheduled actions of these records of ``obj``."""
    ids = list(record_ids)
    if not ids or not scheduling_of(ctx.schema, obj):
        return
    table = tables_of(ctx.conn, ctx.schema.tenant).scheduled_actions
    ctx.conn.execute(table.delete().where(table.c.record_id.in_(ids),
                                          table.c.object == object_id(ctx.schema,
                                                                      obj.api_name),
                                          table.c.state == "pending"))
