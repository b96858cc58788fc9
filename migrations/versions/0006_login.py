"""Login: installation settings (the cookie signing key), browser login sessions, failed
logins for throttling.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hulian.engine.schema.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hulian_settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "hulian_login_sessions",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  nullable=False),
        sa.Column("user_id", sa.String(26), sa.ForeignKey("hulian_users.id"), nullable=False),
        sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("client_ip", sa.String(64)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime()),
    )
    op.create_index("ix_hulian_login_sessions_user", "hulian_login_sessions", ["user_id"])
    op.create_table(
        "hulian_login_failures",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("tenant", sa.String(30), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("client_ip", sa.String(64)),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_hulian_login_failures_user", "hulian_login_failures",
                    ["tenant", "username", "failed_at"])
    op.create_index("ix_hulian_login_failures_ip", "hulian_login_failures",
                    ["client_ip", "failed_at"])


def downgrade() -> None:
    op.drop_index("ix_hulian_login_failures_ip", table_name="hulian_login_failures")
    op.drop_index("ix_hulian_login_failures_user", table_name="hulian_login_failures")
    op.drop_table("hulian_login_failures")
    op.drop_index("ix_hulian_login_sessions_user", table_name="hulian_login_sessions")
    op.drop_table("hulian_login_sessions")
    op.drop_table("hulian_settings")
