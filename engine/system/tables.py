"""hulian's own global tables (tenants, users, tokens, deployed metadata, logins).

These are created and evolved by the Alembic revisions in ``migrations/``; a test
checks that autogenerate finds no difference between this module and them. The system
tables each tenant keeps for itself (record teams, role grants, sequences, enterprise
permission overrides) are in :mod:`hulian.engine.system.tenant_tables`.
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
    sa.Column("people_version", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("system_version", sa.Integer(), nullable=False, server_default="0"),
)
"""The directory of tenants. ``people_version`` counts changes to the tenant's people
(users, departments, role assignments, enterprises, their overrides): sessions cache
permissions per value. ``system_version``: how far the tenant's own system tables are
migrated (:mod:`hulian.engine.system.tenant_migrations`)."""

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
    sa.Column("enterprise_id", sa.String(26)),
    sa.Column("password_hash", sa.String(255)),
    sa.UniqueConstraint("tenant", "username", name="uq_hulian_users_tenant_username"),
)
"""Internal users (``enterprise_id`` NULL) and interconnect users (互联用户: the id of the
downstream enterprise they work for). ``password_hash``: argon2, NULL for token-only users."""

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

enterprises = sa.Table(
    "hulian_enterprises",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("partner_manager_id", sa.String(26), sa.ForeignKey("hulian_users.id"),
              nullable=False),
    sa.Column("is_active", sa.Boolean(create_constraint=False), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("tenant", "name", name="uq_hulian_enterprises_tenant_name"),
)
"""A tenant's downstream enterprises (互联企业: dealers, agents...), each with its upstream
partner manager (对接人), the internal user who owns what its people create."""

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

settings = sa.Table(
    "hulian_settings",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
"""Settings of the whole installation (not of a tenant), e.g. ``session_signing_key``:
the key that signs session cookies when neither ``create_app(secret_key=)`` nor
``HULIAN_SECRET_KEY`` gives one."""

login_sessions = sa.Table(
    "hulian_login_sessions",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), nullable=False),
    sa.Column("user_id", sa.String(26), sa.ForeignKey("hulian_users.id"), nullable=False),
    sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("client_ip", sa.String(64)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime()),
    sa.Index("ix_hulian_login_sessions_user", "user_id"),
)
"""Browser login sessions: the cookie carries a random session id, stored here only as its
SHA-256 (``session_hash``); logout or a password change sets ``revoked_at``."""

login_failures = sa.Table(
    "hulian_login_failures",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("tenant", sa.String(30), nullable=False),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("client_ip", sa.String(64)),
    sa.Column("failed_at", UTCDateTime(), nullable=False),
    sa.Index("ix_hulian_login_failures_user", "tenant", "username", "failed_at"),
    sa.Index("ix_hulian_login_failures_ip", "client_ip", "failed_at"),
)
"""Failed logins, for throttling (any tenant and username as typed, known or not: no foreign
keys). Shared by every worker; rows older than a day are deleted as new ones come."""
