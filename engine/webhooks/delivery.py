"""Delivering webhooks: one pass of the worker over a tenant (:class:`Dispatcher`).

For each active subscription (one that has a secret, and whose object still exists), a
pass

1. **enqueues**: reads the outbox after the subscription's position (a read-only
   transaction), keeps the changes of its events that pass its filter, and adds a
   ``pending`` delivery for each while moving the position on;
2. **claims** the deliveries that are due, in order per record: for each record, its
   oldest delivery still to be made (the *head*) if its time has come, and the ones after
   it (up to ``chain``); a claim is a lease (``lease_until``), so a second worker never
   sends the same delivery meanwhile. Steps 1 and 2 share one short write transaction;
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
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from hulian.engine.changes import outbox
from hulian.engine.database import eager_writing, reading
from hulian.engine.deploy import versions
from hulian.engine.errors import WebhookError
from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.system.people import now as utc_now
from hulian.engine.system.tenant_tables import TenantTables, tables_of
from hulian.engine.webhooks import filters, queue, store
from hulian.engine.webhooks.queue import DeliverySettings, Item
from hulian.engine.webhooks.signing import signature_header
from hulian.engine.webhooks.store import Subscription
from hulian.engine.webhooks.urls import check_address
from hulian.formula import CompiledFormula
from hulian.metadata.kinds.webhooks import parse_url

if TYPE_CHECKING:
    from hulian.engine.engine import Engine

__all__ = ["DEFAULT_SETTINGS", "DeliveryFailed", "DeliverySettings", "Dispatcher",
           "PassReport", "Transport"]

log = logging.getLogger("hulian.webhooks")
USER_AGENT = "hulian-webhooks/1"
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
class _Target:
    """Where and how a subscription's deliveries go in this pass."""

    subscription: Subscription
    secret: str
    refusal: str | None = None
    """Why the URL may not be reached now (its host resolves to a private address...)."""
    extra: dict[str, str] = field(default_factory=dict)


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
            report.add(self.run_subscription(tenant, schema, subscription, formula, secret))
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

    def run_subscription(self, tenant: str, schema: CompiledSchema,
                         subscription: Subscription, formula: CompiledFormula | None,
                         secret: str) -> PassReport:
        """Steps 1 to 4 for one subscription. New changes are enqueued and the due
        deliveries claimed in one write transaction (on SQLite every write transaction
        waits its turn behind the writers: one is cheaper than two)."""
        found = self._next(tenant, schema, subscription, formula)
        now = self.clock()
        name = subscription.name
        enqueued, claimed = 0, set()
        if found is not None:
            with eager_writing(self.engine.db) as conn:
                tables = tables_of(conn, tenant)
                enqueued = queue.enqueue(conn, tables, subscription, *found, now)
                groups = queue.due(conn, tables, name, now, self.settings)
                if groups:
                    claimed = queue.claim(conn, tables, name, groups, now, self.settings)
        else:
            with reading(self.engine.db) as conn, conn.begin():
                tables = tables_of(conn, tenant)
                groups = queue.due(conn, tables, name, now, self.settings)
            if groups:
                with eager_writing(self.engine.db) as conn:
                    claimed = queue.claim(conn, tables, name, groups, now, self.settings)
        report = self._send(tenant, _Target(subscription, secret), tables, groups, claimed)
        report.enqueued = enqueued
        return report

    # -- 1. enqueue ---------------------------------------------------------------------------

    def _next(self, tenant: str, schema: CompiledSchema, subscription: Subscription,
              formula: CompiledFormula | None) -> tuple[int, list[Any]] | None:
        """(the new position, the changes to deliver) of the subscription's next changes,
        read in a read-only transaction; None when there are none."""
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
        return None if position == subscription.position else (position, chosen)

    # -- 2. claim -----------------------------------------------------------------------------

    # -- 3. send ------------------------------------------------------------------------------

    def _send(self, tenant: str, target: _Target, tables: TenantTables,
              groups: list[list[Any]], claimed: set[int]) -> PassReport:
        """Send the claimed deliveries of ``groups`` (steps 3 and 4)."""
        name = target.subscription.name
        chains: list[list[Item]] = []
        for group in groups:
            chain = []
            for row in group:
                if row.change_id not in claimed:
                    break
                chain.append(Item(row.change_id, row.record_id, row.attempts,
                                  queue.body(name, row)))
            if chain:
                chains.append(chain)
        if not chains:
            return PassReport()
        target.refusal = self._refusal(target.subscription.url)
        target.extra = {"X-Hulian-Tenant": tenant, "X-Hulian-Subscription": name}
        list(self._pool.map(lambda chain: self._send_chain(target, chain), chains))
        items = [i for chain in chains for i in chain if i.sent]
        unsent = [i.change_id for chain in chains for i in chain if not i.sent]
        with eager_writing(self.engine.db) as conn:
            queue.record_outcomes(conn, tables, name, items, unsent, self.settings,
                                  self.clock())
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

    def _send_chain(self, target: _Target, chain: list[Item]) -> None:
        """Send one record's deliveries in order, up to the first that fails."""
        for item in chain:
            item.sent = True
            if item.body is None:
                item.error = "the change is no longer in the outbox"
                return
            if target.refusal is not None:
                item.error = target.refusal
                return
            self._post(target, item)
            if not item.ok:
                return

    def _post(self, target: _Target, item: Item) -> None:
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
