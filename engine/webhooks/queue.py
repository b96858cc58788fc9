"""The deliveries table as a queue: what the worker adds, finds due, claims and records.

Every function works in the caller's transaction (:mod:`~hulian.engine.webhooks.delivery`
decides which, and keeps them short). A delivery is ``pending`` (never tried) or
``retrying`` until it is ``delivered`` (the receiver answered 2xx) or ``dead``
(``max_attempts`` failed attempts; its body is kept for a replay). ``lease_until`` is set
while a worker is sending it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.changes import outbox
from hulian.engine.system.tenant_tables import TenantTables
from hulian.engine.webhooks.store import OPEN, Subscription
from hulian.metadata.jsontext import dumps_flat

__all__ = ["MAX_ERROR", "DeliverySettings", "Item", "body", "claim", "due", "enqueue",
           "record_outcomes"]

MAX_ERROR = 500
"""Characters of an error kept with a delivery."""


@dataclass(frozen=True)
class DeliverySettings:
    """How the worker delivers (``hulian worker`` options; docs/integration.md)."""

    timeout: float = 10.0
    """Seconds to wait for a receiver's answer."""
    max_attempts: int = 12
    """Attempts before a delivery is dead-lettered."""
    backoff: float = 10.0
    """Seconds before the second attempt; each further wait doubles..."""
    backoff_cap: float = 3600.0
    """...up to this many seconds."""
    batch: int = 1000
    """Changes read from the outbox per subscription and pass."""
    heads: int = 500
    """Records whose deliveries are started per subscription and pass."""
    chain: int = 50
    """Deliveries of one record sent one after the other in a pass."""
    window: int = 5000
    """Deliveries claimed per subscription and pass."""
    concurrency: int = 16
    """Records sent to at once (threads, connections per receiver)."""
    lease: float = 120.0
    """Seconds a claim lasts: after a crash, in-flight deliveries are sent again then."""

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        return dt.timedelta(seconds=min(self.backoff_cap,
                                        self.backoff * 2 ** min(attempts - 1, 62)))


@dataclass
class Item:
    """One claimed delivery on its way."""

    change_id: int
    record_id: str
    attempts: int
    body: bytes | None
    """None: neither the outbox nor the delivery holds the change any longer."""
    status: int | None = None
    error: str | None = None
    sent: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _insert(conn: sa.Connection) -> Any:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def enqueue(conn: sa.Connection, tables: TenantTables, subscription: Subscription,
             position: int, chosen: list[Any], now: dt.datetime) -> int:
    """Move the position on and add a delivery per chosen change, in ``conn``'s write
    transaction; how many (none when a replay or another worker moved it meanwhile)."""
    table = tables.webhooks
    moved = conn.execute(table.update().where(
        table.c.name == subscription.name, table.c.position == subscription.position
    ).values(position=position)).rowcount
    if moved != 1 or not chosen:
        return 0
    d = tables.webhook_deliveries
    conn.execute(_insert(conn)(d).on_conflict_do_nothing(), [
        {"subscription": subscription.name, "change_id": c.id, "record_id": c.record_id,
         "status": "pending", "attempts": 0, "next_at": now, "updated_at": now}
        for c in chosen])
    return len(chosen)


def due(conn: sa.Connection, tables: TenantTables, name: str, now: dt.datetime,
        settings: DeliverySettings) -> list[list[Any]]:
    """The due deliveries of ``name``, grouped by record, each group in change order
    starting at the record's head."""
    d, c = tables.webhook_deliveries, tables.changes
    is_open = d.c.status.in_(OPEN)
    free = sa.or_(d.c.lease_until.is_(None), d.c.lease_until <= now)
    first = sa.select(d.c.record_id, sa.func.min(d.c.change_id).label("change_id")) \
        .where(d.c.subscription == name, is_open).group_by(d.c.record_id).subquery()
    heads = conn.execute(
        sa.select(d.c.record_id, d.c.change_id)
        .join(first, sa.and_(d.c.record_id == first.c.record_id,
                             d.c.change_id == first.c.change_id))
        .where(d.c.subscription == name, d.c.next_at <= now, free)
        .order_by(d.c.change_id).limit(settings.heads)).all()
    if not heads:
        return []
    records = [row.record_id for row in heads]
    rows = conn.execute(
        sa.select(d.c.change_id, d.c.record_id, d.c.attempts, d.c.next_at,
                  d.c.lease_until, d.c.payload, c.c.kind, c.c.object, c.c.before,
                  c.c.after, c.c.user_id, c.c.enterprise_id, c.c.channel,
                  c.c.request_id, c.c.at, c.c.span, c.c.id.label("found"))
        .select_from(d.outerjoin(c, c.c.id == d.c.change_id))
        .where(d.c.subscription == name, is_open, d.c.record_id.in_(records),
               d.c.change_id >= min(row.change_id for row in heads))
        .order_by(d.c.change_id).limit(settings.window)).all()
    rows = _unpacked(conn, c, rows)
    groups: dict[str, list[Any]] = {}
    stopped: set[str] = set()
    for row in rows:
        group = groups.setdefault(row.record_id, [])
        if row.record_id in stopped or len(group) >= settings.chain:
            continue
        if group and (row.next_at > now or (row.lease_until is not None
                                             and row.lease_until > now)):
            stopped.add(row.record_id)  # not due yet: what follows waits for it
            continue
        group.append(row)
    head_ids = {row.change_id for row in heads}
    return [g for g in groups.values() if g and g[0].change_id in head_ids]


