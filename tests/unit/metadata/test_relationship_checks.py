"""hulian.metadata.relationship_checks: master-detail fields and relationship names."""

from __future__ import annotations

import pytest

from hulian.metadata import Layers, MetadataError, load_documents
from hulian.metadata.checks import check_documents

from .layered import account, label, overlay, pack
from .layered import problems as merge_problems
from .related import LINE, ORDER, documents, field, load, lookup, master, messages, obj, problems


def test_a_master_detail_field_is_required_and_cascades() -> None:
    line = load(ORDER, LINE).object("OrderLine").field("sales_order")
    assert line is not None and line.is_reference
    assert (line.target, line.required, line.on_delete) == ("Order", True, "cascade")


def test_required_false_on_a_master_detail_field_is_ignored() -> None:
    line = obj("OrderLine", master("sales_order", "Order", required=False))
    assert load(ORDER, line).object("OrderLine").field("sales_order").required is True


def test_a_master_detail_field_needs_a_target() -> None:
    line = obj("OrderLine", field("sales_order", "master_detail"))
    assert problems(ORDER, line) == [
        ("schema.required", "objects/OrderLine.json", "/fields/1/target")]


def test_a_master_detail_target_must_be_an_object_of_the_pack() -> None:
    line = obj("OrderLine", master("sales_order", "Ordr"))
    assert problems(ORDER, line) == [
        ("lookup.unknown_target", "objects/OrderLine.json", "/fields/1/target")]
    assert messages(ORDER, line) == [("'Ordr' is not an object of this pack",
                                      "did you mean 'Order'?")]


@pytest.mark.parametrize(("key", "value", "code"), [
    ("on_delete", "restrict", "field.key_not_applicable"),
    ("lookup_filter", "is_active", "field.key_not_applicable"),
    ("default", "x", "default.not_allowed"),
    ("default_formula", "'x'", "default.not_allowed"),
    ("backfill", "x", "backfill.not_allowed"),
])
def test_what_a_master_detail_field_does_not_take(key: str, value: str, code: str) -> None:
    line = obj("OrderLine", master("sales_order", "Order", **{key: value}))
    assert problems(ORDER, line) == [(code, "objects/OrderLine.json", f"/fields/1/{key}")]


def test_an_object_cannot_be_its_own_master() -> None:
    assert problems(obj("Order", master("parent", "Order"))) == [
        ("master_detail.self", "objects/Order.json", "/fields/1/target")]


def test_three_levels_are_allowed() -> None:
    schedule = obj("Schedule", master("line", "OrderLine"))
    assert problems(ORDER, LINE, schedule) == []


def test_a_fourth_level_is_reported_where_the_chain_gets_too_deep() -> None:
    chain = [ORDER, LINE, obj("Schedule", master("line", "OrderLine")),
             obj("Slot", master("schedule", "Schedule")),
             obj("SlotNote", master("slot", "Slot"), master("line", "OrderLine"))]
    assert problems(*chain) == [
        ("master_detail.too_deep", "objects/Slot.json", "/fields/1/target")]
    assert messages(*chain)[0][0] == (
        "Slot would be level 4 of the master-detail chain Slot.schedule -> Schedule.line"
        " -> OrderLine.sales_order -> Order; at most 3 levels are allowed")


def test_the_longest_chain_through_several_masters_counts() -> None:
    # a junction object with two masters: its level is one more than its deepest master's
    junction = obj("Allocation", master("sales_order", "Order"), master("line", "OrderLine"))
    deeper = obj("AllocationNote", master("allocation", "Allocation"))
    assert problems(ORDER, LINE, junction) == []
    assert problems(ORDER, LINE, junction, deeper) == [
        ("master_detail.too_deep", "objects/AllocationNote.json", "/fields/1/target")]


def test_a_cycle_is_reported_at_each_of_its_fields() -> None:
    objects = [obj("Region", master("district", "District"), master("other", "Order")),
               obj("District", master("area", "Area")), obj("Area", master("region", "Region")),
               obj("Office", master("district", "District")), ORDER]
    assert problems(*objects) == [
        ("master_detail.cycle", "objects/Area.json", "/fields/1/target"),
        ("master_detail.cycle", "objects/District.json", "/fields/1/target"),
        ("master_detail.cycle", "objects/Region.json", "/fields/1/target"),
    ]
    assert messages(*objects)[0][0] == (
        "the master-detail chain Area.region -> Region.district -> District.area -> Area"
        " is a cycle")


def test_lookups_do_not_make_chains_or_cycles() -> None:
    objects = [obj("Region", lookup("district", "District")),
               obj("District", master("region", "Region")),
               obj("Office", master("district", "District")),
               obj("Desk", master("office", "Office"), lookup("next", "Desk"))]
    assert problems(*objects) == [
        ("master_detail.too_deep", "objects/Desk.json", "/fields/1/target")]


