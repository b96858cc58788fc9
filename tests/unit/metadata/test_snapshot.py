"""hulian.metadata.snapshot: a model written back as snapshot documents loads equal to itself."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hulian.metadata import (
    Layers,
    MetadataError,
    Pack,
    load_documents,
    load_pack,
    merge,
    snapshot_documents,
)

from .layered import account, example_crm, label, overlay, pack, tasks

UNIT_PACKS = Path(__file__).parent / "packs"


def _round_trip(p: Pack) -> Pack:
    documents = snapshot_documents(p)
    json.dumps(documents, default=str)  # JSON values only (numbers as Decimal)
    return load_documents(documents)


@pytest.mark.parametrize("folder", [Path("examples/crm"), UNIT_PACKS / "crm", UNIT_PACKS / "tasks",
                                    UNIT_PACKS / "shop"])
def test_a_pack_round_trips_but_for_its_kind(folder: Path) -> None:
    root = Path(__file__).parents[3]
    original = load_pack(root / folder)
    assert _round_trip(original) == replace(original, kind="snapshot")


def test_a_merged_pack_round_trips_exactly() -> None:
    ext = {"field_overrides": {"industry": {"label": label("Sector"), "default": "other",
                                            "options": [{"api_name": "x__c",
                                                         "label": label("X")}]}},
           "fields": [{"api_name": "since__c", "type": "date", "label": label("Since"),
                       "default": "2024-02-29"}]}
    effective = merge(Layers((example_crm(), tasks()), overlay(Account=ext)), name="acme")
    assert _round_trip(effective.pack) == effective.pack


def test_values_equal_to_the_defaults_are_left_out() -> None:
    documents = snapshot_documents(example_crm())
    assert documents["pack.json"]["kind"] == "snapshot"
    account_doc = documents["objects/Account.json"]
    name, number = account_doc["fields"][0], account_doc["fields"][1]
    assert name == {"api_name": "name", "type": "text",
                    "label": {"zh": "客户名称", "en": "Account name"}, "max_length": 120}
    assert set(number) == {"api_name", "type", "label", "format"}
    assert "validation_rules" not in account_doc


def test_typed_values_are_written_as_json_literals() -> None:
    doc = account(customizable={"label": "locked"})
    doc["fields"] += [
        {"api_name": "since", "type": "date", "label": label("Since"), "default": "2024-02-29"},
        {"api_name": "seen", "type": "datetime", "label": label("Seen"),
         "default": "2024-01-31T08:00:00+08:00"},
        {"api_name": "at", "type": "time", "label": label("At"), "default": "09:30"},
        {"api_name": "tags", "type": "multi_picklist", "label": label("Tags"),
         "options": [{"api_name": "a", "label": label("A")},
                     {"api_name": "b", "label": label("B"), "active": False}],
         "default": ["a"], "backfill": ["a"]},
        {"api_name": "amount", "type": "currency", "label": label("Amount"),
         "minimum": Decimal("0.5"), "maximum": 100, "default": 1, "precision": 9,
         "customizable": {"minimum": "editable"}},
        {"api_name": "vip", "type": "boolean", "label": label("VIP"), "default": True},
        {"api_name": "double", "type": "number", "label": label("Double"),
         "formula": "amount * 2", "blank_as": "zero"},
    ]
    doc["validation_rules"][0].update(active=False, description="why",
                                      customizable={"message": "locked"})
    original = pack(doc, customizable={"field": {"hidden": "locked"}})
    written = snapshot_documents(original)
    fields = {f["api_name"]: f for f in written["objects/Account.json"]["fields"]}
    assert (fields["since"]["default"], fields["seen"]["default"], fields["at"]["default"]) == (
        "2024-02-29", "2024-01-31T00:00:00+00:00", "09:30:00")
    assert fields["tags"]["default"] == ["a"]
    assert fields["tags"]["options"][1] == {"api_name": "b", "label": label("B"), "active": False}
    assert fields["amount"]["default"] == Decimal("1.00")
    assert "default" not in fields["double"] and fields["double"]["blank_as"] == "zero"
    assert written["pack.json"]["customizable"] == {"field": {"hidden": "locked"}}
    assert load_documents(written) == replace(original, kind="snapshot")


def test_snapshot_documents_are_fresh_copies() -> None:
    original = example_crm()
    documents = snapshot_documents(original)
    documents["objects/Account.json"]["label"]["en"] = "Changed"
    assert original.object("Account").label["en"] == "Account"


# --- properties ---------------------------------------------------------------------------

LABEL = {"zh": "名称", "en": "Name"}
FIELD_NAMES = ["price", "qty", "note", "code", "since", "rating__c", "flag", "stage"]
OPTIONS = [{"api_name": "a", "label": LABEL}, {"api_name": "b", "label": LABEL, "active": False}]
SETTINGS: dict[str, st.SearchStrategy[Any]] = {
    "required": st.booleans(), "unique": st.booleans(), "hidden": st.booleans(),
    "help": st.just(LABEL), "description": st.text(max_size=5),
    "max_length": st.integers(1, 300), "pattern": st.sampled_from(["[a-z]*", ".*"]),
    "precision": st.integers(5, 18), "scale": st.integers(0, 4),
    "minimum": st.decimals(-5, 0, places=2), "maximum": st.decimals(1, 5, places=2),
    "customizable": st.dictionaries(st.sampled_from(["label", "required", "options"]),
                                    st.sampled_from(["locked", "editable", "immutable"]),
                                    max_size=2),
}
DEFAULTS: dict[str, st.SearchStrategy[Any]] = {
    "text": st.text("abc", max_size=4), "number": st.integers(-3, 3),
    "currency": st.decimals(0, 5, places=2), "boolean": st.booleans(),
    "date": st.sampled_from(["2024-02-29", "1999-12-31"]),
    "picklist": st.sampled_from(["a", "b"]), "multi_picklist": st.lists(st.sampled_from("ab")),
}
KEYS = {"text": ["max_length", "pattern"], "number": ["precision", "scale", "minimum", "maximum"],
        "currency": ["precision", "scale", "minimum", "maximum"]}


@st.composite
def fields(draw: st.DrawFn, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(DEFAULTS)))
    keys = ["required", "unique", "hidden", "help", "description", "customizable",
            *KEYS.get(kind, [])]
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=4))
    raw: dict[str, Any] = {"api_name": name, "type": kind, "label": LABEL,
                           **{k: draw(SETTINGS[k]) for k in chosen}}
    if kind in ("picklist", "multi_picklist"):
        raw["options"] = copy.deepcopy(OPTIONS)
    if draw(st.booleans()):
        raw["default"] = draw(DEFAULTS[kind])
    return raw


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=5, unique=True))
    body = [draw(fields(name)) for name in names]
    name_field = {"api_name": "title", "type": "text", "label": LABEL}
    return {"api_name": "Item", "label": LABEL, "name_field": "title",
            "fields": [name_field, *body]}


def _valid(doc: dict[str, Any], kind: str = "snapshot") -> Pack:
    try:
        return pack(doc, name="shop", kind=kind)
    except MetadataError:
        assume(False)
        raise


@settings(max_examples=150, suppress_health_check=[HealthCheck.filter_too_much,
                                                    HealthCheck.too_slow])
@given(objects())
def test_any_valid_pack_round_trips(doc: dict[str, Any]) -> None:
    original = _valid(doc)
    assert _round_trip(original) == original


@settings(max_examples=100, suppress_health_check=[HealthCheck.filter_too_much,
                                                    HealthCheck.too_slow])
@given(objects())
def test_merging_with_an_empty_overlay_changes_nothing_but_the_manifest(
        doc: dict[str, Any]) -> None:
    for f in doc["fields"]:
        f["api_name"] = f["api_name"].removesuffix("__c")
    original = _valid(doc, kind="preset")
    effective = merge(Layers((original,), overlay()), name="shop").pack
    assert effective.objects == original.objects
    assert replace(effective, kind="preset", version=original.version, label=original.label,
                   description=None) == original


def test_relationship_fields_round_trip_and_stay_short() -> None:
    line = {"api_name": "OrderLine", "label": label("Line"), "name_field": "name", "fields": [
        {"api_name": "name", "type": "text", "label": label("Name")},
        {"api_name": "sales_order", "type": "master_detail", "label": label("Order"),
         "target": "Order", "relationship_name": "lines"},
        {"api_name": "amount", "type": "currency", "label": label("Amount")},
        {"api_name": "is_open", "type": "boolean", "label": label("Open"),
         "quote": "sales_order.is_open"},
        {"api_name": "next", "type": "lookup", "label": label("Next"), "target": "OrderLine",
         "lookup_filter": "amount > 0"}]}
    order = {"api_name": "Order", "label": label("Order"), "name_field": "name", "fields": [
        {"api_name": "name", "type": "text", "label": label("Name"), "quote": "parent.code"},
        {"api_name": "parent", "type": "lookup", "label": label("Parent"), "target": "Order"},
        {"api_name": "code", "type": "text", "label": label("Code")},
        {"api_name": "is_open", "type": "boolean", "label": label("Open")},
        {"api_name": "total", "type": "currency", "label": label("Total"),
         "roll_up": {"object": "OrderLine", "relationship": "sales_order", "function": "SUM",
                     "field": "amount", "filter": "is_open"}},
        {"api_name": "lines", "type": "number", "label": label("Lines"),
         "roll_up": {"object": "OrderLine", "relationship": "sales_order",
                     "function": "COUNT"}}]}
    original = pack(order, line)
    documents = snapshot_documents(original)
    assert documents["objects/OrderLine.json"]["fields"][1:4] == line["fields"][1:4]
    assert documents["objects/Order.json"]["fields"] == order["fields"]
    assert _round_trip(original) == replace(original, kind="snapshot")
    quoted = original.object("OrderLine").field("is_open")
    assert (quoted.default, original.object("Order").field("name").required) == (None, False)
