"""Alembic revision 0009 moves users, departments, enterprises, deployed metadata versions and
the catalogue out of the global tables into each tenant's own, and back (``downgrade``), rows
and behaviour intact, on both databases; tokens and login sessions, which lose their foreign
key to ``hulian_users``, still end with their user."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from hulian.engine import Engine, UnauthenticatedError
from hulian.engine.database import open_database
from hulian.engine.system.arrival import BearerToken
from hulian.engine.system.migrate import current_revision, head_revision
from hulian.engine.system.people import ensure_tenant
from hulian.engine.system.tenant_tables import tenant_tables
from tests.integration.tenant_move_support import Rows, alembic, global_rows, own_rows
from tests.integration.tenant_world import build, visible

COLUMNS = {
    "hulian_departments": "id, name, parent_id, created_at, leader_id",
    "hulian_users": "id, username, display_name, is_active, is_admin, department_id, "
                    "created_at, enterprise_id, password_hash",
    "hulian_enterprises": "id, name, partner_manager_id, is_active, created_at",
    "hulian_metadata_versions": "version, documents, plan, deployed_by, deployed_at, layers, "
                                "result",
    "hulian_schema_items": "id, object_id, kind, api_name, storage, state, archived_version, "
                           "archived_at, definition",
}
TENANTS = ("acme", "beta", "idle")


def _global_rows(db: sa.Engine) -> Rows:
    """Every row of the global tables the revision empties (at 0008): (tenant, columns...)."""
    return global_rows(db, COLUMNS)


def _own_rows(db: sa.Engine) -> Rows:
    """The same rows read from each tenant's own tables (head), tenant first."""
    return own_rows(db, COLUMNS, TENANTS)


def _own_tables_left(db: sa.Engine) -> list[str]:
    inspector = sa.inspect(db)
    return [table.name for tenant in TENANTS
            for table in tenant_tables(db.dialect.name, tenant).metadata.tables.values()
            if table.name.endswith(tuple(COLUMNS))
            and inspector.has_table(table.name, schema=table.schema)]


def _user_keys(db: sa.Engine) -> dict[str, list[str]]:
    """The tables the token and login tables' foreign keys point at."""
    inspector = sa.inspect(db)
    return {table: sorted(k["referred_table"] for k in inspector.get_foreign_keys(table))
            for table in ("hulian_tokens", "hulian_login_sessions")}