def test_relationship_names_are_unique_per_target() -> None:
    objects = [ORDER, obj("OrderLine", master("sales_order", "Order", relationship_name="lines")),
               obj("Shipment", lookup("sales_order", "Order", relationship_name="lines"),
                   lookup("line", "OrderLine", relationship_name="lines"),
                   lookup("source", "Order", relationship_name="sources"))]
    assert problems(*objects) == [
        ("relationship.duplicate_name", "objects/Shipment.json", "/fields/1/relationship_name")]
    assert messages(*objects)[0][0] == (
        "Order already has a relationship named 'lines', from objects/OrderLine.json#/fields/1")


def test_default_relationship_names_never_collide() -> None:
    objects = [ORDER, LINE, obj("Shipment", lookup("sales_order", "Order"),
                                lookup("order_date", "Order", relationship_name="dates"))]
    pack = load(*objects)
    assert pack.object("Shipment").field("sales_order").relationship_name is None
    assert pack.object("Shipment").field("order_date").relationship_name == "dates"


@pytest.mark.parametrize("name", ["Lines", "order.lines", "x" * 41, "lines__x"])
def test_a_relationship_name_follows_the_field_naming_rule(name: str) -> None:
    line = obj("OrderLine", master("sales_order", "Order", relationship_name=name))
    [(code, _, at)] = problems(ORDER, line)
    assert (code, at) in {("schema.pattern", "/fields/1/relationship_name"),
                          ("schema.range", "/fields/1/relationship_name")}


def test_relationship_name_and_lookup_filter_are_for_references_only() -> None:
    note = obj("Note", field("text", "text", relationship_name="notes", lookup_filter="x"),
               lookup("sales_order", "Order", lookup_filter="amount > 0"))
    assert problems(ORDER, note) == [
        ("field.key_not_applicable", "objects/Note.json", "/fields/1/lookup_filter"),
        ("field.key_not_applicable", "objects/Note.json", "/fields/1/relationship_name"),
    ]
    assert load(ORDER, obj("Note", lookup("sales_order", "Order", lookup_filter="amount > 0"))) \
        .object("Note").field("sales_order").lookup_filter == "amount > 0"


def test_objects_of_unreadable_files_are_not_followed() -> None:
    docs = documents(obj("OrderLine", master("sales_order", "Order")),
                     obj("Schedule", master("line", "OrderLine")),
                     obj("Slot", master("schedule", "Schedule")))
    assert [(p.code, p.pointer) for p in check_documents(docs)] == [
        ("lookup.unknown_target", "/fields/1/target")]
    assert check_documents(docs, ("objects/Order.json",)) == []


def test_garbage_is_skipped() -> None:
    docs = documents(obj("Order", {"api_name": "x", "type": ["master_detail"], "target": []},
                         {"api_name": "y", "type": "master_detail", "target": ["Order"],
                          "relationship_name": 3}, {"type": "lookup", "target": "Order"}))
    check_documents(docs)


# tenant packs: what needs an installed pack's objects is checked at the merge

def _visit(*fields: dict[str, object]) -> dict[str, object]:
    return {"api_name": "Visit__c", "label": label("Visit"), "name_field": "name__c",
            "fields": [{"api_name": "name__c", "type": "text", "label": label("Name")},
                       *fields]}


def test_an_overlay_may_make_its_object_a_detail_of_an_installed_one() -> None:
    visit = _visit(master("account__c", "Account", relationship_name="visits__c"))
    merged = merge_problems(Layers((pack(account()),), overlay(visit)))
    assert merged == []


def test_a_chain_through_installed_objects_is_checked_at_the_merge() -> None:
    crm = pack(account(), obj("Contact", master("account", "Account")),
               obj("Task", master("contact", "Contact")))
    visit = _visit(master("task__c", "Task"))
    tenant = overlay(visit)  # alone, the overlay cannot see Task's masters
    assert merge_problems(Layers((crm,), tenant)) == [
        ("master_detail.too_deep", "overlay/objects/Visit__c.json", "/fields/1/target")]


def test_relationship_names_are_checked_across_the_layers() -> None:
    crm = pack(account(), obj("Contact", lookup("account", "Account",
                                                relationship_name="people")))
    ext = {"fields": [lookup("partner__c", "Account", relationship_name="people")]}
    assert merge_problems(Layers((crm,), overlay(Contact=ext))) == [
        ("relationship.duplicate_name", "overlay/extensions/Contact.json",
         "/fields/0/relationship_name")]


def test_an_overlay_alone_checks_its_own_chains() -> None:
    with pytest.raises(MetadataError) as caught:
        load_documents(documents(_visit(master("visit__c", "Visit__c")), kind="tenant"))
    assert [(p.code, p.pointer) for p in caught.value.problems] == [
        ("master_detail.self", "/fields/1/target")]
