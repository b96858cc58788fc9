"""Session.history: a record's tracked changes, newest first, for those who may read the
record, without the fields they may not see; on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hulian.engine import NotFoundError, QueryError
from tests.integration.changes_world import build, docs
from tests.packs import documents, field, label, obj, pack_of


@pytest.fixture
def world(engine, tenant):
    return build(engine, tenant)


def _fields(entry):
    return [(f.field, f.old, f.new) for f in entry.fields]


def test_newest_first_with_who_when_how_and_old_and_new_values(world):
    deal = world.create("mei", "Deal", {"name": "Big", "amount": "100", "stage": "new",
                                        "notes": "call back"})
    world.emit("mei", "update", "Deal", deal["id"], {"stage": "new", "amount": Decimal("100")},
               {"stage": "won", "amount": Decimal("250.50")}, channel="ui")
    world.emit("mei", "update", "Deal", deal["id"], {"notes": "call back"}, {"notes": "done"})
    world.emit(None, "update", "Deal", deal["id"], {"amount": Decimal("250.50")},
               {"amount": Decimal("260")}, channel="system")
    with world.engine.session(world.tenant, "mei") as s:
        page = s.history("Deal", deal["id"])
    assert [e.kind for e in page] == ["update", "update", "create"]  # notes is not tracked
    system, won, created = page.entries
    assert (system.user, system.user_name, system.channel) == (None, None, "system")
    assert _fields(won) == [("amount", Decimal("100"), Decimal("250.50")),
                            ("stage", "new", "won")]
    assert (won.user_name, won.channel, won.request_id) == ("Mei Chen", "ui", "req-test")
    assert won.user == world.user_id("mei")
    assert _fields(created) == [("amount", None, Decimal("100.00")), ("stage", None, "new"),
                                ("owner_id", None, world.user_id("mei"))]
    assert created.at <= won.at <= system.at and page.next is None
    assert won.to_dict()["user"] == {"id": world.user_id("mei"), "name": "Mei Chen"}
    assert won.to_dict()["fields"][1] == {"field": "stage", "old": "new", "new": "won"}


def test_fields_hidden_from_the_reader_are_left_out(world):
    deal = world.create("mei", "Deal", {"name": "Big", "amount": "100"})
    world.emit("admin", "update", "Deal", deal["id"], {"cost": None}, {"cost": Decimal("40")})
    world.emit("admin", "update", "Deal", deal["id"], {"cost": Decimal("40"), "stage": None},
               {"cost": Decimal("45"), "stage": "won"})
    with world.engine.session(world.tenant, "mei") as s:
        mine = s.history("Deal", deal["id"])
    with world.engine.session(world.tenant) as s:
        everything = s.history("Deal", deal["id"])
    assert [_fields(e) for e in mine] == [[("stage", None, "won")], [
        ("amount", None, Decimal("100.00")), ("owner_id", None, world.user_id("mei"))]]
    assert [_fields(e) for e in everything][:2] == [
        [("stage", None, "won"), ("cost", Decimal("40"), Decimal("45"))],
        [("cost", None, Decimal("40"))]]


def test_a_reader_who_cannot_read_the_record_gets_not_found_as_for_the_record(world):
    deal = world.create("mei", "Deal", {"name": "Mine"})
    with world.engine.session(world.tenant, "li") as s:
        with pytest.raises(NotFoundError) as get:
            s.get("Deal", deal["id"])
        with pytest.raises(NotFoundError) as history:
            s.history("Deal", deal["id"])
        with pytest.raises(NotFoundError) as missing:
            s.history("Deal", "01NOSUCHRECORD000000000000")
    assert history.value.code == get.value.code == missing.value.code == "record_not_found"
    assert history.value.message == get.value.message


def test_a_deleted_record_keeps_its_history_for_its_readers(world):
    deal = world.create("mei", "Deal", {"name": "Gone"})
    with world.engine.session(world.tenant, "mei") as s:
        s.delete("Deal", deal["id"])
    with world.engine.session(world.tenant, "mei") as s:
        page = s.history("Deal", deal["id"])
    assert [e.kind for e in page] == ["delete", "create"] and page.entries[0].fields == ()
    with world.engine.session(world.tenant, "li") as s, pytest.raises(NotFoundError):
        s.history("Deal", deal["id"])
    with world.engine.session(world.tenant, "mei") as s:
        s.restore("Deal", deal["id"])
    with world.engine.session(world.tenant, "mei") as s:
        assert [e.kind for e in s.history("Deal", deal["id"])] == ["restore", "delete", "create"]


def test_an_object_without_history_says_so(world):
    memo = world.create("mei", "Memo", {"name": "Hi"})
    with world.engine.session(world.tenant, "mei") as s, pytest.raises(NotFoundError) as exc:
        s.history("Memo", memo["id"])
    assert exc.value.code == "history_not_tracked"
    assert "track_history" in (exc.value.hint or "")


def test_pages_follow_each_other_and_cursors_belong_to_their_record(world):
    deal = world.create("mei", "Deal", {"name": "Busy", "amount": "1"})
    other = world.create("mei", "Deal", {"name": "Other"})
    for i in range(2, 7):
        world.emit("mei", "update", "Deal", deal["id"], {"amount": Decimal(i - 1)},
                   {"amount": Decimal(i)})
    seen, after = [], None
    with world.engine.session(world.tenant, "mei") as s:
        while True:
            page = s.history("Deal", deal["id"], limit=2, after=after)
            seen += [e.id for e in page]
            if page.next is None:
                break
            assert len(page) == 2
            after = page.next
        first = s.history("Deal", deal["id"], limit=2)
        for bad in (first.next, "nonsense", s.changes_cursor()):
            with pytest.raises(QueryError) as exc:
                s.history("Deal", other["id"], after=bad)
            assert exc.value.code == "invalid_cursor"
        with pytest.raises(QueryError) as exc:
            s.history("Deal", deal["id"], limit=0)
        assert exc.value.code == "invalid_limit"
    assert len(seen) == 6 and seen == sorted(seen, reverse=True)


def test_a_page_looks_at_a_bounded_number_of_changes(world):
    deal = world.create("mei", "Deal", {"name": "Noisy", "amount": "1"})
    for _ in range(7):
        world.emit(None, "update", "Deal", deal["id"], {"notes": "a"}, {"notes": "b"},
                   channel="system")
    from hulian.engine.changes.history import HistoryQuery, read_history
    from hulian.engine.changes.names import FieldNames
    from hulian.engine.records.cursors import CursorSigner

    query = HistoryQuery(world.tenant, world.object_id("Deal"), deal["id"], ("amount",), 365)
    signer, now = CursorSigner("k"), dt.datetime.now(dt.UTC)
    with world.engine.db.connect() as conn:
        first = read_history(conn, query, FieldNames(), signer, None, 5, now, scan=3)
        second = read_history(conn, query, FieldNames(), signer, first.next, 5, now, scan=3)
        third = read_history(conn, query, FieldNames(), signer, second.next, 5, now, scan=3)
    assert (len(first), len(second), [e.kind for e in third]) == (0, 0, ["create"])
    assert first.next is not None and second.next is not None and third.next is None


def test_changes_older_than_the_retention_are_not_shown(world):
    world.engine.metadata(world.tenant).deploy(pack_of(docs(history_retention_days=10)))
    deal = world.create("mei", "Deal", {"name": "Old"})
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=11)
    world.emit("mei", "update", "Deal", deal["id"], {"stage": None}, {"stage": "new"},
               at=long_ago)
    with world.engine.session(world.tenant, "mei") as s:
        assert [e.kind for e in s.history("Deal", deal["id"])] == ["create"]


def test_a_renamed_field_keeps_its_history_under_its_new_name(world):
    deal = world.create("mei", "Deal", {"name": "Renamed", "stage": "new"})
    world.emit("mei", "update", "Deal", deal["id"], {"stage": "new"}, {"stage": "won"})
    renamed = docs(track_history=["amount", "phase", "cost", "owner_id"])
    renamed["objects/Deal.json"]["fields"][2].update(api_name="phase", renamed_from="stage")
    world.engine.metadata(world.tenant).deploy(pack_of(renamed))
    world.emit("mei", "update", "Deal", deal["id"], {"phase": "won"}, {"phase": "lost"})
    with world.engine.session(world.tenant, "mei") as s:
        page = s.history("Deal", deal["id"])
    assert [_fields(e) for e in page][:2] == [[("phase", "won", "lost")],
                                              [("phase", "new", "won")]]
    assert ("phase", None, "new") in _fields(page.entries[2])


def test_a_removed_field_leaves_the_history_and_a_new_one_of_its_name_starts_afresh(world):
    deal = world.create("mei", "Deal", {"name": "Pruned", "amount": "5"})
    world.emit("mei", "update", "Deal", deal["id"], {"amount": Decimal(5)},
               {"amount": Decimal(6)})
    smaller = docs(track_history=["stage", "cost", "owner_id"])
    fields = smaller["objects/Deal.json"]["fields"]
    smaller["objects/Deal.json"]["fields"] = [f for f in fields
                                              if f["api_name"] not in ("amount", "margin")]
    world.engine.metadata(world.tenant).deploy(pack_of(smaller))
    with world.engine.session(world.tenant, "mei") as s:
        assert [_fields(e) for e in s.history("Deal", deal["id"])] == [
            [("owner_id", None, world.user_id("mei"))]]
    again = docs(track_history=["amount", "owner_id"])  # a text field now: a new field
    again["objects/Deal.json"]["fields"] = [
        {**f, "type": "text"} if f["api_name"] == "amount" else f
        for f in again["objects/Deal.json"]["fields"] if f["api_name"] != "margin"]
    world.engine.metadata(world.tenant).deploy(pack_of(again))
    world.emit("mei", "update", "Deal", deal["id"], {"amount": None}, {"amount": "seven"})
    with world.engine.session(world.tenant, "mei") as s:
        assert [_fields(e) for e in s.history("Deal", deal["id"])] == [
            [("amount", None, "seven")], [("owner_id", None, world.user_id("mei"))]]


def test_a_pack_upgrade_follows_renames_and_ends_the_tracking_of_removed_fields(engine,
                                                                                tenant):
    account = obj("Account", field("name", "text"), field("region", "text"),
                  field("rating", "text"))
    engine.metadata(tenant).install_pack(pack_of(documents(account, name="crm")))
    engine.metadata(tenant).deploy(pack_of({
        "pack.json": {"name": "acme", "version": "1.0.0", "label": label("acme"),
                      "kind": "tenant"},
        "extensions/Account.json": {"object": "Account",
                                    "track_history": ["region", "rating", "tier__c"],
                                    "fields": [field("tier__c", "text")]}}))
    upgraded = documents(obj("Account", field("name", "text"),
                             {**field("area", "text"), "renamed_from": "region"}),
                         name="crm", version="2.0.0")
    report = engine.metadata(tenant).upgrade_pack(pack_of(upgraded))
    assert any("track_history no longer names 'rating'" in n for n in report.notes), \
        report.notes
    assert any("/track_history/0 'region' is now 'area'" in n for n in report.notes)
    with engine.session(tenant) as s:
        assert s.describe("Account")["history_fields"] == ["area", "tier__c"]


def test_session_writes_show_in_the_history_with_ownership_and_without_hidden_fields(world):
    deal = world.create("mei", "Deal", {"name": "Real", "amount": "10", "stage": "new"})
    with world.engine.session(world.tenant, "mei") as s:
        s.update("Deal", deal["id"], {"stage": "won", "notes": "untracked"})
    with world.engine.session(world.tenant) as s:
        s.update("Deal", deal["id"], {"cost": "3"})
        s.update("Deal", deal["id"], {"owner_id": world.user_id("li")})
    with world.engine.session(world.tenant, "li") as s:
        page = s.history("Deal", deal["id"])
    with world.engine.session(world.tenant, "mei") as s, pytest.raises(NotFoundError):
        s.history("Deal", deal["id"])  # no longer hers to read
    assert [_fields(e) for e in page][:2] == [
        [("owner_id", world.user_id("mei"), world.user_id("li"))],
        [("stage", "new", "won")]]                   # the cost change is hidden from li
    assert [(e.kind, e.user_name) for e in page] == [
        ("update", "Administrator"), ("update", "Mei Chen"), ("create", "Mei Chen")]
