"""Departments: the system object Department that users and records belong to.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hulian.engine.schema.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hulian_departments",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(26)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant", "name", name="uq_hulian_departments_tenant_name"),
    )


def downgrade() -> None:
    op.drop_table("hulian_departments")
