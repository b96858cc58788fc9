"""The automation editor's form (``/setup/flows/...`` of ``"type": "automation"``): the
trigger, the condition, the actions and one scheduled action (docs/flows.md).

The actions are shown in groups, one per action type, each with rows to fill: field
updates of the record, records to create (``field = formula`` per line), activities
logged on the record, notifications and webhook events. The document lists them in that
order. What the form cannot show (a field update of the master record, more than one
scheduled action, actions in another order) is listed by :func:`unsupported`: such a
flow is shown as its document, to be changed as a file (``hulian export --overlay``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hulian.metadata.overlay_edits import Place
from hulian.runtime.setup.flows_form import (
    RECIPIENT_KEYS,
    Form,
    RowPlace,
    field_updates,
    i18n_view,
    parse_parties,
    parties_view,
    row_count,
    rows,
    text,
)
from hulian.runtime.setup.inputs import i18n_value

__all__ = ["GROUPS", "TRIGGERS", "automation_slots", "automation_view", "parse_automation",
           "unsupported"]

TRIGGERS = ("becomes_true", "create", "update", "create_or_update")
GROUPS = {"update": "field_update", "record": "create_record", "activity": "activity",
          "notify": "notify", "event": "webhook_event"}
"""The form's action groups, in the order the document lists them -> action type."""
_GROUP_OF = {kind: group for group, kind in GROUPS.items()}
_SLOTS = {"update": ("field", "value", "target"), "record": ("object", "values"),
          "activity": ("kind", "text"), "notify": ("to", "title", "body"),
          "event": ("event",)}
_BLANK = {"update": 2, "record": 1, "activity": 1, "notify": 1, "event": 1}
ACTIVITY_KINDS = ("note", "call", "visit")


def unsupported(doc: Mapping[str, Any]) -> list[str]:
    """Why the form cannot show ``doc`` whole (keys of the UI strings), or []."""
    found = []
    actions = _all_actions(doc)
    if any(a.get("type") == "field_update" and ("target" in a or "master_field" in a)
           for a in actions):
        found.append("setup_flow_unsupported_master")
    scheduled = doc.get("scheduled")
    if isinstance(scheduled, list) and len(scheduled) > 1:
        found.append("setup_flow_unsupported_scheduled")
    lists = [doc.get("actions")] + [s.get("actions") for s in scheduled or []
                                    if isinstance(s, Mapping)]
    order = list(GROUPS.values())
    for listed in lists:
        kinds = [order.index(a["type"]) for a in listed or []
                 if isinstance(a, Mapping) and a.get("type") in order]
        if kinds != sorted(kinds):
            found.append("setup_flow_unsupported_order")
            break
    return found


def _all_actions(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    lists = [doc.get("actions")] + [s.get("actions") for s in doc.get("scheduled") or []
                                    if isinstance(s, Mapping)]
    return [a for listed in lists if isinstance(listed, list) for a in listed
            if isinstance(a, Mapping)]


def _groups_view(actions: Any) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[Any]] = {group: [] for group in GROUPS}
    for action in actions if isinstance(actions, list) else []:
        group = _GROUP_OF.get(action.get("type")) if isinstance(action, Mapping) else None
        if group is not None:
            found[group].append(action)
    view: dict[str, list[dict[str, Any]]] = {
        "update": field_updates(found["update"], _BLANK["update"])}
    blank = {group: rows(found[group], _BLANK[group]) - len(found[group])
             for group in GROUPS}
    view["record"] = [{"object": a.get("object", ""), "values": "\n".join(
        f"{k} = {v}" for k, v in (a.get("values") or {}).items())}
        for a in found["record"]] + [{"object": "", "values": ""}] * blank["record"]
    view["activity"] = [{"kind": a.get("kind", "note"), "text": a.get("text", "")}
                        for a in found["activity"]] + \
        [{"kind": "note", "text": ""}] * blank["activity"]
    view["notify"] = [{"parties": parties_view(a.get("to")), "title": a.get("title", ""),
                       "body": a.get("body", "")} for a in found["notify"]] + \
        [{"parties": parties_view([]), "title": "", "body": ""}] * blank["notify"]
    view["event"] = [{"event": a.get("event", "")} for a in found["event"]] + \
        [{"event": ""}] * blank["event"]
    return view


