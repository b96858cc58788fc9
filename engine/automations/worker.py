"""Running due scheduled actions, exactly once: the job ``hulian worker`` runs.

:func:`run_scheduled` first *claims* due rows in a short transaction: it writes a lease
(its own token and an expiry :data:`LEASE` ahead) on at most ``limit`` pending rows due
by ``now`` whose lease is absent or expired (on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so
two workers claim different rows). Then each row gets ONE transaction that reads it again
(still pending, still leased by this run, locked), runs its actions and marks it
``done``; or, when its record is gone or no longer meets the condition, deletes it
(cancelled). A crash in the middle of a row rolls its transaction back, actions and all:
the row stays pending and another run takes it when the lease has expired, so no action
is lost and none is done twice.

>>> run_scheduled(engine, "acme")                      # doctest: +SKIP
3
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.automations.actions import run_actions
from hulian.engine.automations.apply import flow_context
from hulian.engine.automations.compiled import Automation, Scheduled, automations_of
from hulian.engine.automations.schedule import meets
from hulian.engine.changes import outbox
from hulian.engine.changes.journal import Journal
from hulian.engine.database import reading
from hulian.engine.errors import NotFoundError
from hulian.engine.formulas.records import _Related, build_env
from hulian.engine.ids import new_id
from hulian.engine.records.context import Context
from hulian.engine.records.rows import fetch
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.system import people
from hulian.engine.system.tenant_tables import tables_of

if TYPE_CHECKING:
    from hulian.engine.engine import Engine

__all__ = ["LEASE", "run_scheduled"]

LEASE = dt.timedelta(minutes=5)
"""How long a claimed row is left to its run before another run may take it."""


def after_row(row_id: str) -> None:
    """Called after each row's actions, before it is marked done (tests make it fail)."""


def _claim(engine: Engine, tenant: str, now: dt.datetime, token: str, limit: int
           ) -> list[str]:
    with engine.db.begin() as conn:
        table = tables_of(conn, tenant).scheduled_actions
        query = sa.select(table.c.id).where(
            table.c.state == "pending", table.c.due_at <= now,
            sa.or_(table.c.lease_until.is_(None), table.c.lease_until < now),
        ).order_by(table.c.due_at, table.c.id).limit(limit)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(conn.scalars(query))
        if ids:
            conn.execute(table.update().where(table.c.id.in_(ids)).values(
                lease_owner=token, lease_until=now + LEASE))
        return ids


def _entry(schema: CompiledSchema, row: Any) -> tuple[CompiledObject, Automation,
                                                        Scheduled] | None:
    """The object, automation and scheduled entry of ``row`` (None: no longer deployed)."""
    name = next((n for n in schema.objects if str(schema.ids.get(n, {}).get("id") or n)
                 == row.object), None)
    if name is None:
        return None
    obj = schema.object(name)
    automation = next((a for a in automations_of(schema, obj) if a.api_name == row.flow),
                      None)
    entry = next((s for s in automation.scheduled if s.api_name == row.action), None) \
        if automation is not None else None
    return None if automation is None or entry is None else (obj, automation, entry)


def _run_row(engine: Engine, tenant: str, row_id: str, token: str, now: dt.datetime
             ) -> bool:
    """Run one claimed row in its own transaction; whether its actions ran."""
    with engine.db.begin() as conn:
        outbox.claim(conn, tenant)  # before any record, as every writer does
        table = tables_of(conn, tenant).scheduled_actions
        query = sa.select(table).where(table.c.id == row_id, table.c.state == "pending",
                                       table.c.lease_owner == token)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            return False  # done by another run after this one's lease expired
        schema = engine.schema(conn, tenant)
        found = _entry(schema, row)
        user = people.user_by_id(conn, tenant, row.user_id, include_inactive=True)
        done = table.delete().where(table.c.id == row_id)
        if found is None or user is None:
            conn.execute(done)
            return False
        obj, automation, entry = found
        ctx = Context(conn, schema, user, now, None, None, "flow", None,
                      Journal(schema) if engine.record_changes else None)
        try:
            record = fetch(ctx, obj, row.record_id)
        except NotFoundError:
            conn.execute(done)
            return False
        related = _Related(ctx)
        env = build_env(ctx, obj, record, None, related, automation.needs)
        if not meets(automation, env):
            conn.execute(done)
            return False
        acting = flow_context(ctx)
        run_actions(acting, obj, automation.api_name, entry.actions, record, env)
        after_row(row_id)
        acting.flush_changes()
        conn.execute(table.update().where(table.c.id == row_id).values(
            state="done", lease_owner=None, lease_until=None, updated_at=now))
        return True


def run_scheduled(engine: Engine, tenant: str, now: dt.datetime | None = None, *,
                  limit: int = 100) -> int:
    """Run the scheduled actions of ``tenant`` due by ``now`` (default: the current
    time), at most ``limit`` of them; how many ran. Each row runs in a transaction of its
    own (see the module's docstring); a row whose actions fail raises, and stays pending
    for the next run once its lease expires."""
    moment = now or dt.datetime.now(dt.UTC)
    with reading(engine.db) as conn:
        people.require_tenant(conn, tenant)
    token = new_id()
    ran = 0
    for row_id in _claim(engine, tenant, moment, token, limit):
        ran += _run_row(engine, tenant, row_id, token, moment)
    return ran
