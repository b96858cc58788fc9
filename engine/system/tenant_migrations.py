"""Evolving each tenant's own system tables: per-tenant migrations.

Alembic revisions (``migrations/``) evolve the global system tables in ``public``. The
tables each tenant keeps beside its object tables (:mod:`~hulian.engine.system.tenant_tables`)
are evolved by the functions of :data:`MIGRATIONS`, in order: the n-th brings one tenant's
tables from version n - 1 to n. ``hulian_tenants.system_version`` records where each tenant
stands (0: it has none yet).

- A new tenant gets its tables from the model instead, at version LATEST, in the
  transaction that creates it
  (:func:`~hulian.engine.system.tenant_tables.create_tenant_tables`).
- :func:`upgrade_tenants`, run by :func:`hulian.engine.system.migrate.upgrade` right after
  the Alembic revisions (every Engine start, ``hulian db upgrade``), brings every tenant that
  is behind up to date, one transaction per tenant: a failure leaves that tenant at its
  previous version, with the tenants before it done.

>>> upgrade_tenants(db)                        # doctest: +SKIP
['acme']

Adding one: append a function ``(conn, tenant) -> None`` that changes one tenant's tables
with explicit DDL, its tables written out as they are at that version (never the live model
of ``tenant_tables``, which moves on); then change ``tenant_tables`` to match, and its
``_seed`` if the migration puts rows in a new tenant's tables
(tests/integration/test_tenant_migrations.py checks that a tenant migrated step by step
has exactly the tables and rows of one made from the model). Never edit a released
migration: tenants of existing installations stand at any version, and Alembic revision
0008 runs the first one on the tenants it moves.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from hulian.engine.database import reading, unbounded
from hulian.engine.errors import NotFoundError
from hulian.engine.schema.naming import short_name, system_table_name, tenant_schema
from hulian.engine.schema.types import CHANGE_ID, UTCDateTime
from hulian.engine.system.tables import tenants
from hulian.engine.system.tenant_migrations_integration import (
    compress_changes,
    packed_changes,
    scheduled_actions,
    webhooks,
)

__all__ = ["LATEST", "MIGRATIONS", "bring_up_to_date", "compress_changes",
           "fill_recycle_bin", "people_and_metadata", "teams_roles_sequences",
           "upgrade_tenants"]

Migration = Callable[[sa.Connection, str], None]


def teams_roles_sequences(conn: sa.Connection, tenant: str) -> None:
    """Version 1: the tenant's schema (PostgreSQL) and its record teams, role grants,
    enterprise permission overrides and auto-number counters, which were global tables
    keyed by a ``tenant`` column until Alembic revision 0008."""
    dialect = conn.dialect.name
    schema = tenant_schema(dialect, tenant)
    if schema is not None:
        conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    metadata = sa.MetaData()

    def table(name: str, *columns: sa.Column) -> sa.Table:
        return sa.Table(system_table_name(dialect, tenant, name), metadata, *columns,
                        schema=schema)

    teams = table(
        "hulian_record_teams",
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("record_id", sa.String(26), primary_key=True),
        sa.Column("user_id", sa.String(26), primary_key=True),
        sa.Column("access", sa.String(8), nullable=False),
        sa.Column("added_by", sa.String(26), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
    )
    sa.Index(short_name("ix", teams.name, "member"), teams.c.object, teams.c.user_id,
             teams.c.record_id)
    table("hulian_user_roles",
          sa.Column("user_id", sa.String(26), primary_key=True),
          sa.Column("role", sa.String(64), primary_key=True))
    table("hulian_enterprise_permissions",
          sa.Column("enterprise_id", sa.String(26), primary_key=True),
          sa.Column("object", sa.String(64), primary_key=True),
          sa.Column("level", sa.String(20), nullable=False))
    table("hulian_sequences",
          sa.Column("object", sa.String(64), primary_key=True),
          sa.Column("field", sa.String(64), primary_key=True),
          sa.Column("period", sa.String(16), primary_key=True),
          sa.Column("value", sa.BigInteger, nullable=False))
    metadata.create_all(conn)


def personal_scenes(conn: sa.Connection, tenant: str) -> None:
    """Version 2: the scenes (list views) users keep for themselves. Made only if missing:
    per-tenant migrations have no downgrade, so an Alembic downgrade below revision 0008
    (which takes tenants back to no version) leaves the table and its rows in place, and
    the upgrade after it runs this again."""
    dialect = conn.dialect.name
    sa.Table(system_table_name(dialect, tenant, "hulian_personal_scenes"), sa.MetaData(),
             sa.Column("user_id", sa.String(26), primary_key=True),
             sa.Column("object", sa.String(64), primary_key=True),
             sa.Column("api_name", sa.String(64), primary_key=True),
             sa.Column("label", sa.Text, nullable=False),
             sa.Column("filter", sa.Text),
             sa.Column("columns", sa.Text, nullable=False),
             sa.Column("sort", sa.Text, nullable=False),
             sa.Column("created_at", UTCDateTime(), nullable=False),
             sa.Column("updated_at", UTCDateTime(), nullable=False),
             schema=tenant_schema(dialect, tenant)).create(conn, checkfirst=True)


def record_changes(conn: sa.Connection, tenant: str) -> None:
    """Version 3: the outbox of record changes (:mod:`hulian.engine.changes`)."""
    dialect = conn.dialect.name
    changes = sa.Table(
        system_table_name(dialect, tenant, "hulian_changes"), sa.MetaData(),
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
        schema=tenant_schema(dialect, tenant))
    sa.Index(short_name("ix", changes.name, "record"), changes.c.record_id)
    sa.Index(short_name("ix", changes.name, "at"), changes.c.at)
    changes.create(conn, checkfirst=True)
    counters = sa.Table(system_table_name(dialect, tenant, "hulian_sequences"), sa.MetaData(),
                        sa.Column("object", sa.String(64), primary_key=True),
                        sa.Column("field", sa.String(64), primary_key=True),
                        sa.Column("period", sa.String(16), primary_key=True),
                        sa.Column("value", sa.BigInteger, nullable=False),
                        schema=tenant_schema(dialect, tenant))
    present = conn.scalar(sa.select(sa.func.count()).select_from(counters).where(
        counters.c.object == "~changes"))
    if not present:  # the change counter (hulian.engine.changes.outbox) starts at 0
        conn.execute(counters.insert().values(object="~changes", field="~", period="~",
                                              value=0))


def recycle_bin_and_activities(conn: sa.Connection, tenant: str) -> None:
    """Version 4: the recycle bin and activities. Records deleted before it are put in the
    bin as deleted on their own, by whoever last changed them, when they last changed."""
    dialect = conn.dialect.name
    schema = tenant_schema(dialect, tenant)
    metadata = sa.MetaData()
    bin_table = sa.Table(
        system_table_name(dialect, tenant, "hulian_recycle_bin"), metadata,
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("record_id", sa.String(26), primary_key=True),
        sa.Column("deleted_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_by", sa.String(26)),
        sa.Column("root_object", sa.String(64)),
        sa.Column("root_id", sa.String(26)),
        schema=schema)
    sa.Index(short_name("ix", bin_table.name, "listed"), bin_table.c.object,
             bin_table.c.deleted_at, bin_table.c.record_id)
    sa.Index(short_name("ix", bin_table.name, "deleted_at"), bin_table.c.deleted_at)
    sa.Index(short_name("ix", bin_table.name, "root"), bin_table.c.root_id)
    activities = sa.Table(
        system_table_name(dialect, tenant, "hulian_activities"), metadata,
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=schema)
    sa.Index(short_name("ix", activities.name, "record"), activities.c.object,
             activities.c.record_id, activities.c.at, activities.c.id)
    metadata.create_all(conn, checkfirst=True)
    fill_recycle_bin(conn, tenant, bin_table)


def fill_recycle_bin(conn: sa.Connection, tenant: str, bin_table: sa.Table) -> int:
    """Put the deleted records of the tenant's object tables that are not in ``bin_table``
    into it (``deleted_at``, ``deleted_by``: their ``updated_at``, ``updated_by``); how many.
    The tables are those the tenant's catalogue lists as active objects: its own
    ``hulian_schema_items`` since Alembic revision 0009, which runs before any per-tenant
    migration (:func:`hulian.engine.system.migrate.upgrade`); none while it has none."""
    schema = tenant_schema(conn.dialect.name, tenant)
    inspector = sa.inspect(conn)
    catalogue = system_table_name(conn.dialect.name, tenant, "hulian_schema_items")
    if not inspector.has_table(catalogue, schema=schema):
        return 0
    schema_items = sa.table(catalogue, sa.column("id", sa.String()),
                            sa.column("storage", sa.String()), sa.column("kind", sa.String()),
                            sa.column("state", sa.String()), schema=schema)
    items = conn.execute(sa.select(schema_items.c.id, schema_items.c.storage).where(
        schema_items.c.kind == "object", schema_items.c.state == "active")).all()
    added = 0
    for item in items:
        if not inspector.has_table(item.storage, schema=schema):
            continue
        table = sa.table(item.storage, sa.column("id", sa.String()),
                         sa.column("is_deleted", sa.Boolean()),
                         sa.column("updated_at", UTCDateTime()),
                         sa.column("updated_by", sa.String()), schema=schema)
        listed = sa.select(bin_table.c.record_id).where(bin_table.c.object == item.id)
        rows = sa.select(sa.literal(item.id, sa.String()), table.c.id, table.c.updated_at,
                         table.c.updated_by).where(table.c.is_deleted == sa.true(),
                                                   table.c.id.not_in(listed))
        added += len(conn.execute(bin_table.insert().from_select(
            ["object", "record_id", "deleted_at", "deleted_by"], rows)
            .returning(bin_table.c.record_id)).all())
    return added


def _flow_tables(dialect: str, tenant: str, metadata: sa.MetaData) -> None:
    """The tables of version 5, as they are at that version."""
    schema = tenant_schema(dialect, tenant)

    def table(name: str, *columns: sa.Column) -> sa.Table:
        return sa.Table(system_table_name(dialect, tenant, name), metadata, *columns,
                        schema=schema)

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
        sa.Column("read_at", UTCDateTime()))
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
        sa.Column("version", sa.Integer, nullable=False))
    sa.Index(short_name("ix", approvals.name, "record"), approvals.c.object,
             approvals.c.record_id, approvals.c.status)
    items = table(
        "hulian_approval_items",
        sa.Column("approval_id", sa.String(26), primary_key=True),
        sa.Column("step", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.String(26), primary_key=True),
        sa.Column("step_name", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("decided_at", UTCDateTime()))
    sa.Index(short_name("ix", items.name, "user"), items.c.user_id, items.c.state)
    history = table(
        "hulian_approval_history",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("approval_id", sa.String(26), nullable=False),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("step_name", sa.String(64)),
        sa.Column("actor", sa.String(26)),
        sa.Column("comment", sa.Text),
        sa.Column("at", UTCDateTime(), nullable=False))
    sa.Index(short_name("ix", history.name, "record"), history.c.object,
             history.c.record_id, history.c.id)


def notifications_and_approvals(conn: sa.Connection, tenant: str) -> None:
    """Version 5: in-app notifications and approvals (issue 15): the approvals of records
    (one row per submission), their work items (one per step and approver) and the
    approval history of each record."""
    metadata = sa.MetaData()
    _flow_tables(conn.dialect.name, tenant, metadata)
    metadata.create_all(conn, checkfirst=True)


def people_and_metadata(conn: sa.Connection, tenant: str) -> None:
    """Version 6: the tenant's users, departments and downstream enterprises, its deployed
    metadata versions and its catalogue of objects and fields, which were global tables
    keyed by a ``tenant`` column until Alembic revision 0009 (which runs this, then copies
    the rows). Made only if missing, so it may run again after that revision."""
    dialect = conn.dialect.name
    schema = tenant_schema(dialect, tenant)
    metadata = sa.MetaData()

    def table(name: str, *columns: sa.Column) -> sa.Table:
        return sa.Table(system_table_name(dialect, tenant, name), metadata, *columns,
                        schema=schema)

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
        sa.Column("created_at", UTCDateTime(), nullable=False))
    users.append_constraint(sa.UniqueConstraint(
        "username", name=short_name("uq", users.name, "username")))
    departments = table(
        "hulian_departments",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(26)),
        sa.Column("leader_id", sa.String(26)),
        sa.Column("created_at", UTCDateTime(), nullable=False))
    departments.append_constraint(sa.UniqueConstraint(
        "name", name=short_name("uq", departments.name, "name")))
    enterprises = table(
        "hulian_enterprises",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("partner_manager_id", sa.String(26), nullable=False),
        sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False))
    enterprises.append_constraint(sa.UniqueConstraint(
        "name", name=short_name("uq", enterprises.name, "name")))
    table("hulian_metadata_versions",
          sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
          sa.Column("documents", sa.Text, nullable=False),
          sa.Column("plan", sa.Text, nullable=False),
          sa.Column("deployed_by", sa.String(80), nullable=False),
          sa.Column("deployed_at", UTCDateTime(), nullable=False),
          sa.Column("layers", sa.Text),
          sa.Column("result", sa.Text))
    table("hulian_schema_items",
          sa.Column("id", sa.String(26), primary_key=True),
          sa.Column("object_id", sa.String(26)),
          sa.Column("kind", sa.String(8), nullable=False),
          sa.Column("api_name", sa.String(64), nullable=False),
          sa.Column("storage", sa.String(80), nullable=False),
          sa.Column("state", sa.String(10), nullable=False),
          sa.Column("archived_version", sa.Integer),
          sa.Column("archived_at", UTCDateTime()),
          sa.Column("definition", sa.Text))
    metadata.create_all(conn, checkfirst=True)


MIGRATIONS: tuple[Migration, ...] = (teams_roles_sequences, personal_scenes, record_changes,
                                     recycle_bin_and_activities, notifications_and_approvals,
                                     people_and_metadata, webhooks, scheduled_actions,
                                     packed_changes)
LATEST = len(MIGRATIONS)
"""The version of a tenant whose tables are up to date."""


def bring_up_to_date(conn: sa.Connection, tenant: str) -> int:
    """Run the migrations ``tenant`` has not had, in the caller's transaction; how many ran.

    The tenant's row is read ``FOR UPDATE`` on PostgreSQL (SQLite's ``BEGIN IMMEDIATE``
    already serialises writers), so two processes never run the same migration twice."""
    query = sa.select(tenants.c.system_version).where(tenants.c.name == tenant)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    current = conn.scalar(query)
    if current is None:
        raise NotFoundError(f"there is no tenant {tenant!r}", code="unknown_tenant")
    for migration in MIGRATIONS[current:]:
        migration(conn, tenant)
    if current < LATEST:
        conn.execute(tenants.update().where(tenants.c.name == tenant)
                     .values(system_version=LATEST))
    return max(LATEST - current, 0)


def upgrade_tenants(db: sa.Engine) -> list[str]:
    """Bring every tenant's own tables up to date, one transaction per tenant; the tenants
    migrated. One query when none is behind (every Engine start pays for it)."""
    with reading(db) as conn:
        behind = list(conn.scalars(sa.select(tenants.c.name)
                                   .where(tenants.c.system_version < LATEST)
                                   .order_by(tenants.c.name)))
    done = []
    for tenant in behind:
        with db.begin() as conn:
            unbounded(conn)
            if bring_up_to_date(conn, tenant):
                done.append(tenant)
    return done
