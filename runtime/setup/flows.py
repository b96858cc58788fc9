"""``/setup/flows``: approval processes and automations (docs/flows.md).

``/setup/flows`` lists every flow with its object, type, state and whose it is; a pack's
flow is switched off or on (the overlay's ``flows/<name>.json`` holding only
``api_name`` and ``active``) and shown read-only; the tenant's own flows
(``flows/<name>__c.json``) are made, edited and deleted with the forms of
:mod:`~hulian.runtime.setup.flows_approval` and
:mod:`~hulian.runtime.setup.flows_automation`. Every change goes through the plan page
(:mod:`hulian.runtime.setup.flow`), and the deploy's problems come back beside the inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.metadata.jsontext import dumps
from hulian.metadata.overlay_edits import Place
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.flows_approval import (
    EVENTS,
    approval_slots,
    approval_view,
    parse_approval,
)
from hulian.runtime.setup.flows_automation import (
    ACTIVITY_KINDS,
    GROUPS,
    TRIGGERS,
    automation_slots,
    automation_view,
    parse_automation,
    unsupported,
)
from hulian.runtime.setup.flows_form import Form, within
from hulian.runtime.setup.inputs import name_with_suffix

__all__ = ["routes"]

TYPES = ("approval", "automation")
COMPUTED = ("formula", "roll_up", "quote")
"""Keys of fields a flow cannot set (computed); auto-numbers neither."""


def _flow_docs(setup: Setup) -> dict[str, dict[str, Any]]:
    return {doc["api_name"]: doc for path, doc in setup.state.effective.items()
            if path.startswith("flows/") and isinstance(doc, dict) and "api_name" in doc}


def _deployed(setup: Setup) -> str | None:
    return setup.page.request.query_params.get("deployed")


def flows(setup: Setup, problems: Problems | None = None) -> Response:
    """GET /setup/flows: every flow, by object and label."""
    draft = setup.draft()
    objects = {o["api_name"]: o.get("label") for o in setup.objects()}
    rows = [{"api_name": name, "label": doc.get("label"), "object": doc.get("object", ""),
             "object_label": objects.get(doc.get("object", "")), "type": doc.get("type"),
             "active": doc.get("active", True),
             "whose": "custom" if draft.own_flow(name) else "pack"}
            for name, doc in _flow_docs(setup).items()]
    rows.sort(key=lambda r: (r["object"], setup.page.label(r["label"]).lower()))
    return setup.render("setup/flows.html", {
        "flows": rows, "deployed": _deployed(setup), "problems": problems or Problems(),
        "objects": setup.objects(), "types": TYPES}, section="flows",
        status=422 if problems else 200)


def _choices(setup: Setup, object_name: str) -> dict[str, Any]:
    """What the editors' selects offer: the object's fields a flow may set, its date
    fields, the objects, internal and interconnect roles, and the tenant's users."""
    obj = setup.object(object_name)
    fields = obj.get("fields", [])
    roles = [doc for path, doc in sorted(setup.state.effective.items())
             if path.startswith("roles/") and isinstance(doc, dict)]
    users = setup.page.engine.people(setup.admin.tenant, actor=setup.page.user).users()
    return {
        "object": obj,
        "fields": [f for f in fields if not any(k in f for k in COMPUTED)
                   and f.get("type") != "auto_number"],
        "date_fields": [f for f in fields if f.get("type") in ("date", "datetime")],
        "objects": setup.objects(),
        "roles": [r for r in roles if r.get("kind", "internal") == "internal"],
        "enterprise_roles": [r for r in roles if r.get("kind") == "interconnect"],
        "users": [u.username for u in users],
        "events": EVENTS, "triggers": TRIGGERS, "group_names": list(GROUPS),
        "activity_kinds": ACTIVITY_KINDS, "levels": range(1, 11),
    }


def _editor(setup: Setup, doc: dict[str, Any], problems: Problems, *, name: str | None
            ) -> Response:
    """The form of ``doc`` (``name``: the flow's, None for a new one)."""
    kind = doc.get("type")
    view = approval_view(doc) if kind == "approval" else automation_view(doc)
    slots = approval_slots(view) if kind == "approval" else automation_slots(view)
    problems = within(problems, slots)
    return setup.render(f"setup/flow_{kind}.html", {
        "view": view, "name": name, "problems": problems,
        "deployed": _deployed(setup),
        **_choices(setup, doc["object"])}, section="flows",
        status=422 if problems else 200)


def _read_only(setup: Setup, doc: dict[str, Any], *, whose: str,
               reasons: list[str]) -> Response:
    return setup.render("setup/flow_document.html", {
        "doc": doc, "active": doc.get("active", True), "whose": whose, "reasons": reasons,
        "json": dumps(doc, indent=2),
        "deployed": _deployed(setup)}, section="flows")


