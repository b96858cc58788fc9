"""Field indexes in compiled tables and in deploy plans, on hand-built packs."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from hulian.engine.deploy.plan import Step, plan
from hulian.engine.schema.compiled import build_table
from tests.packs import documents, edit, field, obj, pack_of

ITEM = obj("Item", field("name", "text"), field("amount", "currency"),
           field("code", "text"), field("parent", "lookup", target="Item"),
           field("number", "auto_number", format="I-{0000}"),
           field("price", "number"), field("double", "number", formula="price * 2"))
BASE = documents(ITEM)


def actions(steps: list[Step]) -> list[tuple[str, str | None]]:
    return [(s.action, s.field) for s in steps]


def table_indexes(docs) -> dict[str, tuple[tuple[str, ...], bool]]:
    table = build_table(pack_of(docs).object("Item"), "acme", "postgresql", sa.MetaData())
    return {str(i.name): (tuple(c.name for c in i.columns), bool(i.unique))
            for i in table.indexes}


def test_build_table_indexes_exactly_what_the_metadata_asks_for() -> None:
    base = table_indexes(BASE)
    assert sorted(base) == ["ix_item_created_at", "ix_item_name", "ix_item_out_owner_id",
                            "ix_item_out_tenant_id", "ix_item_owner_id", "ix_item_parent",
                            "ux_item_number"]
    indexed = edit(edit(BASE, "Item", "amount", indexed=True), "Item", "code", indexed=True)
    assert table_indexes(indexed) == {**base, "ix_item_amount": (("amount",), False),
                                      "ix_item_code": (("code",), False)}


@pytest.mark.parametrize("name", ["name", "parent", "number"])
def test_a_field_indexed_already_gets_no_second_index(name: str) -> None:
    assert table_indexes(edit(BASE, "Item", name, indexed=True)) == table_indexes(BASE)


def test_unique_wins_over_indexed() -> None:
    indexes = table_indexes(edit(BASE, "Item", "code", indexed=True, unique=True))
    assert indexes["ux_item_code"] == (("code",), True) and "ix_item_code" not in indexes


def test_a_long_index_name_is_shortened_like_the_others() -> None:
    long = "a" * 40
    docs = documents(obj("Item", field("name", "text"), field(long, "number", indexed=True)))
    table = build_table(pack_of(docs).object("Item"), "tenant_with_a_long_name", "sqlite",
                        sa.MetaData())
    [index] = [i for i in table.indexes if [c.name for c in i.columns] == [long]]
    assert len(str(index.name)) <= 63 and str(index.name).startswith("ix_")


def test_turning_indexed_on_and_off_is_one_step_each() -> None:
    on = edit(BASE, "Item", "amount", indexed=True)
    assert actions(plan(pack_of(BASE), pack_of(on), new_schema=False)) == [
        ("create_index", "amount")]
    assert actions(plan(pack_of(on), pack_of(BASE), new_schema=False)) == [
        ("drop_index", "amount")]
    assert plan(pack_of(on), pack_of(on), new_schema=False) == []


@pytest.mark.parametrize("name", ["name", "parent", "number"])
def test_indexed_on_a_field_indexed_already_is_a_metadata_change(name: str) -> None:
    on = edit(BASE, "Item", name, indexed=True)
    steps = plan(pack_of(BASE), pack_of(on), new_schema=False)
    assert actions(steps) == [("update_field", name)]
    assert "indexed" in steps[0].description
    assert actions(plan(pack_of(on), pack_of(BASE), new_schema=False)) == [
        ("update_field", name)]


def test_an_added_indexed_field_gets_its_index_after_its_column() -> None:
    grown = documents(obj("Item", *ITEM["fields"], field("rank", "number", indexed=True),
                          field("tag", "text", indexed=True, unique=True)))
    assert actions(plan(pack_of(BASE), pack_of(grown), new_schema=False)) == [
        ("add_field", "rank"), ("create_index", "rank"), ("add_field", "tag")]


def test_unique_and_indexed_swap() -> None:
    indexed = edit(BASE, "Item", "code", indexed=True)
    unique = edit(indexed, "Item", "code", unique=True)
    assert actions(plan(pack_of(indexed), pack_of(unique), new_schema=False)) == [
        ("make_unique", "code"), ("drop_index", "code")]
    steps = plan(pack_of(unique), pack_of(indexed), new_schema=False)
    assert actions(steps) == [("drop_unique", "code"), ("create_index", "code")]
    # unique without indexed: the unique index goes, no plain one comes
    assert actions(plan(pack_of(edit(BASE, "Item", "code", unique=True)), pack_of(BASE),
                        new_schema=False)) == [("drop_unique", "code")]


def test_a_renamed_indexed_field_needs_no_index_step() -> None:
    on = edit(BASE, "Item", "amount", indexed=True)
    renamed = edit(on, "Item", "amount", api_name="total", renamed_from="amount")
    assert actions(plan(pack_of(on), pack_of(renamed), new_schema=False)) == [
        ("rename_field", "total")]
    off = edit(renamed, "Item", "total", indexed=None)
    assert actions(plan(pack_of(on), pack_of(off), new_schema=False)) == [
        ("rename_field", "total"), ("drop_index", "total")]


def test_archiving_an_indexed_field_says_its_index_goes() -> None:
    on = edit(BASE, "Item", "amount", indexed=True)
    without = documents(obj("Item", *[f for f in ITEM["fields"] if f["api_name"] != "amount"]))
    [step] = plan(pack_of(on), pack_of(without), new_schema=False)
    assert step.action == "archive_field" and "its index is dropped" in step.description
    [step] = plan(pack_of(BASE), pack_of(without), new_schema=False)
    assert "index" not in step.description


def test_fields_built_in_code_with_indexed_get_no_index_they_cannot_have() -> None:
    """The metadata checks refuse these; a pack built in code is still planned safely."""
    base = pack_of(BASE)
    item = base.object("Item")
    forced = replace(item, fields=tuple(
        replace(f, indexed=True) if f.api_name == "double" else f for f in item.fields))
    forced_pack = replace(base, objects=(forced,))
    assert actions(plan(base, forced_pack, new_schema=False)) == [("update_field", "double")]
    table = build_table(forced, "acme", "postgresql", sa.MetaData())
    assert sorted(str(i.name) for i in table.indexes) == sorted(table_indexes(BASE))
