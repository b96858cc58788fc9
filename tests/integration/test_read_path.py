"""Read-only sessions: reads never queue behind reads or writes, writes are refused in
them, a replica serves them, and the caches they share hold under many threads."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hulian.engine import Engine, HulianError
from tests.conftest import EXAMPLE_CRM

WAIT = 20  # seconds a blocked thread gets before the test calls it stuck


def _held(engine: Engine, tenant: str, *, readonly: bool, started: threading.Event,
          release: threading.Event) -> None:
    """A session that has read (or written) and holds its transaction open until released."""
    with engine.session(tenant, readonly=readonly) as s:
        if readonly:
            s.query("Account", limit=1)
        else:
            s.create("Account", {"name": "being written"})
        started.set()
        assert release.wait(WAIT), "the test never released the held session"


def _holding(engine: Engine, tenant: str, *, readonly: bool):
    started, release = threading.Event(), threading.Event()
    thread = threading.Thread(target=_held, args=(engine, tenant),
                              kwargs={"readonly": readonly, "started": started,
                                      "release": release})
    thread.start()
    assert started.wait(WAIT)
    return thread, release


@pytest.mark.parametrize("held", ["read", "write"])
def test_a_read_never_waits_behind_an_open_transaction(crm, held):
    """While another session holds a read or a write open, reads complete at once (on
    SQLite this needs WAL and a deferred BEGIN; BEGIN IMMEDIATE would queue them)."""
    engine, tenant = crm
    with engine.session(tenant) as s:
        s.create("Account", {"name": "Acme"})
    thread, release = _holding(engine, tenant, readonly=held == "read")
    try:
        with ThreadPoolExecutor(4) as pool:
            def read() -> list[str]:
                with engine.session(tenant, readonly=True) as s:
                    return [r["name"] for r in s.query("Account", order_by="name")]
            futures = [pool.submit(read) for _ in range(8)]
            results = [f.result(timeout=WAIT) for f in futures]  # a queued read times out
        assert all(names == ["Acme"] for names in results)  # the open write is not seen
    finally:
        release.set()
        thread.join(WAIT)
    with engine.session(tenant, readonly=True) as s:
        assert s.count("Account") == (2 if held == "write" else 1)


def test_a_read_held_open_delays_no_write(crm):
    engine, tenant = crm
    thread, release = _holding(engine, tenant, readonly=True)
    try:
        with ThreadPoolExecutor(1) as pool:
            def write() -> str:
                with engine.session(tenant) as s:
                    return s.create("Account", {"name": "written meanwhile"})["id"]
            written = pool.submit(write).result(timeout=WAIT)
        with engine.session(tenant, readonly=True) as s:
            assert s.get("Account", written)["name"] == "written meanwhile"
    finally:
        release.set()
        thread.join(WAIT)


def test_a_read_only_session_refuses_every_write(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        acme = s.create("Account", {"name": "Acme"})
    with engine.session(tenant, readonly=True) as s:
        attempts = [
            lambda: s.create("Account", {"name": "B"}),
            lambda: s.create_many("Account", [{"name": "C"}]),
            lambda: s.update("Account", acme["id"], {"name": "D"}),
            lambda: s.delete("Account", acme["id"]),
            lambda: s.restore("Account", acme["id"]),
            lambda: s.share("Account", acme["id"], "admin"),
            lambda: s.import_records("Account", [{"name": "E"}]),
        ]
        for attempt in attempts:
            with pytest.raises(HulianError) as caught:
                attempt()
            assert caught.value.code == "read_only_session"
        assert s.get("Account", acme["id"])["name"] == "Acme"  # reads still work
    with engine.session(tenant, readonly=True) as s:
        assert [r["name"] for r in s.query("Account")] == ["Acme"]


def test_a_read_only_transaction_is_read_only_in_the_database(crm):
    """Not only the Session API: the database itself refuses a write in the transaction."""
    engine, tenant = crm
    import sqlalchemy as sa

    with engine.session(tenant, readonly=True) as s:
        table = s.schema.object("Account").table
        if engine.dialect == "postgresql":
            with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
                s._conn.execute(table.delete())
        else:  # a deferred BEGIN on SQLite: the point is that it took no write lock
            assert s._conn.exec_driver_sql("PRAGMA main.journal_mode").scalar() in (
                "wal", "memory")


def test_read_only_sessions_run_on_the_replica(tmp_path):
    """``replica_url``: read-only sessions read there, writes go to the primary. A copy of
    the database file stands in for a streaming replica (which lags the same way)."""
    primary = tmp_path / "primary.db"
    with Engine(f"sqlite:///{primary}") as engine:
        engine.metadata("acme").deploy(EXAMPLE_CRM)
        with engine.session("acme") as s:
            s.create("Account", {"name": "before the copy"})
    replica = tmp_path / "replica.db"
    _copy_sqlite(primary, replica)
    with Engine(f"sqlite:///{primary}", replica_url=f"sqlite:///{replica}") as engine:
        with engine.session("acme") as s:
            s.create("Account", {"name": "after the copy"})
        with engine.session("acme", readonly=True) as s:
            assert [r["name"] for r in s.query("Account")] == ["before the copy"]
        with engine.session("acme") as s:  # a write session reads the primary
            assert s.count("Account") == 2


def _copy_sqlite(source: Path, target: Path) -> None:
    import sqlite3

    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(source, target)


def test_sessions_in_many_threads_agree_with_one_thread(db_url, tenant):
    """A fresh Engine (cold caches: schema, permissions, statements, plans) used by many
    threads at once for several users, internal and interconnect, gives what one thread
    gives."""
    buyers = {"a1": "Dealer A", "a2": "Dealer A", "b1": "Dealer B"}
    with Engine(db_url) as setup:
        setup.metadata(tenant).deploy(EXAMPLE_CRM)
        setup.people(tenant).create_user("pm")
        for company in ("Dealer A", "Dealer B"):
            setup.people(tenant).create_enterprise(company, partner_manager="pm")
        for name, company in buyers.items():
            setup.people(tenant).create_user(name, enterprise=company, roles=["dealer_buyer"])
        with setup.session(tenant) as s:
            product = s.create("Product", {"name": "Tea", "unit_price": "10.00"})
        for name in buyers:
            with setup.session(tenant, name) as s:
                for i in range(3):
                    order = s.create("Order", {"delivery": "pickup"})
                    s.create("OrderLine", {"sales_order": order["id"], "product": product["id"],
                                           "quantity": i + 1})

    def seen(engine: Engine, user: str) -> list[tuple[str, object]]:
        with engine.session(tenant, user, readonly=True) as s:
            orders = s.query("Order", order_by="number", limit=100)
            return [(o["number"], o["total_amount"]) for o in orders]

    readers = ["admin", "pm", *buyers]
    with Engine(db_url) as serial:
        expected = {user: seen(serial, user) for user in readers}
    # each dealer sees its own enterprise's orders (Order is company_read externally)
    assert [len(expected[u]) for u in readers] == [9, 9, 6, 6, 3]
    with Engine(db_url) as engine, ThreadPoolExecutor(16) as pool:
        users = readers * 10
        results = list(pool.map(lambda user: (user, seen(engine, user)), users))
    for user, found in results:
        assert found == expected[user], user
