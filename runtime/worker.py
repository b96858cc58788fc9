"""The ``hulian worker`` process: webhook deliveries and the periodic jobs.

Each pass goes over every tenant (or those named), delivering webhooks
(:class:`hulian.engine.webhooks.Dispatcher`), then runs the jobs of :data:`JOBS` whose
interval has passed. When a pass did something the next one starts at once; otherwise the
worker waits ``poll`` seconds (the lag between a write and its delivery is about that).
``once`` runs passes until one finds nothing to do, then returns (cron, tests).

>>> worker = Worker(Engine("sqlite:///hulian.db"))                  # doctest: +SKIP
>>> worker.run(once=True)
PassReport(enqueued=12, delivered=12, failed=0, dead=0)

A tenant whose pass fails (its database refuses a statement, its metadata cannot be
compiled) is logged and skipped until the next pass; the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from hulian.engine import Engine, HulianError, purge_deleted
from hulian.engine.automations import run_scheduled
from hulian.engine.system.people import now as utc_now
from hulian.engine.webhooks import DeliverySettings, Dispatcher, PassReport, Transport
from hulian.engine.webhooks.delivery import DEFAULT_SETTINGS
from hulian.engine.webhooks.store import purge_changes, purge_delivered
from hulian.runtime.webhook_http import HttpTransport

__all__ = ["JOBS", "Job", "Worker"]

log = logging.getLogger("hulian.worker")


@dataclass(frozen=True)
class Job:
    """A periodic job: ``run(engine, tenant, now)`` for each tenant every ``interval``
    (first in the worker's first pass)."""

    name: str
    interval: dt.timedelta
    run: Callable[[Engine, str, dt.datetime], object]


JOBS: list[Job] = [
    Job("webhook_deliveries", dt.timedelta(hours=1), purge_delivered),
    Job("record_changes", dt.timedelta(hours=1), purge_changes),
    Job("recycle_bin", dt.timedelta(hours=1), purge_deleted),
    Job("scheduled_actions", dt.timedelta(minutes=1), run_scheduled),
]
"""The worker's periodic jobs, in the order they run: deliveries acknowledged more than
7 days ago; record changes past the history and feed retention that no webhook
subscription still needs (``Engine(feed_retention_days=)``, the objects'
``history_retention_days``); records in the recycle bin for longer than
``Engine(recycle_bin_days=)``; the scheduled actions of automations that are due
(:func:`hulian.engine.automations.run_scheduled`, every minute)."""


class Worker:
    """Delivers webhooks and runs :data:`JOBS` for every tenant of ``engine`` (or of
    ``tenants``). ``clock`` gives the time (tests move it); ``environ`` holds the secrets
    metadata names by environment variable."""

    def __init__(self, engine: Engine, *, transport: Transport | None = None,
                 settings: DeliverySettings = DEFAULT_SETTINGS,
                 clock: Callable[[], dt.datetime] = utc_now,
                 environ: Mapping[str, str] | None = None,
                 jobs: Iterable[Job] | None = None, tenants: Iterable[str] = (),
                 poll: float = 0.2):
        self.engine = engine
        self.clock = clock
        self.poll = poll
        self.jobs = list(JOBS if jobs is None else jobs)
        self.tenants = tuple(tenants)
        self._own_transport = transport is None
        self.transport = HttpTransport(settings.concurrency) if transport is None \
            else transport
        self.dispatcher = Dispatcher(engine, self.transport, settings=settings, clock=clock,
                                     environ=environ)
        self._last_run: dict[str, dt.datetime] = {}

    def close(self) -> None:
        self.dispatcher.close()
        if self._own_transport and isinstance(self.transport, HttpTransport):
            self.transport.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run_once(self) -> PassReport:
        """One pass: deliveries of every tenant, then the jobs that are due."""
        report = PassReport()
        tenants = self.tenants or tuple(self.engine.tenants())
        for tenant in tenants:
            try:
                report.add(self.dispatcher.run_tenant(tenant))
            except (HulianError, sa.exc.SQLAlchemyError) as error:
                log.error("webhooks of tenant %s: %s", tenant, error)
        self.run_jobs(tenants)
        return report

    def run_jobs(self, tenants: Iterable[str]) -> None:
        """The jobs whose interval has passed, each over ``tenants`` (a tenant it fails
        for is logged, the others go on)."""
        now = self.clock()
        due = [job for job in self.jobs if job.name not in self._last_run
               or now - self._last_run[job.name] >= job.interval]
        for job in due:
            self._last_run[job.name] = now
            for tenant in tenants:
                try:
                    job.run(self.engine, tenant, now)
                except (HulianError, sa.exc.SQLAlchemyError) as error:
                    log.error("job %s of tenant %s failed: %s", job.name, tenant, error)

    def run(self, stop: threading.Event | None = None, *, once: bool = False) -> PassReport:
        """Run passes until ``stop`` is set (or, with ``once``, until a pass finds nothing
        to do); what they did, summed."""
        stop = stop or threading.Event()
        total = PassReport()
        while not stop.is_set():
            report = self.run_once()
            total.add(report)
            if report.busy:
                continue
            if once:
                break
            stop.wait(self.poll)
        return total
