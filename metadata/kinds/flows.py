"""Flows (互联流程, ``flows/<api_name>.json``): approval processes and automations of an object.

An approval process (``"type": "approval"``) takes a record through ordered steps of
approvers, with field updates on submit, approve, reject and recall, and the record
locked while pending; an automation (``"type": "automation"``, a workflow rule) runs
actions when records are created or updated, and scheduled actions relative to a date
field. The models are in :mod:`hulian.metadata.kinds.flow_models`; docs/flows.md
describes the documents::

    {"api_name": "order_approval", "type": "approval", "object": "Order",
     "label": {"zh": "订单审批", "en": "Order approval"},
     "entry_criteria": "ISPICKVAL(status, 'draft')",
     "steps": [{"api_name": "dealer_boss",
                "approvers": [{"enterprise_role": "dealer_boss"}]}],
     "actions": {"approve": [{"field": "status", "value": "'approved'"}]}}

A tenant's overlay may add flows, replace a pack's (unless locked) or switch one off with
a file of the same name holding only ``{"api_name": "order_approval", "active": false}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hulian.metadata.kinds.base import (
    DocumentKind,
    Formula,
    FormulaTarget,
    PackView,
    Report,
    Use,
    content,
    items,
    mapping,
)
from hulian.metadata.kinds.flow_checks import (
    ROLE_KEYS,
    actions_of,
    check_flow,
    is_switch,
    master_fields,
    parties,
)
from hulian.metadata.kinds.flow_models import Flow, FlowSwitch, build_flow

__all__ = ["FLOWS", "FlowKind"]

_BOOLEAN_HINT = ("a condition is true or false, e.g. total_amount > 50000 && "
                 "ISPICKVAL(status, 'draft')")
_TEXT_HINT = "a text formula: quote texts and join them with &, e.g. 'Order ' & number"


class FlowKind(DocumentKind):
    name = "flow"
    folder = "flows"
    schema = "flow.schema.json"
    what = "a flow"

    def build(self, doc: Mapping[str, Any], source: str) -> Flow | FlowSwitch:
        return build_flow(doc, source, content(doc))

    def switches(self, doc: Mapping[str, Any]) -> bool:
        return is_switch(doc)

    def check(self, doc: Mapping[str, Any], file: str, report: Report,
              pack: PackView) -> None:
        check_flow(doc, report, pack)

    def formulas(self, doc: Mapping[str, Any]) -> Iterator[Formula]:
        obj = doc.get("object")
        if not isinstance(obj, str) or is_switch(doc):
            return
        what = f"flow {doc.get('api_name')}"
        if doc.get("type") == "approval":
            yield from _boolean(doc, ("entry_criteria",), obj, f"entry criteria of {what}")
            for i, step in items(doc.get("steps")):
                yield from _boolean(step, ("steps", i, "criteria"), obj,
                                    f"criteria of step {step.get('api_name')} of {what}")
            for event, updates in mapping(doc.get("actions")).items():
                for i, update in items(updates):
                    yield from _value(update, ("actions", event, i), obj, what,
                                      FormulaTarget(update.get("field", "")))
            return
        yield from _boolean(doc, ("condition",), obj, f"condition of {what}", "validation")
        for path, action in actions_of(doc):
            kind = action.get("type")
            if kind == "field_update":
                master = action.get("target") == "master"
                yield from _value(action, path, obj, what, FormulaTarget(
                    action.get("field", ""), master=master,
                    master_field=action.get("master_field") if master else None))
            elif kind == "create_record" and isinstance(action.get("object"), str):
                for field, text in mapping(action.get("values")).items():
                    if isinstance(text, str):
                        yield Formula((*path, "values", field), text, obj,
                                      what=f"value of {action['object']}.{field} in {what}",
                                      target=FormulaTarget(field, action["object"]))
            for key in ("text", "title", "body"):
                if kind in ("activity", "notify") and isinstance(action.get(key), str):
                    yield Formula((*path, key), action[key], obj, "text", f"{key} in {what}",
                                  _TEXT_HINT)

    def uses(self, doc: Mapping[str, Any], pack: PackView) -> Iterator[Use]:
        obj = doc.get("object")
        if not isinstance(obj, str) or is_switch(doc):
            return
        yield Use("object", obj, ("object",))
        for event, updates in mapping(doc.get("actions")).items() \
                if doc.get("type") == "approval" else ():
            for i, update in items(updates):
                if isinstance(update.get("field"), str):
                    yield Use("field", update["field"], ("actions", event, i, "field"), obj)
        for i, scheduled in items(doc.get("scheduled")):
            if isinstance(scheduled.get("field"), str):
                yield Use("field", scheduled["field"], ("scheduled", i, "field"), obj)
        for path, action in actions_of(doc):
            yield from _action_uses(action, path, obj, pack)
        for path, key, value in parties(doc):
            if key in ROLE_KEYS and isinstance(value, str):
                yield Use("role", value, path)


def _boolean(holder: Mapping[str, Any], path: tuple[Any, ...], obj: str, what: str,
             context: str = "filter") -> Iterator[Formula]:
    if isinstance(holder.get(path[-1]), str):
        yield Formula(path, holder[path[-1]], obj, "boolean", what, _BOOLEAN_HINT, context)


def _value(holder: Mapping[str, Any], path: tuple[Any, ...], obj: str, what: str,
           target: FormulaTarget) -> Iterator[Formula]:
    if isinstance(holder.get("value"), str) and target.field:
        yield Formula((*path, "value"), holder["value"], obj,
                      what=f"value of {target.field} in {what}",
                      hint="a picklist takes a text naming an option, e.g. 'approved'; a "
                           "date a date, e.g. TODAY()", target=target)


def _action_uses(action: Mapping[str, Any], path: tuple[Any, ...], obj: str,
                 pack: PackView) -> Iterator[Use]:
    kind = action.get("type")
    if kind == "field_update" and isinstance(action.get("field"), str):
        target: str | None = obj
        if action.get("target") == "master":
            named = action.get("master_field")
            if isinstance(named, str):
                yield Use("field", named, (*path, "master_field"), obj)
            view = pack.objects.get(obj)
            masters = master_fields(view) if view is not None else []
            field = named if isinstance(named, str) else masters[0] if len(masters) == 1 \
                else None
            found = view.fields.get(field) if view is not None and field else None
            target = found.get("target") if isinstance(found, Mapping) else None
        if isinstance(target, str):
            yield Use("field", action["field"], (*path, "field"), target)
    elif kind == "create_record" and isinstance(action.get("object"), str):
        other = action["object"]
        yield Use("object", other, (*path, "object"))
        for field in mapping(action.get("values")):
            yield Use("field", field, (*path, "values", field), other, key=True)


FLOWS = FlowKind()
