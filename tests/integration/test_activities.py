"""Activities (跟进记录) through the Python API, on both databases: logging and listing,
who sees them (exactly the readers of the record, downstream users included), mistakes
as field errors, and what deleting, restoring, purging and renaming do to them (tenant of
tests/integration/bin_world.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from hulian.engine import (
    HulianError,
    NotFoundError,
    PermissionDenied,
    QueryError,
    RecordValidationError,
    purge_deleted,
)
from tests.integration.bin_world import DOCS, build, deal
from tests.packs import pack_of

AT = dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC)


@pytest.fixture
def world(engine, tenant):
    build(engine, tenant)
    return engine, tenant


def _texts(engine, tenant, user, object_name, record_id, **kwargs):
    with engine.session(tenant, user) as s:
        return [a["text"] for a in s.activities(object_name, record_id, **kwargs)]


def test_an_activity_is_logged_and_listed_latest_first(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal")
    with engine.session(tenant, "rep") as s:
        before = dt.datetime.now(dt.UTC)
        now = s.add_activity("Deal", made["id"], kind="call", text="called the buyer")
        old = s.add_activity("Deal", made["id"], kind="visit", text="visited",
                             at="2024-03-31T09:30:00+08:00")
        rep = s.user.id
    assert set(now) == {"id", "object", "record_id", "kind", "text", "at", "created_by",
                        "created_at", "updated_at"}
    assert (now["object"], now["record_id"], now["kind"], now["created_by"]) == \
        ("Deal", made["id"], "call", rep)
    assert before <= now["at"] == now["created_at"] == now["updated_at"]
    assert (old["at"], old["kind"]) == (AT, "visit")
    with engine.session(tenant, "rep") as s:
        page = s.activities("Deal", made["id"])
    assert page.records == [now, old] and page.next is None


def test_logging_an_activity_records_no_record_change(world):
    from hulian.engine.changes import outbox

    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal")
    with engine.db.connect() as conn:
        before = outbox.last_id(conn, tenant)
    with engine.session(tenant, "rep") as s:
        s.add_activity("Deal", made["id"], kind="call", text="called")
        assert s.get("Deal", made["id"])["version"] == made["version"]  # the record is as it was
    with engine.db.connect() as conn:
        assert outbox.last_id(conn, tenant) == before


def test_pages_of_activities(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal")
    other = deal(engine, tenant, "rep", "Other")
    with engine.session(tenant, "rep") as s:
        for i in range(5):
            s.add_activity("Deal", made["id"], kind="note", text=f"n{i}", at=AT)  # one moment
        s.add_activity("Deal", made["id"], kind="note", text="later",
                       at=AT + dt.timedelta(days=1))
        seen, after = [], None
        while True:
            page = s.activities("Deal", made["id"], limit=2, after=after)
            seen += [a["text"] for a in page]
            after = page.next
            if after is None:
                break
        assert seen[0] == "later" and sorted(seen[1:]) == [f"n{i}" for i in range(5)]
        assert len(set(seen)) == 6
        cursor = s.activities("Deal", made["id"], limit=1).next
        with pytest.raises(QueryError) as refused:
            s.activities("Deal", other["id"], after=cursor)  # another record's cursor
        assert refused.value.code == "invalid_cursor"
        with pytest.raises(QueryError) as refused:
            s.activities("Deal", made["id"], limit=0)
        assert refused.value.code == "invalid_limit"


def test_every_mistake_is_a_field_error_at_once(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal")
    with engine.session(tenant, "rep") as s:
        with pytest.raises(RecordValidationError) as invalid:
            s.add_activity("Deal", made["id"], kind="email", text="  ", at="2024-03-31T09:30")
        assert invalid.value.object_name == "Activity"
        assert [(e.field, e.code) for e in invalid.value.errors] == [
            ("kind", "invalid_option"), ("text", "required"), ("at", "missing_timezone")]
        cases = [({"kind": None, "text": "x"}, ("kind", "required")),
                 ({"kind": 3, "text": "x"}, ("kind", "invalid_type")),
                 ({"kind": "call", "text": None}, ("text", "required")),
                 ({"kind": "call", "text": "x" * 32769}, ("text", "too_long")),
                 ({"kind": "call", "text": "a\x00b"}, ("text", "invalid_character")),
                 ({"kind": "call", "text": "x", "at": "yesterday"}, ("at", "invalid_datetime")),
                 ({"kind": "call", "text": "x", "at": 5}, ("at", "invalid_type"))]
        for data, expected in cases:
            with pytest.raises(RecordValidationError) as invalid:
                s.add_activity("Deal", made["id"], **data)
            assert [(e.field, e.code) for e in invalid.value.errors] == [expected], data
        assert s.activities("Deal", made["id"]).records == []
        assert s.add_activity("Deal", made["id"], kind="call", text="x" * 32768)["kind"] == \
            "call"


def test_readers_of_the_record_and_no_one_else_see_its_activities(world):
    engine, tenant = world
    a1s = deal(engine, tenant, "a1", "a1's", "1")
    with engine.session(tenant, "a1") as s:
        s.add_activity("Deal", a1s["id"], kind="visit", text="dealer visit")
        s.add_activity("Line", a1s["line_ids"][0], kind="note", text="line note")
    with engine.session(tenant, "pm") as s:  # owns it upstream
        s.add_activity("Deal", a1s["id"], kind="call", text="upstream call")
    for user in ("a1", "a2", "pm", "admin"):  # a2: company_read in Dealer A
        assert sorted(_texts(engine, tenant, user, "Deal", a1s["id"])) == \
            ["dealer visit", "upstream call"], user
        assert _texts(engine, tenant, user, "Line", a1s["line_ids"][0]) == ["line note"]
    for user, code in (("b1", "record_not_found"), ("rep", "record_not_found"),
                       ("viewer", "record_not_found")):
        with engine.session(tenant, user) as s:
            for call in (lambda: s.activities("Deal", a1s["id"]),
                         lambda: s.add_activity("Deal", a1s["id"], kind="note", text="x"),
                         lambda: s.activities("Line", a1s["line_ids"][0])):
                with pytest.raises(NotFoundError) as missing:
                    call()
                assert missing.value.code == code, user
    with engine.session(tenant, "pm") as s:
        s.share("Deal", a1s["id"], "rep")  # a read team member reads it, and may log
    with engine.session(tenant, "rep") as s:
        s.add_activity("Deal", a1s["id"], kind="note", text="by the team")
    assert len(_texts(engine, tenant, "a2", "Deal", a1s["id"])) == 3


def test_an_object_the_user_may_not_read_is_refused_as_for_records(world):
    engine, tenant = world
    with engine.session(tenant) as s:
        memo = s.create("Memo", {"name": "m"})
    with engine.session(tenant, "outsider") as s:
        with pytest.raises(PermissionDenied) as denied:
            s.activities("Memo", memo["id"])
        assert denied.value.code == "action_denied"
        with pytest.raises(PermissionDenied):
            s.add_activity("Memo", memo["id"], kind="note", text="x")
    with engine.session(tenant, "b1") as s:
        with pytest.raises(NotFoundError) as missing:
            s.activities("Memo", memo["id"])
        assert missing.value.code == "unknown_object"


def test_activities_follow_their_record_into_the_bin_back_and_out(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal", "1")
    line = made["line_ids"][0]
    with engine.session(tenant, "rep") as s:
        s.add_activity("Deal", made["id"], kind="call", text="on the deal")
        s.add_activity("Line", line, kind="note", text="on the line")
        s.delete("Deal", made["id"])
        for name, record_id in (("Deal", made["id"]), ("Line", line)):
            with pytest.raises(NotFoundError):
                s.activities(name, record_id)
            with pytest.raises(NotFoundError):
                s.add_activity(name, record_id, kind="note", text="x")
        s.restore("Deal", made["id"])
        assert [a["text"] for a in s.activities("Deal", made["id"])] == ["on the deal"]
        assert [a["text"] for a in s.activities("Line", line)] == ["on the line"]
        s.delete("Deal", made["id"])
    purge_deleted(engine, tenant, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=16))
    from hulian.engine.system.tenant_tables import tenant_tables

    with engine.db.connect() as conn:
        table = tenant_tables(engine.dialect, tenant).activities
        assert conn.execute(table.select()).all() == []


def test_a_renamed_object_keeps_its_activities(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal")
    with engine.session(tenant, "rep") as s:
        s.add_activity("Deal", made["id"], kind="call", text="before the rename")
    docs = {k: v for k, v in DOCS.items() if k != "objects/Deal.json"}
    docs["objects/Opportunity.json"] = {**DOCS["objects/Deal.json"],
                                        "api_name": "Opportunity", "renamed_from": "Deal"}
    for key in ("objects/Line.json", "objects/Memo.json"):
        docs[key] = {**docs[key], "fields": [
            {**f, "target": "Opportunity"} if f.get("target") == "Deal" else f
            for f in docs[key]["fields"]]}
    for key in ("roles/rep.json", "roles/viewer.json", "roles/dealer.json"):
        objects = dict(docs[key]["objects"])
        objects["Opportunity"] = objects.pop("Deal")
        docs[key] = {**docs[key], "objects": objects}
    docs["apps/portal.json"] = {**docs["apps/portal.json"], "objects": ["Opportunity", "Line"]}
    engine.metadata(tenant).deploy(pack_of(docs))
    with engine.session(tenant, "rep") as s:
        (found,) = s.activities("Opportunity", made["id"])
    assert (found["object"], found["text"]) == ("Opportunity", "before the rename")


def test_a_read_only_session_lists_but_does_not_log(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal")
    with engine.session(tenant, "rep", readonly=True) as s:
        assert s.activities("Deal", made["id"]).records == []
        with pytest.raises(HulianError) as refused:
            s.add_activity("Deal", made["id"], kind="call", text="x")
        assert refused.value.code == "read_only_session"


def test_the_listing_itself_asks_the_database_for_the_readers_predicate(world):
    """Besides the check that the record is readable, the statement that lists activities
    joins the record with the reader's read predicate: on its own it lists nothing of a
    record the reader may not read."""
    from hulian.engine.records import activities
    from hulian.engine.records.recycle_bin import object_id
    from hulian.engine.security.visibility import READ

    engine, tenant = world
    a1s = deal(engine, tenant, "a1", "a1's")
    with engine.session(tenant, "a1") as s:
        s.add_activity("Deal", a1s["id"], kind="note", text="secret")
    for user, count in (("a2", 1), ("b1", 0), ("rep", 0), ("pm", 1)):
        with engine.session(tenant, user) as s:
            obj = s.schema.object("Deal")
            visible = s.visibility.predicate(obj, READ)
            query = activities.listing(s.schema, obj, object_id(s.schema, "Deal"), a1s["id"],
                                       [] if visible is None else [visible], None, 10)
            assert len(s._conn.execute(query).all()) == count, user
