"""The recycle bin (回收站) through the Python API, on both databases: what it lists, for
whom, in which order, and restoring from it (tenant of tests/integration/bin_world.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hulian.engine import ConflictError, NotFoundError, PermissionDenied, QueryError
from hulian.engine.records.recycle_bin import object_id
from hulian.engine.system.tenant_migrations import fill_recycle_bin
from hulian.engine.system.tenant_tables import tenant_tables
from tests.integration.bin_world import build, deal


@pytest.fixture
def world(engine, tenant):
    build(engine, tenant)
    return engine, tenant


def _bin(engine, tenant, user, object_name="Deal", **kwargs):
    with engine.session(tenant, user) as s:
        return s.recycle_bin(object_name, **kwargs)


def _names(page):
    return [entry["name"] for entry in page]


def test_a_deleted_record_is_listed_with_who_deleted_it_and_when(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Big", "10")
    before = dt.datetime.now(dt.UTC)
    with engine.session(tenant, "rep") as s:
        s.delete("Deal", made["id"])
        rep_id = s.user.id
    (entry,) = _bin(engine, tenant, "rep")
    assert set(entry) == {"id", "object", "name", "deleted_at", "deleted_by", "record"}
    assert (entry["id"], entry["object"], entry["name"], entry["deleted_by"]) == \
        (made["id"], "Deal", "Big", rep_id)
    assert before <= entry["deleted_at"] <= dt.datetime.now(dt.UTC)
    assert entry["record"]["is_deleted"] is True
    assert entry["record"]["amount"] == Decimal("100.00")
    assert entry["record"]["version"] == made["version"] + 1


def test_who_and_when_agree_with_the_outboxs_delete_change(world):
    from hulian.engine.changes import outbox

    engine, tenant = world
    made = deal(engine, tenant, "a1", "dealer's", "1")
    with engine.session(tenant, "a1") as s:
        s.delete("Deal", made["id"])
        user, enterprise = s.user.id, s.user.enterprise_id
    (entry,) = _bin(engine, tenant, "a1")
    with engine.db.connect() as conn:
        changes = outbox.read_after(conn, tenant, 0, limit=1000)
    (change,) = [c for c in changes if c.kind == "delete" and c.record_id == made["id"]]
    assert (change.user, change.enterprise, change.at) == (user, enterprise, entry["deleted_at"])
    assert entry["deleted_by"] == user


def test_newest_deletion_first_and_live_records_never(world):
    engine, tenant = world
    deals = [deal(engine, tenant, "rep", name) for name in ("first", "second", "third", "kept")]
    for made in deals[:3]:
        with engine.session(tenant, "rep") as s:
            s.delete("Deal", made["id"])
    assert _names(_bin(engine, tenant, "rep")) == ["third", "second", "first"]


def test_details_deleted_with_their_master_come_back_with_it(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Master", "10", "20")
    with engine.session(tenant, "rep") as s:
        s.delete("Deal", made["id"])
        assert s.recycle_bin("Line").records == []  # not listed on their own
        with pytest.raises(ConflictError) as blocked:
            s.restore("Line", made["line_ids"][0])
        assert blocked.value.code == "restore_blocked"
        restored = s.restore("Deal", made["id"])
        assert (restored["total"], restored["lines"]) == (Decimal("30.00"), Decimal(2))
        assert s.count("Line") == 2
        assert s.recycle_bin("Deal").records == []
        bin_table = tenant_tables(engine.dialect, tenant).recycle_bin
        assert s._conn.execute(sa.select(bin_table)).all() == []  # nothing left behind


def test_a_detail_deleted_before_its_master_stays_in_the_bin_after_the_masters_restore(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Master", "10", "20")
    alone, swept = made["line_ids"]
    with engine.session(tenant, "rep") as s:
        s.delete("Line", alone)
        assert _names(s.recycle_bin("Line")) == ["Master line 0"]
        s.delete("Deal", made["id"])
        assert _names(s.recycle_bin("Line")) == ["Master line 0"]
        s.restore("Deal", made["id"])
        assert [r["id"] for r in s.query("Line")] == [swept]
        assert _names(s.recycle_bin("Line")) == ["Master line 0"]
        assert s.restore("Line", alone)["is_deleted"] is False
        assert s.get("Deal", made["id"])["total"] == Decimal("30.00")
        assert s.recycle_bin("Line").records == []


def test_a_detail_left_deleted_by_its_masters_restore_is_listed_on_its_own(world):
    """A swept detail whose deletion time was overwritten (a set_null lookup of it cleared
    when another record was deleted) stays deleted when its master comes back: the bin
    lists it then, and it can be restored alone."""
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Master", "10")
    (line,) = made["line_ids"]
    with engine.session(tenant, "rep") as s:
        s.delete("Deal", made["id"])
        table = s.schema.object("Line").table
        s._conn.execute(table.update().where(table.c.id == line).values(
            updated_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)))
        s.restore("Deal", made["id"])
        assert s.count("Line") == 0
        assert [e["id"] for e in s.recycle_bin("Line")] == [line]
        s.restore("Line", line)
        assert s.get("Deal", made["id"])["total"] == Decimal("10.00")


def test_restore_from_the_bin_and_delete_again(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Twice")
    with engine.session(tenant, "rep") as s:
        s.delete("Deal", made["id"])
        entry = s.recycle_bin("Deal").records[0]
        s.restore("Deal", entry["id"])
        assert s.recycle_bin("Deal").records == []
        s.delete("Deal", made["id"])
        assert _names(s.recycle_bin("Deal")) == ["Twice"]


def test_the_bin_lists_what_the_user_may_restore(world):
    engine, tenant = world
    mine = deal(engine, tenant, "rep", "rep's")
    a1s = deal(engine, tenant, "a1", "a1's")
    a2s = deal(engine, tenant, "a2", "a2's")
    b1s = deal(engine, tenant, "b1", "b1's")
    for user, made in (("rep", mine), ("a1", a1s), ("a2", a2s), ("b1", b1s)):
        with engine.session(tenant, user) as s:
            s.delete("Deal", made["id"])
    assert _names(_bin(engine, tenant, "rep")) == ["rep's"]
    assert _names(_bin(engine, tenant, "rep2")) == []  # private: not theirs
    assert _names(_bin(engine, tenant, "pm")) == ["b1's", "a2's", "a1's"]  # owns them upstream
    assert _names(_bin(engine, tenant, "admin")) == ["b1's", "a2's", "a1's", "rep's"]
    # company_read reads a2's deal, but edits only one's own: only that can be restored
    assert _names(_bin(engine, tenant, "a1")) == ["a1's"]
    assert _names(_bin(engine, tenant, "b1")) == ["b1's"]
    with engine.session(tenant, "a1") as s:
        assert s.get("Deal", a2s["id"], include_deleted=True)["name"] == "a2's"
        with pytest.raises(PermissionDenied) as denied:
            s.restore("Deal", a2s["id"])
        assert denied.value.code == "edit_denied"
        with pytest.raises(NotFoundError):
            s.restore("Deal", b1s["id"])
    shared = deal(engine, tenant, "rep", "shared")
    with engine.session(tenant, "rep") as s:
        s.share("Deal", shared["id"], "rep2", access="edit")
        s.delete("Deal", shared["id"])
    assert _names(_bin(engine, tenant, "rep2")) == ["shared"]  # its edit team restores it


def test_the_bin_needs_the_delete_right(world):
    engine, tenant = world
    with engine.session(tenant, "viewer") as s:
        with pytest.raises(PermissionDenied) as denied:
            s.recycle_bin("Deal")
        assert denied.value.code == "action_denied"
    with engine.session(tenant, "outsider") as s, pytest.raises(PermissionDenied):
        s.recycle_bin("Deal")
    with engine.session(tenant, "b1") as s:
        with pytest.raises(NotFoundError) as missing:
            s.recycle_bin("Memo")  # no app opens it to interconnect users
        assert missing.value.code == "unknown_object"


def test_pages_follow_each_other_without_gaps(world):
    engine, tenant = world
    names = [f"d{i}" for i in range(5)]
    for name in names:
        made = deal(engine, tenant, "rep", name)
        with engine.session(tenant, "rep") as s:
            s.delete("Deal", made["id"])
    seen, after = [], None
    while True:
        page = _bin(engine, tenant, "rep", limit=2, after=after)
        seen += _names(page)
        after = page.next
        if after is None:
            break
    assert seen == names[::-1]
    with engine.session(tenant, "rep") as s:
        cursor = s.recycle_bin("Deal", limit=1).next
        for bad in (cursor + "x", "nonsense", cursor[:-3]):
            with pytest.raises(QueryError) as refused:
                s.recycle_bin("Deal", after=bad)
            assert refused.value.code == "invalid_cursor"
        with pytest.raises(QueryError) as refused:
            s.recycle_bin("Line", after=cursor)  # another object's
        assert refused.value.code == "invalid_cursor"
        for limit in (0, 1001, True, "5"):
            with pytest.raises(QueryError) as refused:
                s.recycle_bin("Deal", limit=limit)
            assert refused.value.code == "invalid_limit"


def test_hidden_fields_stay_hidden_in_the_bin(engine, tenant):
    from tests.integration.bin_world import DOCS
    from tests.packs import pack_of

    docs = {**DOCS, "roles/rep.json": {**DOCS["roles/rep.json"], "objects": {
        **DOCS["roles/rep.json"]["objects"],
        "Deal": {"create": True, "read": True, "edit": True, "delete": True,
                 "fields": {"amount": "hidden"}}}}}
    engine.metadata(tenant).deploy(pack_of(docs))
    engine.people(tenant).create_user("rep", roles=["rep"])
    with engine.session(tenant, "rep") as s:
        made = s.create("Deal", {"name": "Secret"})
        s.delete("Deal", made["id"])
        (entry,) = s.recycle_bin("Deal")
    assert "amount" not in entry["record"] and entry["record"]["name"] == "Secret"


def test_records_deleted_before_the_bin_existed_are_put_in_it(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Old")
    with engine.session(tenant, "rep") as s:
        s.delete("Deal", made["id"])
        deleted = s.get("Deal", made["id"], include_deleted=True)
        oid = object_id(s.schema, "Deal")
    bin_table = tenant_tables(engine.dialect, tenant).recycle_bin
    with engine.db.begin() as conn:
        conn.execute(bin_table.delete())
    assert _bin(engine, tenant, "rep").records == []
    with engine.db.begin() as conn:
        assert fill_recycle_bin(conn, tenant, bin_table) == 1
        assert fill_recycle_bin(conn, tenant, bin_table) == 0  # never twice
        row = conn.execute(sa.select(bin_table)).one()
    assert (row.object, row.record_id, row.deleted_at, row.root_id) == \
        (oid, made["id"], deleted["updated_at"], None)
    assert _names(_bin(engine, tenant, "rep")) == ["Old"]