def _unpacked(conn: sa.Connection, changes: sa.Table, rows: list[Any]) -> list[Any]:
    """``rows`` (deliveries joined to their change's row), those of a change in a pack of
    creates (:mod:`~hulian.engine.changes.packs`: its row holds others too, or is another's)
    given their own change's values."""
    packed = [row.change_id for row in rows
              if row.payload is None and (row.found is None or row.span > 1)]
    if not packed:
        return rows
    found = outbox.held(conn, changes, packed)
    out = []
    for row in rows:
        change = found.get(row.change_id)
        if row.payload is not None or (row.found is not None and row.span == 1) \
                or change is None:
            out.append(row)
            continue
        out.append(SimpleNamespace(**{
            **row._mapping, "kind": change.kind, "object": change.object, "before": None,
            "after": dumps_flat(change.after or {}), "user_id": change.user,
            "enterprise_id": change.enterprise, "channel": change.channel,
            "request_id": change.request_id, "at": change.at, "span": 1,
            "found": change.id}))
    return out


def claim(conn: sa.Connection, tables: TenantTables, name: str, groups: list[list[Any]],
          now: dt.datetime, settings: DeliverySettings) -> set[int]:
    """Lease the deliveries of ``groups`` (those no other worker holds); their ids."""
    d = tables.webhook_deliveries
    until = now + dt.timedelta(seconds=settings.lease)
    ids = [row.change_id for group in groups for row in group]
    return set(conn.execute(
        d.update().where(d.c.subscription == name, d.c.change_id.in_(ids),
                         d.c.status.in_(OPEN),
                         sa.or_(d.c.lease_until.is_(None), d.c.lease_until <= now))
        .values(lease_until=until).returning(d.c.change_id)).scalars())


def record_outcomes(conn: sa.Connection, tables: TenantTables, name: str,
                    items: Sequence[Item], unsent: Sequence[int], settings: DeliverySettings,
                    now: dt.datetime) -> None:
    """Write what became of ``items`` and release the lease of ``unsent`` (step 4).
    Failure-injection tests replace it to stop a worker between POST and record."""
    d = tables.webhook_deliveries
    where = (d.c.subscription == sa.bindparam("b_name"),
             d.c.change_id == sa.bindparam("b_change"))
    done = [{"b_name": name, "b_change": i.change_id, "b_attempts": i.attempts + 1,
             "b_status": i.status} for i in items if i.ok]
    if done:
        conn.execute(d.update().where(*where).values(
            status="delivered", attempts=sa.bindparam("b_attempts"), delivered_at=now,
            last_status=sa.bindparam("b_status"), last_error=None, lease_until=None,
            updated_at=now), done)
    failed = []
    for i in items:
        if i.ok:
            continue
        attempts = i.attempts + 1
        dead = attempts >= settings.max_attempts or i.body is None
        failed.append({"b_name": name, "b_change": i.change_id, "b_attempts": attempts,
                       "b_state": "dead" if dead else "retrying",
                       "b_next": now if dead else now + settings.delay(attempts),
                       "b_status": i.status, "b_error": (i.error or "")[:MAX_ERROR] or None,
                       "b_payload": i.body.decode("utf-8") if dead and i.body else None})
    if failed:
        conn.execute(d.update().where(*where).values(
            status=sa.bindparam("b_state"), attempts=sa.bindparam("b_attempts"),
            next_at=sa.bindparam("b_next"), last_status=sa.bindparam("b_status"),
            last_error=sa.bindparam("b_error"), payload=sa.bindparam("b_payload"),
            lease_until=None, updated_at=now), failed)
    if unsent:
        conn.execute(d.update().where(*where).values(lease_until=None),
                     [{"b_name": name, "b_change": c} for c in unsent])


def body(name: str, row: Any) -> bytes | None:
    """The JSON body of a delivery: the change, and the subscription's name. A replayed
    dead letter is sent as it was kept."""
    if row.payload is not None:
        return str(row.payload).encode("utf-8")
    if row.found is None:
        return None
    head = json.dumps({"id": row.change_id, "subscription": name, "kind": row.kind,
                       "object": row.object, "record_id": row.record_id, "user": row.user_id,
                       "enterprise": row.enterprise_id, "channel": row.channel,
                       "request_id": row.request_id, "at": row.at.isoformat()},
                      ensure_ascii=False)  # texts and ints only: the C encoder is exact
    return (f'{head[:-1]}, "before": {row.before or "null"}, '
            f'"after": {row.after or "null"}}}').encode()
