"""Flows through a tenant's metadata lifecycle, on both databases.

Adding or switching a flow is a metadata-only step that history and diff show; every flow
formula is type-checked at deploy (conditions, values that must fit their field, texts);
a named user must be a user of the tenant; an overlay adds flows and switches a pack's
off; renames follow into an overlay's flows and removing a field a flow uses is refused
with every use. The pack is tests/unit/metadata/packs/shop with the flows of
tests/unit/metadata/test_flows.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from hulian.engine import DeployError, MetadataError
from hulian.metadata import read_documents
from hulian.metadata.kinds.flow_models import Flow
from tests.packs import pack_of
from tests.unit.metadata.test_flows import approval, automation

SHOP = Path(__file__).parents[1] / "unit" / "metadata" / "packs" / "shop"


def shop(version: str = "1.0.0", **flows: dict[str, Any]) -> dict[str, Any]:
    docs = copy.deepcopy(read_documents(SHOP)[0])
    docs["pack.json"]["version"] = version
    for name, doc in flows.items():
        docs[f"flows/{name}.json"] = doc
    return docs


def without_user(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with no approver or recipient naming a user (the tenant has none)."""
    text = json.dumps(doc).replace(', {"user": "mei"}', "")
    return json.loads(text)


def flows() -> dict[str, dict[str, Any]]:
    return {"order_approval": without_user(approval()),
            "order_closed": without_user(automation())}


def _overlay(**documents: Any) -> dict[str, Any]:
    docs = {"pack.json": {"name": "acme", "version": "1.0.0", "kind": "tenant",
                          "label": {"zh": "艾克米", "en": "Acme"}}}
    docs.update({f"flows/{name}.json": doc for name, doc in documents.items()})
    return docs


def _deployed(engine, tenant) -> dict[str, Flow]:
    with engine.db.connect() as conn:
        return {f.api_name: f for f in engine.schema(conn, tenant).pack.part("flow")}


def test_flows_deploy_as_metadata_and_history_and_diff_show_their_changes(engine, tenant):
    admin = engine.metadata(tenant)
    admin.deploy(pack_of(shop()))
    report = admin.deploy(pack_of(shop("1.1.0", **flows())))
    assert [(s.action, s.description) for s in report.steps] == [
        ("update_document", "add flow order_approval (no data change)"),
        ("update_document", "add flow order_closed (no data change)")]
    deployed = _deployed(engine, tenant)
    assert deployed["order_approval"].approval.steps[1].criteria == "amount > 50000"
    assert deployed["order_closed"].automation.trigger == "update"
    changed = shop("1.2.0", **flows())
    changed["flows/order_closed.json"]["active"] = False
    del changed["flows/order_approval.json"]
    admin.deploy(pack_of(changed))
    expected = ["remove flow order_approval (no data change)",
                "update flow order_closed: active (no data change)"]
    assert sorted(s["description"] for s in admin.history()[-1]["steps"]) == expected
    assert sorted(line.removeprefix("[safe] ") for line in admin.diff(2, 3).lines()) == expected
    assert _deployed(engine, tenant)["order_closed"].active is False


def test_the_compiled_schema_holds_each_flow_formula_compiled_once(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(shop(**flows())))
    with engine.db.connect() as conn:
        formulas = engine.schema(conn, tenant).formulas["Order"]
    keys = {key for key in formulas.documents if key[0] == "flow"}
    assert ("flow", "order_approval", "/entry_criteria") in keys
    assert ("flow", "order_approval", "/steps/1/criteria") in keys
    assert ("flow", "order_approval", "/actions/approve/0/value") in keys
    assert ("flow", "order_closed", "/condition") in keys
    assert ("flow", "order_closed", "/actions/2/values/product") in keys
    assert ("flow", "order_closed", "/scheduled/0/actions/0/title") in keys


