"""Helpers of the tests of the Alembic revisions that move rows out of global tables into
each tenant's own (0008, 0009): run a revision, and read the moved rows from either side
as ``{table: {(tenant, column values...)}}`` so the two can be compared (no tests here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from alembic import command

from hulian.engine.database import open_database
from hulian.engine.system.migrate import alembic_config
from hulian.engine.system.tenant_tables import tenant_tables

Rows = dict[str, set[tuple]]


def alembic(url: str, verb: str, revision: str) -> None:
    """``alembic <verb> <revision>`` (upgrade, downgrade) on the database at ``url``."""
    db = open_database(url)
    try:
        config = alembic_config()
        with db.begin() as conn:
            config.attributes["connection"] = conn
            getattr(command, verb)(config, revision)
    finally:
        db.dispose()


def global_rows(db: sa.Engine, columns: Mapping[str, str]) -> Rows:
    """Every row of the global tables ``columns`` names: (tenant, columns...)."""
    with db.connect() as conn:
        return {name: {tuple(r) for r in conn.exec_driver_sql(
            f"SELECT tenant, {listed} FROM {name}")} for name, listed in columns.items()}


def own_rows(db: sa.Engine, columns: Mapping[str, str], tenants: Iterable[str]) -> Rows:
    """The same rows read from each tenant's own tables (at head), tenant first."""
    found: Rows = {name: set() for name in columns}
    format_table = db.dialect.identifier_preparer.format_table
    with db.connect() as conn:
        for tenant in tenants:
            own = tenant_tables(db.dialect.name, tenant)
            for name, listed in columns.items():
                table = format_table(getattr(own, name.removeprefix("hulian_")))
                found[name] |= {(tenant, *r) for r in conn.exec_driver_sql(
                    f"SELECT {listed} FROM {table}")}
    return found