def automation_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs' values of the automation ``doc`` (blank rows added)."""
    label_zh, label_en = i18n_view(doc.get("label"))
    scheduled = doc.get("scheduled") if isinstance(doc.get("scheduled"), list) else []
    first = scheduled[0] if scheduled and isinstance(scheduled[0], Mapping) else {}
    return {"api_name": doc.get("api_name", ""), "object": doc.get("object", ""),
            "label_zh": label_zh, "label_en": label_en,
            "description": doc.get("description", ""), "active": doc.get("active", True),
            "trigger": doc.get("trigger", "becomes_true"),
            "condition": doc.get("condition", ""),
            "groups": _groups_view(doc.get("actions")),
            "scheduled": {"api_name": first.get("api_name", ""),
                          "field": first.get("field", ""),
                          "offset_days": str(first.get("offset_days", "")),
                          "groups": _groups_view(first.get("actions"))}}


def automation_slots(view: Mapping[str, Any]) -> list[str]:
    """The names of the inputs beside which the automation form shows problems."""
    slots = ["api_name", "label", "description", "active", "object", "trigger",
             "condition", "actions", "scheduled", "s_row", "s_api_name", "s_field",
             "s_offset_days", "s_actions"]
    for prefix, groups in (("a_", view["groups"]), ("s_", view["scheduled"]["groups"])):
        for group, found in groups.items():
            for i in range(len(found)):
                slots += [f"{prefix}{group}{i}_{key}"
                          for key in ("row", "type", *_SLOTS[group])]
    return slots


def _parse_actions(form: Form, prefix: str, file: str, pointer: str
                   ) -> tuple[list[dict[str, Any]], list[Place]]:
    actions: list[dict[str, Any]] = []
    places: list[Place] = []
    for group, kind in GROUPS.items():
        for i in range(row_count(form, f"{prefix}{group}")):
            row = f"{prefix}{group}{i}_"
            action = _action(form, row, group, kind)
            if action is None:
                continue
            places.append(RowPlace(file, f"{pointer}/{len(actions)}", row))
            actions.append(action)
    return actions, places


def _action(form: Form, row: str, group: str, kind: str) -> dict[str, Any] | None:
    """The action of one row, or None for a blank row."""
    action: dict[str, Any] = {"type": kind}
    if group == "notify":
        to = parse_parties(form, row, RECIPIENT_KEYS)
        title, body = text(form, f"{row}title"), text(form, f"{row}body")
        if not to and not title and not body:
            return None
        return {**action, "to": to, "title": title, "body": body}
    if group == "record":
        lines = [line for line in text(form, f"{row}values").splitlines() if line.strip()]
        obj = text(form, f"{row}object")
        if not obj and not lines:
            return None
        values = {}
        for line in lines:
            field, _, formula = line.partition("=")
            values[field.strip()] = formula.strip()
        return {**action, "object": obj, "values": values}
    keys = {"update": ("field", "value"), "activity": ("text",), "event": ("event",)}[group]
    found = {key: text(form, f"{row}{key}") for key in keys}
    if not any(found.values()):
        return None
    if group == "activity":
        kind_of = text(form, f"{row}kind")
        action["kind"] = kind_of if kind_of in ACTIVITY_KINDS else "note"
    return {**action, **found}


def parse_automation(form: Form, api_name: str, object_name: str
                     ) -> tuple[dict[str, Any], list[Place]]:
    """The automation document the form describes, and the places of its parts (most
    precise first)."""
    file = f"overlay/flows/{api_name}.json"
    doc: dict[str, Any] = {"api_name": api_name, "type": "automation", "object": object_name,
                           "label": i18n_value(text(form, "label_zh"), text(form, "label_en"))}
    if text(form, "description"):
        doc["description"] = text(form, "description")
    if form.get("active") != "true":
        doc["active"] = False
    trigger = text(form, "trigger")
    doc["trigger"] = trigger if trigger in TRIGGERS else "becomes_true"
    if text(form, "condition"):
        doc["condition"] = text(form, "condition")
    doc["actions"], places = _parse_actions(form, "a_", file, "/actions")
    scheduled, found = _parse_actions(form, "s_", file, "/scheduled/0/actions")
    field, offset = text(form, "s_field"), text(form, "s_offset_days")
    if scheduled or field:
        # not a whole number: kept as typed, the schema's problem goes beside the input
        days: int | str = int(offset) if re.fullmatch(r"-?[0-9]{1,6}", offset) else offset
        doc["scheduled"] = [{"api_name": text(form, "s_api_name") or "scheduled",
                             "field": field, "offset_days": days, "actions": scheduled}]
        places += [*found, RowPlace(file, "/scheduled/0", "s_")]
    return doc, places

