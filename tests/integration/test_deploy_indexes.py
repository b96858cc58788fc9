"""Field indexes (``"indexed": true``) and missing system indexes, deployed on both databases.

Every test looks at the real indexes (``sa.inspect(...).get_indexes``), not at the plan
alone: an index must exist exactly when the metadata asks for it, under hulian's name,
once per column, and go when it is no longer asked for.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from hulian.engine import Engine
from hulian.engine.schema.naming import short_name, table_name, tenant_schema
from hulian.runtime.cli import main
from tests.conftest import EXAMPLE_CRM
from tests.integration.test_deploy_atomic import (
    InjectedFailure,
    assert_same_state,
    fail_after,
    tenant_state,
)
from tests.packs import documents, edit, field, label, obj, pack_of, write_pack

ITEM = obj("Item", field("name", "text"),
           field("amount", "currency", precision=12, scale=2),
           field("code", "text", max_length=20),
           field("day", "date"),
           field("parent", "lookup", target="Item"),
           field("note", "textarea"))
V1 = documents(ITEM)
AMOUNTS = ["30.00", "10.00", None, "20.00", "10.00"]


# -- helpers --------------------------------------------------------------------------------

def table_of(engine: Engine, tenant: str, obj_name: str = "Item") -> tuple[str, str | None]:
    return (table_name(engine.dialect, tenant, obj_name),
            tenant_schema(engine.dialect, tenant))


def indexes(engine: Engine, tenant: str, obj_name: str = "Item") -> dict[str, tuple[Any, bool]]:
    """Index name -> (column names, unique) of the object's live table."""
    table, schema = table_of(engine, tenant, obj_name)
    return {i["name"]: (tuple(i["column_names"]), bool(i["unique"]))
            for i in sa.inspect(engine.db).get_indexes(table, schema=schema)}


def ix(engine: Engine, tenant: str, column: str, obj_name: str = "Item") -> str:
    return short_name("ix", table_of(engine, tenant, obj_name)[0], column)


def on_column(engine: Engine, tenant: str, column: str) -> list[tuple[str, bool]]:
    """(name, unique) of every index on exactly ``column``."""
    return sorted((name, unique) for name, (columns, unique) in
                  indexes(engine, tenant).items() if columns == (column,))


def actions(report: Any) -> list[tuple[str, str | None]]:
    return [(s.action, s.field) for s in report.steps]


def write_items(engine: Engine, tenant: str) -> list[str]:
    with engine.session(tenant) as s:
        return [s.create("Item", {"name": f"i{n}", "amount": amount, "code": f"c{n}",
                                  "day": f"2024-01-0{n + 1}"})["id"]
                for n, amount in enumerate(AMOUNTS)]


def sorted_by(engine: Engine, tenant: str, order: str = "amount") -> list[tuple[str, Any]]:
    with engine.session(tenant) as s:
        return [(r["id"], r[order]) for r in s.query("Item", order_by=[order, "id"], limit=50)]


def drop_index_by_hand(engine: Engine, tenant: str, name: str) -> None:
    schema = tenant_schema(engine.dialect, tenant)
    quote = engine.db.dialect.identifier_preparer.quote
    with engine.db.begin() as conn:
        conn.execute(sa.text(f"DROP INDEX {quote(schema) + '.' if schema else ''}{quote(name)}"))


# -- the index follows the metadata ---------------------------------------------------------

def test_an_indexed_field_gets_one_plain_index(engine, tenant):
    docs = documents(obj("Item", field("name", "text", indexed=True),
                         field("amount", "currency", indexed=True),
                         field("code", "text", unique=True, indexed=True),
                         field("parent", "lookup", target="Item", indexed=True),
                         field("flag", "boolean", indexed=True),
                         field("note", "textarea")))
    engine.metadata(tenant).deploy(pack_of(docs))
    assert on_column(engine, tenant, "amount") == [(ix(engine, tenant, "amount"), False)]
    assert on_column(engine, tenant, "flag") == [(ix(engine, tenant, "flag"), False)]
    # indexed for another reason already: still one index, of that kind
    assert on_column(engine, tenant, "name") == [(ix(engine, tenant, "name"), False)]
    assert on_column(engine, tenant, "parent") == [(ix(engine, tenant, "parent"), False)]
    assert [unique for _, unique in on_column(engine, tenant, "code")] == [True]
    assert on_column(engine, tenant, "note") == []


