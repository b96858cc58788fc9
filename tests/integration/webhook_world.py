"""Helpers for the webhook tests (no tests here): the example CRM with a local receiver
subscribed to ``Order`` changes, a worker on a moveable clock, and writes through
``engine.session(...)`` that give back the ids of the record changes they made (read from
the outbox, where every write path records them in its transaction).

>>> world = World(engine, tenant, receiver)                   # doctest: +SKIP
>>> order = world.create({"status": "draft"})                 # before: not delivered
>>> world.subscribe("erp")
>>> change = world.update(order.record_id, {"status": "confirmed"})
>>> world.worker().run(once=True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from hulian.engine import Engine
from hulian.engine.changes import RecordChange, outbox
from hulian.engine.database import reading
from hulian.engine.session import Session
from hulian.engine.webhooks import DeliverySettings
from hulian.runtime.worker import Job, Worker
from tests.integration.login_support import Clock
from tests.integration.webhook_receiver import Receiver

__all__ = ["REQUEST", "SECRET", "SETTINGS", "Created", "World"]

SECRET = "test-secret-0123456789"
REQUEST = "req-1"
"""The request id of the World's writes."""
SETTINGS = DeliverySettings(timeout=0.1, max_attempts=4, backoff=1.0, backoff_cap=3.0,
                            lease=30.0, concurrency=4)
"""Quick to give up (0.1 s timeout), four attempts 1, 2 and 3 s apart (capped)."""


class Created(NamedTuple):
    record_id: str
    change_id: int
    """The id of its create change."""


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

    # -- writes, and the changes they made ---------------------------------------------------

    def last_change(self) -> int:
        with reading(self.engine.db) as conn, conn.begin():
            return outbox.last_id(conn, self.tenant)

    def changes_after(self, after: int) -> list[RecordChange]:
        with reading(self.engine.db) as conn, conn.begin():
            return outbox.read_after(conn, self.tenant, after, limit=100_000)

    @contextmanager
    def writing(self) -> Iterator[tuple[Session, list[RecordChange]]]:
        """A session (as admin, request id :data:`REQUEST`) and, once it has committed, the
        record changes its writes made, in id order."""
        start = self.last_change()
        made: list[RecordChange] = []
        with self.engine.session(self.tenant, request_id=REQUEST) as session:
            yield session, made
        made.extend(self.changes_after(start))

    @staticmethod
    def _only(made: list[RecordChange], record_id: str, kind: str) -> int:
        (found,) = [c.id for c in made if c.record_id == record_id and c.kind == kind]
        return found

    def create(self, values: dict[str, Any], object_name: str = "Order") -> Created:
        with self.writing() as (session, made):
            record = session.create(object_name, values)["id"]
        return Created(record, self._only(made, record, "create"))

    def orders(self, count: int) -> list[str]:
        """``count`` draft orders (their ids); create them before subscribing when a test is
        about later changes only."""
        with self.writing() as (session, _):
            return [session.create("Order", {"status": "draft"})["id"] for _ in range(count)]

    def update(self, record_id: str, values: dict[str, Any], object_name: str = "Order"
               ) -> int:
        """The id of the update change."""
        with self.writing() as (session, made):
            session.update(object_name, record_id, values)
        return self._only(made, record_id, "update")

    def delete(self, record_id: str, object_name: str = "Order") -> int:
        with self.writing() as (session, made):
            session.delete(object_name, record_id)
        return self._only(made, record_id, "delete")

    # -- the worker --------------------------------------------------------------------------

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
