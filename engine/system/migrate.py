"""Bring hulian's system tables up to date (every Engine start, ``hulian db upgrade``):
the Alembic revisions of the global tables, then the per-tenant migrations of each
tenant's own tables (:mod:`hulian.engine.system.tenant_migrations`)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import hulian.migrations
from hulian.engine.database import unbounded
from hulian.engine.system.tenant_migrations import upgrade_tenants

VERSION_TABLE = "hulian_alembic_version"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(hulian.migrations.__file__).parent))
    return config


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine: sa.Engine) -> list[str]:
    """Bring the global system tables up to the newest revision (one transaction), then
    every tenant's own tables (one transaction per tenant); the tenants migrated."""
    if current_revision(engine) != head_revision():
        config = alembic_config()
        with engine.begin() as conn:
            unbounded(conn)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return upgrade_tenants(engine)
