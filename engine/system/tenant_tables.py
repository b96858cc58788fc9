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
the database. Moving another table here is: a field and its definition below, a
per-tenant migration creating it, and an Alembic revision copying its rows out of the
global table (as 0008 did for the first four, 0009 for the people and the deployed
metadata).
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
from hulian.engine.schema.types import CHANGE_ID, UTCDateTime
from hulian.engine.system import tenant_migrations
from hulian.engine.system.tables import tenants

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
    and increasing in commit order, written in the transaction of the change; or one row
    per pack of a bulk write's creates (``span`` > 1: the ids ``id`` to ``id + span - 1``,
    :mod:`~hulian.engine.changes.packs`)."""
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
    users: sa.Table
    """Internal users (``enterprise_id`` NULL) and interconnect users (互联用户: the id of
    the downstream enterprise they work for). ``password_hash``: argon2, NULL for
    token-only users. Their API tokens and login sessions stay in the global tables
    (looked up by hash before the tenant is known), which name the tenant and the user."""
    departments: sa.Table
    """The tenant's departments (a tree through ``parent_id``, each with an optional
    leader); users belong to one."""
    enterprises: sa.Table
    """The tenant's downstream enterprises (互联企业: dealers, agents...), each with its
    upstream partner manager (对接人), the internal user who owns what its people create."""
    metadata_versions: sa.Table
    """One row per deployed version: ``documents`` is the effective metadata, ``layers``
    the installed packs and the overlay it was merged from (NULL: a single pack),
    ``plan`` the steps, ``result`` the data checks' results."""
    schema_items: sa.Table
    """The stable id of every object and field the tenant has deployed, where it is stored
    (table or column name) and whether it is ``active`` or ``archived`` (removed from the
    metadata but kept, restorable until ``hulian purge``). ``object_id`` is NULL for
    objects; ``definition`` holds the removed object or field's document."""
    webhooks: sa.Table
    """Webhook subscriptions (:mod:`hulian.engine.webhooks`): those made through the API
    (``source`` ``api``: object id, events, filter, url, secret, active) and the state of
    those declared in metadata (``source`` ``metadata``: a secret or a pause set through
    the API); ``position`` is the id of the last change the worker has looked at."""
    webhook_deliveries: sa.Table
    """One row per (subscription, change) the worker is to deliver, delivered or gave up
    on (``status`` pending, retrying, delivered, dead); ``lease_until`` is set while a
    worker is sending it, ``payload`` keeps a dead letter's body."""
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
        sa.Column("id", CHANGE_ID, primary_key=True, autoincrement=False),
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
        sa.Column("span", sa.Integer, nullable=False, server_default=sa.text("1")),
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
    users = table(
        "hulian_users",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("is_admin", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("department_id", sa.String(26)),
        sa.Column("enterprise_id", sa.String(26)),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    users.append_constraint(sa.UniqueConstraint(
        "username", name=short_name("uq", users.name, "username")))
    departments = table(
        "hulian_departments",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(26)),
        sa.Column("leader_id", sa.String(26)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    departments.append_constraint(sa.UniqueConstraint(
        "name", name=short_name("uq", departments.name, "name")))
    enterprises = table(
        "hulian_enterprises",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("partner_manager_id", sa.String(26), nullable=False),
        sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    enterprises.append_constraint(sa.UniqueConstraint(
        "name", name=short_name("uq", enterprises.name, "name")))
    metadata_versions = table(
        "hulian_metadata_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("deployed_by", sa.String(80), nullable=False),
        sa.Column("deployed_at", UTCDateTime(), nullable=False),
        sa.Column("layers", sa.Text),
        sa.Column("result", sa.Text),
    )
    schema_items = table(
        "hulian_schema_items",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("object_id", sa.String(26)),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("api_name", sa.String(64), nullable=False),
        sa.Column("storage", sa.String(80), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("archived_version", sa.Integer),
        sa.Column("archived_at", UTCDateTime()),
        sa.Column("definition", sa.Text),
    )
    webhooks = table(
        "hulian_webhooks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("object_id", sa.String(64)),
        sa.Column("events", sa.Text),
        sa.Column("filter", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("secret", sa.Text),
        sa.Column("active", sa.Boolean),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    deliveries = table(
        "hulian_webhook_deliveries",
        sa.Column("subscription", sa.String(64), primary_key=True),
        sa.Column("change_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", UTCDateTime()),
        sa.Column("payload", sa.Text),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    sa.Index(short_name("ix", deliveries.name, "open"), deliveries.c.subscription,
             deliveries.c.status, deliveries.c.record_id, deliveries.c.change_id)
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
                        approval_history, users, departments, enterprises,
                        metadata_versions, schema_items, webhooks, deliveries,
                        scheduled_actions)


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
    version, in the caller's transaction; the tenant's row must exist.

    A tenant at version 0 (a new one) has its tables made from this model in one
    ``create_all``, with the rows the migrations seed, and is set to
    :data:`~hulian.engine.system.tenant_migrations.LATEST`: the same tables and rows as
    running every migration from version 0 (tests/integration/test_tenant_migrations.py
    compares the two), in less than half the time. A tenant past 0 runs the migrations it
    has not had."""
    current = conn.scalar(sa.select(tenants.c.system_version).where(tenants.c.name == tenant))
    if current != 0:
        tenant_migrations.bring_up_to_date(conn, tenant)
        return
    tables = tables_of(conn, tenant)
    schema = tenant_schema(conn.dialect.name, tenant)
    if schema is not None:
        conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    tables.metadata.create_all(conn)
    tenant_migrations.compress_changes(conn, tenant)
    _seed(conn, tables)
    conn.execute(tenants.update().where(tenants.c.name == tenant)
                 .values(system_version=tenant_migrations.LATEST))


def _seed(conn: sa.Connection, tables: TenantTables) -> None:
    """The rows the per-tenant migrations put in a new tenant's tables: the outbox's change
    counter (version 3, :mod:`hulian.engine.changes.outbox`), at 0."""
    counters = tables.sequences
    present = conn.scalar(sa.select(sa.func.count()).select_from(counters)
                          .where(counters.c.object == "~changes"))
    if not present:
        conn.execute(counters.insert().values(object="~changes", field="~", period="~",
                                              value=0))
