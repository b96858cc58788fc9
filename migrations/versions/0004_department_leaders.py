"""Department leaders: a leader sees the records of the people in their departments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hulian_departments") as batch:
        batch.add_column(sa.Column("leader_id", sa.String(26)))


def downgrade() -> None:
    with op.batch_alter_table("hulian_departments") as batch:
        batch.drop_column("leader_id")