@pytest.mark.parametrize(("change", "code", "where"), [
    (lambda a, r: a.update(entry_criteria="amount + 1"), "formula.result_type",
     "flows/order_approval.json#/entry_criteria"),
    (lambda a, r: a["steps"][1].update(criteria="ISCHANGED(amount)"), "formula.context",
     "flows/order_approval.json#/steps/1/criteria"),
    (lambda a, r: a["actions"]["approve"][0].update(value="1"), "formula.result_type",
     "flows/order_approval.json#/actions/approve/0/value"),
    (lambda a, r: r["actions"][1].update(value="'soon'"), "formula.result_type",
     "flows/order_closed.json#/actions/1/value"),
    (lambda a, r: r["actions"][0].update(text="amount > 1"), "formula.result_type",
     "flows/order_closed.json#/actions/0/text"),
    (lambda a, r: r["actions"][3].update(title="PRIORVALUE(number)"), "formula.context",
     "flows/order_closed.json#/actions/3/title"),
    (lambda a, r: r["actions"][2]["values"].update(quantity="'many'"), "formula.result_type",
     "flows/order_closed.json#/actions/2/values/quantity"),
    (lambda a, r: r.update(condition="amout > 1"), "formula.unknown_field",
     "flows/order_closed.json#/condition"),
])
def test_a_flow_formula_of_the_wrong_type_or_context_is_refused(engine, tenant, change, code,
                                                                where):
    docs = flows()
    change(docs["order_approval"], docs["order_closed"])
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(pack_of(shop(**docs)))
    assert [(p.code, f"{p.file}#{p.pointer}") for p in exc.value.problems] == [(code, where)]
    assert all(p.message for p in exc.value.problems)
    assert engine.metadata(tenant).installed()["packs"] == {}


def test_a_condition_may_see_the_write_and_a_value_may_fit_its_field(engine, tenant):
    docs = flows()
    docs["order_closed"]["condition"] = "ISNEW() || PRIORVALUE(amount) < amount"
    docs["order_closed"]["actions"].append({"type": "field_update", "field": "amount",
                                            "value": "amount * 2"})
    engine.metadata(tenant).deploy(pack_of(shop(**docs)))
    assert _deployed(engine, tenant)["order_closed"].automation.actions[-1].value == \
        "amount * 2"


def test_a_user_a_flow_names_must_be_a_user_of_the_tenant(engine, tenant):
    docs = {"order_approval": approval(), "order_closed": automation()}
    for dry_run in (True, False):
        with pytest.raises(DeployError) as exc:
            engine.metadata(tenant).deploy(pack_of(shop(**docs)), dry_run=dry_run)
        assert exc.value.code == "flow_unknown_user"
        assert [(c["user"], c["file"], c["pointer"]) for c in exc.value.changes] == [
            ("mei", "flows/order_approval.json", "/steps/1/approvers/3/user"),
            ("mei", "flows/order_closed.json", "/actions/3/to/1/user")]
    engine.metadata(tenant).deploy(pack_of(shop()))
    engine.people(tenant).create_user("mei")
    engine.metadata(tenant).deploy(pack_of(shop("1.1.0", **docs)))
    assert set(_deployed(engine, tenant)) == {"order_approval", "order_closed"}


def test_an_overlay_adds_flows_and_switches_a_packs_flow_off_and_on(engine, tenant):
    admin = engine.metadata(tenant)
    admin.install_pack(pack_of(shop(**flows())))
    extra = without_user(automation(api_name="acme_rule", trigger="create"))
    del extra["condition"]
    switch = {"api_name": "order_approval", "active": False}
    admin.deploy(pack_of(_overlay(order_approval=switch, acme_rule=extra)))
    deployed = _deployed(engine, tenant)
    assert (deployed["order_approval"].active, deployed["order_closed"].active) == (False, True)
    assert deployed["order_approval"].approval.steps[0].api_name == "dealer_boss"
    assert deployed["acme_rule"].automation.trigger == "create"
    assert "update flow order_approval: active (no data change)" in \
        [s["description"] for s in admin.history()[-1]["steps"]]
    admin.deploy(pack_of(_overlay(order_approval={**switch, "active": True})))
    assert set(_deployed(engine, tenant)) == {"order_approval", "order_closed"}
    assert _deployed(engine, tenant)["order_approval"].active is True
    with pytest.raises(MetadataError) as exc:
        admin.deploy(pack_of(_overlay(other={"api_name": "other", "active": False})))
    assert [(p.code, p.file, p.pointer) for p in exc.value.problems] == [
        ("flow.switch_without_flow", "overlay/flows/other.json", "/active")]


