"""The flow editors' forms (runtime/setup/flows_approval.py, flows_automation.py): a
document shown as the form's rows and read back is the same document; blank rows are
ignored, rows filled in part kept; problems reach the input of their row."""

from __future__ import annotations

from starlette.datastructures import FormData

from hulian.metadata.problems import Problem
from hulian.runtime.setup.flow import Problems
from hulian.runtime.setup.flows_approval import approval_view, parse_approval
from hulian.runtime.setup.flows_automation import (
    automation_view,
    parse_automation,
    unsupported,
)
from hulian.runtime.setup.flows_form import within

APPROVAL = {
    "api_name": "big__c", "type": "approval", "object": "Order",
    "label": {"zh": "大额", "en": "Big"}, "entry_criteria": "total_amount > 0",
    "lock": {"approvers_may_edit": True},
    "steps": [
        {"api_name": "boss", "label": {"zh": "老板", "en": "Boss"},
         "approvers": [{"user": "mei"}, {"user": "wang"}, {"role": "sales_director"},
                       {"department_leader": 2}, {"partner_manager": True},
                       {"enterprise_role": "dealer_boss"}], "decision": "all"},
        {"api_name": "step_2", "criteria": "total_amount > 50000",
         "approvers": [{"partner_manager": True}]}],
    "actions": {"submit": [{"field": "status", "value": "'pending_approval'"}],
                "reject": [{"field": "status", "value": "'rejected'"}]},
}
AUTOMATION = {
    "api_name": "remind__c", "type": "automation", "object": "Order",
    "label": {"zh": "提醒", "en": "Remind"}, "active": False, "trigger": "update",
    "condition": "ISCHANGED(status)",
    "actions": [
        {"type": "field_update", "field": "notes", "value": "'changed'"},
        {"type": "create_record", "object": "Contact",
         "values": {"last_name": "number", "email": "'a@b.c'"}},
        {"type": "activity", "kind": "visit", "text": "'Visit ' & number"},
        {"type": "notify", "to": [{"owner": True}, {"user": "wang"}, {"role": "sales_rep"}],
         "title": "'Changed'", "body": "number"},
        {"type": "webhook_event", "event": "order_changed"}],
    "scheduled": [{"api_name": "later", "field": "order_date", "offset_days": -3,
                   "actions": [{"type": "notify", "to": [{"partner_manager": True}],
                                "title": "'Soon'", "body": "number"}]}],
}


def _form_of(view: dict, kind: str) -> FormData:
    """The form a browser sends for ``view`` untouched (what the templates render)."""
    items: list[tuple[str, str]] = [("label_zh", view["label_zh"]),
                                    ("label_en", view["label_en"]),
                                    ("description", view["description"])]
    if view["active"]:
        items.append(("active", "true"))

    def parties(prefix: str, p: dict) -> None:
        items.append((f"{prefix}users", p["users"]))
        items.extend((f"{prefix}roles", r) for r in p["roles"])
        items.extend((f"{prefix}enterprise_roles", r) for r in p["enterprise_roles"])
        items.append((f"{prefix}department_leader", p["department_leader"]))
        items.extend((f"{prefix}{k}", "true") for k in ("owner", "partner_manager") if p[k])

    def groups(prefix: str, found: dict) -> None:
        for group, rows in found.items():
            items.append((f"rows_{prefix}{group}", str(len(rows))))
            for i, row in enumerate(rows):
                name = f"{prefix}{group}{i}_"
                for key, value in row.items():
                    if key == "parties":
                        parties(name, value)
                    else:
                        items.append((name + key, value))

    if kind == "approval":
        items.append(("entry_criteria", view["entry_criteria"]))
        items.extend((f"lock_{k}", "true") for k, on in view["lock"].items() if on)
        items.append(("rows_step", str(len(view["steps"]))))
        for i, step in enumerate(view["steps"]):
            for key in ("api_name", "label_zh", "label_en", "criteria", "decision"):
                items.append((f"step{i}_{key}", step[key]))
            parties(f"step{i}_", step["parties"])
        for event, rows in view["updates"].items():
            items.append((f"rows_{event}", str(len(rows))))
            for i, row in enumerate(rows):
                items += [(f"{event}{i}_field", row["field"]), (f"{event}{i}_value", row["value"])]
    else:
        items += [("trigger", view["trigger"]), ("condition", view["condition"])]
        groups("a_", view["groups"])
        scheduled = view["scheduled"]
        items += [("s_api_name", scheduled["api_name"]), ("s_field", scheduled["field"]),
                  ("s_offset_days", scheduled["offset_days"])]
        groups("s_", scheduled["groups"])
    return FormData(items)


def test_an_approval_goes_through_its_form_unchanged():
    view = approval_view(APPROVAL)
    assert len(view["steps"]) == 5  # two steps and three blank rows
    assert view["steps"][0]["parties"]["users"] == "mei, wang"
    doc, places = parse_approval(_form_of(view, "approval"), "big__c", "Order")
    assert doc == APPROVAL
    assert [p.pointer for p in places] == ["/steps/0", "/steps/1", "/actions/submit/0",
                                           "/actions/reject/0"]


def test_an_automation_goes_through_its_form_unchanged():
    assert unsupported(AUTOMATION) == []
    doc, _ = parse_automation(_form_of(automation_view(AUTOMATION), "automation"),
                              "remind__c", "Order")
    assert doc == AUTOMATION


def test_blank_rows_are_ignored_and_partly_filled_ones_kept():
    form = FormData([("label_en", "X"), ("active", "true"), ("rows_step", "3"),
                     ("step0_users", ""), ("step1_criteria", "total_amount > 1"),
                     ("rows_approve", "2"), ("approve1_value", "'approved'")])
    doc, places = parse_approval(form, "x__c", "Order")
    assert doc["steps"] == [{"api_name": "step_1", "criteria": "total_amount > 1",
                             "approvers": []}]
    assert doc["actions"] == {"approve": [{"field": "", "value": "'approved'"}]}
    problems = Problems.sort([
        Problem("schema", "overlay/flows/x__c.json", "/steps/0/approvers", "too short"),
        Problem("schema", "overlay/flows/x__c.json", "/actions/approve/0/field", "empty"),
        Problem("schema", "overlay/flows/x__c.json", "", "bad document")], places)
    assert problems.by_input == {"step1_approvers": ["too short"], "approve1_field": ["empty"]}
    assert problems.general == ["overlay/flows/x__c.json: bad document"]


def test_a_problem_of_an_input_the_page_lacks_is_not_lost():
    problems = within(Problems({"step9_label": ["odd"], "label": ["empty"]}), ["label"])
    assert problems.by_input == {"label": ["empty"]} and problems.general == ["odd"]


def test_what_the_automation_form_cannot_show_is_named():
    master = {**AUTOMATION, "actions": [{"type": "field_update", "target": "master",
                                         "field": "notes", "value": "'x'"}]}
    reordered = {**AUTOMATION, "actions": list(reversed(AUTOMATION["actions"]))}
    twice = {**AUTOMATION, "scheduled": AUTOMATION["scheduled"] * 2}
    assert unsupported(master) == ["setup_flow_unsupported_master"]
    assert unsupported(reordered) == ["setup_flow_unsupported_order"]
    assert unsupported(twice) == ["setup_flow_unsupported_scheduled"]
