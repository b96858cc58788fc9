"""The ``indexed`` field key: model, checks, overlays and snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from hulian.metadata import FIELD_TYPES, Layers, MetadataError, load_documents, merge
from hulian.metadata.field_types import INDEXABLE_TYPES
from hulian.metadata.model import Field
from hulian.metadata.policy import EDITABLE, policy
from hulian.metadata.snapshot import snapshot_documents

from .layered import account, label, overlay, pack, problems

OPTIONS = [{"api_name": "a", "label": label("A")}]
SETTINGS: dict[str, dict[str, Any]] = {
    "picklist": {"options": OPTIONS}, "multi_picklist": {"options": OPTIONS},
    "lookup": {"target": "Item"}, "master_detail": {"target": "Parent"},
    "auto_number": {"format": "I-{0000}"},
}


def item(*fields: dict[str, Any]) -> dict[str, Any]:
    parent = {"api_name": "Parent", "label": label("Parent"), "name_field": "name",
              "fields": [{"api_name": "name", "type": "text", "label": label("Name")}]}
    return {"pack.json": {"name": "shop", "version": "1.0.0", "label": label("Shop")},
            "objects/Parent.json": parent,
            "objects/Item.json": {"api_name": "Item", "label": label("Item"),
                                  "name_field": "name",
                                  "fields": [{"api_name": "name", "type": "text",
                                              "label": label("Name")}, *fields]}}


def field(api_name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"api_name": api_name, "type": kind, "label": label(api_name),
            **SETTINGS.get(kind, {}), **extra}


def codes(documents: dict[str, Any]) -> list[tuple[str, str]]:
    try:
        load_documents(documents)
    except MetadataError as error:
        return [(p.code, p.pointer) for p in error.problems]
    return []


def test_indexed_defaults_to_false_and_loads() -> None:
    loaded = load_documents(item(field("amount", "currency", indexed=True),
                                 field("code", "text"))).object("Item")
    assert loaded.field("amount").indexed and loaded.field("amount").indexable
    assert not loaded.field("code").indexed
    assert Field("x", "text", {}).indexed is False


@pytest.mark.parametrize("kind", INDEXABLE_TYPES)
def test_every_stored_type_but_long_texts_and_option_sets_may_be_indexed(kind: str) -> None:
    assert codes(item(field("f", kind, indexed=True))) == []


@pytest.mark.parametrize("kind", sorted(set(FIELD_TYPES) - set(INDEXABLE_TYPES)))
def test_textarea_and_multi_picklist_cannot_be_indexed(kind: str) -> None:
    assert kind in ("textarea", "multi_picklist")
    assert codes(item(field("f", kind, indexed=True))) == [
        ("indexed.not_allowed", "/fields/1/indexed")]
    assert codes(item(field("f", kind, indexed=False))) == []


def test_derived_fields_cannot_be_indexed() -> None:
    derived = item(field("price", "number"),
                   field("double", "number", formula="price * 2", indexed=True),
                   field("parent", "lookup", target="Parent"),
                   field("parent_name", "text", quote="parent.name", indexed=True))
    assert codes(derived) == [("indexed.not_allowed", "/fields/2/indexed"),
                              ("indexed.not_allowed", "/fields/4/indexed")]


def test_a_roll_up_cannot_be_indexed() -> None:
    docs = item(field("parent", "master_detail", target="Parent"))
    docs["objects/Parent.json"]["fields"].append(field(
        "items", "number", indexed=True,
        roll_up={"object": "Item", "relationship": "parent", "function": "COUNT"}))
    with pytest.raises(MetadataError) as error:
        load_documents(docs)
    [problem] = error.value.problems
    assert (problem.code, problem.file, problem.pointer) == (
        "indexed.not_allowed", "objects/Parent.json", "/fields/1/indexed")
    assert "roll-up" in problem.message and problem.hint


def test_the_problem_says_why_and_what_to_do() -> None:
    with pytest.raises(MetadataError) as error:
        load_documents(item(field("notes", "textarea", indexed=True)))
    [problem] = error.value.problems
    assert "textarea" in problem.message
    assert problem.hint is not None and "remove indexed" in problem.hint


def test_indexed_on_a_field_indexed_already_is_accepted() -> None:
    docs = item(field("code", "text", unique=True, indexed=True),
                field("parent", "lookup", target="Parent", indexed=True),
                field("number", "auto_number", indexed=True))
    docs["objects/Item.json"]["fields"][0]["indexed"] = True  # the name field
    assert codes(docs) == []


def test_indexed_must_be_a_boolean() -> None:
    assert codes(item(field("f", "text", indexed="yes"))) == [("schema.type", "/fields/1/indexed")]


def test_a_snapshot_keeps_indexed() -> None:
    original = load_documents(item(field("amount", "currency", indexed=True),
                                   field("code", "text")))
    written = snapshot_documents(original)
    fields = {f["api_name"]: f for f in written["objects/Item.json"]["fields"]}
    assert fields["amount"]["indexed"] is True and "indexed" not in fields["code"]
    assert load_documents(written).object("Item") == original.object("Item")


# -- overlays -------------------------------------------------------------------------------

def test_indexed_is_editable_by_default() -> None:
    assert policy(pack(account()), "field", "indexed") == EDITABLE


def test_an_overlay_indexes_a_pack_field_and_its_own() -> None:
    ext = {"field_overrides": {"region": {"indexed": True}},
           "fields": [{"api_name": "rank__c", "type": "number", "label": label("Rank"),
                       "indexed": True}]}
    merged = merge(Layers((pack(account()),), overlay(Account=ext))).pack.object("Account")
    assert merged.field("region").indexed and merged.field("rank__c").indexed
    assert not merged.field("industry").indexed
    off = {"field_overrides": {"region": {"indexed": False}}}
    indexed = account()
    indexed["fields"][2]["indexed"] = True
    merged = merge(Layers((pack(indexed),), overlay(Account=off))).pack.object("Account")
    assert not merged.field("region").indexed


def test_a_pack_may_lock_indexed() -> None:
    locked = account()
    locked["fields"][2]["customizable"] = {"indexed": "locked"}
    ext = {"field_overrides": {"region": {"indexed": True}}}
    assert problems(Layers((pack(locked),), overlay(Account=ext))) == [
        ("overlay.locked_property", "overlay/extensions/Account.json",
         "/field_overrides/region/indexed")]


def test_an_overlay_cannot_index_a_textarea() -> None:
    notes = account()
    notes["fields"].append({"api_name": "notes", "type": "textarea", "label": label("Notes")})
    ext = {"field_overrides": {"notes": {"indexed": True}}}
    assert problems(Layers((pack(notes),), overlay(Account=ext))) == [
        ("indexed.not_allowed", "overlay/extensions/Account.json",
         "/field_overrides/notes/indexed")]


def test_an_overlay_new_field_is_checked_alone() -> None:
    ext = {"fields": [{"api_name": "memo__c", "type": "textarea", "label": label("Memo"),
                       "indexed": True}]}
    with pytest.raises(MetadataError) as error:
        overlay(Account=ext)
    assert [(p.code, p.file, p.pointer) for p in error.value.problems] == [
        ("indexed.not_allowed", "extensions/Account.json", "/fields/0/indexed")]
