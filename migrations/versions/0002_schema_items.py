"""Schema evolution: stable ids and archives of objects and fields; version layers and results.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hulian.engine.schema.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hulian_metadata_versions") as batch:
        batch.add_column(sa.Column("layers", sa.Text))
        batch.add_column(sa.Column("result", sa.Text))
    op.create_table(
        "hulian_schema_items",
        sa.Column("tenant", sa.String(30), sa.ForeignKey("hulian_tenants.name"),
                  primary_key=True),
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


def downgrade() -> None:
    op.drop_table("hulian_schema_items")
    with op.batch_alter_table("hulian_metadata_versions") as batch:
        batch.drop_column("result")
        batch.drop_column("layers")
