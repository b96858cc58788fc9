"""The outbox itself: ids without gaps in commit order, values exact, nothing left by a
rolled-back transaction; on both databases."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest

from hulian.engine.changes import outbox
from hulian.engine.changes.outbox import Origin, Pending
from hulian.engine.system.tenant_tables import tables_of
from tests.packs import documents, field, obj, pack_of

NOW = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def deployed(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(documents(obj("Deal", field("name", "text")))))
    return engine, tenant


def _pending(i: int) -> Pending:
    return Pending("update", "Deal", "obj1", f"rec{i}", {"amount": Decimal("1.50")},
                   {"amount": Decimal(f"{i}.25"), "due": dt.date(2026, 1, i + 1)})


def test_ids_follow_each_other_and_values_come_back_exact(deployed):
    engine, tenant = deployed
    origin = Origin("u1", None, "api", "req-1", NOW)
    with engine.db.begin() as conn:
        assert outbox.last_id(conn, tenant) == 0
        assert list(outbox.append(conn, tenant, origin, [_pending(1), _pending(2)])) == [1, 2]
    with engine.db.begin() as conn:
        assert list(outbox.append(conn, tenant, origin, [_pending(3)])) == [3]
        found = outbox.read_after(conn, tenant, 1, limit=10)
        assert outbox.last_id(conn, tenant) == 3
    assert [c.id for c in found] == [2, 3]
    assert found[0].after == {"amount": Decimal("2.25"), "due": "2026-01-03"}
    assert (found[0].user, found[0].channel, found[0].request_id, found[0].at) == \
        ("u1", "api", "req-1", NOW)


def test_a_rolled_back_transaction_leaves_no_change_and_no_gap(deployed):
    engine, tenant = deployed
    origin = Origin(None, None, "system", None, NOW)
    with engine.db.begin() as conn:
        outbox.append(conn, tenant, origin, [_pending(1)])
    with pytest.raises(RuntimeError), engine.db.begin() as conn:
        outbox.append(conn, tenant, origin, [_pending(2), _pending(3)])
        raise RuntimeError("the write failed after its changes")
    with engine.db.begin() as conn:
        assert list(outbox.append(conn, tenant, origin, [_pending(4)])) == [2]
        rows = conn.execute(tables_of(conn, tenant).changes.select()).all()
    assert sorted(r.record_id for r in rows) == ["rec1", "rec4"]


def test_a_first_single_change_creates_the_counter_and_batches_follow_it(deployed):
    """One change is one statement on PostgreSQL (counter and change together)."""
    engine, tenant = deployed
    origin = Origin(None, None, "api", None, NOW)
    with engine.db.begin() as conn:
        assert list(outbox.append(conn, tenant, origin, [_pending(1)])) == [1]
    with engine.db.begin() as conn:
        assert list(outbox.append(conn, tenant, origin, [_pending(2), _pending(3)])) == [2, 3]
        assert list(outbox.append(conn, tenant, origin, [_pending(4)])) == [4]
        assert outbox.last_id(conn, tenant) == 4
        found = outbox.read_after(conn, tenant, 0, limit=10)
    assert [(c.id, c.record_id) for c in found] == [(1, "rec1"), (2, "rec2"), (3, "rec3"),
                                                    (4, "rec4")]
    assert found[3].after == {"amount": Decimal("4.25"), "due": "2026-01-05"}


def test_a_session_that_may_write_holds_the_counter_from_its_first_statement(deployed):
    """A writer must hold the tenant's change counter before it touches a record (see
    outbox); a session that may write takes it with its arrival. So a second writer waits
    for the first's whole transaction, and their changes are numbered in commit order;
    read-only sessions never wait."""
    engine, tenant = deployed
    done = threading.Event()

    def second() -> None:
        with engine.session(tenant) as session:
            session.create("Deal", {"name": "second"})
        done.set()

    with engine.session(tenant) as first:
        waiting = threading.Thread(target=second)
        waiting.start()
        assert not done.wait(0.5), "the second writer did not wait for the first"
        with engine.session(tenant, readonly=True) as reader:
            assert reader.query("Deal").records == []
        first.create("Deal", {"name": "first"})
    waiting.join(30)
    assert done.is_set()
    with engine.db.begin() as conn:
        found = outbox.read_after(conn, tenant, 0, limit=10)
    assert [c.after["name"] for c in found] == ["first", "second"]
    assert [c.id for c in found] == [1, 2]
