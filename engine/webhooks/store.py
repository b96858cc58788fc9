"""Subscriptions as stored: the tenant's ``hulian_webhooks`` rows merged with the webhooks
its metadata declares (``webhooks/*.json``), and what the worker needs to keep (``keep_from``).

A subscription made through the admin API is a row (``source`` ``api``) holding all of it;
its object is kept by stable id, so it follows a rename. One declared in metadata is the
document, plus a row (``source`` ``metadata``) that the deploy declaring it adds: where the
worker stands (``position``) and what an administrator set through the API (a secret, a
pause); the deploy that removes it deletes the row and its deliveries (:func:`follow_deploy`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.changes import KINDS, outbox
from hulian.engine.changes.retention import Purged
from hulian.engine.database import reading
from hulian.engine.errors import DeployError
from hulian.engine.system.people import now as utc_now
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.jsontext import dumps, loads
from hulian.metadata.kinds.webhooks import Webhook
from hulian.metadata.model import Pack

if TYPE_CHECKING:
    from hulian.engine.engine import Engine

__all__ = ["KEEP_DELIVERED", "OPEN", "STATUSES", "Subscription", "follow_deploy",
           "keep_from", "load", "object_ids", "purge_changes", "purge_delivered",
           "subscriptions"]

STATUSES = ("pending", "retrying", "delivered", "dead")
OPEN = ("pending", "retrying")
"""Deliveries still to be made (the others are done: acknowledged or dead-lettered)."""


@dataclass(frozen=True)
class Subscription:
    """One webhook subscription as the worker and the admin API see it."""

    name: str
    source: str
    """``api`` (made through the admin API) or ``metadata`` (a pack's webhook)."""
    object: str | None
    """The object's api_name now (None: the object is gone)."""
    object_id: str | None
    events: tuple[str, ...]
    filter: str | None
    url: str
    active: bool
    position: int
    """The id of the last change the worker has looked at for it."""
    secret: str | None = field(default=None, repr=False)
    """The stored secret (API-set); see :attr:`secret_env` for metadata ones."""
    secret_env: str | None = None
    """The worker's environment variable holding the secret (a pack's ``secret_env``)."""
    created_by: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def secret_from(self, environ: Mapping[str, str]) -> str | None:
        """The signing secret: the stored one, else the environment variable's."""
        if self.secret:
            return self.secret
        return environ.get(self.secret_env) or None if self.secret_env else None

    @property
    def secret_source(self) -> str | None:
        if self.secret:
            return "stored"
        return f"env:{self.secret_env}" if self.secret_env else None

    @property
    def state(self) -> str:
        """``active``, ``paused``, ``object_missing`` or ``needs_secret`` (nothing is
        delivered but in the first; changes wait, see :func:`keep_from`)."""
        if self.object is None:
            return "object_missing"
        if self.secret_source is None:
            return "needs_secret"
        return "active" if self.active else "paused"


def object_ids(ids: Mapping[str, Any]) -> dict[str, str]:
    """api_name -> stable id of the schema's objects (``CompiledSchema.ids``)."""
    return {name: str(item["id"]) for name, item in ids.items()
            if isinstance(item, Mapping) and item.get("id")}


def _from_row(row: Any, names: Mapping[str, str], webhook: Webhook | None) -> Subscription:
    if webhook is not None:
        return Subscription(
            webhook.api_name, "metadata", webhook.object if webhook.object in names else None,
            names.get(webhook.object), webhook.events, webhook.filter, webhook.url,
            webhook.active if row.active is None else bool(row.active), int(row.position),
            row.secret, webhook.secret_env, row.created_by, row.created_at, row.updated_at)
    by_id = {object_id: name for name, object_id in names.items()}
    events = tuple(loads(row.events)) if row.events else KINDS
    return Subscription(row.name, "api", by_id.get(row.object_id), row.object_id, events,
                        row.filter, row.url or "", bool(row.active), int(row.position),
                        row.secret, None, row.created_by, row.created_at, row.updated_at)


def subscriptions(conn: sa.Connection, tenant: str, pack: Pack | None,
                  ids: Mapping[str, Any]) -> list[Subscription]:
    """Every subscription of ``tenant`` (``pack`` and ``ids``: its deployed metadata and
    stable ids), by name. A pack's webhook whose row is missing (deployed before the
    tenant's tables had webhooks) is left out until the next deploy adds it."""
    declared = {w.api_name: w for w in (pack.part("webhook") if pack else ())}
    names = object_ids(ids)
    table = tables_of(conn, tenant).webhooks
    found = []
    for row in conn.execute(sa.select(table).order_by(table.c.name)):
        webhook = declared.get(row.name) if row.source == "metadata" else None
        if row.source == "metadata" and webhook is None:
            continue  # removed by a deploy that is not committed yet
        found.append(_from_row(row, names, webhook))
    return found


def load(conn: sa.Connection, tenant: str, pack: Pack | None, ids: Mapping[str, Any],
         name: str) -> Subscription | None:
    return next((s for s in subscriptions(conn, tenant, pack, ids) if s.name == name), None)


def follow_deploy(conn: sa.Connection, tenant: str, pack: Pack, user: str) -> None:
    """In a deploy's transaction: a state row for each webhook ``pack`` declares anew
    (starting after the newest change: a new subscription delivers what happens from now
    on), none for those it no longer declares (their deliveries go too). A webhook named
    like one made through the API is refused."""
    tables = tables_of(conn, tenant)
    table = tables.webhooks
    rows = {row.name: row.source for row in conn.execute(
        sa.select(table.c.name, table.c.source))}
    declared = {w.api_name for w in pack.part("webhook")}
    taken = sorted(name for name in declared if rows.get(name) == "api")
    if taken:
        raise DeployError(f"webhook {taken[0]} was made through the admin API; a pack cannot "
                          "declare one of the same name", code="webhook_exists",
                          hint="rename the pack's webhook, or delete the other "
                               "(DELETE /api/v1/admin/webhooks/" + taken[0] + ")")
    gone = [name for name, source in rows.items()
            if source == "metadata" and name not in declared]
    if gone:
        conn.execute(tables.webhook_deliveries.delete().where(
            tables.webhook_deliveries.c.subscription.in_(gone)))
        conn.execute(table.delete().where(table.c.name.in_(gone)))
    new = sorted(declared - set(rows))
    if new:
        start, at = outbox.last_id(conn, tenant), utc_now()
        conn.execute(table.insert(), [
            {"name": name, "source": "metadata", "position": start, "created_by": user,
             "created_at": at, "updated_at": at} for name in new])


def keep_from(conn: sa.Connection, tenant: str) -> int | None:
    """The lowest change id some subscription still needs (None: none needs any): every
    change from there on must stay in the outbox. A subscription needs the changes after
    its position (paused or waiting for a secret too: resuming delivers them) and those of
    its deliveries still to be made; a dead letter keeps its body and needs none."""
    tables = tables_of(conn, tenant)
    positions = conn.scalar(sa.select(sa.func.min(tables.webhooks.c.position)))
    pending = conn.scalar(sa.select(sa.func.min(tables.webhook_deliveries.c.change_id))
                          .where(tables.webhook_deliveries.c.status.in_(OPEN)))
    needed = [int(v) + 1 for v in (positions,) if v is not None] + \
        [int(v) for v in (pending,) if v is not None]
    return min(needed) if needed else None


def events_text(events: tuple[str, ...]) -> str | None:
    """How a row keeps ``events`` (None: all of them)."""
    return None if set(events) == set(KINDS) else dumps(list(events))


KEEP_DELIVERED = dt.timedelta(days=7)
"""How long a delivered delivery is listed before :func:`purge_delivered` removes it."""


def purge_delivered(engine: Engine, tenant: str, now: dt.datetime, *,
                    keep: dt.timedelta = KEEP_DELIVERED) -> int:
    """The worker's job ``webhook_deliveries``: remove the tenant's deliveries acknowledged
    more than ``keep`` ago, in a short transaction; how many. Dead letters stay until they
    are replayed or their subscription is deleted."""
    with engine.db.begin() as conn:
        d = tables_of(conn, tenant).webhook_deliveries
        return int(conn.execute(d.delete().where(
            d.c.status == "delivered", d.c.delivered_at < now - keep)).rowcount)


def purge_changes(engine: Engine, tenant: str, now: dt.datetime) -> Purged:
    """The worker's job ``record_changes``: :meth:`Engine.purge_changes
    <hulian.engine.Engine.purge_changes>` keeping every change from :func:`keep_from` on,
    so retention never takes a change a subscription has still to deliver.

    A subscription moves its position only forward, so a ``keep_from`` read before the
    purge's transaction stays good through it; the one exception is a ``replay_from`` that
    commits in between, which then finds the changes it asked for purged and skips them
    (replay it again from ``purged_through + 1``)."""
    with reading(engine.db) as conn, conn.begin():
        needed = keep_from(conn, tenant)
    return engine.purge_changes(tenant, now=now, keep_from=needed)
