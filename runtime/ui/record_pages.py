"""The record page ``/app/o/{object}/{id}`` (layout sections, related lists with a "new"
that prefills the parent, history, activities, the approval panel) and its actions:
delete, restore, log an activity, submit / approve / reject / recall.

A record the user may not read, another enterprise's included, is the same 404 page as a
missing one (the engine answers ``record_not_found`` for both).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine import NotFoundError, Session
from hulian.engine.approvals.processes import processes
from hulian.layouts.forms import form_fields
from hulian.layouts.lists import (
    SYSTEM_TARGETS,
    field_entry,
    list_columns,
    list_rows,
    lookup_ids,
)
from hulian.layouts.names import record_names
from hulian.layouts.values import display, label_text
from hulian.runtime.ui.pages import UIPage, page_endpoint

__all__ = ["APPROVAL_ACTIONS", "routes"]

APPROVAL_ACTIONS = ("submit", "approve", "reject", "recall")
HISTORY_ROWS = 20
SYSTEM_OBJECTS = ("User", "Department", "Enterprise")
"""Lookup targets that have no record page (their names are shown without a link)."""


def _related(session: Session, object_name: str, record_id: str,
             related: Mapping[str, Any], lang: str, zone: Any = None) -> dict[str, Any]:
    child = related["object"]
    describe = session.describe(child)
    columns = list_columns({"columns": related["columns"]}, None, describe)
    found = session.related(object_name, record_id, related["relationship"],
                            order_by=list(related.get("sort") or ()) or None,
                            limit=related.get("page_size") or 10)
    names = record_names(session, lookup_ids(columns, found.records))
    prefill = urlencode({related["field"]: record_id})
    return {"label": label_text(related.get("label"), lang), "object": child,
            "columns": [label_text(c.get("label"), lang) for c in columns],
            "rows": list_rows(columns, found.records, lang, names, zone),
            "more": found.next is not None,
            "new_href": f"/app/o/{child}/new?{prefill}"
            if session.can(child, "create") else None}


def _word(t: Any, key: str, fallback: str) -> str:
    """The UI string ``key``, or ``fallback`` for a value the catalogue does not know."""
    try:
        return str(t(key))
    except KeyError:
        return fallback


def _history(session: Session, object_name: str, record_id: str, fields: Mapping[str, Any],
             lang: str, t: Any, zone: Any = None) -> list[dict[str, Any]] | None:
    """The record's latest changes; a lookup's or an owner's old and new values by name
    (one query per target object for the whole history)."""
    try:
        found = session.history(object_name, record_id, limit=HISTORY_ROWS)
    except NotFoundError as exc:
        if exc.code == "history_not_tracked":
            return None
        raise
    wanted: dict[str, set[str]] = {}
    for entry in found.entries:
        for c in entry.fields:
            target = fields.get(c.field, {}).get("target")
            if target:
                wanted.setdefault(target, set()).update(
                    str(v) for v in (c.old, c.new) if v)
    names = record_names(session, wanted)
    out = []
    for entry in found.entries:
        changes = [{"field": label_text(fields.get(c.field, {}).get("label"), lang) or c.field,
                    "old": display(c.old, fields.get(c.field, {}), lang, names=names,
                                   zone=zone),
                    "new": display(c.new, fields.get(c.field, {}), lang, names=names,
                                   zone=zone)}
                   for c in entry.fields]
        out.append({"kind": entry.kind,
                    "kind_text": _word(t, f"history_{entry.kind}", entry.kind),
                    "user": entry.user_name or "",
                    "at": display(entry.at, {"type": "datetime"}, lang, zone=zone),
                    "changes": changes})
    return out


def _approval(page: UIPage, object_name: str, record_id: str) -> dict[str, Any] | None:
    """The approval panel: the record's approval status, its history and the actions the
    user may take (submit when none is pending and they may edit; approve and reject for
    the current step's waiting approvers; recall for the submitter); None when the
    object has no approval process."""
    session, lang = page.session, page.lang
    if not processes(session.schema, object_name):
        return None
    state = session.approval(object_name, record_id)
    current = state.get("approval") or {}
    status = current.get("status")
    me = page.user.id if page.user is not None else None
    actions = []
    if status == "pending":
        step = current.get("step")
        if any(a.get("user") == me and a.get("state") == "waiting" and a.get("step") == step
               for a in current.get("approvers") or ()):
            actions += ["approve", "reject"]
        if current.get("submitted_by") == me:
            actions.append("recall")
    elif session.can(object_name, "edit"):
        actions.append("submit")
    return {"status": status, "status_text": _word(page.t, f"approval_{status}", str(status))
            if status else page.t("approval_none"),
            "locked": bool(state.get("locked")), "actions": actions,
            "steps": [{"step": str(a.get("step") or ""),
                       "state": _word(page.t, f"approver_{a.get('state')}",
                                      str(a.get("state") or "")),
                       "comment": str(a.get("comment") or "")}
                      for a in current.get("approvers") or ()],
            "at": display(current.get("submitted_at"), {"type": "datetime"}, lang,
                          zone=page.zone)}


def record_view(page: UIPage, object_name: str, record_id: str) -> dict[str, Any]:
    session, lang = page.session, page.lang
    record = session.get(object_name, record_id)
    layout = session.layout(object_name, record.get("business_type"), page.channel, "detail")
    describe = session.describe(object_name)
    fields = form_fields(layout)
    names = record_names(session, lookup_ids(fields, [record]))
    types = {t["api_name"]: label_text(t.get("label"), lang)
             for t in describe.get("business_types") or ()}

    def text(f: Mapping[str, Any]) -> str:
        value = record.get(f["api_name"])
        if f["api_name"] == "business_type":  # by its label, as the form's choice shows it
            return types.get(str(value), str(value or ""))
        return display(value, f, lang, names=names, zone=page.zone)

    sections = [{"label": label_text(s.get("label"), lang), "columns": s.get("columns", 2),
                 "collapsible": bool(s.get("collapsible")), "collapsed": bool(s.get("collapsed")),
                 "fields": [{"name": f["api_name"], "label": label_text(f.get("label"), lang),
                             "text": text(f),
                             "href": f"/app/o/{f['target']}/{record[f['api_name']]}"
                             if f.get("target") not in (None, *SYSTEM_OBJECTS)
                             and record.get(f["api_name"]) in names
                             else None}
                            for f in s["fields"]]}
                for s in layout.get("sections") or ()]
    buttons = {b["api_name"] for b in layout.get("buttons") or ()}
    by_name = {f["api_name"]: f for f in describe["fields"]}
    by_name.update({f["api_name"]: f for f in fields if f["api_name"] not in by_name})
    by_name.update({name: field_entry(describe, name) for name in SYSTEM_TARGETS
                    if name not in by_name})
    activities = session.activities(object_name, record_id, limit=20)
    approval = _approval(page, object_name, record_id)
    return {
        "object": object_name, "id": record_id, "version": record.get("version"),
        "object_label": label_text(describe.get("label"), lang),
        "title": str(record.get(describe.get("name_field") or "id") or record_id),
        "sections": sections,
        "related": [_related(session, object_name, record_id, r, lang, page.zone)
                    for r in layout.get("related_lists") or ()],
        "can_edit": "edit" in buttons, "can_delete": "delete" in buttons,
        "history": _history(session, object_name, record_id, by_name, lang, page.t,
                            page.zone),
        "activities": [{"kind": a["kind"], "kind_text": _word(page.t, f"activity_{a['kind']}",
                                                               str(a["kind"])), "text": a["text"],
                        "at": display(a.get("at"), {"type": "datetime"}, lang, zone=page.zone)}
                       for a in activities.records],
        "approval": approval,
    }


def record_page(page: UIPage) -> Response:
    """GET /app/o/{object}/{id}"""
    params = page.request.path_params
    return page.render("record.html", record_view(page, params["object"], params["id"]))


def _text(page: UIPage, name: str) -> str:
    value = page.form.get(name)
    return value.strip() if isinstance(value, str) else ""


def delete_record(page: UIPage) -> Response:
    """POST /app/o/{object}/{id}/delete: to the recycle bin, then back to the list."""
    params = page.request.path_params
    version = _text(page, "version")
    page.session.delete(params["object"], params["id"],
                        version=int(version) if version.isdigit() else None)
    return page.redirect(f"/app/o/{params['object']}")


def restore_record(page: UIPage) -> Response:
    """POST /app/o/{object}/{id}/restore: back from the recycle bin, to its page."""
    params = page.request.path_params
    page.session.restore(params["object"], params["id"])
    return page.redirect(f"/app/o/{params['object']}/{params['id']}")


def log_activity(page: UIPage) -> Response:
    """POST /app/o/{object}/{id}/activities: ``kind`` (call, visit, note) and ``text``."""
    params = page.request.path_params
    page.session.add_activity(params["object"], params["id"],
                              kind=_text(page, "kind") or "note", text=_text(page, "text"))
    return page.redirect(f"/app/o/{params['object']}/{params['id']}#activities")


def approval_action(page: UIPage) -> Response:
    """POST /app/o/{object}/{id}/approval/{action} with an optional ``comment``."""
    params = page.request.path_params
    action = params["action"]
    if action not in APPROVAL_ACTIONS:
        raise NotFoundError("there is no such page", code="page_not_found")
    comment = _text(page, "comment") or None
    session = page.session
    call = {"submit": session.submit_for_approval, "approve": session.approve,
            "reject": session.reject, "recall": session.recall}[action]
    call(params["object"], params["id"], comment=comment)
    return page.redirect(f"/app/o/{params['object']}/{params['id']}#approval")


routes = [
    Route("/app/o/{object}/{id}", page_endpoint(record_page), methods=["GET"]),
    Route("/app/o/{object}/{id}/delete", page_endpoint(delete_record), methods=["POST"]),
    Route("/app/o/{object}/{id}/restore", page_endpoint(restore_record), methods=["POST"]),
    Route("/app/o/{object}/{id}/activities", page_endpoint(log_activity), methods=["POST"]),
    Route("/app/o/{object}/{id}/approval/{action}", page_endpoint(approval_action),
          methods=["POST"]),
]
