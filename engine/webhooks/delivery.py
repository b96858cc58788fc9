"""Delivering webhooks: one pass of the worker over a tenant (:class:`Dispatcher`).

For each active subscription (one that has a secret, and whose object still exists), a
pass

1. **enqueues**: reads the outbox after the subscription's position (a read-only
   transaction), keeps the changes of its events that pass its filter, and in one short
   write transaction adds a ``pending`` delivery for each and moves the position on;
2. **claims** the deliveries that are due, in order per record: for each record, its
   oldest delivery still to be made (the *head*) if its time has come, and the ones after
   it (up to ``chain``); a claim is a lease (``lease_until``) taken in one short write
   transaction, so a second worker never sends the same delivery meanwhile;
3. **sends** them, records concurrently (a thread pool, ``concurrency``), the deliveries
   of one record one after the other, stopping at the first that fails: a later change of
   a record is never sent before an earlier one was acknowledged or dead-lettered;
4. **records** the outcomes in one short write transaction: 2xx is ``delivered``;
   anything else (another status, a refused connection, no answer within ``timeout``) is
   ``retrying`` with the next attempt ``backoff * 2**(attempts - 1)`` seconds later (at
   most ``backoff_cap``), or ``dead`` after ``max_attempts`` attempts (the body is kept:
   it can be replayed after the outbox has been purged).

The worker only reads the outbox and writes its own tables, in transactions that last
milliseconds, so it never holds a lock a writer waits for (on SQLite a writer may wait
those milliseconds for the database's one write lock).

**At least once.** A delivery is recorded after its POST: a worker that stops between the
two (a crash, a kill) leaves the lease in place, and once it runs out (``lease``) the
delivery is sent again. That is the one case in which a receiver that acknowledged a
delivery gets it again; it recognises it by ``X-Hulian-Delivery`` (the change id) and
``X-Hulian-Subscription``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.changes import outbox
from hulian.engine.database import reading
from hulian.engine.deploy import versions
from hulian.engine.errors import WebhookError
from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.system.people import now as utc_now
from hulian.engine.system.tenant_tables import TenantTables, tables_of
from hulian.engine.webhooks import filters, store
from hulian.engine.webhooks.signing import signature_header
from hulian.engine.webhooks.store import OPEN, Subscription
from hulian.engine.webhooks.urls import check_address
from hulian.formula import CompiledFormula
from hulian.metadata.jsontext import dumps
from hulian.metadata.kinds.webhooks import parse_url

if TYPE_CHECKING:
    from hulian.engine.engine import Engine

__all__ = ["DEFAULT_SETTINGS", "DeliveryFailed", "DeliverySettings", "Dispatcher",
           "PassReport", "Transport"]

log = logging.getLogger("hulian.webhooks")
USER_AGENT = "hulian-webhooks/1"
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


DEFAULT_SETTINGS = DeliverySettings()


class DeliveryFailed(Exception):
    """No HTTP answer: the connection was refused or reset, or the receiver did not answer
    within the timeout."""


class Transport(Protocol):
    """What POSTs a delivery (:class:`hulian.runtime.webhook_http.HttpTransport`)."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        """The HTTP status of the answer; DeliveryFailed when there is none."""
        ...


@dataclass
class PassReport:
    """What one pass did (summed over subscriptions and tenants)."""

    enqueued: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0

    @property
    def busy(self) -> bool:
        """Whether it did anything (the worker then runs the next pass at once)."""
        return bool(self.enqueued or self.delivered or self.failed or self.dead)

    def add(self, other: PassReport) -> None:
        self.enqueued += other.enqueued
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead


@dataclass
class _Item:
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


@dataclass
class _Target:
    """Where and how a subscription's deliveries go in this pass."""

    subscription: Subscription
    secret: str
    refusal: str | None = None
    """Why the URL may not be reached now (its host resolves to a private address...)."""
    extra: dict[str, str] = field(default_factory=dict)


