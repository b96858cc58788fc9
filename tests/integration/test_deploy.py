"""Deploying packs: dry runs, idempotence, additive changes, refused changes, atomicity."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
import sqlalchemy as sa

import hulian.engine.deploy.apply as apply_module
from hulian.engine import (
    DeployError,
    Engine,
    HulianError,
    MetadataError,
    NotFoundError,
    RecordValidationError,
    StorageError,
)
from hulian.engine.system.tenant_tables import tables_of
from tests.conftest import EXAMPLE_CRM
from tests.packs import documents, edit, field, label, obj, options, pack_of, write_pack

ACCOUNT = obj(
    "Account",
    field("name", "text"),
    field("code", "text", max_length=10),
    field("amount", "currency", precision=12, scale=2),
    field("stage", "picklist", options=options("a", "b")),
    field("legacy", "text"),
    field("parent", "lookup", target="Account"),
)
NOTE = obj("Note", field("name", "text"), field("account", "lookup", target="Account"))
V1 = documents(ACCOUNT, NOTE)


def tenant_tables(engine: Engine, tenant: str) -> set[str]:
    """The tenant's object tables (not its own system tables, ``hulian_*``)."""
    inspector = sa.inspect(engine.db)
    if engine.dialect == "postgresql":
        if f"t_{tenant}" not in inspector.get_schema_names():
            return set()
        names = set(inspector.get_table_names(schema=f"t_{tenant}"))
    else:
        prefix = f"{tenant}__"
        names = {t.removeprefix(prefix) for t in inspector.get_table_names()
                 if t.startswith(prefix)}
    return {n for n in names if not n.startswith("hulian_")}


def versions(engine: Engine, tenant: str) -> list[int]:
    with engine.db.connect() as conn:
        own = tables_of(conn, tenant).metadata_versions
        if not sa.inspect(conn).has_table(own.name, schema=own.schema):
            return []   # no such tenant
        return list(conn.scalars(sa.select(own.c.version).order_by(own.c.version)))


