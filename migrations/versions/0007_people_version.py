"""A per-tenant counter of changes to people, so sessions can reuse what they read.

``hulian_tenants.people_version`` goes up with every change to the tenant's users,
departments, role assignments, downstream enterprises or their data permission
overrides; a session's permissions (rights, department tree, the people a leader sees)
are cached per (tenant, people version, metadata version, user) and read again only
when it has moved.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hulian_tenants") as batch:
        batch.add_column(sa.Column("people_version", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("hulian_tenants") as batch:
        batch.drop_column("people_version")
