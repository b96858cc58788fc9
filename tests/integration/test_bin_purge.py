"""Emptying the recycle bin (``purge_deleted``, ``hulian purge-deleted``), on both
databases: what goes (records, their details, activities, team rows, bin rows), what
stays (recent deletions, live records, roll-ups, counts, the outbox's record changes)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hulian.engine import Engine, HulianError, NotFoundError, purge_deleted
from hulian.engine.changes import outbox
from hulian.engine.records import bin_purge
from hulian.engine.system.tenant_tables import tenant_tables
from hulian.runtime.cli import main
from tests.integration.bin_world import build, deal

LATER = dt.timedelta(days=16)


@pytest.fixture
def world(engine, tenant):
    build(engine, tenant)
    return engine, tenant


def _rows(engine, tenant, table_name):
    table = getattr(tenant_tables(engine.dialect, tenant), table_name)
    with engine.db.connect() as conn:
        return conn.execute(sa.select(table)).all()


def _all_ids(engine, tenant, object_name):
    with engine.session(tenant) as s:
        return {r["id"] for r in s.query(object_name, include_deleted=True, limit=1000)}


def test_purge_deletes_old_deletions_with_their_details_activities_and_teams(world):
    engine, tenant = world
    gone = deal(engine, tenant, "rep", "gone", "10", "20")
    kept = deal(engine, tenant, "rep", "kept", "5", "7")
    with engine.session(tenant, "rep") as s:
        s.add_activity("Deal", gone["id"], kind="call", text="about the deal")
        s.add_activity("Line", gone["line_ids"][0], kind="note", text="about a line")
        s.add_activity("Deal", kept["id"], kind="visit", text="stays")
        s.share("Deal", gone["id"], "rep2")
        s.share("Deal", kept["id"], "rep2")
        memo = s.create("Memo", {"name": "memo", "deal": gone["id"]})
        s.delete("Line", kept["line_ids"][1])  # a line deleted on its own: purged too
        s.delete("Deal", gone["id"])
        assert s.get("Memo", memo["id"])["deal"] is None  # set_null at delete time
    report = purge_deleted(engine, tenant, now=dt.datetime.now(dt.UTC) + LATER)
    assert (report.records, report.activities, report.team_rows) == \
        ({"Deal": 1, "Line": 3}, 2, 1)
    assert report.total == 4 and not report.dry_run
    assert _all_ids(engine, tenant, "Deal") == {kept["id"]}
    assert _all_ids(engine, tenant, "Line") == {kept["line_ids"][0]}
    assert [r.text for r in _rows(engine, tenant, "activities")] == ["stays"]
    assert [r.record_id for r in _rows(engine, tenant, "record_teams")] == [kept["id"]]
    assert _rows(engine, tenant, "recycle_bin") == []
    with engine.session(tenant, "rep") as s:
        assert s.count("Deal") == 1 and s.count("Line", include_deleted=True) == 1
        live = s.get("Deal", kept["id"])
        assert (live["total"], live["lines"]) == (Decimal("5.00"), Decimal(1))
        assert s.get("Memo", memo["id"])["name"] == "memo"
        with pytest.raises(NotFoundError):
            s.restore("Deal", gone["id"])
        with pytest.raises(NotFoundError):
            s.get("Deal", gone["id"], include_deleted=True)
    assert engine.metadata(tenant).recalc("Deal") == 1
    with engine.session(tenant) as s:
        again = s.get("Deal", kept["id"])
    assert (again["total"], again["lines"]) == (live["total"], live["lines"])


def test_recent_deletions_stay_until_their_time(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "recent", "1")
    with engine.session(tenant, "rep") as s:
        s.delete("Deal", made["id"])
    deleted_at = _rows(engine, tenant, "recycle_bin")[0].deleted_at
    assert purge_deleted(engine, tenant).total == 0  # 15 days by default
    boundary = deleted_at + dt.timedelta(days=15)
    assert purge_deleted(engine, tenant, now=boundary).total == 0  # not more than 15 days
    assert purge_deleted(engine, tenant, now=boundary, older_than_days=16).total == 0
    report = purge_deleted(engine, tenant, now=boundary + dt.timedelta(microseconds=1))
    assert report.records == {"Deal": 1, "Line": 1}
    assert report.cutoff == deleted_at + dt.timedelta(microseconds=1)


def test_zero_days_purges_every_deletion_and_the_engine_keeps_its_own_default(world, db_url):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "now")
    with engine.session(tenant, "rep") as s:
        s.delete("Deal", made["id"])
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    with Engine(db_url, migrate=False, recycle_bin_days=2) as short:
        assert purge_deleted(short, tenant, now=later, dry_run=True).records == {"Deal": 1}
    assert purge_deleted(engine, tenant, now=later).total == 0
    assert purge_deleted(engine, tenant, older_than_days=0).records == {"Deal": 1}


def test_a_dry_run_counts_and_changes_nothing(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "counted", "1", "2")
    with engine.session(tenant, "rep") as s:
        s.add_activity("Line", made["line_ids"][0], kind="call", text="x")
        s.share("Deal", made["id"], "rep2", access="edit")
        s.delete("Deal", made["id"])
    later = dt.datetime.now(dt.UTC) + LATER
    dry = purge_deleted(engine, tenant, now=later, dry_run=True)
    assert (dry.records, dry.activities, dry.team_rows, dry.dry_run) == \
        ({"Deal": 1, "Line": 2}, 1, 1, True)
    assert len(_rows(engine, tenant, "recycle_bin")) == 3
    assert len(_all_ids(engine, tenant, "Line")) == 2
    done = purge_deleted(engine, tenant, now=later)
    assert (done.records, done.activities, done.team_rows) == \
        (dry.records, dry.activities, dry.team_rows)


def test_the_outbox_keeps_the_record_changes_of_purged_records(world):
    engine, tenant = world
    with engine.db.connect() as conn:
        start = outbox.last_id(conn, tenant)
    made = deal(engine, tenant, "rep", "traced", "1")
    with engine.session(tenant, "rep") as s:
        s.update("Deal", made["id"], {"name": "traced again"})
        s.delete("Deal", made["id"])
    with engine.db.connect() as conn:
        before = outbox.read_after(conn, tenant, start, limit=100)
    assert ("delete", made["id"]) in [(c.kind, c.record_id) for c in before]
    assert ("delete", made["line_ids"][0]) in [(c.kind, c.record_id) for c in before]
    purge_deleted(engine, tenant, now=dt.datetime.now(dt.UTC) + LATER)
    assert _all_ids(engine, tenant, "Deal") == set()
    with engine.db.connect() as conn:
        after = outbox.read_after(conn, tenant, start, limit=100)
        assert outbox.last_id(conn, tenant) == before[-1].id  # a purge records no change
    assert after == before


def test_on_a_connection_the_purge_is_the_callers_transaction(world):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "rolled back", "1")
    with engine.session(tenant, "rep") as s:
        s.delete("Deal", made["id"])
    later = dt.datetime.now(dt.UTC) + LATER

    class Undo(Exception):
        pass

    with pytest.raises(Undo), engine.db.begin() as conn:
        assert purge_deleted(conn, tenant, later).records == {"Deal": 1, "Line": 1}
        raise Undo
    assert _all_ids(engine, tenant, "Deal") == {made["id"]}
    with engine.db.begin() as conn:
        assert purge_deleted(conn, tenant, later, dry_run=True).total == 2
        assert purge_deleted(conn, tenant, later).total == 2
    assert _all_ids(engine, tenant, "Deal") == set()


def test_batches_purge_everything_and_keep_details_with_their_master(world, monkeypatch):
    engine, tenant = world
    deals = [deal(engine, tenant, "rep", f"d{i}", "1", "2") for i in range(5)]
    with engine.session(tenant, "rep") as s:
        for made in deals:
            s.delete("Deal", made["id"])
    monkeypatch.setattr(bin_purge, "BATCH", 2)
    monkeypatch.setattr("hulian.engine.recycle.BATCH", 2)
    taken = []
    real = bin_purge.purge_batch

    def counted(conn, schema, cutoff, batch=bin_purge.BATCH):
        report, roots = real(conn, schema, cutoff, batch)
        taken.append((roots, report.records.get("Line", 0)))
        return report, roots

    monkeypatch.setattr("hulian.engine.recycle.purge_batch", counted)
    report = purge_deleted(engine, tenant, now=dt.datetime.now(dt.UTC) + LATER)
    assert report.records == {"Deal": 5, "Line": 10}
    assert taken == [(2, 4), (2, 4), (1, 2)]


def test_a_tenant_with_nothing_deployed_has_nothing_to_purge(engine, tenant):
    from hulian.engine.system.people import ensure_tenant

    with engine.db.begin() as conn:
        ensure_tenant(conn, tenant)
    assert purge_deleted(engine, tenant).total == 0
    with engine.db.begin() as conn:
        assert purge_deleted(conn, tenant).total == 0
    with pytest.raises(NotFoundError) as missing:
        purge_deleted(engine, tenant + "x")
    assert missing.value.code == "unknown_tenant"


@pytest.mark.parametrize("days", [-1, 1.5, "15", True, None, 36501])
def test_a_retention_that_is_not_a_number_of_days_is_refused(world, days, db_url):
    engine, tenant = world
    if days is None:  # the engine's own
        with pytest.raises(HulianError) as refused:
            Engine(db_url, migrate=False, recycle_bin_days=-3)
    else:
        with pytest.raises(HulianError) as refused:
            purge_deleted(engine, tenant, older_than_days=days)
    assert refused.value.code == "invalid_retention"
    with pytest.raises(HulianError) as naive:
        purge_deleted(engine, tenant, now=dt.datetime(2024, 1, 1))
    assert naive.value.code == "invalid_retention"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_purges_and_says_what(world, db_url, capsys):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "cli", "1", "2")
    with engine.session(tenant, "rep") as s:
        s.add_activity("Deal", made["id"], kind="note", text="n")
        s.delete("Deal", made["id"])
    code, out, _ = run(capsys, "purge-deleted", "--db", db_url, "--tenant", tenant)
    assert code == 0 and out.startswith(f"tenant {tenant}: no record deleted before ")
    code, out, _ = run(capsys, "purge-deleted", "--db", db_url, "--tenant", tenant,
                       "--older-than", "0", "--dry-run")
    assert code == 0
    assert out.splitlines()[0].startswith(f"tenant {tenant}: would purge 3 record(s) deleted "
                                          "before ")
    assert "  Deal: 1\n  Line: 2\n  with 1 activity and 0 related team row(s)\n" in out
    assert "nothing purged" in out
    code, out, _ = run(capsys, "purge-deleted", "--db", db_url, "--tenant", tenant,
                       "--older-than", "0", "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert (found["records"], found["total"], found["activities"], found["dry_run"]) == \
        ({"Deal": 1, "Line": 2}, 3, 1, False)
    assert _all_ids(engine, tenant, "Deal") == set()
    code, _, err = run(capsys, "purge-deleted", "--db", db_url, "--tenant", tenant,
                       "--older-than", "-2")
    assert code == 1 and "error: invalid_retention:" in err


def test_an_archived_objects_deletions_wait_until_hulian_purge_drops_them(world):
    from tests.integration.bin_world import DOCS
    from tests.packs import pack_of

    engine, tenant = world
    with engine.session(tenant, "rep") as s:
        memo = s.create("Memo", {"name": "memo"})
        kept = s.create("Memo", {"name": "kept"})
        s.add_activity("Memo", memo["id"], kind="note", text="on the memo")
        s.add_activity("Memo", kept["id"], kind="note", text="on the kept memo")
        s.delete("Memo", memo["id"])
    docs = {k: v for k, v in DOCS.items() if k != "objects/Memo.json"}
    for key in ("roles/rep.json", "roles/dealer.json"):
        docs[key] = {**docs[key], "objects": {k: v for k, v in docs[key]["objects"].items()
                                              if k != "Memo"}}
    engine.metadata(tenant).deploy(pack_of(docs))  # Memo is archived
    later = dt.datetime.now(dt.UTC) + LATER
    assert purge_deleted(engine, tenant, now=later).total == 0
    assert len(_rows(engine, tenant, "recycle_bin")) == 1
    assert len(_rows(engine, tenant, "activities")) == 2
    engine.metadata(tenant).purge(["Memo"])
    assert _rows(engine, tenant, "recycle_bin") == []
    assert _rows(engine, tenant, "activities") == []
