"""Alembic revision 0008 moves record teams, role grants, enterprise permission overrides
and auto-number counters out of the global tables into each tenant's own, and back
(``downgrade``), rows and behaviour intact, on both databases."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from hulian.engine import Engine
from hulian.engine.database import open_database
from hulian.engine.system.migrate import current_revision, head_revision
from hulian.engine.system.people import ensure_tenant
from hulian.engine.system.tenant_migrations import LATEST
from hulian.engine.system.tenant_tables import tenant_tables
from tests.integration.tenant_move_support import Rows, alembic, global_rows, own_rows
from tests.integration.tenant_world import build, editable, visible

COLUMNS = {
    "hulian_record_teams": "object, record_id, user_id, access, added_by, added_at",
    "hulian_user_roles": "user_id, role",
    "hulian_enterprise_permissions": "enterprise_id, object, level",
    "hulian_sequences": "object, field, period, value",
}
TENANTS = ("acme", "beta", "idle")
MOVED_BY_0009 = ("hulian_users", "hulian_departments", "hulian_enterprises",
                 "hulian_metadata_versions", "hulian_schema_items")
"""The tenants' own tables that revision 0009 made (its downgrade drops them)."""


def _global_rows(db: sa.Engine) -> Rows:
    """Every row of the global tables the revision empties (at 0007): (tenant, columns...)."""
    return global_rows(db, COLUMNS)


def _own_rows(db: sa.Engine) -> Rows:
    """The same rows read from each tenant's own tables (head), tenant first."""
    return own_rows(db, COLUMNS, TENANTS)


def _own_tables_left(db: sa.Engine) -> list[str]:
    """The tenants' own tables of the first per-tenant migration still there (those of later
    ones stay: per-tenant migrations have no downgrade)."""
    inspector = sa.inspect(db)
    return [table.name for tenant in TENANTS
            for table in tenant_tables(db.dialect.name, tenant).metadata.tables.values()
            if table.name.endswith(tuple(COLUMNS))
            and inspector.has_table(table.name, schema=table.schema)]


def _ids(engine: Engine, tenant: str) -> dict[str, str]:
    return {u.username: u.id for u in engine.people(tenant).users()}


def test_0008_moves_every_tenants_rows_into_its_own_tables_and_back(fresh_db_url):
    url = fresh_db_url
    with Engine(url) as engine:
        tickets = build(engine, "acme", tickets=2)
        build(engine, "beta", tickets=4)
        with engine.db.begin() as conn:
            ensure_tenant(conn, "idle")                 # nothing deployed: no object table
        people = _ids(engine, "acme")
        before = _own_rows(engine.db)
    assert all({r[0] for r in rows} >= {"acme", "beta"} for rows in before.values())

    alembic(url, "downgrade", "0007")
    db = open_database(url)
    try:
        assert current_revision(db) == "0007"
        assert _global_rows(db) == before
        assert _own_tables_left(db) == []
        if db.dialect.name == "postgresql":  # what later per-tenant migrations made stays
            later = {t.name for t in tenant_tables(db.dialect.name, "idle").metadata.tables.values()
                     if not t.name.endswith(tuple(COLUMNS) + MOVED_BY_0009)}
            assert set(sa.inspect(db).get_table_names(schema="t_idle")) == later
        # what hulian at revision 0007 would have written
        object_id = next(r[1] for r in before["hulian_record_teams"] if r[0] == "acme")
        with db.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO hulian_record_teams (tenant, object, record_id, user_id, access, "
                "added_by, added_at) VALUES ('acme', :object, :record, :peer, 'edit', "
                ":seller, :now)"),
                {"object": object_id, "record": tickets["T-0002"], "peer": people["peer"],
                 "seller": people["seller"], "now": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)})
            conn.execute(sa.text("INSERT INTO hulian_user_roles (tenant, user_id, role) "
                                 "VALUES ('acme', :newbie, 'auditor')"),
                         {"newbie": people["newbie"]})
            conn.execute(sa.text("UPDATE hulian_sequences SET value = 41 "
                                 "WHERE tenant = 'acme' AND object = 'Ticket'"))
            conn.execute(sa.text("DELETE FROM hulian_enterprise_permissions "
                                 "WHERE tenant = 'beta'"))
        expected = _global_rows(db)
    finally:
        db.dispose()

    with Engine(url) as engine:                        # opening it upgrades
        assert current_revision(engine.db) == head_revision()
        assert _own_rows(engine.db) == expected
        inspector = sa.inspect(engine.db)
        assert [n for n in COLUMNS if inspector.has_table(n)] == []
        with engine.db.connect() as conn:
            assert set(conn.exec_driver_sql(
                "SELECT name, system_version FROM hulian_tenants")) == \
                {(t, LATEST) for t in TENANTS}
        assert visible(engine, "acme", "peer") == {"T-0001", "T-0002"}        # teams
        assert editable(engine, "acme", "peer", tickets["T-0002"])
        assert not editable(engine, "acme", "peer", tickets["T-0001"])
        everything = {"T-0001", "T-0002", "T-0003"}
        assert visible(engine, "acme", "auditor") == everything                # role grants
        assert visible(engine, "acme", "newbie") == everything
        assert visible(engine, "acme", "buyer2") == {"T-0003"}                 # overrides
        assert visible(engine, "beta", "buyer2") == set()
        with engine.session("acme", "seller") as s:                           # counters
            assert s.create("Ticket", {"subject": "next"})["number"] == "T-0042"
        with engine.session("beta", "seller") as s:
            assert s.create("Ticket", {"subject": "next"})["number"] == "T-0006"
        after = _own_rows(engine.db)

    alembic(url, "downgrade", "0007")
    db = open_database(url)
    try:
        assert _global_rows(db) == after
        assert ("acme", "Ticket", "number", "", 42) in after["hulian_sequences"]
    finally:
        db.dispose()
    alembic(url, "upgrade", "head")
    db = open_database(url)
    try:
        assert _own_rows(db) == after
    finally:
        db.dispose()