def test_0009_moves_every_tenants_people_and_metadata_into_its_own_tables_and_back(
        fresh_db_url):
    url = fresh_db_url
    with Engine(url) as engine:
        tickets = build(engine, "acme", tickets=2)
        build(engine, "beta", tickets=4)
        with engine.db.begin() as conn:
            ensure_tenant(conn, "idle")                 # nothing deployed
        engine.people("acme").create_department("Sales")
        engine.people("acme").update_user("seller", department="Sales")
        token = engine.people("acme").create_token("seller", label="laptop")
        before = _own_rows(engine.db)
        assert _user_keys(engine.db) == {"hulian_login_sessions": ["hulian_tenants"],
                                         "hulian_tokens": ["hulian_tenants"]}
    assert {r[0] for r in before["hulian_users"]} == set(TENANTS)
    assert {r[0] for r in before["hulian_schema_items"]} == {"acme", "beta"}

    alembic(url, "downgrade", "0008")
    db = open_database(url)
    try:
        assert current_revision(db) == "0008"
        assert _global_rows(db) == before
        assert _own_tables_left(db) == []
        assert _user_keys(db) == {"hulian_login_sessions": ["hulian_tenants", "hulian_users"],
                                  "hulian_tokens": ["hulian_tenants", "hulian_users"]}
        # what hulian at revision 0008 would have written: a user, a department, a rename
        with db.begin() as conn:
            now = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
            conn.execute(sa.text(
                "INSERT INTO hulian_departments (id, tenant, name, created_at) "
                "VALUES ('01DEPTEAST0000000000000000', 'acme', 'East', :now)"), {"now": now})
            conn.execute(sa.text(
                "INSERT INTO hulian_users (id, tenant, username, display_name, is_active, "
                "is_admin, department_id, created_at) VALUES ('01USERLATE0000000000000000', "
                "'acme', 'late', 'Late Comer', :yes, :no, '01DEPTEAST0000000000000000', :now)"),
                {"now": now, "yes": True, "no": False})
            conn.execute(sa.text("UPDATE hulian_users SET display_name = 'The Peer' "
                                 "WHERE tenant = 'acme' AND username = 'peer'"))
        expected = _global_rows(db)
    finally:
        db.dispose()

    with Engine(url) as engine:                        # opening it upgrades
        assert current_revision(engine.db) == head_revision()
        assert _own_rows(engine.db) == expected
        inspector = sa.inspect(engine.db)
        assert [n for n in COLUMNS if inspector.has_table(n)] == []
        assert {u.username: u.display_name for u in engine.people("acme").users()}["peer"] == \
            "The Peer"
        assert [d.name for d in engine.people("acme").departments()] == ["East", "Sales"]
        with engine.session("acme", "late") as s:                     # the new user arrives
            assert s.user.department_id == "01DEPTEAST0000000000000000"
        assert visible(engine, "acme", "buyer2") == {"T-0003"}       # enterprise and override
        assert visible(engine, "acme", "peer") == {"T-0001"}
        with engine.request_session(BearerToken(token)) as s:        # the token still works
            assert s.user.username == "seller"
            made = s.create("Ticket", {"subject": "after"})
            assert made["number"] == "T-0004"
            assert s.get("Ticket", tickets["T-0001"]) is not None
        assert [v["version"] for v in engine.metadata("beta").history()] == [1]
        after = _own_rows(engine.db)

    alembic(url, "downgrade", "0008")
    db = open_database(url)
    try:
        assert _global_rows(db) == after
    finally:
        db.dispose()
    alembic(url, "upgrade", "head")
    db = open_database(url)
    try:
        assert _own_rows(db) == after
    finally:
        db.dispose()


def _arriving(engine: Engine, token: str) -> str | None:
    """The username a request with ``token`` starts a session for; None: refused."""
    try:
        with engine.request_session(BearerToken(token), readonly=True) as s:
            return s.user.username
    except UnauthenticatedError as refused:
        assert refused.code == "invalid_token"
        return None


def test_a_deactivated_user_loses_tokens_and_login_sessions_without_a_foreign_key(
        engine, tenant):
    """``hulian_tokens`` and ``hulian_login_sessions`` name a user of the tenant's own
    tables; the code keeps them together: a deactivated user's login sessions end and their
    tokens stop working (and work again once reactivated); another tenant's user with the
    same id is never taken for them."""
    with engine.db.begin() as conn:
        ensure_tenant(conn, tenant)
    people = engine.people(tenant)
    people.create_user("mei")
    people.set_password("mei", "correct horse battery")
    token = people.create_token("mei")
    login = engine.accounts.login(tenant, "mei", "correct horse battery")
    assert _arriving(engine, token) == "mei"
    people.update_user("mei", active=False)
    assert _arriving(engine, token) is None
    with pytest.raises(UnauthenticatedError, match="not valid"):
        engine.accounts.login_session(login.secret)
    people.update_user("mei", active=True)
    with pytest.raises(UnauthenticatedError, match="not valid"):      # sessions stay ended
        engine.accounts.login_session(login.secret)
    assert _arriving(engine, token) == "mei"                          # tokens come back
    mei = next(u for u in people.users() if u.username == "mei")
    tokens = sa.table("hulian_tokens", sa.column("tenant"), sa.column("user_id"))
    other = f"{tenant}_x"
    with engine.db.begin() as conn:                 # a token row naming a user of no tenant's
        ensure_tenant(conn, other)
        conn.execute(tokens.update().where(tokens.c.user_id == mei.id).values(tenant=other))
    assert _arriving(engine, token) is None