def test_a_locked_flow_may_be_switched_off_but_not_replaced(engine, tenant):
    admin = engine.metadata(tenant)
    docs = flows()
    docs["order_approval"]["customizable"] = {"document": "locked"}
    admin.install_pack(pack_of(shop(**docs)))
    admin.deploy(pack_of(_overlay(order_approval={"api_name": "order_approval",
                                                  "active": False})))
    assert _deployed(engine, tenant)["order_approval"].active is False
    shorter = {**docs["order_approval"], "steps": docs["order_approval"]["steps"][:1]}
    with pytest.raises(MetadataError) as exc:
        admin.deploy(pack_of(_overlay(order_approval=shorter)))
    assert [p.code for p in exc.value.problems] == ["overlay.locked_document"]


def _with_priority(docs: dict[str, Any]) -> dict[str, Any]:
    docs["objects/Order.json"]["fields"].append(
        {"api_name": "priority", "type": "number", "label": {"zh": "优先级", "en": "Priority"}})
    return docs


def test_removing_a_field_flows_name_is_refused_when_the_pack_loads(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(shop(**flows())))
    gone = shop("2.0.0", **flows())
    line = gone["objects/OrderLine.json"]
    line["fields"] = [f for f in line["fields"] if f["api_name"] != "quantity"]
    gone["flows/order_closed.json"]["actions"][2]["values"]["quantity"] = "1"
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(pack_of(gone))
    assert [(p.code, p.file, p.pointer) for p in exc.value.problems
            if p.file.startswith("flows/")] == [
        ("flow.unknown_field", "flows/order_closed.json", "/actions/2/values/quantity")]


def test_removing_a_field_flow_formulas_read_is_refused_with_every_use(engine, tenant):
    docs = flows()
    docs["order_approval"]["steps"][0]["criteria"] = "priority > 1"
    docs["order_closed"]["condition"] = "ISCHANGED(priority)"
    engine.metadata(tenant).deploy(pack_of(_with_priority(shop(**docs))))
    gone = shop("2.0.0", **docs)
    for dry_run in (True, False):
        with pytest.raises(DeployError) as exc:
            engine.metadata(tenant).deploy(pack_of(gone), dry_run=dry_run)
        assert exc.value.code == "deploy_removed_in_use"
        assert [(c["removed"], c["file"], c["pointer"]) for c in exc.value.changes] == [
            ("Order.priority", "flows/order_approval.json", "/steps/0/criteria"),
            ("Order.priority", "flows/order_closed.json", "/condition")]
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1]


def test_renames_follow_into_the_overlays_flows_and_their_formulas(engine, tenant):
    admin = engine.metadata(tenant)
    admin.install_pack(pack_of(shop()))
    ours = without_user(automation(api_name="acme_rule"))
    ours["actions"][2]["values"] = {"quantity": "amount", "sales_order": "id"}
    ours["actions"].append({"type": "field_update", "field": "amount", "value": "amount + 1"})
    admin.deploy(pack_of(_overlay(acme_rule=ours)))
    text = json.dumps(shop("2.0.0")).replace('"amount"', '"total"')
    text = text.replace('"-amount"', '"-total"').replace("amount >=", "total >=")
    renamed = json.loads(text.replace('"quantity"', '"qty"').replace('"-quantity"', '"-qty"'))
    for obj, new, old in (("Order", "total", "amount"), ("OrderLine", "qty", "quantity")):
        next(f for f in renamed[f"objects/{obj}.json"]["fields"]
             if f["api_name"] == new)["renamed_from"] = old
    admin.upgrade_pack(pack_of(renamed))
    rule = _deployed(engine, tenant)["acme_rule"].document
    assert rule["actions"][-1] == {"type": "field_update", "field": "total",
                                   "value": "total + 1"}
    assert rule["actions"][2]["values"] == {"qty": "total", "sales_order": "id"}
