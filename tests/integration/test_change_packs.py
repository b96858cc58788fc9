"""A bulk create's changes are stored in packs (hulian.engine.changes.packs), and nobody who
reads changes can tell: the feed, the history, the webhooks' reader and retention see one
change per record, in id order, under the reader's permissions; on both databases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import sqlalchemy as sa

from hulian.engine.changes import outbox
from hulian.engine.changes.packs import MAX_SPAN
from hulian.engine.changes.retention import purge_changes
from hulian.engine.system.migrate import upgrade
from hulian.engine.system.tables import tenants
from hulian.engine.system.tenant_tables import tables_of
from tests.integration.changes_world import World, build
from tests.integration.webhook_world import SETTINGS

COUNT = 2 * MAX_SPAN + 37


@pytest.fixture
def world(engine, tenant):
    return build(engine, tenant)


def _bulk(world: World, object_name: str, rows: list[dict]) -> list[str]:
    with world.engine.session(world.tenant) as s:
        return s.create_many(object_name, rows)


def _feed(world: World, user: str = "admin", limit: int = 100, after: str | None = None):
    """Every change the feed gives ``user``, and the position of each page."""
    found, positions = [], []
    with world.engine.session(world.tenant, user, readonly=True) as s:
        while True:
            page = s.changes(after=after, limit=limit)
            assert len(page) <= limit
            found += page.changes
            after = page.next
            positions.append(after)
            if not page.more:
                return found, positions


def _rows(world: World) -> int:
    with world.engine.db.connect() as conn:
        changes = tables_of(conn, world.tenant).changes
        return conn.scalar(sa.select(sa.func.count()).select_from(changes))


def test_a_bulk_create_reads_as_one_change_per_record_in_order_page_by_page(world):
    single = world.create("admin", "Memo", {"name": "Alone", "body": "b"})
    ids = _bulk(world, "Memo", [{"name": f"M{i}", "body": None if i % 3 else "b"}
                                for i in range(COUNT)])
    assert _rows(world) < COUNT / 100          # packed: a few rows hold them all
    for limit in (7, 100, 1000):
        changes, _ = _feed(world, limit=limit)
        assert [c.id for c in changes] == list(range(1, COUNT + 2))
        assert [c.record_id for c in changes] == [single["id"], *ids]
        assert {c.kind for c in changes} == {"create"}
    first, third = changes[1], changes[3]
    assert first.after == {k: v for k, v in single.items() if k in first.after} | {
        "name": "M0", "body": "b"}
    assert set(first.after) == set(changes[0].after)   # as a single create reports
    assert "body" not in third.after and third.after["name"] == "M2"


def test_a_cursor_inside_a_pack_resumes_at_the_next_change(world):
    _bulk(world, "Memo", [{"name": f"M{i}"} for i in range(50)])
    with world.engine.session(world.tenant, readonly=True) as s:
        page = s.changes(limit=20)
        assert [c.id for c in page] == list(range(1, 21))
        rest = s.changes(after=page.next, limit=1000)
    assert [c.id for c in rest] == list(range(21, 51)) and not rest.more
    with world.engine.db.connect() as conn:
        middle = outbox.read_after(conn, world.tenant, 33, limit=5)
        scoped = outbox.read_after(conn, world.tenant, 33, limit=5, where=sa.false())
    assert [c.id for c in middle] == [34, 35, 36, 37, 38] and scoped == []


def test_a_reader_sees_only_the_records_of_a_pack_they_may_read(world):
    owners = {"mei": world.user_id("mei"), "li": world.user_id("li")}
    ids = _bulk(world, "Deal", [{"name": f"D{i}", "owner_id": owners["mei" if i % 3 else "li"]}
                                for i in range(COUNT)])
    mine = {name: [i for n, i in enumerate(ids) if (n % 3 != 0) == (name == "mei")]
            for name in owners}
    for name in owners:
        for limit in (9, 1000):
            changes, _ = _feed(world, name, limit=limit)
            assert [c.record_id for c in changes] == mine[name]
            assert all("cost" not in c.after for c in changes)   # hidden from reps
    assert [c.record_id for c in _feed(world)[0]] == ids


def test_the_history_of_a_packed_record_shows_its_create_once(world):
    ids = _bulk(world, "Deal", [{"name": f"D{i}", "amount": f"{i}.50", "stage": "new"}
                                for i in range(30)])
    record = ids[17]
    with world.engine.session(world.tenant) as s:
        s.update("Deal", record, {"stage": "won"})
        (created,) = s.history("Deal", ids[3])
        entries = s.history("Deal", record)
        first = s.history("Deal", record, limit=1)
        second = s.history("Deal", record, limit=1, after=first.next)
    assert created.kind == "create" and created.id == 4
    assert {(f.field, f.new) for f in created.fields} >= {("amount", 3.5), ("stage", "new")}
    assert [(e.kind, e.id) for e in entries] == [("update", 31), ("create", 18)]
    assert [e.id for e in first] == [31] and [e.id for e in second] == [18]
    assert second.next is None


def test_retention_keeps_a_whole_pack_while_a_webhook_needs_any_of_it(world):
    _bulk(world, "Memo", [{"name": f"M{i}"} for i in range(40)])      # 1-40, one pack
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    with world.engine.db.begin() as conn:
        kept = purge_changes(conn, world.tenant, later, keep_from=25)
    assert kept.deleted == 0
    with world.engine.db.begin() as conn:
        done = purge_changes(conn, world.tenant, later, keep_from=41)
        assert outbox.read_after(conn, world.tenant, 0, limit=100) == []
        assert outbox.last_id(conn, world.tenant) == 40
    assert (done.deleted, done.purged_through) == (40, 40)
    memo = world.create("admin", "Memo", {"name": "Next"})
    assert [(c.id, c.record_id) for c in _feed(world)[0]] == [(41, memo["id"])]


def test_a_failed_bulk_create_leaves_no_pack(world):
    rows = [{"name": f"M{i}"} for i in range(20)] + [{"name": "bad", "nonsense": 1}]
    with pytest.raises(Exception), world.engine.session(world.tenant) as s:
        s.create_many("Memo", rows)
    assert _rows(world) == 0
    assert _feed(world)[0] == []


def test_a_webhook_receives_every_packed_create_signed(webhook_world):
    hooks = webhook_world
    hooks.subscribe()
    with hooks.engine.session(hooks.tenant) as s:
        ids = s.create_many("Order", [{"status": "draft", "notes": f"n{i}"}
                                      for i in range(MAX_SPAN + 30)])
    hooks.run(settings=replace(SETTINGS, batch=64))   # batches end inside packs
    first = hooks.changes_after(0)[0].id
    assert sorted(hooks.receiver.acknowledged()) == [
        ("erp", first + i) for i in range(len(ids))]
    bodies = {b["id"]: b for b in hooks.receiver.bodies()}
    assert [bodies[first + i]["record_id"] for i in range(len(ids))] == ids
    assert {bodies[first + i]["after"]["notes"] for i in range(len(ids))} == {
        f"n{i}" for i in range(len(ids))}


def test_a_tenant_from_before_packs_keeps_its_changes_and_packs_after_upgrade(world):
    """Version 9 adds ``span`` to an outbox that has changes: each is still read as it was,
    and bulk writes from then on are packed."""
    memo = world.create("admin", "Memo", {"name": "Old"})
    before, _ = _feed(world)
    with world.engine.db.begin() as conn:
        table = conn.dialect.identifier_preparer.format_table(
            tables_of(conn, world.tenant).changes)
        conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN span"))
        conn.execute(tenants.update().where(tenants.c.name == world.tenant)
                     .values(system_version=8))
    assert upgrade(world.engine.db) == [world.tenant]
    assert _feed(world)[0] == before and before[0].record_id == memo["id"]
    ids = _bulk(world, "Memo", [{"name": f"M{i}"} for i in range(10)])
    assert [c.record_id for c in _feed(world)[0]] == [memo["id"], *ids]
    assert _rows(world) == 2
