"""The tenant's approval tables (:class:`~hulian.engine.system.tenant_tables.TenantTables`
``approvals``, ``approval_items``, ``approval_history``): reads and writes, in the
caller's transaction. Objects are named by their stable ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from hulian.engine.ids import new_id
from hulian.engine.system.tenant_tables import tables_of

__all__ = ["add_history", "add_items", "current_items", "history", "insert_approval",
           "latest", "pending", "pending_for", "set_items", "update_approval"]

PENDING = "pending"
APPROVED = "approved"
WAITING = "waiting"


def pending(conn: sa.Connection, tenant: str, object_id: str, record_id: str, *,
            for_update: bool = False) -> Any:
    """The record's pending approval row, or None; ``for_update``: locked until the
    transaction ends (PostgreSQL; SQLite's writers are serialised already)."""
    table = tables_of(conn, tenant).approvals
    query = sa.select(table).where(table.c.object == object_id,
                                   table.c.record_id == record_id,
                                   table.c.status == PENDING)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def latest(conn: sa.Connection, tenant: str, object_id: str, record_id: str) -> Any:
    """The record's newest approval row (any status), or None."""
    table = tables_of(conn, tenant).approvals
    return conn.execute(sa.select(table).where(
        table.c.object == object_id, table.c.record_id == record_id)
        .order_by(table.c.submitted_at.desc(), table.c.id.desc()).limit(1)).first()


def insert_approval(conn: sa.Connection, tenant: str, values: Mapping[str, Any]) -> str:
    approval_id = new_id()
    conn.execute(tables_of(conn, tenant).approvals.insert().values(
        id=approval_id, version=1, **values))
    return approval_id


def update_approval(conn: sa.Connection, tenant: str, row: Any, **values: Any) -> None:
    """Change the approval ``row`` (as read) and raise its version."""
    table = tables_of(conn, tenant).approvals
    conn.execute(table.update().where(table.c.id == row.id, table.c.version == row.version)
                 .values(version=row.version + 1, **values))


def add_items(conn: sa.Connection, tenant: str, approval_id: str,
              steps: Iterable[tuple[int, str, list[str]]]) -> None:
    """A waiting work item per (step index, step api_name, approvers)."""
    rows = [{"approval_id": approval_id, "step": index, "user_id": user, "step_name": name,
             "state": WAITING, "comment": None, "decided_at": None}
            for index, name, approvers in steps for user in approvers]
    if rows:
        conn.execute(tables_of(conn, tenant).approval_items.insert(), rows)


def current_items(conn: sa.Connection, tenant: str, approval_id: str, step: int
                  ) -> list[Any]:
    """The work items of the approval's step ``step``, by user id."""
    items = tables_of(conn, tenant).approval_items
    return list(conn.execute(sa.select(items).where(
        items.c.approval_id == approval_id, items.c.step == step).order_by(items.c.user_id)))


def all_items(conn: sa.Connection, tenant: str, approval_id: str) -> list[Any]:
    items = tables_of(conn, tenant).approval_items
    return list(conn.execute(sa.select(items).where(items.c.approval_id == approval_id)
                             .order_by(items.c.step, items.c.user_id)))


def set_items(conn: sa.Connection, tenant: str, approval_id: str, state: str, *,
              step: int | None = None, user_id: str | None = None,
              comment: str | None = None, now: dt.datetime | None = None) -> None:
    """Set the waiting items of the approval (of ``step``; of ``user_id``) to ``state``."""
    items = tables_of(conn, tenant).approval_items
    statement = items.update().where(items.c.approval_id == approval_id,
                                     items.c.state == WAITING)
    if step is not None:
        statement = statement.where(items.c.step == step)
    if user_id is not None:
        statement = statement.where(items.c.user_id == user_id)
    conn.execute(statement.values(state=state, comment=comment, decided_at=now))


def add_history(conn: sa.Connection, tenant: str, approval: Mapping[str, Any], action: str,
                step_name: str | None, actor: str | None, comment: str | None,
                now: dt.datetime) -> None:
    conn.execute(tables_of(conn, tenant).approval_history.insert().values(
        id=new_id(), approval_id=approval["id"], object=approval["object"],
        record_id=approval["record_id"], action=action, step_name=step_name, actor=actor,
        comment=comment, at=now))


def history(conn: sa.Connection, tenant: str, object_id: str, record_id: str
            ) -> list[dict[str, Any]]:
    """The record's approval history, oldest first, with each actor's display name."""
    tables = tables_of(conn, tenant)
    table, users = tables.approval_history, tables.users
    rows = conn.execute(sa.select(table, users.c.display_name).select_from(
        table.outerjoin(users, users.c.id == table.c.actor)).where(
        table.c.object == object_id, table.c.record_id == record_id).order_by(table.c.id))
    return [{"approval_id": r.approval_id, "action": r.action, "step": r.step_name,
             "actor": r.actor, "actor_name": r.display_name, "comment": r.comment,
             "at": r.at} for r in rows]


def pending_for(conn: sa.Connection, tenant: str, user_id: str, limit: int) -> list[Any]:
    """The pending approvals whose current step waits for ``user_id``, oldest first."""
    tables = tables_of(conn, tenant)
    approvals, items = tables.approvals, tables.approval_items
    return list(conn.execute(sa.select(approvals).join(items, sa.and_(
        items.c.approval_id == approvals.c.id, items.c.step == approvals.c.step)).where(
        items.c.user_id == user_id, items.c.state == WAITING,
        approvals.c.status == PENDING).order_by(approvals.c.submitted_at, approvals.c.id)
        .limit(limit)))
