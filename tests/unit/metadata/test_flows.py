"""hulian.metadata.kinds.flows: approval processes and automations as pack documents.

The documents are added to the ``shop`` test pack (Order, its OrderLine details, the
interconnect role dealer_buyer and the internal role sales_rep); the bad ones, one per
problem code, are in tests/invalid_metadata.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from hulian.metadata import MetadataError, load_documents, read_documents
from hulian.metadata.kinds import BY_FOLDER, kind_of
from hulian.metadata.kinds.flow_models import (
    ActivityAction,
    ApprovalStep,
    CreateRecordAction,
    FieldUpdate,
    FieldUpdateAction,
    Flow,
    FlowSwitch,
    Lock,
    NotifyAction,
    Party,
    ScheduledAction,
    WebhookEventAction,
)

SHOP = Path(__file__).parent / "packs" / "shop"
LABEL = {"zh": "订单审批", "en": "Order approval"}


def approval(**extra: Any) -> dict[str, Any]:
    return {"api_name": "order_approval", "type": "approval", "object": "Order",
            "label": LABEL, "entry_criteria": "amount > 0 && ISPICKVAL(status, 'open')",
            "lock": {"details": True, "approvers_may_edit": False},
            "steps": [
                {"api_name": "dealer_boss", "label": {"zh": "老板", "en": "Dealer owner"},
                 "approvers": [{"enterprise_role": "dealer_buyer"}]},
                {"api_name": "upstream", "label": {"zh": "上游", "en": "Upstream"},
                 "criteria": "amount > 50000", "decision": "all",
                 "approvers": [{"partner_manager": True}, {"role": "sales_rep"},
                               {"department_leader": 2}, {"user": "mei"}]}],
            "actions": {"submit": [{"field": "notes", "value": "'pending'"}],
                        "approve": [{"field": "status", "value": "'closed'"}],
                        "reject": [], "recall": [{"field": "status", "value": "'open'"}]},
            **extra}


def automation(**extra: Any) -> dict[str, Any]:
    return {"api_name": "order_closed", "type": "automation", "object": "Order",
            "label": {"zh": "订单完成", "en": "Order closed"}, "trigger": "update",
            "condition": "ISCHANGED(status) && ISPICKVAL(status, 'closed')",
            "actions": [
                {"type": "activity", "kind": "note", "text": "'Order ' & number & ' closed'"},
                {"type": "field_update", "field": "order_date", "value": "TODAY()"},
                {"type": "create_record", "object": "OrderLine",
                 "values": {"product": "'Shipping'", "sales_order": "id"}},
                {"type": "notify", "to": [{"owner": True}, {"user": "mei"}],
                 "title": "'Order closed'", "body": "number & ' is closed'"},
                {"type": "webhook_event", "event": "order_closed"}],
            "scheduled": [
                {"api_name": "remind", "field": "order_date", "offset_days": -3,
                 "actions": [{"type": "notify", "to": [{"owner": True}],
                              "title": "'Due soon'", "body": "number"}]}],
            **extra}


def _documents(**flows: dict[str, Any]) -> dict[str, Any]:
    docs = copy.deepcopy(read_documents(SHOP)[0])
    for name, doc in flows.items():
        docs[f"flows/{name}.json"] = doc
    return docs


def test_flows_is_a_registered_kind() -> None:
    assert BY_FOLDER["flows"].name == "flow"
    assert kind_of("flows/order_approval.json") is BY_FOLDER["flows"]


def test_an_approval_process_loads_into_its_model() -> None:
    pack = load_documents(_documents(order_approval=approval()))
    (flow,) = pack.part("flow")
    assert isinstance(flow, Flow) and flow.automation is None and flow.approval
    assert (flow.api_name, flow.type, flow.object, flow.active, flow.source) == (
        "order_approval", "approval", "Order", True, "flows/order_approval.json")
    process = flow.approval
    assert process.entry_criteria == "amount > 0 && ISPICKVAL(status, 'open')"
    assert process.lock == Lock(details=True, approvers_may_edit=False, when_approved=True)
    assert process.steps[0] == ApprovalStep(
        "dealer_boss", (Party("enterprise_role", "dealer_buyer"),),
        {"zh": "老板", "en": "Dealer owner"}, None, "any")
    assert process.steps[1].approvers == (Party("partner_manager"), Party("role", "sales_rep"),
                                          Party("department_leader", levels=2),
                                          Party("user", "mei"))
    assert (process.steps[1].criteria, process.steps[1].decision) == ("amount > 50000", "all")
    assert process.actions.on("approve") == (FieldUpdate("status", "'closed'"),)
    assert process.actions.reject == ()
    assert flow.document["steps"][0]["api_name"] == "dealer_boss"


def test_an_approval_takes_the_documented_defaults() -> None:
    doc = approval()
    for key in ("lock", "actions", "entry_criteria"):
        del doc[key]
    del doc["steps"][1]["decision"]
    (flow,) = load_documents(_documents(order_approval=doc)).part("flow")
    assert flow.approval.lock == Lock(details=True, approvers_may_edit=False, when_approved=True)
    assert flow.approval.entry_criteria is None
    assert flow.approval.steps[1].decision == "any"
    assert flow.approval.actions.submit == ()


def test_an_automation_loads_into_its_model() -> None:
    pack = load_documents(_documents(order_closed=automation(active=False)))
    (flow,) = pack.part("flow")
    assert flow.approval is None and flow.automation is not None and flow.active is False
    rule = flow.automation
    assert (rule.trigger, rule.condition) == (
        "update", "ISCHANGED(status) && ISPICKVAL(status, 'closed')")
    assert rule.actions == (
        ActivityAction("note", "'Order ' & number & ' closed'"),
        FieldUpdateAction("order_date", "TODAY()", "record", None),
        CreateRecordAction("OrderLine", {"product": "'Shipping'", "sales_order": "id"}),
        NotifyAction((Party("owner"), Party("user", "mei")), "'Order closed'",
                     "number & ' is closed'"),
        WebhookEventAction("order_closed"))
    assert [a.type for a in rule.actions] == ["activity", "field_update", "create_record",
                                              "notify", "webhook_event"]
    assert rule.scheduled == (ScheduledAction("remind", "order_date", -3, (
        NotifyAction((Party("owner"),), "'Due soon'", "number"),)),)


def test_a_switch_alone_is_a_flow_switch_model() -> None:
    pack = load_documents({
        "pack.json": {"name": "acme", "version": "1.0.0", "kind": "tenant",
                      "label": {"zh": "Acme", "en": "Acme"}},
        "flows/order_approval.json": {"api_name": "order_approval", "active": False}})
    assert pack.part("flow") == (FlowSwitch("order_approval", "flows/order_approval.json",
                                            {"api_name": "order_approval", "active": False},
                                            active=False),)


@pytest.mark.parametrize(("change", "code", "where"), [
    (lambda d: d.pop("steps"), "schema.required", "/steps"),
    (lambda d: d["steps"][0]["approvers"][0].update(user="x"), "schema.range",
     "/steps/0/approvers/0"),
    (lambda d: d["steps"][1]["approvers"].append({"department_leader": 11}), "schema.range",
     "/steps/1/approvers/4/department_leader"),
    (lambda d: d.update(actions=[]), "schema.type", "/actions"),
    (lambda d: d["steps"].extend([d["steps"][0]] * 19), "schema.range", "/steps"),
])
def test_a_malformed_approval_is_a_schema_problem(change: Any, code: str, where: str) -> None:
    doc = approval()
    change(doc)
    with pytest.raises(MetadataError) as info:
        load_documents(_documents(order_approval=doc))
    assert (code, "flows/order_approval.json", where) in [
        (p.code, p.file, p.pointer) for p in info.value.problems]


@pytest.mark.parametrize(("change", "code", "where"), [
    (lambda d: d.pop("trigger"), "schema.required", "/trigger"),
    (lambda d: d["actions"].append({"type": "notify", "to": [], "title": "'x'",
                                    "body": "'y'"}), "schema.range", "/actions/5/to"),
    (lambda d: d["actions"].append({"type": "field_update", "field": "x"}),
     "schema.required", "/actions/5/value"),
    (lambda d: d["actions"].append({"type": "webhook_event", "event": "Bad Name"}),
     "schema.pattern", "/actions/5/event"),
    (lambda d: d["scheduled"][0].update(offset_days=4000), "schema.range",
     "/scheduled/0/offset_days"),
    (lambda d: d.update(actions={}), "schema.type", "/actions"),
])
def test_a_malformed_automation_is_a_schema_problem(change: Any, code: str, where: str
                                                     ) -> None:
    doc = automation()
    change(doc)
    with pytest.raises(MetadataError) as info:
        load_documents(_documents(order_closed=doc))
    assert (code, "flows/order_closed.json", where) in [
        (p.code, p.file, p.pointer) for p in info.value.problems]


def _problems(**flows: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(MetadataError) as info:
        load_documents(_documents(**flows))
    assert [p for p in info.value.problems if not (p.hint and p.message)] == []
    return sorted((p.code, p.file, p.pointer) for p in info.value.problems)


def test_every_name_mistake_of_a_flow_is_reported_at_once_where_it_is() -> None:
    bad_approval = approval()
    bad_approval["steps"][1]["api_name"] = "dealer_boss"
    bad_approval["steps"][0]["approvers"] += [{"role": "dealer_buyer"},
                                              {"enterprise_role": "sales_rep"},
                                              {"role": "nobody"}]
    bad_approval["actions"]["approve"].append({"field": "number", "value": "'x'"})
    bad_approval["actions"]["reject"] = [{"field": "stauts", "value": "'x'"}]
    bad_approval["trigger"] = "update"
    bad_rule = automation(object="Order")
    bad_rule["scheduled"][0]["field"] = "amount"
    bad_rule["scheduled"].append({**bad_rule["scheduled"][0], "field": "order_date"})
    bad_rule["actions"] += [
        {"type": "field_update", "target": "master", "field": "status", "value": "'x'"},
        {"type": "create_record", "object": "Invoice", "values": {"x": "1"}},
        {"type": "create_record", "object": "OrderLine", "values": {"prodcut": "'x'"}},
        {"type": "activity", "kind": "note", "text": "'x'", "title": "'y'"}]
    bad_rule["steps"] = approval()["steps"]
    switch = {"api_name": "old_rule", "active": False}
    assert _problems(order_approval=bad_approval, order_closed=bad_rule,
                     old_rule=switch) == [
        ("flow.duplicate_name", "flows/order_approval.json", "/steps/1/api_name"),
        ("flow.duplicate_name", "flows/order_closed.json", "/scheduled/1/api_name"),
        ("flow.field_not_writable", "flows/order_approval.json", "/actions/approve/1/field"),
        ("flow.key_not_applicable", "flows/order_approval.json", "/trigger"),
        ("flow.key_not_applicable", "flows/order_closed.json", "/actions/8/title"),
        ("flow.key_not_applicable", "flows/order_closed.json", "/steps"),
        ("flow.no_master", "flows/order_closed.json", "/actions/5/target"),
        ("flow.not_a_date", "flows/order_closed.json", "/scheduled/0/field"),
        ("flow.role_kind", "flows/order_approval.json", "/steps/0/approvers/1/role"),
        ("flow.role_kind", "flows/order_approval.json",
         "/steps/0/approvers/2/enterprise_role"),
        ("flow.switch_without_flow", "flows/old_rule.json", "/active"),
        ("flow.unknown_field", "flows/order_approval.json", "/actions/reject/0/field"),
        ("flow.unknown_field", "flows/order_closed.json", "/actions/7/values/prodcut"),
        ("flow.unknown_object", "flows/order_closed.json", "/actions/6/object"),
        ("flow.unknown_role", "flows/order_approval.json", "/steps/0/approvers/3/role"),
    ]


def test_a_field_update_on_the_master_names_one_of_its_master_detail_fields() -> None:
    rule = automation(api_name="line_rule", object="OrderLine", scheduled=[], actions=[
        {"type": "field_update", "target": "master", "field": "notes", "value": "'x'"},
        {"type": "field_update", "target": "master", "master_field": "sales_order",
         "field": "nots", "value": "'x'"},
        {"type": "field_update", "target": "master", "master_field": "product",
         "field": "notes", "value": "'x'"}])
    assert _problems(line_rule=rule) == [
        ("flow.no_master", "flows/line_rule.json", "/actions/2/master_field"),
        ("flow.unknown_field", "flows/line_rule.json", "/actions/1/field"),
    ]


def test_a_switch_without_active_or_with_more_keys_is_incomplete() -> None:
    assert _problems(a={"api_name": "a"}, b={"api_name": "b", "object": "Order"}) == [
        ("flow.incomplete", "flows/a.json", ""),
        ("flow.incomplete", "flows/b.json", "/object"),
    ]