def _insert(conn: sa.Connection) -> Any:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def record_outcomes(conn: sa.Connection, tables: TenantTables, name: str,
                    items: Sequence[_Item], unsent: Sequence[int], settings: DeliverySettings,
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


class Dispatcher:
    """Delivers the webhooks of an Engine's tenants, one :meth:`run_tenant` pass at a time.

    ``transport`` POSTs; ``clock`` gives the time (tests move it: backoff and leases are
    computed from it, never from sleeping); ``environ`` holds the secrets metadata names
    (``secret_env``).
    """

    def __init__(self, engine: Engine, transport: Transport, *,
                 settings: DeliverySettings = DEFAULT_SETTINGS,
                 clock: Callable[[], dt.datetime] = utc_now,
                 environ: Mapping[str, str] | None = None):
        self.engine = engine
        self.transport = transport
        self.settings = settings
        self.clock = clock
        self.environ = os.environ if environ is None else environ
        self._pool = ThreadPoolExecutor(max(1, settings.concurrency),
                                        thread_name_prefix="hulian-webhook")
        self._filters: dict[tuple[str, int, str, str], CompiledFormula] = {}
        self._warned: set[tuple[str, str]] = set()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one pass -----------------------------------------------------------------------------

    def run_tenant(self, tenant: str) -> PassReport:
        """Enqueue, claim, send and record for every active subscription of ``tenant``."""
        report = PassReport()
        with reading(self.engine.db) as conn, conn.begin():
            if versions.newest(conn, tenant) is None:
                return report
            schema = self.engine.schema(conn, tenant)
            found = store.subscriptions(conn, tenant, schema.pack, schema.ids)
        for subscription in found:
            secret = subscription.secret_from(self.environ)
            if subscription.state != "active" or secret is None:
                self._warn_once(tenant, subscription)
                continue
            try:
                formula = self._filter(schema, subscription)
            except WebhookError as error:
                self._warn(tenant, subscription, f"its filter no longer compiles: {error}")
                continue
            report.enqueued += self.enqueue(tenant, schema, subscription, formula)
            report.add(self.dispatch(tenant, _Target(subscription, secret)))
        return report

    def _warn_once(self, tenant: str, subscription: Subscription) -> None:
        if subscription.state == "active":  # a secret_env the worker's environment lacks
            self._warn(tenant, subscription, f"no secret: the environment variable "
                                             f"{subscription.secret_env} is not set")

    def _warn(self, tenant: str, subscription: Subscription, message: str) -> None:
        key = (tenant, subscription.name)
        if key not in self._warned:
            self._warned.add(key)
            log.warning("webhook %s of %s is not delivered: %s", subscription.name, tenant,
                        message)

    def _filter(self, schema: CompiledSchema, subscription: Subscription
                ) -> CompiledFormula | None:
        if subscription.filter is None or subscription.object is None:
            return None
        if subscription.source == "metadata":
            return schema.formulas[subscription.object].documents.get(
                ("webhook", subscription.name, "/filter"))
        key = (schema.tenant, schema.version, subscription.name, subscription.filter)
        found = self._filters.get(key)
        if found is None:
            found = self._filters[key] = filters.compile_filter(
                schema.pack, subscription.object, subscription.filter)
        return found

    # -- 1. enqueue ---------------------------------------------------------------------------

    def enqueue(self, tenant: str, schema: CompiledSchema, subscription: Subscription,
                formula: CompiledFormula | None) -> int:
        """Add the deliveries of the subscription's next changes; how many."""
        assert subscription.object is not None and subscription.object_id is not None
        batch = self.settings.batch
        with reading(self.engine.db) as conn, conn.begin():
            tables = tables_of(conn, tenant)
            last = outbox.last_id(conn, tenant)
            changes = outbox.read_after(conn, tenant, subscription.position, limit=batch,
                                        where=tables.changes.c.object_id ==
                                        subscription.object_id)
            chosen = [c for c in changes if c.kind in subscription.events]
            if formula is not None and chosen:
                passed = filters.matching(conn, schema, subscription.object,
                                          subscription.object_id, formula, chosen)
                chosen = [c for c, ok in zip(chosen, passed, strict=True) if ok]
        if len(changes) == batch:
            position = changes[-1].id
        else:  # every change of the object up to ``last`` has been read
            position = max(subscription.position, last, changes[-1].id if changes else 0)
        if position == subscription.position:
            return 0
        now = self.clock()
        with self.engine.db.begin() as conn:
            table = tables.webhooks
            moved = conn.execute(table.update().where(
                table.c.name == subscription.name, table.c.position == subscription.position
            ).values(position=position)).rowcount
            if moved != 1:  # a replay (or another worker) moved it meanwhile
                return 0
            if chosen:
                d = tables.webhook_deliveries
                conn.execute(_insert(conn)(d).on_conflict_do_nothing(), [
                    {"subscription": subscription.name, "change_id": c.id,
                     "record_id": c.record_id, "status": "pending", "attempts": 0,
                     "next_at": now, "updated_at": now} for c in chosen])
        return len(chosen)

    # -- 2. claim -----------------------------------------------------------------------------

    def _due(self, conn: sa.Connection, tables: TenantTables, name: str,
             now: dt.datetime) -> list[list[Any]]:
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
            .order_by(d.c.change_id).limit(self.settings.heads)).all()
        if not heads:
            return []
        records = [row.record_id for row in heads]
        rows = conn.execute(
            sa.select(d.c.change_id, d.c.record_id, d.c.attempts, d.c.next_at,
                      d.c.lease_until, d.c.payload, c.c.kind, c.c.object, c.c.before,
                      c.c.after, c.c.user_id, c.c.enterprise_id, c.c.channel,
                      c.c.request_id, c.c.at, c.c.id.label("found"))
            .select_from(d.outerjoin(c, c.c.id == d.c.change_id))
            .where(d.c.subscription == name, is_open, d.c.record_id.in_(records),
                   d.c.change_id >= min(row.change_id for row in heads))
            .order_by(d.c.change_id).limit(self.settings.window)).all()
        groups: dict[str, list[Any]] = {}
        stopped: set[str] = set()
        for row in rows:
            group = groups.setdefault(row.record_id, [])
            if row.record_id in stopped or len(group) >= self.settings.chain:
                continue
            if group and (row.next_at > now or (row.lease_until is not None
                                                 and row.lease_until > now)):
                stopped.add(row.record_id)  # not due yet: what follows waits for it
                continue
            group.append(row)
        head_ids = {row.change_id for row in heads}
        return [g for g in groups.values() if g and g[0].change_id in head_ids]

    def _claim(self, tables: TenantTables, name: str, ids: list[int],
               now: dt.datetime) -> set[int]:
        d = tables.webhook_deliveries
        until = now + dt.timedelta(seconds=self.settings.lease)
        with self.engine.db.begin() as conn:
            return set(conn.execute(
                d.update().where(d.c.subscription == name, d.c.change_id.in_(ids),
                                 d.c.status.in_(OPEN),
                                 sa.or_(d.c.lease_until.is_(None), d.c.lease_until <= now))
                .values(lease_until=until).returning(d.c.change_id)).scalars())

    # -- 3. send ------------------------------------------------------------------------------

    def dispatch(self, tenant: str, target: _Target) -> PassReport:
        """Claim, send and record the due deliveries of one subscription."""
        name = target.subscription.name
        now = self.clock()
        with reading(self.engine.db) as conn, conn.begin():
            tables = tables_of(conn, tenant)
            groups = self._due(conn, tables, name, now)
        if not groups:
            return PassReport()
        claimed = self._claim(tables, name, [r.change_id for g in groups for r in g], now)
        chains: list[list[_Item]] = []
        for group in groups:
            chain = []
            for row in group:
                if row.change_id not in claimed:
                    break
                chain.append(_Item(row.change_id, row.record_id, row.attempts,
                                   _body(name, row)))
            if chain:
                chains.append(chain)
        if not chains:
            return PassReport()
        target.refusal = self._refusal(target.subscription.url)
        target.extra = {"X-Hulian-Tenant": tenant, "X-Hulian-Subscription": name}
        list(self._pool.map(lambda chain: self._send_chain(target, chain), chains))
        items = [i for chain in chains for i in chain if i.sent]
        unsent = [i.change_id for chain in chains for i in chain if not i.sent]
        with self.engine.db.begin() as conn:
            record_outcomes(conn, tables, name, items, unsent, self.settings, self.clock())
        dead = sum(1 for i in items if not i.ok and
                   (i.attempts + 1 >= self.settings.max_attempts or i.body is None))
        delivered = sum(1 for i in items if i.ok)
        return PassReport(delivered=delivered, failed=len(items) - delivered - dead,
                          dead=dead)

    def _refusal(self, url: str) -> str | None:
        """Why ``url`` may not be reached now (its host resolves to an address the policy
        refuses), else None."""
        parts = parse_url(url)
        if parts is None or not parts.hostname:
            return "the URL cannot be read"
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        try:
            check_address(parts.hostname, port, self.engine.webhook_urls)
        except WebhookError as error:
            return f"{error.code}: {error.message}"
        return None

    def _send_chain(self, target: _Target, chain: list[_Item]) -> None:
        """Send one record's deliveries in order, up to the first that fails."""
        for item in chain:
            item.sent = True
            if item.body is None:
                item.error = "the change is no longer in the outbox"
                return
            if target.refusal is not None:
                item.error = target.refusal
                return
            self._send(target, item)
            if not item.ok:
                return

    def _send(self, target: _Target, item: _Item) -> None:
        assert item.body is not None
        timestamp = int(self.clock().timestamp())
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "X-Hulian-Delivery": str(item.change_id),
                   "X-Hulian-Attempt": str(item.attempts + 1), **target.extra,
                   "X-Hulian-Signature": signature_header(target.secret, timestamp,
                                                          item.body)}
        try:
            item.status = self.transport.post(target.subscription.url, item.body, headers,
                                              self.settings.timeout)
        except DeliveryFailed as failure:
            item.error = str(failure) or type(failure).__name__
            return
        if not item.ok:
            item.error = f"the receiver answered HTTP {item.status}"


def _body(name: str, row: Any) -> bytes | None:
    """The JSON body of a delivery: the change, and the subscription's name. A replayed
    dead letter is sent as it was kept."""
    if row.payload is not None:
        return str(row.payload).encode("utf-8")
    if row.found is None:
        return None
    head = dumps({"id": row.change_id, "subscription": name, "kind": row.kind,
                  "object": row.object, "record_id": row.record_id, "user": row.user_id,
                  "enterprise": row.enterprise_id, "channel": row.channel,
                  "request_id": row.request_id, "at": row.at})
    return (f'{head[:-1]}, "before": {row.before or "null"}, '
            f'"after": {row.after or "null"}}}').encode()
