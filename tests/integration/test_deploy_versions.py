"""Versions over time: history, diff, rollback and purge, through the engine and the CLI."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from hulian.engine import NotFoundError
from hulian.runtime.cli import main
from tests.packs import documents, edit, field, obj, pack_of, write_pack

V1 = documents(obj("Lead", field("name", "text"), field("city", "text", max_length=30),
                   field("score", "number"), field("seq", "auto_number", format="L-{000}")))
FIELDS = V1["objects/Lead.json"]["fields"]
V2 = documents(obj("Lead", FIELDS[0],
                   {**FIELDS[1], "api_name": "town", "renamed_from": "city"},
                   {**FIELDS[3]},
                   field("stage", "text")))                      # score removed, stage added


def _columns(engine, tenant, table="lead"):
    schema = f"t_{tenant}" if engine.dialect == "postgresql" else None
    name = table if engine.dialect == "postgresql" else f"{tenant}__{table}"
    return {c["name"] for c in sa.inspect(engine.db).get_columns(name, schema=schema)}


@pytest.fixture
def leads(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    with engine.session(tenant) as s:
        rows = [s.create("Lead", {"name": n, "city": c, "score": sc})
                for n, c, sc in (("a", "Hangzhou", 3), ("b", "Xi'an", None))]
    engine.metadata(tenant).deploy(pack_of(V2))
    with engine.session(tenant) as s:
        s.create("Lead", {"name": "c", "town": "Wuhan", "stage": "new"})
    return rows


def test_rollback_undoes_renames_and_restores_archives(engine, tenant, leads):
    report = engine.metadata(tenant).rollback(1)
    assert report.version == 3 and report.notes == ("rollback to version 1",)
    assert sorted(s.action for s in report.steps) == ["archive_field", "rename_field",
                                                      "restore_field"]
    with engine.session(tenant) as s:
        rows = {r["name"]: r for r in s.query("Lead").records}
        assert (rows["a"]["city"], rows["a"]["score"], rows["a"]["seq"]) == ("Hangzhou", 3, "L-001")
        assert rows["c"]["city"] == "Wuhan" and "stage" not in rows["c"]
        assert s.create("Lead", {"name": "d"})["seq"] == "L-004"  # the counter followed
    # and forward again: stage comes back with its value
    forward = engine.metadata(tenant).rollback(2)
    assert "restore_field" in [s.action for s in forward.steps]
    with engine.session(tenant) as s:
        assert s.query("Lead", where={"name": "c"}).records[0]["stage"] == "new"
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1, 2, 3, 4]


def test_rollback_dry_run_and_unknown_version(engine, tenant, leads):
    preview = engine.metadata(tenant).rollback(1, dry_run=True)
    assert preview.dry_run and preview.ok
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1, 2]
    with pytest.raises(NotFoundError) as exc:
        engine.metadata(tenant).rollback(9)
    assert exc.value.code == "unknown_version" and "1 to 2" in exc.value.hint


def test_diff_between_versions_and_a_folder(engine, tenant, leads, tmp_path):
    forward = engine.metadata(tenant).diff(1, 2)
    assert [(s.action, s.field) for s in forward.steps] == [
        ("archive_field", "score"), ("rename_field", "town"), ("add_field", "stage")]
    assert engine.metadata(tenant).diff(2).steps == ()            # 2 is the newest
    folder = write_pack(tmp_path / "next", edit(V2, "Lead", "stage", type="boolean"))
    changed = engine.metadata(tenant).diff(2, str(folder))
    assert changed.steps == () and "stage" in changed.refused[0]
    assert any("[refused]" in line for line in changed.lines())


def test_purge_drops_archives_for_good(engine, tenant, leads):
    [archived] = engine.metadata(tenant).archived()
    assert (archived.name, archived.type, archived.archived_version) == ("Lead.score",
                                                                         "number", 2)
    assert archived.storage in _columns(engine, tenant)
    assert engine.metadata(tenant).purge(dry_run=True) == [archived]
    assert archived.storage in _columns(engine, tenant)
    with pytest.raises(NotFoundError):
        engine.metadata(tenant).purge(["Lead.nothing"])
    assert engine.metadata(tenant).purge(["Lead.score"]) == [archived]
    assert archived.storage not in _columns(engine, tenant)
    assert engine.metadata(tenant).archived() == []
    history = engine.metadata(tenant).history()
    assert history[-1]["steps"][0]["action"] == "purge_field"
    engine.metadata(tenant).deploy(pack_of(edit(V2, "Lead", "stage", max_length=100)))
    # score's values are gone: a fresh, empty field
    back = engine.metadata(tenant).rollback(1)
    assert "add_field" in [s.action for s in back.steps]
    with engine.session(tenant) as s:
        assert {r["score"] for r in s.query("Lead").records} == {None}


def test_purge_an_archived_object(engine, tenant, leads):
    engine.metadata(tenant).deploy(pack_of(documents(obj("Other", field("name", "text")))))
    names = {a.name for a in engine.metadata(tenant).archived()}
    assert names == {"Lead", "Lead.score"}
    dropped = engine.metadata(tenant).purge()
    assert {a.name for a in dropped} == {"Lead", "Lead.score"}
    report = engine.metadata(tenant).deploy(pack_of(V2))   # a fresh Lead table
    assert [(s.action, s.object) for s in report.steps] == [("archive_object", "Other"),
                                                          ("create_table", "Lead")]
    with engine.session(tenant) as s:
        assert s.count("Lead") == 0


def test_cli_diff_rollback_purge(engine, tenant, leads, capsys):
    db = ["--db", engine.url, "--tenant", tenant]
    assert main(["diff", "1", "2", *db]) == 0
    out = capsys.readouterr().out
    assert "3 change(s)" in out and "[destructive] archive field Lead.score" in out
    assert main(["rollback", "--to", "1", "--dry-run", *db]) == 0
    assert "dry run, version 3 would be deployed" in capsys.readouterr().out
    assert main(["purge", "--list", *db]) == 0
    assert "Lead.score field (number), archived in version 2" in capsys.readouterr().out
    assert main(["purge", "Lead.score", *db]) == 0
    assert "add --yes" in capsys.readouterr().out
    assert main(["purge", "Lead.score", "--yes", "--format", "json", *db]) == 0
    assert json.loads(capsys.readouterr().out)["dropped"][0]["name"] == "Lead.score"
    assert main(["history", *db]) == 0
    assert "[destructive] drop archived Lead.score" in capsys.readouterr().out


def test_cli_dry_run_exit_code_and_refusal_lines(engine, tenant, leads, tmp_path, capsys):
    db = ["--db", engine.url, "--tenant", tenant]
    folder = write_pack(tmp_path / "p", edit(V2, "Lead", "town", max_length=3))
    assert main(["deploy", str(folder), "--dry-run", *db]) == 1
    out = capsys.readouterr().out
    assert "would be REFUSED" in out and "FAILED for 3 of 3" in out
    assert main(["deploy", str(folder), *db]) == 1
    err = capsys.readouterr().err
    assert "deploy_data_check_failed" in err and "'Hangzhou'" in err
