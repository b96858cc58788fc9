"""The approval process editor's form (``/setup/flows/...`` of ``"type": "approval"``):
entry criteria, ordered steps (label, criteria, approvers, any or all), field updates on
submit, approve, reject and recall, and the lock options (docs/flows.md).

:func:`approval_view` gives what the template shows (the steps and field updates with
blank rows to fill); :func:`parse_approval` reads the posted form back into the flow
document, with the places of its rows so that the deploy's problems reach their inputs.
"""

from __future__ import annotations

from typing import Any

from hulian.metadata.overlay_edits import Place
from hulian.runtime.setup.flows_form import (
    APPROVER_KEYS,
    Form,
    RowPlace,
    field_updates,
    i18n_view,
    parse_parties,
    parse_updates,
    parties_view,
    row_count,
    rows,
    text,
)
from hulian.runtime.setup.inputs import i18n_value

__all__ = ["EVENTS", "MAX_STEPS", "approval_slots", "approval_view", "parse_approval"]

EVENTS = ("submit", "approve", "reject", "recall")
MAX_STEPS = 20
LOCKS = (("details", True), ("approvers_may_edit", False), ("when_approved", True))
"""The lock options and their defaults (left out of the document when at the default)."""


def approval_view(doc: dict[str, Any]) -> dict[str, Any]:
    """The inputs' values of the approval ``doc`` (blank rows added)."""
    label_zh, label_en = i18n_view(doc.get("label"))
    steps = [step for step in doc.get("steps") or [] if isinstance(step, dict)]
    lock = doc.get("lock") if isinstance(doc.get("lock"), dict) else {}
    actions = doc.get("actions") if isinstance(doc.get("actions"), dict) else {}
    view_steps = []
    for step in steps + [{}] * (rows(steps, 3, MAX_STEPS) - len(steps)):
        zh, en = i18n_view(step.get("label"))
        view_steps.append({"api_name": step.get("api_name", ""), "label_zh": zh,
                           "label_en": en, "criteria": step.get("criteria", ""),
                           "decision": step.get("decision", "any"),
                           "parties": parties_view(step.get("approvers"))})
    return {"api_name": doc.get("api_name", ""), "object": doc.get("object", ""),
            "label_zh": label_zh, "label_en": label_en,
            "description": doc.get("description", ""), "active": doc.get("active", True),
            "entry_criteria": doc.get("entry_criteria", ""),
            "lock": {key: lock.get(key, default) for key, default in LOCKS},
            "steps": view_steps,
            "updates": {event: field_updates(actions.get(event), 2) for event in EVENTS}}


def approval_slots(view: dict[str, Any]) -> list[str]:
    """The names of the inputs beside which the approval form shows problems."""
    slots = ["api_name", "label", "description", "active", "object", "entry_criteria",
             "steps", "lock", "actions"]
    for i in range(len(view["steps"])):
        slots += [f"step{i}_{key}" for key in ("row", "api_name", "label", "criteria",
                                               "approvers", "decision")]
    for event, updates in view["updates"].items():
        for i in range(len(updates)):
            slots += [f"{event}{i}_{key}" for key in ("row", "field", "value")]
    return slots


def parse_approval(form: Form, api_name: str, object_name: str
                   ) -> tuple[dict[str, Any], list[Place]]:
    """The approval document the form describes, and the places of its parts (most
    precise first)."""
    file = f"overlay/flows/{api_name}.json"
    doc: dict[str, Any] = {"api_name": api_name, "type": "approval", "object": object_name,
                           "label": i18n_value(text(form, "label_zh"), text(form, "label_en"))}
    if text(form, "description"):
        doc["description"] = text(form, "description")
    if form.get("active") != "true":
        doc["active"] = False
    if text(form, "entry_criteria"):
        doc["entry_criteria"] = text(form, "entry_criteria")
    lock = {key: form.get(f"lock_{key}") == "true" for key, _ in LOCKS}
    lock = {key: lock[key] for key, default in LOCKS if lock[key] != default}
    if lock:
        doc["lock"] = lock
    places: list[Place] = []
    steps = []
    count = min(row_count(form, "step"), MAX_STEPS)
    taken = {text(form, f"step{i}_api_name") for i in range(count)}
    for i in range(count):
        prefix = f"step{i}_"
        approvers = parse_parties(form, prefix, APPROVER_KEYS)
        label = (text(form, f"{prefix}label_zh"), text(form, f"{prefix}label_en"))
        criteria = text(form, f"{prefix}criteria")
        if not approvers and not any(label) and not criteria:
            continue
        name = text(form, f"{prefix}api_name") or _step_name(len(steps) + 1, taken)
        taken.add(name)
        step: dict[str, Any] = {"api_name": name}
        if any(label):
            step["label"] = i18n_value(*label)
        if criteria:
            step["criteria"] = criteria
        step["approvers"] = approvers
        if form.get(f"{prefix}decision") == "all":
            step["decision"] = "all"
        places.append(RowPlace(file, f"/steps/{len(steps)}", prefix))
        steps.append(step)
    doc["steps"] = steps
    actions: dict[str, Any] = {}
    for event in EVENTS:
        updates, found = parse_updates(form, event, file, f"/actions/{event}")
        if updates:
            actions[event] = updates
            places += found
    if actions:
        doc["actions"] = actions
    return doc, places


def _step_name(number: int, taken: set[str]) -> str:
    while f"step_{number}" in taken:
        number += 1
    return f"step_{number}"
