"""PostgreSQL: a pooled connection is pinged before use only when it sat idle in the pool
(``PING_AFTER_IDLE_S``); one the server closed meanwhile is replaced and the caller never
sees it. A connection used moments ago is not pinged (a busy server saves a round trip
per request)."""

from __future__ import annotations

import time
from contextlib import ExitStack

import pytest

from hulian.engine import Engine, database
from tests.conftest import EXAMPLE_CRM


@pytest.fixture
def pg_engine(pg_url, tenant):
    eng = Engine(pg_url)
    eng.metadata(tenant).deploy(EXAMPLE_CRM)
    yield eng
    eng.close()


def _pings(eng: Engine, monkeypatch) -> list[object]:
    """Every ping the pool sends from now on."""
    seen: list[object] = []
    ping = eng.db.dialect.do_ping

    def counted(dbapi_connection):
        seen.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(eng.db.dialect, "do_ping", counted)
    return seen


def _read(eng: Engine, tenant: str) -> int:
    with eng.session(tenant, readonly=True) as s:
        return len(s.query("Account").records)


def test_a_connection_used_moments_ago_is_not_pinged_an_idle_one_is(
        pg_engine, tenant, monkeypatch):
    _read(pg_engine, tenant)
    pings = _pings(pg_engine, monkeypatch)
    for _ in range(5):
        _read(pg_engine, tenant)
    assert pings == []
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.05)
    time.sleep(0.1)
    _read(pg_engine, tenant)
    assert len(pings) == 1


def test_a_connection_the_server_closed_while_idle_is_replaced_unseen(
        pg_engine, pg_url, tenant, monkeypatch):
    with pg_engine.session(tenant) as s:
        s.create("Account", {"name": "Acme"})
    pooled = pg_engine.db.pool.checkedin()
    assert pooled >= 1
    with ExitStack() as stack:  # every pooled connection at once: their server processes
        pids = {stack.enter_context(pg_engine.db.connect())
                .exec_driver_sql("SELECT pg_backend_pid()").scalar() for _ in range(pooled)}
    killer = database.open_database(pg_url)
    try:
        with killer.connect() as conn:
            for pid in pids:
                assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()
    finally:
        killer.dispose()
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.05)
    time.sleep(0.2)
    assert _read(pg_engine, tenant) == 1  # the dead connection was pinged and replaced
    with pg_engine.db.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() not in pids
