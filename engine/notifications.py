"""In-app notifications (站内通知): what flows tell users, kept in the tenant's
``hulian_notifications``.

A flow sends in the transaction of the write that caused it (:func:`send`), so a write
that rolls back sends nothing. A user reads only their own notifications, newest first
(:meth:`hulian.engine.Session.notifications`), and marks them read
(:meth:`hulian.engine.Session.mark_notifications_read`).

>>> send(conn, "acme", [boss_id], title="Order 42 awaits your approval",  # doctest: +SKIP
...      body="Submitted by Mei", object=order_object_id, record_id=order_id,
...      source="approval:order_approval")
1

Recipients are resolved to the tenant's *active* users: ids of deactivated users, of users
of another tenant or of no one are dropped, and each user gets one notification however
often they are named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from hulian.engine.ids import new_id
from hulian.engine.memo import per_table
from hulian.engine.system.tenant_tables import tables_of, tenant_tables

__all__ = ["MAX_BODY", "MAX_TITLE", "active_users", "listing", "mark_read", "send",
           "to_notification"]

MAX_TITLE = 200
"""Longer titles are cut to this many characters (a formula may build a long text)."""
MAX_BODY = 4000
"""Longer bodies are cut to this many characters."""


@per_table
def _active_query(users: sa.Table) -> sa.Select[Any]:
    return sa.select(users.c.id).where(
        users.c.is_active == sa.true(),
        users.c.id.in_(sa.bindparam("wanted", expanding=True))).order_by(users.c.id)


@per_table
def _insert(table: sa.Table) -> sa.Insert:
    return table.insert()


def active_users(conn: sa.Connection, tenant: str, user_ids: Iterable[str]) -> list[str]:
    """The ids among ``user_ids`` of active users of ``tenant``, sorted, each once."""
    wanted = sorted({u for u in user_ids if isinstance(u, str)})
    if not wanted:
        return []
    return list(conn.scalars(_active_query(tables_of(conn, tenant).users),
                             {"wanted": wanted}))


def _cut(text: Any, limit: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def send(conn: sa.Connection, tenant: str, user_ids: Iterable[str], *, title: str,
         body: str, object: str | None = None, record_id: str | None = None,
         source: str, now: dt.datetime | None = None) -> int:
    """Notify the active users among ``user_ids``, in the caller's transaction; how many
    were notified. ``object``: the stable id of the object of the record it is about
    (``hulian.engine.records.recycle_bin.object_id(schema, api_name)``), with
    ``record_id``; ``source``: what sent it, e.g. ``approval:order_approval`` or
    ``automation:order_approved_activity``. Titles and bodies over :data:`MAX_TITLE` /
    :data:`MAX_BODY` characters are cut."""
    recipients = active_users(conn, tenant, user_ids)
    if not recipients:
        return 0
    at = now or dt.datetime.now(dt.UTC)
    common = {"title": _cut(title, MAX_TITLE), "body": _cut(body, MAX_BODY),
              "object_id": object, "record_id": record_id, "source": source[:200],
              "created_at": at, "read_at": None}
    conn.execute(_insert(tables_of(conn, tenant).notifications),
                 [{"id": new_id(), "user_id": user, **common} for user in recipients])
    return len(recipients)


def listing(dialect: str, tenant: str, user_id: str, *, unread: bool,
            after: tuple[dt.datetime, str] | None, limit: int) -> sa.Select:
    """One page (one more than ``limit``) of ``user_id``'s notifications, newest first;
    ``after``: the (created_at, id) of the previous page's last."""
    table = tenant_tables(dialect, tenant).notifications
    query = sa.select(table).where(table.c.user_id == user_id)
    if unread:
        query = query.where(table.c.read_at.is_(None))
    if after is not None:
        at, last = after
        query = query.where(sa.or_(table.c.created_at < at,
                                   sa.and_(table.c.created_at == at, table.c.id < last)))
    return query.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit + 1)


def mark_read(conn: sa.Connection, tenant: str, user_id: str, ids: Sequence[str] | None,
              now: dt.datetime) -> int:
    """Mark ``user_id``'s unread notifications read (``ids``: only those; None: all);
    how many were unread. Ids of other users' notifications are passed over."""
    table = tables_of(conn, tenant).notifications
    statement = table.update().where(table.c.user_id == user_id, table.c.read_at.is_(None))
    if ids is not None:
        if not ids:
            return 0
        statement = statement.where(table.c.id.in_(sorted(set(ids))))
    return conn.execute(statement.values(read_at=now)).rowcount


def to_notification(row: Mapping[str, Any], object_name: str | None) -> dict[str, Any]:
    """A notification as the API gives it (``object``: the api_name its object has now,
    None when it is about no record or its object is gone)."""
    return {"id": row["id"], "title": row["title"], "body": row["body"],
            "object": object_name, "record_id": row["record_id"], "source": row["source"],
            "created_at": row["created_at"], "read_at": row["read_at"],
            "read": row["read_at"] is not None}
