"""The system tables each tenant keeps for itself, beside its object tables.

Record queries join them and write paths touch them, so they live with the tenant:
PostgreSQL ``t_<tenant>.hulian_record_teams``, SQLite ``<tenant>__hulian_record_teams``
(:func:`~hulian.engine.schema.naming.system_table_name`). A tenant's schema thus holds
everything its records need and can move to a Citus worker as a unit (docs/scaling.md).
The rows carry no ``tenant`` column: the table says whose they are.

>>> tables = tenant_tables("postgresql", "acme")               # doctest: +SKIP
>>> sa.select(tables.user_roles.c.role).where(tables.user_roles.c.user_id == uid)

Tables are built once per (dialect, tenant) and kept (the last :data:`KEPT` tenants
used), so SQL built on them is built on the same objects each time. This module is the
model; :mod:`~hulian.engine.system.tenant_migrations` creates and evolves the tables in
the database. Moving another table here (users, departments, metadata versions...) is:
a field and its definition below, a per-tenant migration creating it, and an Alembic
revision copying its rows out of the global table (as 0008 did for the first four).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa

from hulian.engine.schema.naming import (
    check_tenant_name,
    short_name,
    system_table_name,
    tenant_schema,
)
from hulian.engine.schema.types import UTCDateTime
from hulian.engine.system import tenant_migrations

KEPT = 1024
"""Tenants whose tables stay built (about 60 kB each); older ones are built again on use."""


@dataclass(frozen=True)
class TenantTables:
    tenant: str
    dialect: str
    metadata: sa.MetaData
    record_teams: sa.Table
    """Related teams (相关团队) and external teams: people given ``read`` or ``edit``
    access to one record besides its owners. ``object`` is the object's stable id (it
    survives renames)."""
    user_roles: sa.Table
    """Which roles (api_names of the tenant's metadata, or ``admin`` / ``member``) each
    user has."""
    enterprise_permissions: sa.Table
    """Per downstream enterprise: the external data permission level of an object,
    overriding the object's ``data_permission.external``."""
    sequences: sa.Table
    """Auto-number counters: one row per (object api_name, field, period)."""
    personal_scenes: sa.Table
    """Scenes (list views) users keep for themselves: one row per (user, object, api_name).
    ``object`` is the object's stable id; ``label``, ``columns`` and ``sort`` are JSON
    text (:mod:`~hulian.engine.system.personal_scenes`)."""
    changes: sa.Table
    """The outbox (:mod:`hulian.engine.changes`): one row per record change, ``id`` gapless
    and increasing in commit order, written in the transaction of the change."""
    recycle_bin: sa.Table
    """The recycle bin (回收站, :mod:`~hulian.engine.records.recycle_bin`): one row per
    deleted record (``object`` its object's stable id), with who deleted it and when;
    ``root_object`` / ``root_id`` name the record whose delete swept it along (a detail
    deleted with its master), NULL for a record deleted on its own."""
    activities: sa.Table
    """Activities (跟进记录, :mod:`~hulian.engine.records.activities`): calls, visits and
    notes attached to one record (``object`` its object's stable id, ``record_id``)."""
    notifications: sa.Table
    """In-app notifications (:mod:`hulian.engine.notifications`): one row per recipient,
    ``object_id`` / ``record_id`` the record it is about (if any), ``read_at`` NULL while
    unread."""
    approvals: sa.Table
    """Approvals (:mod:`hulian.engine.approvals`): one row per submission of a record
    (``object`` its object's stable id) to an approval process ``flow``; ``status``
    pending, approved, rejected or recalled; ``step`` the index of the current step
    (NULL once decided); ``version`` rises with each decision."""
    approval_items: sa.Table
    """The work items of approvals: one row per (approval, step, approver), ``state``
    waiting, approved, rejected or skipped (another approver decided the step, or the
    approval ended), with the approver's comment."""
    approval_history: sa.Table
    """Each record's approval history: submit, approve, reject, recall (and the steps'
    approvals) with who, when and their comment; ``id`` time-ordered."""
    scheduled_actions: sa.Table
    """Scheduled actions of automations (:mod:`hulian.engine.automations.schedule`): one
    row per (automation, scheduled entry, record) planned, ``pending`` until the worker
    runs it (``done``); ``lease_owner`` / ``lease_until``: the run that claimed it."""


def _build(dialect: str, tenant: str) -> TenantTables:
    check_tenant_name(tenant)
    schema = tenant_schema(dialect, tenant)
    metadata = sa.MetaData()

    def table(name: str, *columns: sa.Column) -> sa.Table:
        return sa.Table(system_table_name(dialect, tenant, name), metadata, *columns,
                        schema=schema)

    record_teams = table(
        "hulian_record_teams",
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("record_id", sa.String(26), primary_key=True),
        sa.Column("user_id", sa.String(26), primary_key=True),
        sa.Column("access", sa.String(8), nullable=False),
        sa.Column("added_by", sa.String(26), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
    )
    sa.Index(short_name("ix", record_teams.name, "member"), record_teams.c.object,
             record_teams.c.user_id, record_teams.c.record_id)
    user_roles = table(
        "hulian_user_roles",
        sa.Column("user_id", sa.String(26), primary_key=True),
        sa.Column("role", sa.String(64), primary_key=True),
    )
    enterprise_permissions = table(
        "hulian_enterprise_permissions",
        sa.Column("enterprise_id", sa.String(26), primary_key=True),
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("level", sa.String(20), nullable=False),
    )
    sequences = table(
        "hulian_sequences",
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("field", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    personal_scenes = table(
        "hulian_personal_scenes",
        sa.Column("user_id", sa.String(26), primary_key=True),
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("api_name", sa.String(64), primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("filter", sa.Text),
        sa.Column("columns", sa.Text, nullable=False),
        sa.Column("sort", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    changes = table(
        "hulian_changes",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("user_id", sa.String(26)),
        sa.Column("enterprise_id", sa.String(26)),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(64)),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    sa.Index(short_name("ix", changes.name, "record"), changes.c.record_id)
    sa.Index(short_name("ix", changes.name, "at"), changes.c.at)
    recycle_bin = table(
        "hulian_recycle_bin",
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("record_id", sa.String(26), primary_key=True),
        sa.Column("deleted_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_by", sa.String(26)),
        sa.Column("root_object", sa.String(64)),
        sa.Column("root_id", sa.String(26)),
    )
    sa.Index(short_name("ix", recycle_bin.name, "listed"), recycle_bin.c.object,
             recycle_bin.c.deleted_at, recycle_bin.c.record_id)
    sa.Index(short_name("ix", recycle_bin.name, "deleted_at"), recycle_bin.c.deleted_at)
    sa.Index(short_name("ix", recycle_bin.name, "root"), recycle_bin.c.root_id)
    activities = table(
        "hulian_activities",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    sa.Index(short_name("ix", activities.name, "record"), activities.c.object,
             activities.c.record_id, activities.c.at, activities.c.id)
    notifications = table(
        "hulian_notifications",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("user_id", sa.String(26), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("object_id", sa.String(64)),
        sa.Column("record_id", sa.String(26)),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime()),
    )
    sa.Index(short_name("ix", notifications.name, "user"), notifications.c.user_id,
             notifications.c.created_at, notifications.c.id)
    approvals = table(
        "hulian_approvals",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.Integer),
        sa.Column("step_name", sa.String(64)),
        sa.Column("submitted_by", sa.String(26), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime()),
        sa.Column("version", sa.Integer, nullable=False),
    )
    sa.Index(short_name("ix", approvals.name, "record"), approvals.c.object,
             approvals.c.record_id, approvals.c.status)
    approval_items = table(
        "hulian_approval_items",
        sa.Column("approval_id", sa.String(26), primary_key=True),
        sa.Column("step", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.String(26), primary_key=True),
        sa.Column("step_name", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("decided_at", UTCDateTime()),
    )
    sa.Index(short_name("ix", approval_items.name, "user"), approval_items.c.user_id,
             approval_items.c.state)
    approval_history = table(
        "hulian_approval_history",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("approval_id", sa.String(26), nullable=False),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("step_name", sa.String(64)),
        sa.Column("actor", sa.String(26)),
        sa.Column("comment", sa.Text),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    sa.Index(short_name("ix", approval_history.name, "record"), approval_history.c.object,
             approval_history.c.record_id, approval_history.c.id)
    scheduled_actions = table(
        "hulian_scheduled_actions",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(26), nullable=False),
        sa.Column("lease_owner", sa.String(26)),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    sa.Index(short_name("ix", scheduled_actions.name, "due"), scheduled_actions.c.state,
             scheduled_actions.c.due_at)
    sa.Index(short_name("ix", scheduled_actions.name, "record"),
             scheduled_actions.c.record_id)
    return TenantTables(tenant, dialect, metadata, record_teams, user_roles,
                        enterprise_permissions, sequences, personal_scenes, changes,
                        recycle_bin, activities, notifications, approvals, approval_items,
                        approval_history, scheduled_actions)


_built: OrderedDict[tuple[str, str], TenantTables] = OrderedDict()
_lock = threading.Lock()


def tenant_tables(dialect: str, tenant: str) -> TenantTables:
    """The system tables of ``tenant`` on ``dialect`` (``"postgresql"``, ``"sqlite"``),
    built on first use; one instance per key while it is kept."""
    key = (dialect, tenant)
    with _lock:
        found = _built.get(key)
        if found is not None:
            _built.move_to_end(key)
            return found
        found = _built[key] = _build(dialect, tenant)
        while len(_built) > KEPT:
            _built.popitem(last=False)
        return found


def tables_of(conn: sa.Connection, tenant: str) -> TenantTables:
    """:func:`tenant_tables` for the database ``conn`` is connected to."""
    return tenant_tables(conn.dialect.name, tenant)


def create_tenant_tables(conn: sa.Connection, tenant: str) -> None:
    """Create the tenant's schema (PostgreSQL) and system tables, at the newest per-tenant
    version, in the caller's transaction; the tenant's row must exist."""
    tenant_migrations.bring_up_to_date(conn, tenant)
