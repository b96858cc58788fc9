"""Interconnect and roles: downstream enterprises, interconnect users, user roles,
per-enterprise data permission overrides, related teams; password hashes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hulian.engine.schema.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hulian_users") as batch:
        batch.add_column(sa.Column("enterprise_id", sa.String(26)))
        batch.add_column(sa.Column("password_hash", sa.String(255)))
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
    # users made before roles existed keep what they could do: the built-in role 'member'
    op.execute("INSERT INTO hulian_user_roles (tenant, user_id, role) "
               "SELECT tenant, id, 'member' FROM hulian_users")


def downgrade() -> None:
    op.drop_index("ix_hulian_record_teams_member", table_name="hulian_record_teams")
    op.drop_table("hulian_record_teams")
    op.drop_table("hulian_enterprise_permissions")
    op.drop_table("hulian_user_roles")
    op.drop_table("hulian_enterprises")
    with op.batch_alter_table("hulian_users") as batch:
        batch.drop_column("password_hash")
        batch.drop_column("enterprise_id")
