"""A tenant moves as a unit: record teams, role grants, enterprise permission overrides and
auto-number counters leave the global tables for tables of each tenant's own.

For every tenant in ``hulian_tenants``: its schema (PostgreSQL) and own tables, made by the
first per-tenant migration (``teams_roles_sequences`` in
:mod:`hulian.engine.system.tenant_migrations`), its rows copied out of the global tables
(without the ``tenant`` column, which the table now says), ``system_version`` set to 1; then
the four global tables are dropped. ``downgrade`` copies every tenant's rows back into the
re-created global tables, drops the tenants' tables, and a tenant's schema left empty.

It all runs in the one transaction of :func:`hulian.engine.system.migrate.upgrade`, so it
happens completely or not at all. On PostgreSQL that transaction locks each table and index
it creates until it commits (about 18 per tenant): installations with more than about 1,000
tenants raise ``max_locks_per_transaction`` first (docs/storage.md).

Rows naming a tenant that is not in ``hulian_tenants`` (only ``hulian_sequences`` has no
foreign key to it; hulian never writes such rows) are unreachable and dropped with the
global tables.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hulian.engine.schema.naming import system_table_name, tenant_schema
from hulian.engine.schema.types import UTCDateTime
from hulian.engine.system.tenant_migrations import teams_roles_sequences

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MOVED = {
    "hulian_record_teams": ("object", "record_id", "user_id", "access", "added_by",
                            "added_at"),
    "hulian_user_roles": ("user_id", "role"),
    "hulian_enterprise_permissions": ("enterprise_id", "object", "level"),
    "hulian_sequences": ("object", "field", "period", "value"),
}
"""Each moved table and its columns but ``tenant``, as they were at revision 0007."""

_directory = sa.table("hulian_tenants", sa.column("name", sa.String),
                      sa.column("system_version", sa.Integer))


def _global(name: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in ("tenant", *MOVED[name])))


def _own(dialect: str, tenant: str, name: str) -> sa.TableClause:
    return sa.table(system_table_name(dialect, tenant, name),
                    *(sa.column(c) for c in MOVED[name]), schema=tenant_schema(dialect, tenant))


def _tenant_names(conn: sa.Connection) -> list[str]:
    return list(conn.scalars(sa.select(_directory.c.name).order_by(_directory.c.name)))


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    with op.batch_alter_table("hulian_tenants") as batch:
        batch.add_column(sa.Column("system_version", sa.Integer(), nullable=False,
                                   server_default="0"))
    for tenant in _tenant_names(conn):
        teams_roles_sequences(conn, tenant)
        for name, columns in MOVED.items():
            old, new = _global(name), _own(dialect, tenant, name)
            conn.execute(sa.insert(new).from_select(
                list(columns), sa.select(*(old.c[c] for c in columns))
                .where(old.c.tenant == tenant)))
        conn.execute(_directory.update().where(_directory.c.name == tenant)
                     .values(system_version=1))
    op.drop_index("ix_hulian_record_teams_member", table_name="hulian_record_teams")
    for name in MOVED:
        op.drop_table(name)


def _create_global_tables() -> None:
    """The four tables as revision 0005 made them."""
    op.create_table(
        "hulian_user_roles",
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  nullable=False),
        sa.Column("user_id", sa.String(26), sa.ForeignKey("hulian_users.id"),
                  primary_key=True),
        sa.Column("role", sa.String(64), primary_key=True),
    )
    op.create_table(
        "hulian_enterprise_permissions",
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  nullable=False),
        sa.Column("enterprise_id", sa.String(26), sa.ForeignKey("hulian_enterprises.id"),
                  primary_key=True),
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("level", sa.String(20), nullable=False),
    )
    op.create_table(
        "hulian_record_teams",
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  primary_key=True),
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("record_id", sa.String(26), primary_key=True),
        sa.Column("user_id", sa.String(26), sa.ForeignKey("hulian_users.id"),
                  primary_key=True),
        sa.Column("access", sa.String(8), nullable=False),
        sa.Column("added_by", sa.String(26), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_hulian_record_teams_member", "hulian_record_teams",
                    ["tenant", "object", "user_id", "record_id"])
    op.create_table(
        "hulian_sequences",
        sa.Column("tenant", sa.String(30), primary_key=True),
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("field", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


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
        if schema is not None and not sa.inspect(conn).get_table_names(schema=schema):
            conn.execute(sa.schema.DropSchema(schema, if_exists=True))
    with op.batch_alter_table("hulian_tenants") as batch:
        batch.drop_column("system_version")
