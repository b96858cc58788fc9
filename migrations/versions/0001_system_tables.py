"""System tables: tenants, users, tokens, metadata versions, sequences.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hulian.engine.schema.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hulian_tenants",
        sa.Column("name", sa.String(30), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "hulian_users",
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
    op.create_table(
        "hulian_tokens",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"), nullable=False),
        sa.Column("user_id", sa.String(26), sa.ForeignKey("hulian_users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime()),
        sa.Column("revoked_at", UTCDateTime()),
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
    )
    op.create_table(
        "hulian_sequences",
        sa.Column("tenant", sa.String(30), primary_key=True),
        sa.Column("object", sa.String(64), primary_key=True),
        sa.Column("field", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for name in ("hulian_sequences", "hulian_metadata_versions", "hulian_tokens",
                 "hulian_users", "hulian_tenants"):
        op.drop_table(name)