def _propose(setup: Setup, form: Form, kind: str, api_name: str, object_name: str,
             name: str | None) -> Response:
    parse: Callable[..., tuple[dict[str, Any], list[Place]]] = \
        parse_approval if kind == "approval" else parse_automation
    doc, places = parse(form, api_name, object_name)
    draft = setup.draft()
    place = draft.put_flow(doc)
    page = setup.page

    def editor(problems: Problems) -> Response:
        return _editor(setup, doc, problems, name=name)

    return propose(setup, draft, [*places, place],
                   title=page.t("setup_flow_" + kind) + f" {api_name}",
                   back=f"/setup/flows/{api_name}", editor=editor)


def new_flow(setup: Setup) -> Response:
    """GET /setup/flows/new?type=&object=: the empty form (the list, to choose, when
    either is missing); POST: plan the new flow."""
    page = setup.page
    source = page.request.query_params if page.request.method == "GET" else page.form
    kind, object_name = source.get("type"), source.get("object")
    if kind not in TYPES or not any(o["api_name"] == object_name for o in setup.objects()):
        return flows(setup, Problems.one(page.t("setup_flow_choose")) if
                     page.request.method == "POST" else None)
    assert isinstance(object_name, str)
    empty = {"type": kind, "object": object_name}
    if page.request.method == "GET":
        return _editor(setup, empty, Problems(), name=None)
    typed = str(page.form.get("api_name") or "").strip().lower()
    api_name = name_with_suffix(typed)
    taken = api_name in _flow_docs(setup)
    if not typed or taken:
        parse = parse_approval if kind == "approval" else parse_automation
        doc = parse(page.form, typed, object_name)[0]
        message = page.t("setup_flow_name_taken" if taken else "setup_flow_name_required")
        return _editor(setup, doc, Problems({"api_name": [message]}), name=None)
    return _propose(setup, page.form, kind, api_name, object_name, None)


def flow_page(setup: Setup) -> Response:
    """GET /setup/flows/{flow}: the form of the tenant's own flow, or a pack's flow as
    its document; POST: plan the own flow's change."""
    page = setup.page
    name = page.request.path_params["flow"]
    doc = _flow_docs(setup).get(name)
    if doc is None:
        raise NotFoundError(f"the tenant has no flow {name!r}", code="page_not_found")
    own = setup.draft().own_flow(name)
    reasons = unsupported(doc) if doc.get("type") == "automation" else []
    if not own or reasons:
        if page.request.method == "POST":
            raise NotFoundError(f"the flow {name!r} has no form", code="page_not_found")
        return _read_only(setup, doc, whose="custom" if own else "pack", reasons=reasons)
    if page.request.method == "GET":
        return _editor(setup, doc, Problems(), name=name)
    return _propose(setup, page.form, doc["type"], name, doc["object"], name)


def switch(setup: Setup) -> Response:
    """POST /setup/flows/{flow}/switch (``active``: true or false): plan it."""
    page = setup.page
    name = page.request.path_params["flow"]
    if name not in _flow_docs(setup):
        raise NotFoundError(f"the tenant has no flow {name!r}", code="page_not_found")
    active = page.form.get("active") == "true"
    draft = setup.draft()
    place = draft.switch_flow(name, active)
    title = page.t("setup_flow_switch_on" if active else "setup_flow_switch_off")
    return propose(setup, draft, [place], title=f"{title} {name}", back="/setup/flows",
                   editor=lambda problems: flows(setup, problems))


def delete(setup: Setup) -> Response:
    """POST /setup/flows/{flow}/delete: plan removing the tenant's own flow."""
    page = setup.page
    name = page.request.path_params["flow"]
    draft = setup.draft()
    if not draft.own_flow(name):
        raise NotFoundError(f"the tenant has no flow {name!r} of its own",
                            code="page_not_found")
    draft.remove_flow(name)
    return propose(setup, draft, [], title=page.t("setup_flow_delete") + f" {name}",
                   back="/setup/flows", editor=lambda problems: flows(setup, problems))


routes = [
    Route("/setup/flows", setup_endpoint(flows), methods=["GET"], name="setup_flows"),
    Route("/setup/flows/new", setup_endpoint(new_flow), methods=["GET", "POST"],
          name="setup_new_flow"),
    Route("/setup/flows/{flow}", setup_endpoint(flow_page), methods=["GET", "POST"],
          name="setup_flow"),
    Route("/setup/flows/{flow}/switch", setup_endpoint(switch), methods=["POST"],
          name="setup_flow_switch"),
    Route("/setup/flows/{flow}/delete", setup_endpoint(delete), methods=["POST"],
          name="setup_flow_delete"),
]
