"""hulian's own global tables: the tenant directory, API tokens, logins and settings.

These are created and evolved by the Alembic revisions in ``migrations/``; a test
checks that autogenerate finds no difference between this module and them. Everything
else a tenant has (its people, deployed metadata, record teams, role grants, sequences...)
lives in tables of its own: :mod:`hulian.engine.system.tenant_tables`.
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

tokens = sa.Table(
    "hulian_tokens",
    metadata,
    sa.Column("id", sa.String(26), primary_key=True),
    sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), nullable=False),
    sa.Column("user_id", sa.String(26), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.String(200)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime()),
    sa.Column("revoked_at", UTCDateTime()),
)
"""API tokens, stored only as SHA-256 hashes. ``tenant`` sits next to the hash so that the
tenant is known before its tables are read; ``user_id`` names a user of the tenant's own
``hulian_users`` (no foreign key: users are per tenant since revision 0009; a user's
tokens work only while the user may sign in, checked by every lookup)."""

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
    sa.Column("user_id", sa.String(26), nullable=False),
    sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("client_ip", sa.String(64)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime()),
    sa.Index("ix_hulian_login_sessions_user", "user_id"),
)
"""Browser login sessions: the cookie carries a random session id, stored here only as its
SHA-256 (``session_hash``); logout or a password change sets ``revoked_at``. Like
:data:`tokens`, ``tenant`` and ``user_id`` name a user of the tenant's own tables."""

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
