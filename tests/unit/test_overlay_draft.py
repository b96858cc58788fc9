"""OverlayDraft: a change to the overlay said on its documents, whoever's the thing is
(the tenant's own object or a pack's), and the places problems map back to."""

from __future__ import annotations

from hulian.metadata.overlay_edits import OverlayDraft, Place
from hulian.metadata.problems import Problem
from hulian.runtime.setup.inputs import i18n_value, name_with_suffix, options_text, parse_options

MANIFEST = {"name": "acme", "version": "1.0.0", "kind": "tenant", "label": {"en": "a"}}
VISIT = {"api_name": "Visit__c", "label": {"en": "Visit"}, "fields": [
    {"api_name": "name__c", "type": "text", "label": {"en": "Name"}}]}
EFFECTIVE = {"objects/Order.json": {"api_name": "Order", "fields": [
    {"api_name": "status", "type": "picklist"}]}}


def draft(**documents):
    return OverlayDraft({"pack.json": MANIFEST, **documents}, EFFECTIVE)


def test_a_field_of_a_pack_object_goes_into_its_extension():
    d = draft()
    place = d.add_field("Order", {"api_name": "channel__c", "type": "text"})
    assert place == Place("overlay/extensions/Order.json", "/fields/0")
    put, delete = d.change()
    assert put == {"extensions/Order.json": {"object": "Order", "fields": [
        {"api_name": "channel__c", "type": "text"}]}}
    assert delete == []


def test_a_field_of_an_own_object_goes_into_its_definition():
    d = draft(**{"objects/Visit__c.json": VISIT})
    place = d.add_field("Visit__c", {"api_name": "notes__c", "type": "textarea"})
    assert place == Place("overlay/objects/Visit__c.json", "/fields/1")
    assert [f["api_name"] for f in d.change()[0]["objects/Visit__c.json"]["fields"]] == \
        ["name__c", "notes__c"]
    assert [f["api_name"] for f in VISIT["fields"]] == ["name__c"], "the input is not touched"


def test_changing_a_pack_field_is_an_override_and_an_own_field_is_changed_in_place():
    d = draft(**{"objects/Visit__c.json": VISIT})
    place = d.set_field("Order", "status", {"label": {"en": "State"}, "help": None})
    assert place == Place("overlay/extensions/Order.json", "/field_overrides/status")
    assert d.documents["extensions/Order.json"]["field_overrides"] == {
        "status": {"label": {"en": "State"}}}
    d.set_field("Visit__c", "name__c", {"label": {"en": "Subject"}})
    assert d.documents["objects/Visit__c.json"]["fields"][0]["label"] == {"en": "Subject"}
    d.set_field("Order", "status", {"label": None})
    assert d.documents["extensions/Order.json"]["field_overrides"] == {}


def test_removing_and_replacing_only_own_fields():
    d = draft(**{"extensions/Order.json": {"object": "Order", "fields": [
        {"api_name": "code__c", "type": "text"}]}})
    d.replace_field("Order", "code__c", {"api_name": "ref__c", "type": "number",
                                        "renamed_from": "code__c"})
    assert d.own_field("Order", "ref__c") == ("extensions/Order.json", 0)
    d.remove_field("Order", "ref__c")
    assert d.documents["extensions/Order.json"]["fields"] == []
    for edit in (lambda: d.remove_field("Order", "status"),
                 lambda: d.replace_field("Order", "status", {})):
        try:
            edit()
        except KeyError:
            continue
        raise AssertionError("a pack's field cannot be removed or replaced")


def test_rules_own_and_overridden():
    d = draft()
    place = d.put_rule("Order", {"api_name": "big__c", "condition": "TRUE", "message": {}})
    assert place.pointer == "/validation_rules/0"
    d.put_rule("Order", {"api_name": "big__c", "condition": "FALSE", "message": {}})
    assert [r["condition"] for r in d.documents["extensions/Order.json"]
            ["validation_rules"]] == ["FALSE"]
    d.override_rule("Order", "pack_rule", {"active": False})
    assert d.documents["extensions/Order.json"]["rule_overrides"] == {
        "pack_rule": {"active": False}}
    d.remove_rule("Order", "big__c")
    assert d.documents["extensions/Order.json"]["validation_rules"] == []


def test_documents_put_and_deleted():
    d = draft(**{"scenes/old__c.json": {}})
    d.put("roles/planner__c.json", {"api_name": "planner__c"})
    d.delete("scenes/old__c.json")
    d.delete("scenes/never.json")
    assert d.change() == ({"roles/planner__c.json": {"api_name": "planner__c"}},
                          ["scenes/old__c.json"])


def test_a_place_names_the_input_a_problem_is_about():
    place = Place("overlay/extensions/Order.json", "/fields/2")

    def at(file, pointer):
        return Problem("x", file, pointer, "m")

    assert place.input_of(at("overlay/extensions/Order.json", "/fields/2/label/zh")) == "label"
    assert place.input_of(at("overlay/extensions/Order.json", "/fields/2")) == ""
    assert place.input_of(at("overlay/extensions/Order.json", "/fields/20/label")) is None
    assert place.input_of(at("overlay/objects/Order.json", "/fields/2/label")) is None


def test_inputs_labels_names_and_options_round_trip():
    assert i18n_value("渠道", "") == {"zh": "渠道", "en": "渠道"}
    assert name_with_suffix(" channel code ") == "channel_code__c"
    assert name_with_suffix("code__c") == "code__c"
    options = [{"api_name": "web", "label": {"zh": "网站", "en": "Web"}},
               {"api_name": "fax", "label": {"zh": "传真", "en": "Fax"}, "active": False}]
    assert parse_options(options_text(options)) == options
    assert parse_options("a\n\n b | 乙 ") == [
        {"api_name": "a", "label": {"zh": "a", "en": "a"}},
        {"api_name": "b", "label": {"zh": "乙", "en": "乙"}}]
