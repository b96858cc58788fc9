"""Session.changes: the change feed under the reader's permissions, resumable without loss
or repeats, and its retention (purge_changes, cursor_expired); on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hulian.engine import (
    Engine,
    GoneError,
    NotFoundError,
    PermissionDenied,
    Purged,
    QueryError,
)
from hulian.engine.changes import outbox
from hulian.engine.changes.feed import FeedCursors, feed_access, read_feed, visible_fields
from hulian.engine.changes.names import FieldNames
from hulian.engine.changes.retention import purge_changes, purged_through
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.system.tenant_tables import tables_of
from tests.integration.changes_world import World, build, docs
from tests.packs import pack_of


@pytest.fixture
def world(engine, tenant):
    return build(engine, tenant)


def read_all(world: World, user: str = "admin", after: str | None = None, limit: int = 100,
             **kwargs):
    """Every change the feed gives ``user`` from ``after``, and the last cursor."""
    found = []
    with world.engine.session(world.tenant, user, readonly=True) as s:
        while True:
            page = s.changes(after=after, limit=limit, **kwargs)
            found += page.changes
            after = page.next
            if not page.more:
                return found, after


def test_an_admin_reads_every_change_in_id_order_and_resumes_where_they_left(world):
    deal = world.create("mei", "Deal", {"name": "A", "amount": "10"})
    memo = world.create("li", "Memo", {"name": "Note"})
    world.emit("mei", "update", "Deal", deal["id"], {"amount": Decimal(10)},
               {"amount": Decimal(12)})
    changes, cursor = read_all(world, limit=2)
    assert [(c.kind, c.object, c.record_id) for c in changes] == [
        ("create", "Deal", deal["id"]), ("create", "Memo", memo["id"]),
        ("update", "Deal", deal["id"])]
    assert [c.id for c in changes] == [1, 2, 3]
    assert changes[2].before == {"amount": Decimal(10)} and changes[2].user == \
        world.user_id("mei")
    assert read_all(world, after=cursor)[0] == []
    world.emit("li", "update", "Memo", memo["id"], {"body": None}, {"body": "hi"})
    later, _ = read_all(world, after=cursor)
    assert [(c.id, c.after) for c in later] == [(4, {"body": "hi"})]


def test_a_reader_gets_the_changes_of_the_records_they_read_deleted_ones_included(world):
    mine = world.create("mei", "Deal", {"name": "Mine"})
    theirs = world.create("li", "Deal", {"name": "Theirs"})
    memo = world.create("li", "Memo", {"name": "Shared"})
    secret = world.create("admin", "Secret", {"name": "Hush"})
    with world.engine.session(world.tenant, "mei") as s:
        s.delete("Deal", mine["id"])
    seen, _ = read_all(world, "mei")
    assert [(c.kind, c.record_id) for c in seen] == [
        ("create", mine["id"]), ("create", memo["id"]), ("delete", mine["id"])]
    assert theirs["id"] not in {c.record_id for c in seen}
    assert secret["id"] in {c.record_id for c in read_all(world)[0]}


def test_fields_hidden_from_the_reader_are_taken_out_and_hidden_only_updates_left_out(world):
    deal = world.create("mei", "Deal", {"name": "Costly", "amount": "9"})
    world.emit("admin", "update", "Deal", deal["id"], {"cost": None}, {"cost": Decimal(4)})
    world.emit("admin", "update", "Deal", deal["id"], {"cost": Decimal(4), "notes": None},
               {"cost": Decimal(5), "notes": "n"})
    seen, _ = read_all(world, "mei")
    assert [(c.kind, c.before, c.after) for c in seen[1:]] == [
        ("update", {"notes": None}, {"notes": "n"})]
    assert "cost" not in seen[0].after and seen[0].after["amount"] == Decimal("9.00")
    assert [c.after for c in read_all(world)[0][1:]] == [
        {"cost": Decimal(4)}, {"cost": Decimal(5), "notes": "n"}]


def test_objects_narrow_the_feed_and_must_be_readable(world):
    deal = world.create("mei", "Deal", {"name": "D"})
    world.create("mei", "Memo", {"name": "M"})
    assert [c.record_id for c in read_all(world, "mei", objects=["Deal"])[0]] == [deal["id"]]
    assert len(read_all(world, "mei", objects=["Deal", "Memo", "Deal"])[0]) == 2
    with world.engine.session(world.tenant, "mei") as s:
        with pytest.raises(PermissionDenied) as denied:
            s.changes(objects=["Secret"])
        with pytest.raises(NotFoundError) as unknown:
            s.changes(objects=["Nope"])
        with pytest.raises(QueryError) as limit:
            s.changes(limit=1001)
    assert (denied.value.code, unknown.value.code, limit.value.code) == (
        "action_denied", "unknown_object", "invalid_limit")


def test_a_cursor_from_elsewhere_is_invalid(world, engine):
    world.create("mei", "Deal", {"name": "D"})
    other = build(engine, f"{world.tenant}b")
    theirs = other.create("admin", "Deal", {"name": "X"})
    other.emit("admin", "update", "Deal", theirs["id"], {"stage": None}, {"stage": "won"})
    with engine.session(other.tenant) as s:
        foreign = s.changes_cursor()
        history = s.history("Deal", theirs["id"], limit=1)
    assert history.next is not None
    with engine.session(world.tenant) as s:
        for bad in (foreign, "e30.AAAA", "nonsense", "x" * 500, history.next, 17):
            with pytest.raises(QueryError) as exc:
                s.changes(after=bad)
            assert (exc.value.code, exc.value.details()[0]["parameter"]) == (
                "invalid_cursor", "after")


def test_changes_cursor_starts_from_now(world):
    world.create("mei", "Deal", {"name": "Before"})
    with world.engine.session(world.tenant) as s:
        now = s.changes_cursor()
        assert s.changes(after=now).changes == [] and not s.changes(after=now).more
    after = world.create("mei", "Deal", {"name": "After"})
    assert [c.record_id for c in read_all(world, after=now)[0]] == [after["id"]]


def test_a_cursor_ahead_of_the_database_stays_where_it_is(world):
    """As on a read replica that has not caught up with the primary the cursor came from."""
    world.create("mei", "Deal", {"name": "One"})
    cursors = FeedCursors(world.engine.cursor_signer(), world.tenant)
    with world.engine.session(world.tenant, readonly=True) as s:
        page = s.changes(after=cursors.sign(5))
    assert (page.changes, cursors.position(page.next), page.more) == ([], 5, False)


def test_the_cursor_holds_across_engines_on_the_same_database(world, db_url):
    world.create("mei", "Deal", {"name": "One"})
    with world.engine.session(world.tenant) as s:
        cursor = s.changes(limit=1).next
    second = world.create("mei", "Deal", {"name": "Two"})
    with Engine(db_url, migrate=False) as restarted, \
            restarted.session(world.tenant, readonly=True) as s:
        assert [c.record_id for c in s.changes(after=cursor)] == [second["id"]]


def test_a_page_scans_a_bounded_range_and_its_cursor_passes_what_it_skipped(world):
    world.create("admin", "Secret", {"name": "Hidden 1"})
    world.create("admin", "Secret", {"name": "Hidden 2"})
    world.create("admin", "Secret", {"name": "Hidden 3"})
    memo = world.create("mei", "Memo", {"name": "Seen"})
    cursors = FeedCursors(CursorSigner("k"), world.tenant)
    with world.engine.session(world.tenant, "mei", readonly=True) as s:
        schema, visibility = s.schema, s.visibility
    with world.engine.db.connect() as conn:
        access = feed_access(tables_of(conn, world.tenant).changes, schema, visibility,
                             [schema.object("Memo")])
        pages, after = [], None
        for _ in range(3):
            page = read_feed(conn, schema, access, FieldNames(),
                             lambda n: visible_fields(schema.object(n), frozenset()),
                             cursors, after, 10, scan=2)
            pages.append(([c.record_id for c in page], cursors.position(page.next),
                          page.more))
            after = page.next
    assert pages == [([], 2, True), ([memo["id"]], 4, False), ([], 4, False)]


def test_purge_keeps_what_history_feed_and_webhooks_need_and_expires_older_cursors(world):
    now = dt.datetime.now(dt.UTC)
    old, older = now - dt.timedelta(days=40), now - dt.timedelta(days=400)
    deal = world.create("mei", "Deal", {"name": "Tracked"})
    memo = world.create("mei", "Memo", {"name": "Untracked"})
    with world.engine.session(world.tenant, readonly=True) as s:
        start = s.changes_cursor()
    world.emit("mei", "update", "Deal", deal["id"], {"stage": None}, {"stage": "new"},
               at=older)                                               # 3: past 365 days
    world.emit("mei", "update", "Memo", memo["id"], {"body": None}, {"body": "a"},
               at=old)                                                 # 4: past 30 days
    world.emit("mei", "update", "Deal", deal["id"], {"stage": "new"}, {"stage": "won"},
               at=old)                                                 # 5: kept (history)
    world.emit("mei", "update", "Memo", memo["id"], {"body": "a"}, {"body": "b"},
               at=old)                                                 # 6: webhooks need it
    world.emit("mei", "update", "Memo", memo["id"], {"body": "b"}, {"body": "c"})  # 7: new
    result = world.engine.purge_changes(world.tenant, keep_from=6)
    assert (result.deleted, result.purged_through) == (2, 4)
    kept, _ = read_all(world)
    assert [c.id for c in kept] == [5, 6, 7]
    with world.engine.session(world.tenant, "mei") as s:
        assert [e.id for e in s.history("Deal", deal["id"])] == [5, 1]
        with pytest.raises(GoneError) as exc:
            s.changes(after=start)
    assert exc.value.code == "cursor_expired"
    assert world.engine.purge_changes(world.tenant).purged_through == 6
    assert [c.id for c in read_all(world)[0]] == [7]  # a fresh reader starts at the mark


def test_a_tracked_object_keeps_changes_for_the_longer_of_its_and_the_feeds_retention(
        world, engine):
    engine.metadata(world.tenant).deploy(pack_of(docs(history_retention_days=7)))
    deal = world.create("mei", "Deal", {"name": "Short"})
    now = dt.datetime.now(dt.UTC)
    for days in (10, 20, 40):
        world.emit("mei", "update", "Deal", deal["id"], {"stage": None}, {"stage": "new"},
                   at=now - dt.timedelta(days=days))
    with engine.db.begin() as conn:
        result = purge_changes(conn, world.tenant, now)
        assert purged_through(conn, world.tenant) == result.purged_through == 4
        kept = outbox.read_after(conn, world.tenant, 0, limit=10)
    assert [c.id for c in kept] == [1, 2, 3]                          # 30 days kept
    with engine.session(world.tenant, "mei") as s:
        assert [e.id for e in s.history("Deal", deal["id"])] == [1]  # 7 days shown


def test_an_id_is_never_given_twice_even_when_every_change_was_purged(world):
    """Ids follow the newest change; a purge that takes every change keeps the floor, so
    cursors and webhook positions never see an id again."""
    memo = world.create("mei", "Memo", {"name": "Old"})                     # 1
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    for body in ("a", "b"):                                                  # 2, 3
        world.emit("mei", "update", "Memo", memo["id"], {"body": None}, {"body": body},
                   at=old)
    with world.engine.db.begin() as conn:  # the create is recent: make it old too
        changes = tables_of(conn, world.tenant).changes
        conn.execute(changes.update().values(at=old))
    assert world.engine.purge_changes(world.tenant).deleted == 3
    assert read_all(world)[0] == []
    with world.engine.db.connect() as conn:
        assert outbox.last_id(conn, world.tenant) == 3
    assert world.emit("mei", "update", "Memo", memo["id"], {"body": "b"}, {"body": "c"}) == 4
    second = world.create("mei", "Memo", {"name": "New"})
    assert [(c.id, c.record_id) for c in read_all(world)[0]] == [(4, memo["id"]),
                                                                (5, second["id"])]


def test_purging_a_tenant_without_changes_deletes_nothing(world):
    assert world.engine.purge_changes(world.tenant) == Purged(0, 0)
    with pytest.raises(ValueError):
        Engine("sqlite://", feed_retention_days=0)
