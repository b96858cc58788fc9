"""Per-tenant migrations 7 to 9, the tables of integrations and flows: webhook
subscriptions and deliveries (7), scheduled actions of automations (8) and the outbox's
packs (9). :mod:`hulian.engine.system.tenant_migrations` runs them in order with the
others; the rules there (tables written out as they are at that version, never edited once
released) hold here too."""

from __future__ import annotations

import sqlalchemy as sa

from hulian.engine.schema.naming import short_name, system_table_name, tenant_schema
from hulian.engine.schema.types import UTCDateTime

__all__ = ["compress_changes", "packed_changes", "scheduled_actions", "webhooks"]


def webhooks(conn: sa.Connection, tenant: str) -> None:
    """Version 7: webhook subscriptions and their deliveries (:mod:`hulian.engine.webhooks`).
    Made only if missing, as version 2."""
    dialect = conn.dialect.name
    schema = tenant_schema(dialect, tenant)
    metadata = sa.MetaData()
    sa.Table(system_table_name(dialect, tenant, "hulian_webhooks"), metadata,
             sa.Column("name", sa.String(64), primary_key=True),
             sa.Column("source", sa.String(16), nullable=False),
             sa.Column("object_id", sa.String(64)),
             sa.Column("events", sa.Text),
             sa.Column("filter", sa.Text),
             sa.Column("url", sa.Text),
             sa.Column("secret", sa.Text),
             sa.Column("active", sa.Boolean),
             sa.Column("position", sa.BigInteger, nullable=False),
             sa.Column("created_by", sa.String(64), nullable=False),
             sa.Column("created_at", UTCDateTime(), nullable=False),
             sa.Column("updated_at", UTCDateTime(), nullable=False),
             schema=schema)
    deliveries = sa.Table(
        system_table_name(dialect, tenant, "hulian_webhook_deliveries"), metadata,
        sa.Column("subscription", sa.String(64), primary_key=True),
        sa.Column("change_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", UTCDateTime()),
        sa.Column("payload", sa.Text),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=schema)
    sa.Index(short_name("ix", deliveries.name, "open"), deliveries.c.subscription,
             deliveries.c.status, deliveries.c.record_id, deliveries.c.change_id)
    metadata.create_all(conn, checkfirst=True)


def scheduled_actions(conn: sa.Connection, tenant: str) -> None:
    """Version 8: the scheduled actions of automations
    (:mod:`hulian.engine.automations.schedule`)."""
    dialect = conn.dialect.name
    table = sa.Table(
        system_table_name(dialect, tenant, "hulian_scheduled_actions"), sa.MetaData(),
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(26), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(26), nullable=False),
        sa.Column("lease_owner", sa.String(26)),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        schema=tenant_schema(dialect, tenant))
    sa.Index(short_name("ix", table.name, "due"), table.c.state, table.c.due_at)
    sa.Index(short_name("ix", table.name, "record"), table.c.record_id)
    table.create(conn, checkfirst=True)


def compress_changes(conn: sa.Connection, tenant: str) -> None:
    """PostgreSQL: the outbox's values compressed with lz4 where the server has it (a pack
    of a bulk write's creates is a long text; lz4 costs its write a fraction of the default
    pglz). Nothing elsewhere."""
    if conn.dialect.name != "postgresql" or not conn.scalar(sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'")):
        return
    table = conn.dialect.identifier_preparer.format_table(sa.Table(
        system_table_name("postgresql", tenant, "hulian_changes"), sa.MetaData(),
        schema=tenant_schema("postgresql", tenant)))
    conn.execute(sa.text(f'ALTER TABLE {table} ALTER COLUMN "after" SET COMPRESSION lz4, '
                         f'ALTER COLUMN "before" SET COMPRESSION lz4'))


def packed_changes(conn: sa.Connection, tenant: str) -> None:
    """Version 9: the outbox's ``span``, how many change ids a row holds (1; a pack of a
    bulk write's creates holds more, :mod:`hulian.engine.changes.packs`), added only if
    missing, as version 2; and its values compressed with lz4 (:func:`compress_changes`)."""
    dialect = conn.dialect.name
    name = system_table_name(dialect, tenant, "hulian_changes")
    schema = tenant_schema(dialect, tenant)
    if "span" not in {c["name"] for c in sa.inspect(conn).get_columns(name, schema=schema)}:
        table = conn.dialect.identifier_preparer.format_table(
            sa.Table(name, sa.MetaData(), schema=schema))
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN span INTEGER NOT NULL "
                             "DEFAULT 1"))
    compress_changes(conn, tenant)
