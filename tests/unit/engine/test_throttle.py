"""Login throttling: per (tenant, username) and per client address, in a sliding window."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from hulian.engine.system import throttle
from hulian.engine.system.tables import login_failures

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def conn():
    engine = sa.create_engine("sqlite://")
    login_failures.create(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def fail(conn, n, *, tenant="acme", username="mei", ip="10.0.0.1", at=START,
         every=dt.timedelta(seconds=0)):
    for i in range(n):
        throttle.record(conn, tenant, username, ip, at + i * every)


def test_four_failures_do_not_lock(conn):
    fail(conn, throttle.PER_USER - 1)
    assert throttle.check(conn, "acme", "mei", "10.0.0.1", START) is None


def test_the_fifth_locks_the_user_until_the_window_passes(conn):
    fail(conn, 5, every=dt.timedelta(minutes=1))          # 9:00 .. 9:04
    now = START + dt.timedelta(minutes=4)
    assert throttle.check(conn, "acme", "mei", None, now) == throttle.Throttle("user", 11 * 60)
    free = START + throttle.WINDOW                          # 9:00 ages out at 9:15
    assert throttle.check(conn, "acme", "mei", None, free - dt.timedelta(seconds=1)) == \
        throttle.Throttle("user", 1)
    assert throttle.check(conn, "acme", "mei", None, free) is None


def test_failures_spread_wider_than_the_window_do_not_lock(conn):
    fail(conn, 10, every=dt.timedelta(minutes=4))
    assert throttle.check(conn, "acme", "mei", None, START + dt.timedelta(minutes=36)) is None


def test_users_and_tenants_are_counted_apart(conn):
    fail(conn, 5, ip=None)
    assert throttle.check(conn, "acme", "lei", None, START) is None
    assert throttle.check(conn, "other", "mei", None, START) is None
    assert throttle.check(conn, "acme", "mei", None, START) is not None


def test_twenty_failures_from_one_address_lock_it_for_everyone(conn):
    for n in range(throttle.PER_CLIENT):
        fail(conn, 1, username=f"user{n}")
    found = throttle.check(conn, "acme", "somebody", "10.0.0.1", START)
    assert found == throttle.Throttle("client", 15 * 60)
    assert throttle.check(conn, "acme", "somebody", "10.0.0.2", START) is None
    assert throttle.check(conn, "acme", "somebody", None, START) is None


def test_the_longer_lock_wins(conn):
    for n in range(throttle.PER_CLIENT):
        fail(conn, 1, username=f"user{n}", at=START + dt.timedelta(minutes=5))
    fail(conn, 5, username="mei", ip="10.9.9.9")
    now = START + dt.timedelta(minutes=6)
    assert throttle.check(conn, "acme", "mei", "10.0.0.1", now) == \
        throttle.Throttle("client", 14 * 60)


def test_clear_forgets_one_users_failures(conn):
    fail(conn, 5)
    fail(conn, 5, username="lei")
    throttle.clear(conn, "acme", "mei")
    assert throttle.check(conn, "acme", "mei", None, START) is None
    assert throttle.check(conn, "acme", "lei", None, START) is not None


def test_long_names_share_the_stored_prefix(conn):
    fail(conn, 5, tenant="t" * 40, username="u" * 100)
    assert throttle.check(conn, "t" * 40, "u" * 100, None, START) is not None


def test_old_failures_are_deleted_as_new_ones_come(conn):
    fail(conn, 3)
    fail(conn, 1, username="later", at=START + throttle.RETENTION + dt.timedelta(seconds=1))
    assert conn.scalar(sa.select(sa.func.count()).select_from(login_failures)) == 1
