"""Helpers for the webhook tests (no tests here): the example CRM with a local receiver
subscribed to ``Order`` changes, a worker on a moveable clock, and changes written straight
to the outbox (as every write path does in its transaction).

>>> world = World(engine, tenant, receiver)                   # doctest: +SKIP
>>> world.subscribe("erp")
>>> world.change("update", order_id, before={"status": "draft"}, after={"status": "sent"})
>>> world.worker().run(once=True)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hulian.engine import Engine
from hulian.engine.changes import outbox
from hulian.engine.changes.outbox import Origin, Pending
from hulian.engine.database import reading
from hulian.engine.webhooks import DeliverySettings
from hulian.runtime.worker import Job, Worker
from tests.integration.login_support import Clock
from tests.integration.webhook_receiver import Receiver

__all__ = ["SECRET", "SETTINGS", "World"]

SECRET = "test-secret-0123456789"
SETTINGS = DeliverySettings(timeout=0.1, max_attempts=4, backoff=1.0, backoff_cap=3.0,
                            lease=30.0, concurrency=4)
"""Quick to give up (0.1 s timeout), four attempts 1, 2 and 3 s apart (capped)."""


class World:
    def __init__(self, engine: Engine, tenant: str, receiver: Receiver):
        self.engine = engine
        self.tenant = tenant
        self.receiver = receiver
        self.clock = Clock()

    def object_id(self, name: str = "Order") -> str:
        with reading(self.engine.db) as conn, conn.begin():
            return str(self.engine.schema(conn, self.tenant).ids[name]["id"])

    def subscribe(self, name: str = "erp", **options: Any) -> dict[str, Any]:
        options.setdefault("object", "Order")
        options.setdefault("url", self.receiver.url)
        options.setdefault("secret", SECRET)
        return self.engine.webhooks(self.tenant).create(name, **options)

    def change(self, kind: str, record_id: str, *, before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None, object_name: str = "Order") -> int:
        """Write one change to the outbox in a transaction of its own; its id."""
        return self.changes([(kind, record_id, before, after)], object_name=object_name)[0]

    def changes(self, items: list[tuple[str, str, Any, Any]], *,
                object_name: str = "Order") -> list[int]:
        object_id = self.object_id(object_name)
        origin = Origin("u1", None, "api", "req-1", self.clock())
        with self.engine.db.begin() as conn:
            ids = outbox.append(conn, self.tenant, origin, [
                Pending(kind, object_name, object_id, record, before, after)
                for kind, record, before, after in items])
        return list(ids)

    def worker(self, settings: DeliverySettings = SETTINGS, jobs: list[Job] | None = None,
               environ: dict[str, str] | None = None) -> Worker:
        return Worker(self.engine, settings=settings, clock=self.clock, tenants=[self.tenant],
                      jobs=jobs or [], environ=environ or {})

    def run(self, **options: Any) -> Any:
        """One worker run until caught up (``once``), closed afterwards."""
        with self.worker(**options) as worker:
            return worker.run(once=True)

    def deliveries(self, name: str = "erp", **options: Any) -> list[dict[str, Any]]:
        return self.engine.webhooks(self.tenant).deliveries(name, **options)[0]

    def statuses(self, name: str = "erp") -> dict[int, str]:
        return {d["change_id"]: d["status"] for d in self.deliveries(name)}

    def later(self, seconds: float) -> dt.datetime:
        self.clock.advance(seconds=seconds)
        return self.clock.now
