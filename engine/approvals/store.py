"""The tenant's approval tables (:class:`~hulian.engine.system.tenant_tables.TenantTables`
``approvals``, ``approval_items``, ``approval_history``): reads and writes, in the
caller's transaction. Objects are named by their stable ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from hulian.engine.ids import new_id
from hulian.engine.memo import per_table
from hulian.engine.system.tenant_tables import tables_of

__all__ = ["add_history", "add_items", "current_items", "history", "insert_approval",
           "latest", "pending", "pending_for", "set_items", "update_approval"]

PENDING = "pending"
APPROVED = "approved"
WAITING = "waiting"


@per_table
def _pending_query(table: sa.Table, locked: bool) -> sa.Select[Any]:
    query = sa.select(table).where(table.c.object == sa.bindparam("object"),
                                   table.c.record_id == sa.bindparam("record"),
                                   table.c.status == PENDING)
    return query.with_for_update() if locked else query


def pending(conn: sa.Connection, tenant: str, object_id: str, record_id: str, *,
            for_update: bool = False) -> Any:
    """The record's pending approval row, or None; ``for_update``: locked until the
    transaction ends (PostgreSQL; SQLite's writers are serialised already)."""
    query = _pending_query(tables_of(conn, tenant).approvals,
                           for_update and conn.dialect.name == "postgresql")
    return conn.execute(query, {"object": object_id, "record": record_id}).first()


@per_table
def _latest_query(table: sa.Table) -> sa.Select[Any]:
    return sa.select(table).where(
        table.c.object == sa.bindparam("object"), table.c.record_id == sa.bindparam("record")
    ).order_by(table.c.submitted_at.desc(), table.c.id.desc()).limit(1)


def latest(conn: sa.Connection, tenant: str, object_id: str, record_id: str) -> Any:
    """The record's newest approval row (any status), or None."""
    return conn.execute(_latest_query(tables_of(conn, tenant).approvals),
                        {"object": object_id, "record": record_id}).first()


@per_table
def _insert(table: sa.Table) -> sa.Insert:
    return table.insert()


def insert_approval(conn: sa.Connection, tenant: str, values: Mapping[str, Any]) -> str:
    approval_id = new_id()
    conn.execute(_insert(tables_of(conn, tenant).approvals),
                 {"id": approval_id, "version": 1, **values})
    return approval_id


@per_table
def _update_approval(table: sa.Table, keys: tuple[str, ...]) -> sa.Update:
    return table.update().where(
        table.c.id == sa.bindparam("row_id"), table.c.version == sa.bindparam("row_version")
    ).values(version=sa.bindparam("new_version"),
             **{key: sa.bindparam(f"v_{key}") for key in keys})


def update_approval(conn: sa.Connection, tenant: str, row: Any, **values: Any) -> None:
    """Change the approval ``row`` (as read) and raise its version."""
    statement = _update_approval(tables_of(conn, tenant).approvals, tuple(sorted(values)))
    conn.execute(statement, {"row_id": row.id, "row_version": row.version,
                             "new_version": row.version + 1,
                             **{f"v_{key}": value for key, value in values.items()}})


def add_items(conn: sa.Connection, tenant: str, approval_id: str,
              steps: Iterable[tuple[int, str, list[str]]]) -> None:
    """A waiting work item per (step index, step api_name, approvers)."""
    rows = [{"approval_id": approval_id, "step": index, "user_id": user, "step_name": name,
             "state": WAITING, "comment": None, "decided_at": None}
            for index, name, approvers in steps for user in approvers]
    if rows:
        conn.execute(_insert(tables_of(conn, tenant).approval_items), rows)


@per_table
def _items_query(table: sa.Table, one_step: bool) -> sa.Select[Any]:
    query = sa.select(table).where(table.c.approval_id == sa.bindparam("approval"))
    if one_step:
        return query.where(table.c.step == sa.bindparam("step")).order_by(table.c.user_id)
    return query.order_by(table.c.step, table.c.user_id)


def current_items(conn: sa.Connection, tenant: str, approval_id: str, step: int
                  ) -> list[Any]:
    """The work items of the approval's step ``step``, by user id."""
    return list(conn.execute(_items_query(tables_of(conn, tenant).approval_items, True),
                             {"approval": approval_id, "step": step}))


def all_items(conn: sa.Connection, tenant: str, approval_id: str) -> list[Any]:
    """Every work item of the approval, by step and user id."""
    return list(conn.execute(_items_query(tables_of(conn, tenant).approval_items, False),
                             {"approval": approval_id}))


@per_table
def _set_items(table: sa.Table, one_step: bool, one_user: bool) -> sa.Update:
    statement = table.update().where(table.c.approval_id == sa.bindparam("approval"),
                                     table.c.state == WAITING)
    if one_step:
        statement = statement.where(table.c.step == sa.bindparam("only_step"))
    if one_user:
        statement = statement.where(table.c.user_id == sa.bindparam("only_user"))
    return statement.values(state=sa.bindparam("new_state"),
                            comment=sa.bindparam("new_comment"),
                            decided_at=sa.bindparam("new_decided_at"))


def set_items(conn: sa.Connection, tenant: str, approval_id: str, state: str, *,
              step: int | None = None, user_id: str | None = None,
              comment: str | None = None, now: dt.datetime | None = None) -> None:
    """Set the waiting items of the approval (of ``step``; of ``user_id``) to ``state``."""
    statement = _set_items(tables_of(conn, tenant).approval_items, step is not None,
                           user_id is not None)
    conn.execute(statement, {"approval": approval_id, "only_step": step,
                             "only_user": user_id, "new_state": state,
                             "new_comment": comment, "new_decided_at": now})


def add_history(conn: sa.Connection, tenant: str, approval: Mapping[str, Any], action: str,
                step_name: str | None, actor: str | None, comment: str | None,
                now: dt.datetime) -> None:
    conn.execute(_insert(tables_of(conn, tenant).approval_history), {
        "id": new_id(), "approval_id": approval["id"], "object": approval["object"],
        "record_id": approval["record_id"], "action": action, "step_name": step_name,
        "actor": actor, "comment": comment, "at": now})


@per_table
def _history_query(table: sa.Table, users: sa.Table) -> sa.Select[Any]:
    return sa.select(table, users.c.display_name).select_from(
        table.outerjoin(users, users.c.id == table.c.actor)).where(
        table.c.object == sa.bindparam("object"),
        table.c.record_id == sa.bindparam("record")).order_by(table.c.id)


def history(conn: sa.Connection, tenant: str, object_id: str, record_id: str
            ) -> list[dict[str, Any]]:
    """The record's approval history, oldest first, with each actor's display name."""
    tables = tables_of(conn, tenant)
    rows = conn.execute(_history_query(tables.approval_history, tables.users),
                        {"object": object_id, "record": record_id})
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