def test_turning_indexed_on_then_off(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    ids = write_items(engine, tenant)
    before = sorted_by(engine, tenant)
    assert on_column(engine, tenant, "amount") == []

    on = engine.metadata(tenant).deploy(pack_of(edit(V1, "Item", "amount", indexed=True)))
    assert actions(on) == [("create_index", "amount")]
    assert on.steps[0].kind == "safe" and "Item.amount" in on.steps[0].description
    assert on_column(engine, tenant, "amount") == [(ix(engine, tenant, "amount"), False)]
    assert sorted_by(engine, tenant) == before
    assert {i for i, _ in before} == set(ids)

    off = engine.metadata(tenant).deploy(pack_of(V1))
    assert actions(off) == [("drop_index", "amount")]
    assert "no longer indexed" in off.steps[0].description
    assert on_column(engine, tenant, "amount") == []
    assert sorted_by(engine, tenant) == before
    assert engine.metadata(tenant).deploy(pack_of(V1)).steps == ()


def test_a_sorted_query_on_the_indexed_field_returns_the_same_records(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    write_items(engine, tenant)
    before = {o: sorted_by(engine, tenant, o) for o in ("amount", "day", "code")}
    with engine.session(tenant) as s:
        filtered = sorted(r["id"] for r in s.query("Item", filter="amount = 10"))
    indexed = edit(edit(edit(V1, "Item", "amount", indexed=True), "Item", "day", indexed=True),
                   "Item", "code", indexed=True)
    engine.metadata(tenant).deploy(pack_of(indexed))
    assert {o: sorted_by(engine, tenant, o) for o in before} == before
    with engine.session(tenant) as s:
        assert sorted(r["id"] for r in s.query("Item", filter="amount = 10")) == filtered
        assert len(filtered) == 2
        pages, after = [], None
        while True:  # keyset paging along the indexed column
            page = s.query("Item", order_by=["amount", "id"], limit=2, after=after)
            pages += [(r["id"], r["amount"]) for r in page.records]
            if page.next is None:
                break
            after = page.next
    assert pages == before["amount"]


def test_indexed_on_an_already_indexed_field_changes_only_the_metadata(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    before = indexes(engine, tenant)
    for name in ("parent", "name"):
        report = engine.metadata(tenant).deploy(pack_of(edit(V1, "Item", name, indexed=True)))
        assert actions(report) == [("update_field", name)]
        assert indexes(engine, tenant) == before
        engine.metadata(tenant).deploy(pack_of(V1))
        assert indexes(engine, tenant) == before


def test_dry_run_lists_the_index_steps_and_changes_nothing(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    write_items(engine, tenant)
    state = tenant_state(engine, tenant)
    grown = edit(documents(obj("Item", *ITEM["fields"], field("rank", "number", indexed=True))),
                 "Item", "amount", indexed=True)
    report = engine.metadata(tenant).deploy(pack_of(grown), dry_run=True)
    assert report.dry_run and report.ok
    assert actions(report) == [("create_index", "amount"), ("add_field", "rank"),
                               ("create_index", "rank")]
    assert any("create an index on Item.rank" in line for line in report.lines())
    assert_same_state(state, tenant_state(engine, tenant))


def test_an_indexed_field_added_later_gets_column_and_index(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    write_items(engine, tenant)
    grown = documents(obj("Item", *ITEM["fields"], field("rank", "number", indexed=True)))
    report = engine.metadata(tenant).deploy(pack_of(grown))
    assert actions(report) == [("add_field", "rank"), ("create_index", "rank")]
    assert on_column(engine, tenant, "rank") == [(ix(engine, tenant, "rank"), False)]
    with engine.session(tenant) as s:
        assert s.count("Item") == len(AMOUNTS)


def test_unique_and_indexed_swap_their_index(engine, tenant):
    indexed = edit(V1, "Item", "code", indexed=True)
    engine.metadata(tenant).deploy(pack_of(indexed))
    write_items(engine, tenant)
    unique = engine.metadata(tenant).deploy(pack_of(edit(indexed, "Item", "code", unique=True)))
    assert actions(unique) == [("make_unique", "code"), ("drop_index", "code")]
    assert on_column(engine, tenant, "code") == [
        (short_name("ux", table_of(engine, tenant)[0], "code"), True)]
    back = engine.metadata(tenant).deploy(pack_of(indexed))
    assert actions(back) == [("drop_unique", "code"), ("create_index", "code")]
    assert on_column(engine, tenant, "code") == [(ix(engine, tenant, "code"), False)]


# -- renames, archives, restores ------------------------------------------------------------

def test_a_renamed_indexed_field_keeps_a_working_index(engine, tenant):
    indexed = edit(V1, "Item", "amount", indexed=True)
    engine.metadata(tenant).deploy(pack_of(indexed))
    write_items(engine, tenant)
    before = [(i, v) for i, v in sorted_by(engine, tenant)]
    renamed = edit(indexed, "Item", "amount", api_name="total", renamed_from="amount")
    report = engine.metadata(tenant).deploy(pack_of(renamed))
    assert actions(report) == [("rename_field", "total")]
    assert on_column(engine, tenant, "total") == [(ix(engine, tenant, "total"), False)]
    assert ix(engine, tenant, "amount") not in indexes(engine, tenant)
    assert sorted_by(engine, tenant, "total") == before
    off = engine.metadata(tenant).deploy(pack_of(edit(renamed, "Item", "total", indexed=None)))
    assert actions(off) == [("drop_index", "total")]
    assert on_column(engine, tenant, "total") == []


def test_archiving_drops_the_index_and_restoring_brings_it_back(engine, tenant):
    indexed = edit(V1, "Item", "amount", indexed=True)
    engine.metadata(tenant).deploy(pack_of(indexed))
    write_items(engine, tenant)
    before = sorted_by(engine, tenant)
    without = documents(obj("Item", *[f for f in ITEM["fields"] if f["api_name"] != "amount"]))
    archived = engine.metadata(tenant).deploy(pack_of(without))
    assert actions(archived) == [("archive_field", "amount")]
    assert "its index is dropped" in archived.steps[0].description
    assert not any("amount" in name or any(c.startswith("arch__") for c in columns)
                   for name, (columns, _) in indexes(engine, tenant).items())
    restored = engine.metadata(tenant).deploy(pack_of(indexed))
    assert actions(restored) == [("restore_field", "amount"), ("create_index", "amount")]
    assert on_column(engine, tenant, "amount") == [(ix(engine, tenant, "amount"), False)]
    assert sorted_by(engine, tenant) == before


def test_restoring_a_field_without_its_index(engine, tenant):
    indexed = edit(V1, "Item", "amount", indexed=True)
    engine.metadata(tenant).deploy(pack_of(indexed))
    without = documents(obj("Item", *[f for f in ITEM["fields"] if f["api_name"] != "amount"]))
    engine.metadata(tenant).deploy(pack_of(without))
    restored = engine.metadata(tenant).deploy(pack_of(V1))
    assert actions(restored) == [("restore_field", "amount"), ("update_field", "amount")]
    assert on_column(engine, tenant, "amount") == []


# -- overlays -------------------------------------------------------------------------------

PACK = documents(obj("Account", field("name", "text"), field("region", "text"),
                     field("score", "number")), name="crm", version="1.0.0")


def overlay(**extension: Any) -> dict[str, Any]:
    return {"pack.json": {"name": "acme", "version": "1.0.0", "label": label("acme"),
                          "kind": "tenant"},
            "extensions/Account.json": {"object": "Account", **extension}}


def test_an_overlay_turns_an_index_on_and_off(engine, tenant):
    engine.metadata(tenant).install_pack(pack_of(PACK))
    on = engine.metadata(tenant).deploy(pack_of(overlay(
        field_overrides={"region": {"indexed": True}},
        fields=[field("rank__c", "number", indexed=True)])))
    assert sorted(actions(on)) == [("add_field", "rank__c"), ("create_index", "rank__c"),
                                   ("create_index", "region")]
    assert on_column_of(engine, tenant, "Account", "region") == [
        (ix(engine, tenant, "region", "Account"), False)]
    assert on_column_of(engine, tenant, "Account", "rank__c") == [
        (ix(engine, tenant, "rank__c", "Account"), False)]
    off = engine.metadata(tenant).deploy(pack_of(overlay(fields=[field("rank__c", "number")])))
    assert sorted(actions(off)) == [("drop_index", "rank__c"), ("drop_index", "region")]
    assert on_column_of(engine, tenant, "Account", "region") == []
    assert on_column_of(engine, tenant, "Account", "rank__c") == []


def on_column_of(engine: Engine, tenant: str, obj_name: str,
                 column: str) -> list[tuple[str, bool]]:
    return sorted((name, unique) for name, (columns, unique) in
                  indexes(engine, tenant, obj_name).items() if columns == (column,))


# -- indexes a table lacks ------------------------------------------------------------------

def test_a_deploy_creates_the_system_indexes_a_table_lacks(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    write_items(engine, tenant)
    declared = indexes(engine, tenant)
    missing = [ix(engine, tenant, "out_owner_id"), ix(engine, tenant, "amount")]
    indexed = edit(V1, "Item", "amount", indexed=True)
    engine.metadata(tenant).deploy(pack_of(indexed))
    declared_indexed = indexes(engine, tenant)
    for name in missing:
        drop_index_by_hand(engine, tenant, name)
    assert set(declared) - set(indexes(engine, tenant)) == {missing[0]}

    preview = engine.metadata(tenant).deploy(pack_of(indexed), dry_run=True)
    assert sorted((s.action, s.index) for s in preview.steps) == sorted(
        ("create_missing_index", name) for name in missing)
    assert any(f"create missing index {missing[0]}" in line for line in preview.lines())
    assert set(declared_indexed) - set(indexes(engine, tenant)) == set(missing)

    report = engine.metadata(tenant).deploy(pack_of(indexed))
    assert report.version == 3 and len(report.steps) == 2
    assert indexes(engine, tenant) == declared_indexed
    assert engine.metadata(tenant).deploy(pack_of(indexed)).steps == ()
    assert [h["steps"][0]["action"] for h in engine.metadata(tenant).history()][-1] == \
        "create_missing_index"


def test_a_missing_field_index_comes_back_next_to_other_changes(engine, tenant):
    indexed = edit(V1, "Item", "amount", indexed=True)
    engine.metadata(tenant).deploy(pack_of(indexed))
    declared = indexes(engine, tenant)
    for name in ("parent", "amount"):
        drop_index_by_hand(engine, tenant, ix(engine, tenant, name))
    relabelled = edit(indexed, "Item", "amount", label=label("Total"))
    report = engine.metadata(tenant).deploy(pack_of(relabelled))
    assert sorted((s.action, s.field) for s in report.steps) == [
        ("create_missing_index", "amount"), ("create_missing_index", "parent"),
        ("update_field", "amount")]
    assert indexes(engine, tenant) == declared


def test_the_cli_dry_run_lists_the_index_steps(capsys, db_url, engine, tenant, tmp_path):
    engine.metadata(tenant).deploy(pack_of(V1))
    drop_index_by_hand(engine, tenant, ix(engine, tenant, "out_owner_id"))
    before = indexes(engine, tenant)
    folder = write_pack(tmp_path / "pack", edit(V1, "Item", "amount", indexed=True))
    code = main(["deploy", str(folder), "--db", db_url, "--tenant", tenant, "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "[safe] create an index on Item.amount" in out
    assert f"[safe] create missing index {ix(engine, tenant, 'out_owner_id')}" in out
    assert "2 step(s) would run" in out
    assert indexes(engine, tenant) == before


def test_a_deploy_keeps_indexes_it_did_not_make(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(V1))
    table, schema = table_of(engine, tenant)
    quote = engine.db.dialect.identifier_preparer.quote
    where = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
    with engine.db.begin() as conn:
        conn.execute(sa.text(f"CREATE INDEX dba_item_code ON {where} (code)"))
    drop_index_by_hand(engine, tenant, ix(engine, tenant, "owner_id"))
    engine.metadata(tenant).deploy(pack_of(V1))
    assert indexes(engine, tenant)["dba_item_code"] == (("code",), False)
    assert ix(engine, tenant, "owner_id") in indexes(engine, tenant)
    engine.metadata(tenant).deploy(pack_of(edit(V1, "Item", "code", indexed=True)))
    engine.metadata(tenant).deploy(pack_of(V1))  # drops hulian's index on code, not the DBA's
    assert on_column(engine, tenant, "code") == [("dba_item_code", False)]


def test_the_example_crm_indexes_the_order_date(crm):
    engine, tenant = crm
    assert [c for c, _ in indexes(engine, tenant, "Order").values()].count(("order_date",)) == 1
    assert engine.metadata(tenant).deploy(EXAMPLE_CRM).steps == ()


# -- atomicity ------------------------------------------------------------------------------

def _scenario() -> tuple[dict[str, Any], dict[str, Any]]:
    """v1 -> v2 turns one index on, one off, adds an indexed field and lacks a system index."""
    v1 = edit(V1, "Item", "code", indexed=True)
    fields = v1["objects/Item.json"]["fields"]
    v2 = edit(documents(obj("Item", *fields, field("rank", "number", indexed=True))),
              "Item", "amount", indexed=True)
    return v1, edit(v2, "Item", "code", indexed=None)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_a_failure_after_any_index_step_leaves_no_index_behind(engine, tenant, monkeypatch, k):
    v1, v2 = _scenario()
    engine.metadata(tenant).deploy(pack_of(v1))
    write_items(engine, tenant)
    drop_index_by_hand(engine, tenant, ix(engine, tenant, "out_owner_id"))
    before = tenant_state(engine, tenant)
    ran = fail_after(monkeypatch, k)
    with pytest.raises(InjectedFailure):
        engine.metadata(tenant).deploy(pack_of(v2))
    assert len(ran) == k
    assert_same_state(before, tenant_state(engine, tenant))
    monkeypatch.undo()
    report = engine.metadata(tenant).deploy(pack_of(v2))
    assert [s.action for s in report.steps][:k] == ran
    assert sorted(s.action for s in report.steps) == [
        "add_field", "create_index", "create_index", "create_missing_index", "drop_index"]
    assert on_column(engine, tenant, "amount") == [(ix(engine, tenant, "amount"), False)]
    assert on_column(engine, tenant, "rank") == [(ix(engine, tenant, "rank"), False)]
    assert on_column(engine, tenant, "code") == []
    assert ix(engine, tenant, "out_owner_id") in indexes(engine, tenant)