def assert_nothing_deployed(engine: Engine, tenant: str) -> None:
    assert tenant not in engine.tenants()
    assert versions(engine, tenant) == []
    with pytest.raises(NotFoundError) as exc, engine.session(tenant):
        pass
    assert exc.value.code == "unknown_tenant"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(engine.db, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(engine.db, "before_cursor_execute", listen)


DDL = re.compile(r"^\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)


# -- dry run, idempotence ------------------------------------------------------------------

def test_dry_run_of_a_first_deploy_changes_nothing(engine, tenant):
    report = engine.metadata(tenant).deploy(EXAMPLE_CRM, dry_run=True)
    assert report.dry_run and report.changed
    assert (report.version, report.previous_version) == (1, None)
    assert [s.action for s in report.steps] == ["create_schema"] + ["create_table"] * 6
    assert report.lines()[0] == f"tenant {tenant}: dry run, version 1 would be deployed"
    assert_nothing_deployed(engine, tenant)
    assert tenant_tables(engine, tenant) == set()
    real = engine.metadata(tenant).deploy(EXAMPLE_CRM)
    assert real.steps == report.steps
    assert tenant_tables(engine, tenant) == {"account", "contact", "opportunity", "order",
                                         "orderline", "product"}


def test_dry_run_on_a_deployed_tenant_changes_nothing(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    grown = documents(obj("Account", *ACCOUNT["fields"], field("extra", "text")), NOTE)
    report = engine.metadata(tenant).deploy(pack_of(grown), dry_run=True)
    assert [(s.action, s.field) for s in report.steps] == [("add_field", "extra")]
    assert (report.version, report.previous_version) == (2, 1)
    assert versions(engine, tenant) == [1]
    with engine.session(tenant) as s, pytest.raises(RecordValidationError) as exc:
        s.create("Account", {"name": "a", "extra": "x"})
    assert exc.value.errors[0].code == "unknown_field"


def test_deploying_the_same_pack_twice_changes_nothing(engine, tenant):
    first = engine.metadata(tenant).deploy(EXAMPLE_CRM)
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "kept"})
    with statements(engine) as seen:
        again = engine.metadata(tenant).deploy(EXAMPLE_CRM)
    assert not again.changed and again.steps == ()
    assert (again.version, again.previous_version) == (1, 1)
    assert again.lines() == [f"tenant {tenant}: no changes (version 1)"]
    assert again.to_dict()["changed"] is False
    assert not [s for s in seen if DDL.match(s)]
    assert versions(engine, tenant) == [1]
    assert first.version == 1
    with engine.session(tenant) as s:
        assert s.get("Account", record["id"])["name"] == "kept"


# -- additive changes ----------------------------------------------------------------------

def test_adding_fields_and_an_object_keeps_the_data(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    with engine.session(tenant) as s:
        old = s.create("Account", {"name": "old", "code": "C1", "amount": "12.5"})
        note = s.create("Note", {"name": "n", "account": old["id"]})
    v2 = documents(
        obj("Account", *ACCOUNT["fields"],
            field("email", "email", unique=True),
            field("vip", "boolean"),
            field("tier", "picklist", options=options("gold", "silver"), default="silver"),
            field("score", "number", precision=5, scale=1)),
        NOTE,
        obj("Task", field("name", "text"),
            field("account", "lookup", target="Account", on_delete="restrict"),
            field("number", "auto_number", format="TK-{000}")),
    )
    with statements(engine) as seen:
        report = engine.metadata(tenant).deploy(pack_of(v2))
    assert [(s.action, s.object, s.field) for s in report.steps] == [
        ("add_field", "Account", "email"), ("add_field", "Account", "vip"),
        ("add_field", "Account", "tier"), ("add_field", "Account", "score"),
        ("create_table", "Task", None)]
    assert (report.version, report.previous_version) == (2, 1)
    assert any(DDL.match(s) for s in seen)
    assert versions(engine, tenant) == [1, 2]
    with engine.session(tenant) as s:
        kept = s.get("Account", old["id"])
        assert (kept["name"], kept["code"], kept["amount"], kept["version"]) == (
            "old", "C1", Decimal("12.50"), 1)
        assert (kept["email"], kept["vip"], kept["tier"], kept["score"]) == (
            None, False, None, None)
        assert s.get("Note", note["id"])["account"] == old["id"]
        new = s.create("Account", {"name": "new", "email": "a@example.com", "vip": True,
                                   "score": "4.25"})
        assert (new["tier"], new["score"], new["vip"]) == ("silver", Decimal("4.3"), True)
        with pytest.raises(RecordValidationError) as exc:
            s.create("Account", {"name": "dup", "email": "a@example.com"})
        assert exc.value.errors[0].code == "duplicate_value"
        updated = s.update("Account", old["id"], {"email": "old@example.com"}, version=1)
        assert updated["version"] == 2
        task = s.create("Task", {"name": "t", "account": old["id"]})
        assert task["number"] == "TK-001"
        with pytest.raises(HulianError) as exc:
            s.delete("Account", old["id"])
        assert exc.value.code == "delete_restricted"
        assert s.count("Account", {"vip": False}) == 1


def test_another_engine_on_the_same_database_sees_a_new_version(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    other = Engine(engine.url, migrate=False)
    try:
        with other.session(tenant) as s:
            s.create("Account", {"name": "before"})
        grown = documents(obj("Account", *ACCOUNT["fields"], field("extra", "text")), NOTE)
        engine.metadata(tenant).deploy(pack_of(grown))
        with other.session(tenant) as s:
            assert s.create("Account", {"name": "after", "extra": "seen"})["extra"] == "seen"
            assert s.count("Account") == 2
    finally:
        other.close()


def test_required_field_cannot_be_added_to_an_object_with_records(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    required = documents(ACCOUNT, obj("Note", *NOTE["fields"],
                                      field("must", "text", required=True)))
    with engine.session(tenant) as s:
        s.create("Note", {"name": "exists"})
    preview = engine.metadata(tenant).deploy(pack_of(required), dry_run=True)
    assert not preview.ok
    [check] = preview.checks
    assert (check.object, check.field, check.failed, check.rows_checked) == ("Note", "must", 1, 1)
    with pytest.raises(DeployError) as exc:
        engine.metadata(tenant).deploy(pack_of(required))
    assert exc.value.code == "deploy_data_check_failed"
    assert exc.value.changes[0]["examples"][0]["problem"] == "blank"
    assert versions(engine, tenant) == [1]
    with engine.session(tenant) as s:
        assert s.count("Note") == 1


def test_required_field_can_be_added_to_an_empty_object(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    required = documents(ACCOUNT, obj("Note", *NOTE["fields"],
                                      field("must", "text", required=True)))
    engine.metadata(tenant).deploy(pack_of(required))
    with engine.session(tenant) as s, pytest.raises(RecordValidationError) as exc:
        s.create("Note", {"name": "n"})
    assert [(e.field, e.code) for e in exc.value.errors] == [("must", "required")]


# -- metadata-only changes -----------------------------------------------------------------

def test_label_and_option_changes_are_metadata_only(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "a", "stage": "b"})
    changed = edit(V1, "Account", "name", label=label("Company", "公司"))
    changed = edit(changed, "Account", "stage",
                   options=[*options("a"), *options("b", inactive=("b",)), *options("c")])
    changed = edit(changed, "Account", "amount", help=label("In yuan"), minimum=0)
    changed = edit(changed, "Note", label=label("Memo", "备忘"), description="notes")
    with statements(engine) as seen:
        report = engine.metadata(tenant).deploy(pack_of(changed))
    assert [(s.action, s.object, s.field) for s in report.steps] == [
        ("update_field", "Account", "name"), ("update_field", "Account", "amount"),
        ("update_field", "Account", "stage"), ("update_object", "Note", None)]
    assert all(s.action.startswith("update_") for s in report.steps)
    assert not [s for s in seen if DDL.match(s)], [s for s in seen if DDL.match(s)]
    assert versions(engine, tenant) == [1, 2]
    with engine.session(tenant) as s:
        described = s.describe("Account")
        name = next(f for f in described["fields"] if f["api_name"] == "name")
        assert name["label"] == {"zh": "公司", "en": "Company"}
        assert s.describe("Note")["label"]["en"] == "Memo"
        assert s.get("Account", record["id"])["stage"] == "b"  # deactivated, still stored
        assert s.create("Account", {"name": "c", "stage": "c"})["stage"] == "c"
        with pytest.raises(RecordValidationError) as exc:
            s.create("Account", {"name": "n", "amount": "-1"})
        assert exc.value.errors[0].code == "too_small"


# -- refused changes -----------------------------------------------------------------------

def test_unsupported_changes_are_all_listed_and_nothing_changes(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "a", "code": "C1", "amount": "1.50",
                                      "stage": "b", "legacy": "old"})
    changed = edit(V1, "Account", "amount", type="boolean", precision=None, scale=None)
    changed = edit(changed, "Account", "stage", options=options("a"))
    changed = edit(changed, "Account", "parent", target="Note")
    changed = edit(changed, "Account", "legacy", formula="name & 'x'")
    changed = edit(changed, "Account", name_field="code")
    tables = tenant_tables(engine, tenant)
    for dry_run in (True, False):
        with pytest.raises(DeployError) as exc:
            engine.metadata(tenant).deploy(pack_of(changed), dry_run=dry_run)
        assert exc.value.code == "deploy_change_unsupported"
        listed = [c["change"] for c in exc.value.changes]
        assert exc.value.details() == exc.value.changes
        assert len(listed) == 5, listed
        for words in (("amount", "currency", "boolean", "no conversion"),
                      ("stage", "'b'", "deactivate"), ("parent", "lookup", "Note"),
                      ("legacy", "formula"), ("name field", "'code'")):
            assert any(all(w in c for w in words) for c in listed), (words, listed)
        assert "5 way(s)" in exc.value.message
    assert versions(engine, tenant) == [1]
    assert tenant_tables(engine, tenant) == tables
    with engine.session(tenant) as s:
        kept = s.get("Account", record["id"])
        assert (kept["legacy"], kept["amount"], kept["stage"]) == ("old", Decimal("1.50"), "b")
        s.create("Note", {"name": "still there", "account": record["id"]})


def test_making_a_required_field_optional_is_allowed(engine, tenant):
    docs = edit(V1, "Account", "legacy", required=True)
    engine.metadata(tenant).deploy(pack_of(docs))
    report = engine.metadata(tenant).deploy(pack_of(V1))
    assert [(s.action, s.field) for s in report.steps] == [("update_field", "legacy")]
    with engine.session(tenant) as s:
        assert s.create("Account", {"name": "no legacy"})["legacy"] is None


# -- invalid metadata ----------------------------------------------------------------------

def test_invalid_metadata_lists_every_problem_and_deploys_nothing(engine, tenant, tmp_path):
    bad = documents(
        obj("Account", field("name", "text"),
            field("Bad Name", "text"),                                 # name.quote_char ...
            field("owner", "lookup", target="Nobody"),                 # lookup.unknown_target
            field("price", "currency", precision=4, scale=6),          # number.scale
            {"api_name": "stage", "type": "picklist", "label": {"en": "Stage"},
             "options": options("a")}),                                # label.missing_language
    )
    folder = write_pack(tmp_path / "bad", bad)
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(folder)
    assert [(p.code, p.pointer) for p in exc.value.problems] == [
        ("name.quote_char", "/fields/1/api_name"),
        ("lookup.unknown_target", "/fields/2/target"),
        ("number.scale", "/fields/3/scale"),
        ("label.missing_language", "/fields/4/label"),
    ]
    assert all(p.file.endswith("bad/objects/Account.json") for p in exc.value.problems)
    assert exc.value.code == "metadata_invalid"
    assert len(exc.value.details()) == 4
    assert_nothing_deployed(engine, tenant)
    with pytest.raises(MetadataError):
        engine.metadata(tenant).deploy(folder, dry_run=True)


def test_missing_pack_folder_is_a_metadata_error(engine, tenant, tmp_path):
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(tmp_path / "no-such-pack")
    assert exc.value.problems[0].code == "file.unreadable"
    assert_nothing_deployed(engine, tenant)


@pytest.mark.parametrize("bad", ["Acme", "1acme", "acme-corp", "a__b", "a" * 31, "", "acme_",
                                 "acme\n", "acme; DROP SCHEMA public"])
def test_invalid_tenant_names_are_refused(engine, bad):
    with pytest.raises(HulianError) as exc:
        engine.metadata(bad).deploy(EXAMPLE_CRM)
    assert exc.value.code == "invalid_tenant"


# -- atomicity -----------------------------------------------------------------------------

def _occupy(engine: Engine, tenant: str, table: str) -> None:
    """Create a stray table where the deploy wants to create one of its own."""
    with engine.db.begin() as conn:
        if engine.dialect == "postgresql":
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "t_{tenant}"'))
            conn.execute(sa.text(f'CREATE TABLE "t_{tenant}"."{table}" (x integer)'))
        else:
            conn.execute(sa.text(f'CREATE TABLE "{tenant}__{table}" (x integer)'))


def test_a_first_deploy_that_fails_midway_leaves_nothing(engine, tenant):
    _occupy(engine, tenant, "product")     # the 4th table of the pack cannot be created
    with pytest.raises(StorageError) as exc:
        engine.metadata(tenant).deploy(EXAMPLE_CRM)
    assert "product" in exc.value.statement.lower()
    assert_nothing_deployed(engine, tenant)
    assert tenant_tables(engine, tenant) == {"product"}   # only the stray table


def test_a_deploy_that_fails_after_its_first_step_leaves_nothing(engine, tenant, monkeypatch):
    def fail_after_first_table(index, step):
        if step.action == "create_table":
            raise StorageError("simulated failure after the first table")

    monkeypatch.setattr(apply_module, "after_step", fail_after_first_table)
    with pytest.raises(StorageError):
        engine.metadata(tenant).deploy(EXAMPLE_CRM)
    assert_nothing_deployed(engine, tenant)
    assert tenant_tables(engine, tenant) == set()
    monkeypatch.undo()
    engine.metadata(tenant).deploy(EXAMPLE_CRM)
    with engine.session(tenant) as s:
        assert s.create("Account", {"name": "works"})["account_number"] == "AC-000001"


def test_a_failed_upgrade_keeps_the_old_version_and_its_data(engine, tenant, monkeypatch):
    engine.metadata(tenant).deploy(pack_of(V1))
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "precious"})
    v2 = documents(obj("Account", *ACCOUNT["fields"], field("extra", "text")), NOTE,
                   obj("Task", field("name", "text")), obj("Visit", field("name", "text")))
    _occupy(engine, tenant, "visit")      # the second new table cannot be created
    with pytest.raises(StorageError):
        engine.metadata(tenant).deploy(pack_of(v2))
    assert versions(engine, tenant) == [1]
    assert tenant_tables(engine, tenant) == {"account", "note", "visit"}
    with engine.session(tenant) as s:
        assert s.get("Account", record["id"])["name"] == "precious"
        with pytest.raises(RecordValidationError):
            s.create("Account", {"name": "x", "extra": "not yet"})
        with pytest.raises(NotFoundError):
            s.create("Task", {"name": "not yet"})
        s.create("Account", {"name": "still writable"})
