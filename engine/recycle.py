"""Emptying a tenant's recycle bin: :func:`purge_deleted`, the periodic job.

>>> report = purge_deleted(engine, "acme")            # doctest: +SKIP
>>> report.records, report.activities
({'Order': 3, 'OrderLine': 7}, 2)

Records stay in the recycle bin :data:`DEFAULT_RETENTION_DAYS` days (as in Salesforce),
or what ``Engine(recycle_bin_days=...)`` says, or what the call says; then they, their
activities and their related team rows are deleted for good
(:mod:`~hulian.engine.records.bin_purge`). The outbox keeps their record changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.database import unbounded
from hulian.engine.deploy import versions
from hulian.engine.errors import HulianError
from hulian.engine.records.bin_purge import BATCH, PurgeReport, count, purge_batch
from hulian.engine.schema.compiled import CompiledSchema, compile_schema
from hulian.engine.system import people

if TYPE_CHECKING:
    from hulian.engine.engine import Engine

__all__ = ["DEFAULT_RETENTION_DAYS", "MAX_RETENTION_DAYS", "PurgeReport", "check_days",
           "purge_deleted"]

DEFAULT_RETENTION_DAYS = 15
"""How long a deleted record stays in the recycle bin by default (Salesforce's 15 days)."""
MAX_RETENTION_DAYS = 36500


def check_days(days: Any) -> int:
    """``days`` if it is a whole number of days from 0 to :data:`MAX_RETENTION_DAYS`;
    else HulianError ``invalid_retention``."""
    if isinstance(days, bool) or not isinstance(days, int) or \
            not 0 <= days <= MAX_RETENTION_DAYS:
        raise HulianError(f"the recycle bin keeps records a whole number of days from 0 to "
                          f"{MAX_RETENTION_DAYS}, not {days!r}", code="invalid_retention",
                          hint=f"e.g. {DEFAULT_RETENTION_DAYS} (the default)")
    return days


def _schema(conn: sa.Connection, tenant: str) -> CompiledSchema | None:
    """The tenant's compiled schema at its newest version, or None when nothing is
    deployed (for a caller without an Engine and its cache)."""
    number = versions.newest(conn, tenant)
    if number is None:
        return None
    found = versions.load(conn, tenant, number)
    return replace(compile_schema(found.pack(), tenant, conn.dialect.name, number),
                   ids=found.ids)


def _purge(conn: sa.Connection, schema: CompiledSchema, cutoff: dt.datetime,
           report: PurgeReport) -> bool:
    """One batch into ``report``; whether the bin may hold more."""
    done, taken = purge_batch(conn, schema, cutoff)
    report.add(done)
    return taken >= BATCH


def purge_deleted(target: Engine | sa.Connection, tenant: str,
                  now: dt.datetime | None = None, older_than_days: int | None = None, *,
                  dry_run: bool = False) -> PurgeReport:
    """Delete for good the ``tenant``'s records deleted more than ``older_than_days`` days
    before ``now`` (default: the current time), with their details, activities and
    related team rows; what was deleted (``dry_run``: what would be, changing nothing).

    ``target``: an :class:`~hulian.engine.Engine` (each batch of :data:`BATCH` records is
    a transaction of its own, so a large bin never holds the tenant's writers up for long;
    ``older_than_days`` defaults to its ``recycle_bin_days``), or a connection in a
    transaction (all in that transaction; default :data:`DEFAULT_RETENTION_DAYS`).
    """
    engine = None if isinstance(target, sa.Connection) else target
    if older_than_days is None:
        older_than_days = engine.recycle_bin_days if engine is not None \
            else DEFAULT_RETENTION_DAYS
    days = check_days(older_than_days)
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise HulianError("now needs its time zone", code="invalid_retention",
                          hint="pass an aware datetime, e.g. datetime.now(UTC)")
    cutoff = moment.astimezone(dt.UTC) - dt.timedelta(days=days)
    report = PurgeReport(tenant, cutoff, dry_run=dry_run)
    if engine is None:
        assert isinstance(target, sa.Connection)
        people.require_tenant(target, tenant)
        schema = _schema(target, tenant)
        if schema is None:
            return report
        if dry_run:
            return count(target, schema, cutoff)
        more = True
        while more:
            more = _purge(target, schema, cutoff, report)
        return report
    more = True
    while more:
        with engine.db.connect() as conn, conn.begin():
            unbounded(conn)
            people.require_tenant(conn, tenant)
            if versions.newest(conn, tenant) is None:
                return report
            schema = engine.schema(conn, tenant)
            if dry_run:
                return count(conn, schema, cutoff)
            more = _purge(conn, schema, cutoff, report)
    return report
