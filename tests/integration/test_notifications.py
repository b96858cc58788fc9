"""In-app notifications (hulian.engine.notifications, Session.notifications and
mark_notifications_read, GET /notifications and POST /notifications/read) and outbox
``event`` changes, on both databases (tenant of tests/integration/bin_world.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hulian.engine import QueryError
from hulian.engine import notifications as notes
from hulian.engine.records.recycle_bin import object_id
from hulian.engine.system.tenant_tables import tables_of
from tests.integration.bin_world import build, deal
from tests.integration.test_rest_openapi import validator
from tests.integration.test_rest_support import Api, body


@pytest.fixture
def world(engine, tenant, cheap_hashing):
    build(engine, tenant)
    return engine, tenant


def _ids(engine, tenant, *names):
    found = {u.username: u.id for u in engine.people(tenant).users(include_inactive=True)}
    return [found[n] for n in names]


def _send(engine, tenant, names, title="Hello", **kwargs):
    with engine.session(tenant) as s:
        kwargs.setdefault("source", "approval:test")
        return notes.send(s._conn, tenant, _ids(engine, tenant, *names), title=title,
                          body=kwargs.pop("body", "A body"), **kwargs)


def _titles(engine, tenant, user, **kwargs):
    with engine.session(tenant, user, readonly=True) as s:
        return [n["title"] for n in s.notifications(**kwargs)]


def test_each_active_recipient_gets_one_and_sees_only_their_own(world):
    engine, tenant = world
    engine.people(tenant).update_user("rep2", active=False)
    assert _send(engine, tenant, ["rep", "rep", "rep2", "a1"], title="First") == 2
    assert _send(engine, tenant, ["a1"], title="Second") == 1
    assert _titles(engine, tenant, "rep") == ["First"]
    assert _titles(engine, tenant, "a1") == ["Second", "First"]
    assert _titles(engine, tenant, "viewer") == []
    engine.people(tenant).update_user("rep2", active=True)
    assert _titles(engine, tenant, "rep2") == []  # inactive when it was sent


def test_no_one_of_another_tenant_or_no_one_at_all_is_notified(world, engine):
    _, tenant = world
    other = tenant + "x"
    build(engine, other)
    stranger = _ids(engine, other, "rep")
    with engine.session(tenant) as s:
        assert notes.send(s._conn, tenant, [*stranger, "nobody"], title="t", body="b",
                          source="approval:test") == 0
        assert notes.send(s._conn, tenant, [], title="t", body="b", source="x") == 0
    with engine.session(other, "rep", readonly=True) as s:
        assert list(s.notifications()) == []


def test_a_notification_sent_in_a_write_that_rolls_back_is_not_sent(world):
    engine, tenant = world
    with pytest.raises(RuntimeError), engine.session(tenant) as s:
        notes.send(s._conn, tenant, _ids(engine, tenant, "rep"), title="t", body="b",
                   source="x")
        raise RuntimeError("the write fails")
    assert _titles(engine, tenant, "rep") == []


def test_a_notification_names_its_record_by_the_objects_name_now(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "D1")
    with engine.session(tenant) as s:
        notes.send(s._conn, tenant, _ids(engine, tenant, "rep"), title="x" * 500,
                   body="b", object=object_id(s.schema, "Deal"), record_id=made["id"],
                   source="approval:deal_approval")
    with engine.session(tenant, "rep", readonly=True) as s:
        [found] = s.notifications()
    assert (found["object"], found["record_id"], found["source"], found["read"],
            found["read_at"]) == ("Deal", made["id"], "approval:deal_approval", False, None)
    assert len(found["title"]) == notes.MAX_TITLE and found["title"].endswith("…")


def test_pages_unread_and_mark_read(world):
    engine, tenant = world
    for i in range(5):
        _send(engine, tenant, ["rep", "rep2"], title=f"n{i}")
    with engine.session(tenant, "rep") as s:
        first = s.notifications(limit=2)
        assert [n["title"] for n in first] == ["n4", "n3"] and first.next
        second = s.notifications(limit=2, after=first.next)
        assert [n["title"] for n in second] == ["n2", "n1"]
        with pytest.raises(QueryError) as caught:  # another list's cursor
            s.notifications(unread=True, after=first.next)
        assert caught.value.code == "invalid_cursor"
        theirs = [n["id"] for n in (s.notifications())][:1]
        assert s.mark_notifications_read([first.records[0]["id"], "01ABCDEFGHJKMNPQRSTVWXYZ0"
                                          ]) == 1
        assert s.mark_notifications_read([first.records[0]["id"]]) == 0
        assert [n["title"] for n in s.notifications(unread=True)] == ["n3", "n2", "n1", "n0"]
    with engine.session(tenant, "rep2") as s:
        assert s.mark_notifications_read(theirs) == 0  # rep's: passed over
        assert len(s.notifications(unread=True)) == 5
        assert s.mark_notifications_read() == 5
        assert list(s.notifications(unread=True)) == []
        assert all(n["read"] and n["read_at"] for n in s.notifications())
    assert len(_titles(engine, tenant, "rep", unread=True)) == 4


@pytest.mark.parametrize("ids", ["01ABC", [1], ["x" * 27], ["a"] * 1001])
def test_bad_ids_are_refused(world, ids):
    engine, tenant = world
    with engine.session(tenant, "rep") as s, pytest.raises(QueryError) as caught:
        s.mark_notifications_read(ids)
    assert caught.value.code == "invalid_parameter"


def test_notifications_over_rest(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "D1")
    with engine.session(tenant) as s:
        notes.send(s._conn, tenant, _ids(engine, tenant, "rep", "a1"), title="Approve",
                   body="please", object=object_id(s.schema, "Deal"), record_id=made["id"],
                   source="approval:x")
    rep, a1 = Api(engine, tenant, "rep"), Api(engine, tenant, "a1")
    document = body(rep.get("/openapi.json"))
    response = rep.get("/notifications", params={"unread": "true", "limit": "10"})
    assert response.status_code == 200
    page = body(response)
    validator(document, "NotificationPage").validate(page)
    assert [(n["title"], n["object"]) for n in page["notifications"]] == [("Approve", "Deal")]
    marked = rep.post("/notifications/read", {"ids": [page["notifications"][0]["id"]]})
    assert (marked.status_code, body(marked)) == (200, {"marked": 1})
    validator(document, "NotificationsMarked").validate(body(marked))
    assert body(rep.get("/notifications", params={"unread": "true"}))["notifications"] == []
    assert body(a1.post("/notifications/read", {}))["marked"] == 1
    for bad in ({"unread": "yes"}, {"limit": "0"}, {"after": "nope"}, {"other": "1"}):
        response = rep.get("/notifications", params=bad)
        assert response.status_code == 400, bad
    for bad_body in ({"ids": "x"}, {"idz": []}, {"ids": [3]}):
        response = rep.post("/notifications/read", bad_body)
        assert response.status_code == 400, bad_body
        assert body(response)["error"]["code"] == "invalid_parameter"


# -- outbox events ---------------------------------------------------------------------------

def _emit(engine, tenant, record_id, name="approval_approved"):
    with engine.session(tenant, "rep", channel="flow") as s:
        ctx = s._context()
        with s._write():
            ctx.journal.add(s.schema.object("Deal"), "event", record_id, None,
                            {"event": name, "flow": "deal_approval", "step": None,
                             "comment": "ok", "actor": s.user.id})
            ctx.flush_changes()


def test_an_event_reaches_the_feed_of_the_records_readers_whole(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "D1")
    _emit(engine, tenant, made["id"])
    with engine.session(tenant, "rep", readonly=True) as s:
        events = [c for c in s.changes().changes if c.kind == "event"]
    assert [(c.object, c.record_id, c.before, c.channel) for c in events] == [
        ("Deal", made["id"], None, "flow")]
    assert events[0].after["event"] == "approval_approved"
    assert events[0].after["comment"] == "ok"
    with engine.session(tenant, "rep2", readonly=True) as s:  # private: not rep2's deal
        assert [c for c in s.changes().changes if c.kind == "event"] == []
    with engine.session(tenant) as s:
        rows = s._conn.execute(sa.select(tables_of(s._conn, tenant).changes.c.kind)).all()
    assert ("event",) in rows


def test_the_record_history_leaves_events_out(world, engine):
    from tests.integration.bin_world import DOCS
    from tests.packs import pack_of

    _, tenant = world
    docs = {k: dict(v) for k, v in DOCS.items()}
    docs["objects/Deal.json"] = {**docs["objects/Deal.json"], "track_history": True}
    engine.metadata(tenant).deploy(pack_of(docs))
    made = deal(engine, tenant, "rep", "D1")
    _emit(engine, tenant, made["id"])
    with engine.session(tenant, "rep", readonly=True) as s:
        kinds = [e.kind for e in s.history("Deal", made["id"])]
    assert kinds == ["create"]


def test_ids_no_database_could_store_are_passed_over(world):
    """Found by schemathesis: an id holding NUL or a lone surrogate made PostgreSQL refuse
    the statement (a 500); no notification has such an id, so it marks nothing."""
    engine, tenant = world
    _send(engine, tenant, ["rep"], title="n")
    with engine.session(tenant, "rep") as s:
        mine = s.notifications().records[0]["id"]
        assert s.mark_notifications_read(["a\x00b", "\udbff\udc66x", "\ud800"]) == 0
        assert s.mark_notifications_read([mine, "a\x00b"]) == 1
