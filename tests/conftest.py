"""Shared fixtures: both databases, a fresh tenant per test, the example pack."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from tests.pg_cluster import Cluster

settings.register_profile("hulian", deadline=None)
settings.load_profile("hulian")
"""Property tests assert behaviour, never timings: no per-example deadline (on a busy
2-core machine an example can take longer than hypothesis' default 200 ms)."""

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CRM = ROOT / "examples" / "crm"
_tenant_numbers = itertools.count(1)
_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_url():
    url = os.environ.get("HULIAN_TEST_PG_URL")
    if url:
        yield url
        return
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory):
    """A SQLite database per test module: SQLite reads its whole schema again on every
    connection after any DDL, so one file holding every test's tenants (tens of thousands
    of tables) would make the suite slower with each test."""
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'hulian.db'}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_url(request):
    """The URL of each database in turn (storage tests run on both): SQLite a file per test
    module, PostgreSQL one throwaway cluster for the whole run."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def fresh_db_url(db_url, tmp_path):
    """The URL of a new, empty database of each kind in turn, removed afterwards: for tests
    that need a whole database of their own (migrations). Close every engine on it first."""
    if not db_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    url = sa.make_url(db_url)
    name = f"hulian_fresh_{os.getpid()}_{next(_database_numbers)}"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        server.dispose()


@pytest.fixture(scope="module")
def engine(db_url):
    from hulian.engine import Engine

    eng = Engine(db_url)
    yield eng
    eng.close()


@pytest.fixture
def tenant():
    """A tenant name no other test uses (tests share each database)."""
    return f"t{os.getpid()}_{next(_tenant_numbers)}"


@pytest.fixture
def crm(engine, tenant):
    """The example CRM pack deployed into a fresh tenant; yields (engine, tenant)."""
    engine.metadata(tenant).deploy(EXAMPLE_CRM)
    return engine, tenant
