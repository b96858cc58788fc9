"""How long record changes are kept, and purging the older ones.

A change stays while the record history or the change feed still needs it:

- changes of an object with history (``track_history``) for its
  ``history_retention_days`` (365 by default) — or the feed retention, when that is
  longer;
- every other change for the feed retention (``Engine(feed_retention_days=30)``), objects
  removed since included;
- never a change a webhook subscription has not delivered yet: whoever purges passes the
  lowest change id still needed as ``keep_from``, and nothing from it on is deleted.

The record history shows only what its object's retention keeps (older changes kept for
the feed are not shown). The highest id a purge deleted is kept as the tenant's purge mark
(:func:`purged_through`): above it the feed is complete, so a feed cursor below it is
``cursor_expired`` and a feed read without a cursor starts there.

>>> purge_changes(conn, "acme", dt.datetime.now(dt.UTC), keep_from=1200)  # doctest: +SKIP
Purged(deleted=5400, purged_through=1187)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.changes import outbox
from hulian.engine.deploy import versions
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.model import Pack

__all__ = ["DEFAULT_FEED_RETENTION_DAYS", "Purged", "purge_changes", "purged_through"]

DEFAULT_FEED_RETENTION_DAYS = 30
MARK = {"object": "~changes", "field": "~purged", "period": "~"}
"""The purge mark's row in the tenant's counter table (next to the change counter)."""


@dataclass(frozen=True)
class Purged:
    """What :func:`purge_changes` did: how many changes it deleted, and the tenant's purge
    mark after it (a feed cursor below it is expired)."""

    deleted: int
    purged_through: int


def purged_through(conn: sa.Connection, tenant: str) -> int:
    """The highest change id a purge has deleted (0: none): the feed is complete above it."""
    counter = tables_of(conn, tenant).sequences
    found = conn.scalar(sa.select(counter.c.value).where(
        *(counter.c[key] == value for key, value in MARK.items())))
    return int(found or 0)


def _retained(pack: Pack, ids: dict[str, Any], feed_days: int) -> dict[int, list[str]]:
    """Days kept -> the stable ids of the objects with history kept that long."""
    out: dict[int, list[str]] = {}
    for obj in pack.objects:
        found = ids.get(obj.api_name, {}).get("id")
        if obj.tracked_fields is not None and found is not None:
            days = max(obj.history_retention_days, feed_days)
            out.setdefault(days, []).append(str(found))
    return out


def purge_changes(conn: sa.Connection, tenant: str, now: dt.datetime, *,
                  feed_retention_days: int = DEFAULT_FEED_RETENTION_DAYS,
                  keep_from: int | None = None, pack: Pack | None = None,
                  ids: dict[str, Any] | None = None) -> Purged:
    """Delete the tenant's changes no retention keeps any more (see the module), in the
    caller's transaction. ``keep_from``: the lowest change id still needed (webhooks not
    delivered yet); it and every later change stay. ``pack`` and ``ids``: the tenant's
    deployed metadata and its stable ids (default: read the newest version)."""
    if feed_retention_days < 1:
        raise ValueError("feed_retention_days must be at least 1")
    if pack is None or ids is None:
        number = versions.newest(conn, tenant)
        if number is None:
            return Purged(0, purged_through(conn, tenant))
        version = versions.load(conn, tenant, number)
        pack, ids = version.pack(), version.ids
    tables = tables_of(conn, tenant)
    changes = tables.changes
    retained = _retained(pack, ids, feed_retention_days)
    tracked = [oid for group in retained.values() for oid in group]
    terms = [sa.and_(changes.c.object_id.in_(group), changes.c.at < now - dt.timedelta(days))
             for days, group in sorted(retained.items())]
    others = changes.c.at < now - dt.timedelta(feed_retention_days)
    terms.append(sa.and_(changes.c.object_id.not_in(tracked), others) if tracked else others)
    condition = sa.or_(*terms)
    if keep_from is not None:  # a pack's last id too (packs: a row holds ``span`` ids)
        condition = sa.and_(condition, changes.c.id + changes.c.span <= keep_from)
    highest, deleted = conn.execute(sa.select(
        sa.func.max(changes.c.id + changes.c.span - 1), sa.func.sum(changes.c.span))
        .where(condition)).one()
    if highest is None:
        return Purged(0, purged_through(conn, tenant))
    outbox.keep_floor(conn, tenant)  # before the newest change may go
    conn.execute(changes.delete().where(condition))
    counter = tables.sequences
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(counter).values(**MARK, value=int(highest)).on_conflict_do_update(
        index_elements=[counter.c.object, counter.c.field, counter.c.period],
        set_={"value": sa.func.max(counter.c.value, int(highest))
              if conn.dialect.name == "sqlite"
              else sa.func.greatest(counter.c.value, int(highest))}))
    return Purged(int(deleted), purged_through(conn, tenant))
