"""hulian.metadata.layers: installed packs + a tenant's overlay -> the effective metadata."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hulian.metadata import (
    Effective,
    Layers,
    MetadataError,
    Problem,
    load_documents,
    merge,
)
from hulian.metadata.layers import EFFECTIVE_VERSION

from .layered import account, example_crm, label, overlay, pack, problems, tasks

EXT = "overlay/extensions/Account.json"


def test_packs_without_an_overlay_merge_into_one_snapshot() -> None:
    crm, task = example_crm(), tasks()
    effective = merge(Layers((crm, task)), name="acme")
    assert (effective.pack.name, effective.pack.kind) == ("acme", "snapshot")
    assert effective.pack.version == EFFECTIVE_VERSION
    assert "crm 1.0.0, tasks 0.1.0" in (effective.pack.description or "")
    assert effective.pack.objects == (*crm.objects, *task.objects)
    assert effective.origins[("objects/Task.json", "")] == ("packs/tasks/objects/Task.json", "")
    assert effective.pack.object("Account").source == "objects/Account.json"


def test_an_overlay_object_may_look_up_a_pack_object() -> None:
    visit = {"api_name": "Visit__c", "label": label("Visit"), "name_field": "name__c",
             "fields": [{"api_name": "name__c", "type": "text", "label": label("Name")},
                        {"api_name": "account__c", "type": "lookup", "label": label("Account"),
                         "target": "Account"}]}
    effective = merge(Layers((pack(account()),), overlay(visit)))
    assert effective.pack.object("Visit__c").field("account__c").target == "Account"
    assert effective.origins[("objects/Visit__c.json", "")] == (
        "overlay/objects/Visit__c.json", "")


def test_an_extension_overrides_and_appends() -> None:
    region = {"api_name": "zone__c", "type": "text", "label": label("Zone")}
    rule = {"api_name": "zone_needed__c", "condition": "ISBLANK(zone__c)",
            "message": label("Fill in the zone"), "error_field": "zone__c"}
    ext = {"label": label("Customer"), "description": "Our customers",
           "fields": [region], "validation_rules": [rule],
           "field_overrides": {"industry": {"label": label("Sector"), "hidden": True,
                                            "default": "retail", "help": label("Which")}},
           "rule_overrides": {"name_not_test": {"active": False,
                                                "message": label("No tests")}}}
    effective = merge(Layers((pack(account()),), overlay(Account=ext)))
    obj = effective.pack.object("Account")
    assert (obj.label["en"], obj.description) == ("Customer", "Our customers")
    assert obj.field_names == ("name", "industry", "region", "zone__c")
    industry = obj.field("industry")
    assert (industry.label["en"], industry.hidden, industry.default, industry.help) == (
        "Sector", True, "retail", label("Which"))
    [pack_rule, new_rule] = obj.validation_rules
    assert (pack_rule.active, pack_rule.message["en"]) == (False, "No tests")
    assert new_rule.api_name == "zone_needed__c"
    origins = effective.origins
    assert origins[("objects/Account.json", "/fields/3")] == (EXT, "/fields/0")
    assert origins[("objects/Account.json", "/validation_rules/1")] == (EXT, "/validation_rules/0")
    assert origins[("objects/Account.json", "/fields/1/label")] == (
        EXT, "/field_overrides/industry/label")
    assert origins[("objects/Account.json", "/label")] == (EXT, "/label")


def test_options_merge_by_api_name() -> None:
    ext = {"field_overrides": {"industry": {"options": [
        {"api_name": "other__c", "label": label("Something else")},
        {"api_name": "retail", "active": False},
        {"api_name": "other", "label": label("Misc")},
    ]}}}
    effective = merge(Layers((pack(account()),), overlay(Account=ext)))
    options = effective.pack.object("Account").field("industry").options
    assert [(o.api_name, o.label["en"], o.active) for o in options] == [
        ("retail", "Retail", False), ("other", "Misc", True),
        ("other__c", "Something else", True)]
    assert effective.origins[("objects/Account.json", "/fields/1/options/2")] == (
        EXT, "/field_overrides/industry/options/0")


def test_a_default_cannot_replace_a_default_formula() -> None:
    doc = account()
    doc["fields"][2]["default_formula"] = "name"
    ext = {"field_overrides": {"region": {"default": "north"}}}
    assert problems(Layers((pack(doc),), overlay(Account=ext))) == [
        ("field.key_not_applicable", EXT, "/field_overrides/region/default")]


def test_a_new_option_needs_a_label_and_the_suffix() -> None:
    ext = {"field_overrides": {"industry": {"options": [
        {"api_name": "wholesale__c"}, {"api_name": "telecom", "label": label("Telecom")}]}}}
    assert problems(Layers((pack(account()),), overlay(Account=ext))) == [
        ("schema.required", EXT, "/field_overrides/industry/options/0/label"),
        ("name.custom_suffix", EXT, "/field_overrides/industry/options/1/api_name")]


def test_options_on_a_field_without_options_are_reported_where_written() -> None:
    ext = {"field_overrides": {"region": {"options": [{"api_name": "x__c", "label": label("X")}]}}}
    assert problems(Layers((pack(account()),), overlay(Account=ext))) == [
        ("field.key_not_applicable", EXT, "/field_overrides/region/options")]


@pytest.mark.parametrize(("ext", "expected"), [
    ({"object": "Acount"}, ("extension.unknown_object", "overlay/extensions/Acount.json",
                            "/object")),
    ({"field_overrides": {"industy": {"hidden": True}}},
     ("extension.unknown_field", EXT, "/field_overrides/industy")),
    ({"rule_overrides": {"nope": {"active": False}}},
     ("extension.unknown_rule", EXT, "/rule_overrides/nope")),
    ({"field_overrides": {"name": {"required": False}}},
     ("overlay.locked_property", EXT, "/field_overrides/name/required")),
    ({"rule_overrides": {"name_not_test": {"error_field": "region"}}},
     ("overlay.locked_property", EXT, "/rule_overrides/name_not_test/error_field")),
    ({"field_overrides": {"industry": {"default": "nope"}}},
     ("default.type", EXT, "/field_overrides/industry/default")),
    ({"validation_rules": [{"api_name": "r__c", "condition": "TRUE", "message": label("m"),
                            "error_field": "nothing"}]},
     ("rule.unknown_field", EXT, "/validation_rules/0/error_field")),
    ({"fields": [{"api_name": "p__c", "type": "lookup", "label": label("P"),
                  "target": "Parent"}]},
     ("lookup.unknown_target", EXT, "/fields/0/target")),
])
def test_each_problem_is_reported_at_its_origin(ext: dict[str, Any],
                                                expected: tuple[str, str, str]) -> None:
    name = ext.pop("object", "Account")
    layers = Layers((pack(account()),), overlay(**{name: ext}))
    assert problems(layers) == [expected]


def test_every_problem_is_collected() -> None:
    ext = {"field_overrides": {"industy": {}, "name": {"unique": True}},
           "rule_overrides": {"nope": {}}}
    found = problems(Layers((pack(account()),), overlay(Account=ext, Acount={})))
    assert sorted(code for code, _, _ in found) == [
        "extension.unknown_field", "extension.unknown_object", "extension.unknown_rule",
        "overlay.locked_property"]


def test_two_packs_may_not_define_one_object() -> None:
    other = pack(account(label=label("Client")), name="sales")
    assert problems(Layers((pack(account()), other))) == [
        ("pack.object_conflict", "packs/sales/objects/Account.json", "/api_name")]


def test_objects_differing_only_in_case_conflict() -> None:
    shop = pack({**account(api_name="ACCOUNT")}, name="shop")
    assert problems(Layers((pack(account()), shop))) == [
        ("pack.object_conflict", "packs/shop/objects/ACCOUNT.json", "/api_name")]


# --- policies -----------------------------------------------------------------------------

def _locked(layers: Layers) -> list[str]:
    return [pointer for code, _, pointer in problems(layers) if code == "overlay.locked_property"]


ALL_OVERRIDES = {
    "label": label("Customer"),
    "field_overrides": {"industry": {"label": label("Sector"), "required": True}},
    "rule_overrides": {"name_not_test": {"active": False, "condition": "name = 'x'"}},
}


def test_default_policies() -> None:
    assert _locked(Layers((pack(account()),), overlay(Account=ALL_OVERRIDES))) == [
        "/field_overrides/industry/required", "/rule_overrides/name_not_test/condition"]


def test_pack_wide_policies_replace_the_defaults() -> None:
    customizable = {"object": {"label": "locked"}, "field": {"required": "editable"},
                    "rule": {"active": "immutable", "condition": "editable"}}
    crm = pack(account(), customizable=customizable)
    assert _locked(Layers((crm,), overlay(Account=ALL_OVERRIDES))) == [
        "/label", "/rule_overrides/name_not_test/active"]


def test_element_policies_win_over_the_pack_wide_ones() -> None:
    doc = account(customizable={"label": "editable"})
    doc["fields"][1]["customizable"] = {"required": "locked", "label": "immutable"}
    doc["validation_rules"][0]["customizable"] = {"condition": "editable"}
    crm = pack(doc, customizable={"object": {"label": "locked"},
                                  "field": {"required": "editable"}})
    assert _locked(Layers((crm,), overlay(Account=ALL_OVERRIDES))) == [
        "/field_overrides/industry/label", "/field_overrides/industry/required"]


def test_the_locked_message_names_the_pack_and_the_policy() -> None:
    doc = account()
    doc["fields"][1]["customizable"] = {"label": "immutable"}
    with pytest.raises(MetadataError) as exc:
        merge(Layers((pack(doc),), overlay(Account={"field_overrides": {"industry": {
            "label": label("Sector"), "options": []}}})))
    [problem] = exc.value.problems
    assert "Account.industry label is immutable in the pack crm" in problem.message
    assert "not even a later pack version" in problem.message


def test_options_follow_the_options_policy() -> None:
    doc = account()
    doc["fields"][1]["customizable"] = {"options": "locked"}
    ext = {"field_overrides": {"industry": {"options": [{"api_name": "retail", "active": False}]}}}
    assert _locked(Layers((pack(doc),), overlay(Account=ext))) == [
        "/field_overrides/industry/options"]


@pytest.mark.parametrize("key", ["api_name", "type"])
def test_api_name_and_type_cannot_be_declared_anything_but_immutable(key: str) -> None:
    doc = account()
    doc["fields"][0]["customizable"] = {key: "editable"}
    with pytest.raises(MetadataError) as exc:
        pack(doc)
    assert [(p.code, p.pointer) for p in exc.value.problems] == [
        ("schema.enum", f"/fields/0/customizable/{key}")]


# --- renames ------------------------------------------------------------------------------

def test_merge_follows_the_packs_renames() -> None:
    doc = account(renamed_from="Customer")
    doc["fields"][2] = {**doc["fields"][2], "api_name": "area", "renamed_from": "region"}
    ext = {"field_overrides": {"region": {"label": label("Territory")}},
           "validation_rules": [{"api_name": "r__c", "condition": "TRUE",
                                 "message": label("m"), "error_field": "region"}]}
    effective = merge(Layers((pack(doc, version="2.0.0"),), overlay(Customer=ext)))
    obj = effective.pack.object("Account")
    assert obj.field("area").label["en"] == "Territory"
    assert obj.validation_rules[-1].error_field == "area"
    assert effective.origins[("objects/Account.json", "/fields/2/label")] == (
        "overlay/extensions/Customer.json", "/field_overrides/region/label")


# --- locate -------------------------------------------------------------------------------

def _effective(origins: dict[tuple[str, str], tuple[str, str]]) -> Effective:
    return Effective(pack(account()), origins)


@pytest.mark.parametrize(("file", "at", "expected"), [
    ("objects/A.json", "/fields/1/label/en", ("overlay/extensions/A.json", "/label/en")),
    ("objects/A.json", "/fields/10/type", ("packs/crm/objects/A.json", "/fields/10/type")),
    ("objects/A.json", "/fields/1", ("packs/crm/objects/A.json", "/fields/1")),
    ("objects/A.json", "", ("packs/crm/objects/A.json", "")),
    ("objects/B.json", "/x", ("objects/B.json", "/x")),
])
def test_locate_uses_the_longest_prefix(file: str, at: str, expected: tuple[str, str]) -> None:
    effective = _effective({("objects/A.json", ""): ("packs/crm/objects/A.json", ""),
                            ("objects/A.json", "/fields/1/label"): (
                                "overlay/extensions/A.json", "/label")})
    located = effective.locate(Problem("formula.syntax", file, at, "m", "h", "excerpt"))
    assert (located.file, located.pointer) == expected
    assert (located.code, located.message, located.hint, located.excerpt) == (
        "formula.syntax", "m", "h", "excerpt")


def test_origins_are_read_only() -> None:
    effective = _effective({("a", ""): ("b", "")})
    with pytest.raises(TypeError):
        effective.origins[("c", "")] = ("d", "")  # type: ignore[index]


# --- an overlay on its own ------------------------------------------------------------------

def test_an_overlay_alone_leaves_lookups_to_installed_objects_to_the_merge() -> None:
    visit = {"api_name": "Visit__c", "label": label("Visit"), "name_field": "name__c",
             "fields": [{"api_name": "name__c", "type": "text", "label": label("Name")},
                        {"api_name": "account__c", "type": "lookup", "label": label("A"),
                         "target": "Account"},
                        {"api_name": "trip__c", "type": "lookup", "label": label("T"),
                         "target": "Trip__c"}]}
    with pytest.raises(MetadataError) as exc:
        overlay(visit)
    assert [(p.code, p.pointer) for p in exc.value.problems] == [
        ("lookup.unknown_target", "/fields/2/target")]


def test_an_extension_is_checked_on_its_own() -> None:
    ext = {"fields": [{"api_name": "zone", "type": "text", "label": {"en": "Zone"}}],
           "field_overrides": {"industry": {"options": [{"api_name": "Bad Name"}]}},
           "rule_overrides": {"x": {"message": {"zh": "消息"}}}}
    with pytest.raises(MetadataError) as exc:
        overlay(Account=ext)
    assert sorted((p.code, p.pointer) for p in exc.value.problems) == [
        ("label.missing_language", "/fields/0/label"),
        ("label.missing_language", "/rule_overrides/x/message"),
        ("name.custom_suffix", "/fields/0/api_name"),
        ("name.quote_char", "/field_overrides/industry/options/0/api_name"),
    ]


def test_an_extension_alone_checks_what_refers_to_the_overlay_itself() -> None:
    ext = {"fields": [{"api_name": "trip__c", "type": "lookup", "label": label("T"),
                       "target": "Trip__c"},
                      {"api_name": "zone__c", "type": "text", "label": label("Z")}],
           "validation_rules": [
               {"api_name": "a__c", "condition": "TRUE", "message": label("m"),
                "error_field": "zone__c"},
               {"api_name": "b__c", "condition": "TRUE", "message": label("m"),
                "error_field": "area__c"},
               {"api_name": "c__c", "condition": "TRUE", "message": label("m"),
                "error_field": "region"}]}
    with pytest.raises(MetadataError) as exc:
        overlay(Account=ext)
    assert [(p.code, p.pointer) for p in exc.value.problems] == [
        ("lookup.unknown_target", "/fields/0/target"),
        ("rule.unknown_field", "/validation_rules/1/error_field")]


@pytest.mark.parametrize("kind", ["preset", "snapshot"])
def test_extensions_belong_to_tenant_packs(kind: str) -> None:
    documents = {"pack.json": {"name": "crm", "version": "1.0.0", "label": label("CRM"),
                               "kind": kind},
                 "objects/Account.json": account(),
                 "extensions/Account.json": {"object": "Account"}}
    with pytest.raises(MetadataError) as exc:
        load_documents(documents)
    [problem] = exc.value.problems
    assert (problem.code, problem.file, problem.pointer) == (
        "pack.unexpected_file", "extensions/Account.json", "")
    assert f"a {kind} pack has no extension files" in problem.message


def test_a_snapshot_holds_custom_and_preset_names() -> None:
    doc = account()
    doc["fields"].append({"api_name": "zone__c", "type": "text", "label": label("Zone")})
    loaded = pack(doc, kind="snapshot")
    assert loaded.object("Account").field("zone__c") is not None
    with pytest.raises(MetadataError):
        pack(doc)


def test_merging_never_changes_the_layers() -> None:
    crm = pack(account())
    before = {k: repr(v) for k, v in crm.documents.items()}
    ext = {"field_overrides": {"industry": {"label": label("Sector"), "options": [
        {"api_name": "x__c", "label": label("X")}]}},
        "fields": [{"api_name": "zone__c", "type": "text", "label": label("Zone")}]}
    merge(Layers((crm,), overlay(Account=ext)))
    assert {k: repr(v) for k, v in crm.documents.items()} == before
    assert replace(crm) == pack(account())


def test_the_examples_in_the_packs_doc_merge_with_the_example_crm() -> None:
    text = (Path(__file__).parents[3] / "docs" / "packs.md").read_text("utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.DOTALL)
              if b.lstrip().startswith("{") and '"object"' in b]
    assert len(blocks) == 3
    extensions = {doc["object"]: {k: v for k, v in doc.items() if k not in ("$schema", "object")}
                  for doc in blocks}
    effective = merge(Layers((example_crm(),), overlay(**extensions)))
    account_def = effective.pack.object("Account")
    assert account_def.field("industry").label["en"] == "Sector"
    assert account_def.field("industry").option("telecom__c") is not None
    assert not effective.pack.object("Opportunity").validation_rules[2].active
    order = effective.pack.object("Order")
    assert dict(order.data_permission) == {"internal": "private",
                                           "external": "company_read_write"}
    assert [r.api_name for r in order.sharing_rules] == ["big_to_hq__c"]
