"""Dependent packs in hulian.metadata: a preset that requires the example CRM pack, checked
alone (what it names of crm is left to the merge), merged (its extensions applied, problems
at its files) and validated by the CLI with the required pack found next to it."""

from __future__ import annotations

import shutil

import pytest

from hulian.metadata import Layers, MetadataError, load_pack, merge
from hulian.runtime.cli import main
from tests.conftest import EXAMPLE_CRM
from tests.packs import documents, field, label, obj, pack_of, write_pack


def _mkt(requires: dict | None = None) -> dict:
    docs = documents(obj("Campaign", field("name", "text"),
                         field("account", "lookup", target="Account"),
                         field("region", "text", formula="account.name")), name="mkt")
    if requires is not None:
        docs["pack.json"]["requires"] = requires
    docs["roles/marketer.json"] = {"api_name": "marketer", "label": label("Marketer"),
                                   "kind": "internal",
                                   "objects": {"Campaign": {"read": True, "create": True},
                                               "Account": {"read": True}}}
    docs["extensions/Account.json"] = {"object": "Account", "fields": [
        field("campaign_count", "number", roll_up={"object": "Campaign",
                                                   "relationship": "account",
                                                   "function": "COUNT"})]}
    docs["extensions/roles/dealer_buyer.json"] = {"role": "dealer_buyer",
                                                  "objects": {"Campaign": {"read": True}}}
    docs["extensions/apps/order.json"] = {"app": "order", "objects": ["Campaign"]}
    return docs


def test_alone_a_dependent_pack_leaves_the_required_packs_names_to_the_merge():
    pack = pack_of(_mkt({"crm": "^1.0.0"}))
    assert pack.partial and pack.kind == "preset"


def test_a_preset_without_requires_may_not_name_other_packs():
    with pytest.raises(MetadataError) as exc:
        pack_of(_mkt())
    codes = {(p.code, p.file) for p in exc.value.problems}
    assert ("lookup.unknown_target", "objects/Campaign.json") in codes
    assert ("pack.unexpected_file", "extensions/apps/order.json") in codes
    hint = next(p.hint for p in exc.value.problems if p.file == "extensions/Account.json")
    assert "requires" in hint


def test_the_merge_applies_the_object_role_and_app_extensions():
    effective = merge(Layers((load_pack(EXAMPLE_CRM), pack_of(_mkt({"crm": "^1.0.0"})))))
    account = effective.pack.object("Account")
    assert account.field("campaign_count").roll_up is not None
    buyer = effective.pack.role("dealer_buyer")
    assert buyer.objects["Campaign"].read and buyer.objects["Order"].create
    [app] = [a for a in effective.pack.apps if a.api_name == "order"]
    assert app.objects[-1] == "Campaign" and "Order" in app.objects


def test_a_merge_problem_is_reported_at_the_dependent_pack_file():
    docs = _mkt({"crm": "^1.0.0"})
    docs["extensions/apps/order.json"]["roles"] = ["dealer_byer"]
    docs["roles/marketer.json"]["objects"]["Account"]["fields"] = {"industri": "read_only"}
    with pytest.raises(MetadataError) as exc:
        merge(Layers((load_pack(EXAMPLE_CRM), pack_of(docs))))
    assert sorted((p.code, p.file, p.pointer) for p in exc.value.problems) == [
        ("app.unknown_role", "packs/mkt/extensions/apps/order.json", "/roles/0"),
        ("role.unknown_field", "packs/mkt/roles/marketer.json", "/objects/Account/fields/industri")]


def test_validate_finds_the_required_pack_next_to_the_dependent_one(tmp_path, capsys):
    shutil.copytree(EXAMPLE_CRM, tmp_path / "crm")
    docs = _mkt({"crm": "^1.0.0"})
    docs["objects/Campaign.json"]["fields"][2]["formula"] = "account.nmae"
    write_pack(tmp_path / "mkt", docs)
    assert main(["validate", str(tmp_path / "mkt")]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path}/mkt/objects/Campaign.json:/fields/2/formula: formula.unknown_field" in out
    assert "did you mean 'name'?" in out
    docs["objects/Campaign.json"]["fields"][2]["formula"] = "account.name"
    write_pack(tmp_path / "mkt", docs)
    assert main(["validate", str(tmp_path)]) == 0
