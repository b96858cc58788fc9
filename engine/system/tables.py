"""hulian's own tables (tenants, users, tokens, deployed metadata, sequences).

These are created and evolved by the Alembic revisions in ``migrations/``; a test
checks that autogenerate finds no difference between this module and them.
"""

from __future__ import annotations

import sqlalchemy as sa

from hulian.engine.schema.types import UTCDateTime

metadata = sa.MetaData()

tenants = sa.Table(
    "hulian_tenants",
    metadata,
    sa.Column("name", sa.String(30), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

users = sa.Table(
    "hulian_users",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), nullable=False),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False),
    sa.Column("is_admin", sa.Boolean(create_constraint=False), nullable=False),
    sa.Column("department_id", sa.String(26)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("tenant", "username", name="uq_hulian_users_tenant_username"),
)

departments = sa.Table(
    "hulian_departments",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("parent_id", sa.String(26)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("leader_id", sa.String(26)),
    sa.UniqueConstraint("tenant", "name", name="uq_hulian_departments_tenant_name"),
)
"""A tenant's departments (a tree through ``parent_id``, each with an optional leader);
users belong to one."""

tokens = sa.Table(
    "hulian_tokens",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), nullable=False),
    sa.Column("user_id", sa.String(26), sa.ForeignKey("hulian_users.id"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.String(200)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime()),
    sa.Column("revoked_at", UTCDateTime()),
)

metadata_versions = sa.Table(
    "hulian_metadata_versions",
    metadata,
    sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("documents", sa.Text, nullable=False),
    sa.Column("plan", sa.Text, nullable=False),
    sa.Column("deployed_by", sa.String(80), nullable=False),
    sa.Column("deployed_at", UTCDateTime(), nullable=False),
    sa.Column("layers", sa.Text),
    sa.Column("result", sa.Text),
)
"""One row per deployed version: ``documents`` is the effective metadata, ``layers``
the installed packs and the overlay it was merged from (NULL: a single pack),
``plan`` the steps, ``result`` the data checks' results."""

schema_items = sa.Table(
    "hulian_schema_items",
    metadata,
    sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), primary_key=True),
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
"""The stable id of every object and field a tenant has deployed, where it is stored
(table or column name) and whether it is ``active`` or ``archived`` (removed from the
metadata but kept, restorable until ``hulian purge``). ``object_id`` is NULL for objects;
``definition`` holds the removed object or field's document."""

sequences = sa.Table(
    "hulian_sequences",
    metadata,
    sa.Column("tenant", sa.String(30), primary_key=True),
    sa.Column("object", sa.String(64), primary_key=True),
    sa.Column("field", sa.String(64), primary_key=True),
    sa.Column("period", sa.String(16), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
