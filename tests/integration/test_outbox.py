"""The outbox itself: ids without gaps in commit order, values exact, nothing left by a
rolled-back transaction; on both databases."""

from __future__ import annotations

import datetime as dt
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
