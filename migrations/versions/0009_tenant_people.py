"""A tenant moves as a unit, phase 2: users, departments, downstream enterprises, deployed
metadata versions and the catalogue of objects and fields leave the global tables for tables
of each tenant's own.

For every tenant in ``hulian_tenants``: its own tables, made by the per-tenant migration
``people_and_metadata`` (:mod:`hulian.engine.system.tenant_migrations`; it makes only what
is missing, so running it again later at its turn changes nothing), its rows copied out of
the global tables (without the ``tenant`` column, which the table now says). Then the
foreign keys of ``hulian_tokens`` and ``hulian_login_sessions`` to ``hulian_users`` go (they
keep ``tenant`` and ``user_id``; the code checks that the user may sign in on every lookup)
and the five global tables are dropped. After this the global tables are only the tenant
directory, the tokens and logins, and the installation's settings.

``downgrade`` re-creates the five global tables as revisions 0001 to 0007 left them, copies
every tenant's rows back, puts the foreign keys back and drops the tenants' tables. It does
not lower ``hulian_tenants.system_version`` (hulian at revision 0008 ignores versions beyond
its own, and upgrading again re-makes the tables here before copying).

It all runs in the one transaction of :func:`hulian.engine.system.migrate.upgrade`, so it
happens completely or not at all (on PostgreSQL about 12 more locks per tenant: see 0008).
Rows naming a tenant that is not in ``hulian_tenants`` cannot exist (every moved table had a
foreign key to it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hulian.engine.schema.naming import system_table_name, tenant_schema
from hulian.engine.schema.types import UTCDateTime
from hulian.engine.system.tenant_migrations import people_and_metadata

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MOVED = {
    "hulian_departments": ("id", "name", "parent_id", "created_at", "leader_id"),
    "hulian_users": ("id", "username", "display_name", "is_active", "is_admin",
                     "department_id", "created_at", "enterprise_id", "password_hash"),
    "hulian_enterprises": ("id", "name", "partner_manager_id", "is_active", "created_at"),
    "hulian_metadata_versions": ("version", "documents", "plan", "deployed_by", "deployed_at",
                                 "layers", "result"),
    "hulian_schema_items": ("id", "object_id", "kind", "api_name", "storage", "state",
                            "archived_version", "archived_at", "definition"),
}
"""Each moved table and its columns but ``tenant``, as they were at revision 0008."""

LOGINS = ("hulian_tokens", "hulian_login_sessions")
"""The global tables whose ``user_id`` had a foreign key to ``hulian_users``."""

_directory = sa.table("hulian_tenants", sa.column("name", sa.String))


def _global(name: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in ("tenant", *MOVED[name])))


def _own(dialect: str, tenant: str, name: str) -> sa.TableClause:
    return sa.table(system_table_name(dialect, tenant, name),
                    *(sa.column(c) for c in MOVED[name]), schema=tenant_schema(dialect, tenant))


def _tenant_names(conn: sa.Connection) -> list[str]:
    return list(conn.scalars(sa.select(_directory.c.name).order_by(_directory.c.name)))


_CONVENTION = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
"""Names SQLite's unnamed foreign keys in a batch (table re-creating) alteration."""


def _drop_user_keys() -> None:
    conn = op.get_bind()
    for table in LOGINS:
        if conn.dialect.name == "sqlite":
            with op.batch_alter_table(table, naming_convention=_CONVENTION) as batch:
                batch.drop_constraint(f"fk_{table}_user_id_hulian_users", type_="foreignkey")
            continue
        for key in sa.inspect(conn).get_foreign_keys(table):
            if key["referred_table"] == "hulian_users":
                op.drop_constraint(key["name"], table, type_="foreignkey")


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    for tenant in _tenant_names(conn):
        people_and_metadata(conn, tenant)
        for name, columns in MOVED.items():
            old, new = _global(name), _own(dialect, tenant, name)
            conn.execute(sa.insert(new).from_select(
                list(columns), sa.select(*(old.c[c] for c in columns))
                .where(old.c.tenant == tenant)))
    _drop_user_keys()
    for name in ("hulian_enterprises", "hulian_users", "hulian_departments",
                 "hulian_metadata_versions", "hulian_schema_items"):
        op.drop_table(name)


def _create_global_tables() -> None:
    """The five tables as revisions 0001 to 0005 left them."""
    op.create_table(
        "hulian_departments",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(26)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("leader_id", sa.String(26)),
        sa.UniqueConstraint("tenant", "name", name="uq_hulian_departments_tenant_name"),
    )
    op.create_table(
        "hulian_users",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("is_admin", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("department_id", sa.String(26)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("enterprise_id", sa.String(26)),
        sa.Column("password_hash", sa.String(255)),
        sa.UniqueConstraint("tenant", "username", name="uq_hulian_users_tenant_username"),
    )
    op.create_table(
        "hulian_enterprises",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("partner_manager_id", sa.String(26), sa.ForeignKey("hulian_users.id"),
                  nullable=False),
        sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant", "name", name="uq_hulian_enterprises_tenant_name"),
    )
    op.create_table(
        "hulian_metadata_versions",
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("deployed_by", sa.String(80), nullable=False),
        sa.Column("deployed_at", UTCDateTime(), nullable=False),
        sa.Column("layers", sa.Text),
        sa.Column("result", sa.Text),
    )
    op.create_table(
        "hulian_schema_items",
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  primary_key=True),
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


def _restore_user_keys() -> None:
    """The foreign keys back, named as PostgreSQL named them (SQLite: by the convention
    :func:`_drop_user_keys` drops them by)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in LOGINS:
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(f"fk_{table}_user_id_hulian_users" if sqlite
                                     else f"{table}_user_id_fkey",
                                     "hulian_users", ["user_id"], ["id"])


def downgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    _create_global_tables()
    for tenant in _tenant_names(conn):
        schema = tenant_schema(dialect, tenant)
        for name, columns in MOVED.items():
            own = _own(dialect, tenant, name)
            if not sa.inspect(conn).has_table(own.name, schema=schema):
                continue
            conn.execute(sa.insert(_global(name)).from_select(
                ["tenant", *columns],
                sa.select(sa.literal(tenant, sa.String(30)), *(own.c[c] for c in columns))))
            op.drop_table(own.name, schema=schema)
    _restore_user_keys()
