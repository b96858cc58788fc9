"""``/setup/roles``: the tenant's roles, a new role of its own, and a role's permissions.

A role page shows the **action matrix** (a row per object; create, read, edit, delete,
export, import and the object's custom actions) and links each object to its **field
permission matrix** (every field editable, read-only or hidden). A role of the tenant's
own is changed in its ``roles/<role>.json``; a pack's role through its role extension
``extensions/roles/<role>.json``, which holds only the differences from the pack's role
(:mod:`hulian.metadata.overlay_edits_access`). Every change goes through the plan page
(:func:`hulian.runtime.setup.flow.propose`). The built-in ``admin`` and ``member`` roles,
and admin roles, may do everything and have no matrix.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.metadata.model import BUILTIN_ROLES, ROLE_KINDS, STANDARD_ACTIONS
from hulian.metadata.overlay_edits import OVERLAY, Place
from hulian.metadata.overlay_edits_access import (
    FIELD_LEVELS,
    access_of,
    add_role,
    owns_role,
    set_role,
    set_role_grants,
)
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import i18n_value

__all__ = ["app_objects", "interconnect_roles", "role_rows", "routes"]

BUILTIN_LABELS = {"admin": {"zh": "管理员", "en": "Administrator"},
                  "member": {"zh": "成员", "en": "Member"}}


def _role_documents(setup: Setup) -> dict[str, dict[str, Any]]:
    return {doc["api_name"]: doc for path, doc in setup.state.effective.items()
            if path.startswith("roles/") and isinstance(doc, dict)}


def role_rows(setup: Setup) -> list[dict[str, Any]]:
    """Every role: the built-in ones first, then by label; with ``whose`` (builtin, pack,
    custom) and ``kind``."""
    draft = setup.draft()
    rows = [{"api_name": name, "label": BUILTIN_LABELS[name], "kind": "internal",
             "whose": "builtin", "admin": name == "admin"} for name in BUILTIN_ROLES]
    found = [{"api_name": name, "label": doc.get("label"),
              "kind": doc.get("kind", "internal"), "admin": doc.get("admin", False),
              "whose": "custom" if owns_role(draft, name) else "pack"}
             for name, doc in _role_documents(setup).items()]
    return rows + sorted(found, key=lambda r: setup.page.label(r["label"]).lower())


def interconnect_roles(setup: Setup) -> list[dict[str, Any]]:
    return [r for r in role_rows(setup) if r["kind"] == "interconnect"]


def app_objects(setup: Setup, role: str) -> set[str]:
    """The objects the apps open to ``role``."""
    return {o for path, doc in setup.state.effective.items()
            if path.startswith("apps/") and isinstance(doc, dict)
            and role in doc.get("roles", []) for o in doc.get("objects", [])}


def roles(setup: Setup) -> Response:
    """GET /setup/roles: every role."""
    return setup.render("setup/roles.html", {
        "roles": role_rows(setup),
        "deployed": setup.page.request.query_params.get("deployed")}, section="roles")


def _new_form(setup: Setup, values: dict[str, str], problems: Problems) -> Response:
    return setup.render("setup/role_new.html", {"values": values, "problems": problems,
                                                "kinds": ROLE_KINDS},
                        section="roles", status=422 if problems else 200)


def new_role(setup: Setup) -> Response:
    """GET /setup/roles/new: the form; POST: plan the new role of the tenant's own."""
    page = setup.page
    names = ("api_name", "label_zh", "label_en", "kind", "description")
    if page.request.method == "GET":
        kind = page.request.query_params.get("kind", "internal")
        return _new_form(setup, {**dict.fromkeys(names, ""),
                                 "kind": kind if kind in ROLE_KINDS else "internal"},
                         Problems())
    values = {k: str(page.form.get(k) or "").strip() for k in names}
    api_name = re.sub(r"\s+", "_", values["api_name"])
    document: dict[str, Any] = {"api_name": api_name,
                                "label": i18n_value(values["label_zh"], values["label_en"]),
                                "kind": values["kind"]}
    if values["description"]:
        document["description"] = values["description"]
    if api_name in _role_documents(setup) or api_name in BUILTIN_ROLES:
        return _new_form(setup, values, Problems(
            by_input={"api_name": [page.t("setup_role_exists", name=api_name)]}))
    draft = setup.draft()
    place = add_role(draft, document)
    return propose(setup, draft, [place], title=page.t("setup_new_role") + f" {api_name}",
                   back=f"/setup/roles/{api_name}",
                   editor=lambda problems: _new_form(setup, values, _labels(problems)))


def _labels(problems: Problems) -> Problems:
    """The editor's input names for the role document's keys."""
    names = {"label": "label", "kind": "kind", "api_name": "api_name"}
    return Problems({names.get(k, k): v for k, v in problems.by_input.items()},
                    problems.general)


def _role(setup: Setup, name: str) -> dict[str, Any]:
    if name in BUILTIN_ROLES:
        return {"api_name": name, "label": BUILTIN_LABELS[name], "kind": "internal",
                "admin": name == "admin", "builtin": True}
    found = _role_documents(setup).get(name)
    if found is None:
        raise NotFoundError(f"the tenant has no role {name!r}", code="page_not_found")
    return found


def _custom_actions(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in obj.get("actions", []) if isinstance(a, dict)]


def _pack_actions(setup: Setup, name: str) -> dict[str, list[str]]:
    """object -> the custom actions the pack's role grants (an extension cannot take
    them back)."""
    if owns_role(setup.draft(), name):
        return {}
    pack = setup.admin.pack_document(f"roles/{name}.json") or {}
    return {o: list(a.get("actions") or []) for o, a in (pack.get("objects") or {}).items()}


def _role_page(setup: Setup, name: str, problems: Problems | None = None,
               values: dict[str, Any] | None = None) -> Response:
    role = _role(setup, name)
    grants = role.get("objects") or {}
    opened = app_objects(setup, name)
    locked = _pack_actions(setup, name) if not role.get("builtin") else {}
    rows = [{"object": obj, "access": access_of(grants.get(obj["api_name"])),
             "custom": _custom_actions(obj), "locked": locked.get(obj["api_name"], []),
             "opened": obj["api_name"] in opened}
            for obj in setup.objects()]
    label = role.get("label") or {}
    return setup.render("setup/role.html", {
        "role": role, "rows": rows, "actions": STANDARD_ACTIONS,
        "fixed": bool(role.get("builtin") or role.get("admin")),
        "kind": role.get("kind", "internal"),
        "whose": "builtin" if role.get("builtin") else
        ("custom" if owns_role(setup.draft(), name) else "pack"),
        "values": values or {"label_zh": label.get("zh", ""), "label_en": label.get("en", ""),
                             "description": role.get("description", "")},
        "problems": problems or Problems(),
        "deployed": setup.page.request.query_params.get("deployed")},
        section="roles", status=422 if problems else 200)


def role_page(setup: Setup) -> Response:
    """GET /setup/roles/{role}: its label and action matrix; POST: plan the changes."""
    page = setup.page
    name = page.request.path_params["role"]
    if page.request.method == "GET":
        return _role_page(setup, name)
    role = _role(setup, name)
    if role.get("builtin") or role.get("admin"):
        raise NotFoundError(f"the role {name!r} has no permissions to change",
                            code="page_not_found")
    form = page.form
    values = {k: str(form.get(k) or "").strip() for k in ("label_zh", "label_en",
                                                          "description")}
    draft = setup.draft()
    own = owns_role(draft, name)
    path = f"roles/{name}.json" if own else f"extensions/roles/{name}.json"
    places = [Place(f"{OVERLAY}/{path}", "/objects")]
    label = role.get("label") or {}
    changes: dict[str, Any] = {}
    if (values["label_zh"], values["label_en"]) != (label.get("zh", ""), label.get("en", "")):
        changes["label"] = i18n_value(values["label_zh"], values["label_en"])
    if values["description"] != role.get("description", ""):
        changes["description"] = values["description"] or None
    if changes:
        places.append(set_role(draft, name, changes))
    pack_role = None if own else setup.admin.pack_document(f"roles/{name}.json")
    locked = _pack_actions(setup, name)
    grants = role.get("objects") or {}
    for obj in setup.objects():
        object_name = obj["api_name"]
        current = access_of(grants.get(object_name))
        wanted = dict(current)
        for action in STANDARD_ACTIONS:
            wanted[action] = form.get(f"grant.{object_name}.{action}") == "true"
        wanted["actions"] = [a["api_name"] for a in _custom_actions(obj)
                             if form.get(f"grant.{object_name}.action.{a['api_name']}")
                             == "true" or a["api_name"] in locked.get(object_name, [])]
        if _same(wanted) != _same(current):
            set_role_grants(draft, name, object_name, wanted, pack_role)

    def editor(problems: Problems) -> Response:
        return _role_page(setup, name, _labels(problems), values)

    return propose(setup, draft, places, title=page.t("setup_role") + f" {name}",
                   back=f"/setup/roles/{name}", editor=editor)


def _same(access: dict[str, Any]) -> dict[str, Any]:
    return {**access, "actions": sorted(access["actions"])}


def _fields_page(setup: Setup, name: str, object_name: str,
                 problems: Problems | None = None) -> Response:
    role = _role(setup, name)
    obj = setup.object(object_name)
    access = access_of((role.get("objects") or {}).get(object_name))
    rows = [{"field": f, "level": access["fields"].get(f["api_name"], "editable")}
            for f in obj.get("fields", [])]
    return setup.render("setup/role_fields.html", {
        "role": role, "object": obj, "rows": rows, "levels": FIELD_LEVELS,
        "fixed": bool(role.get("builtin") or role.get("admin")),
        "access": access, "problems": problems or Problems()},
        section="roles", status=422 if problems else 200)


def role_fields(setup: Setup) -> Response:
    """GET /setup/roles/{role}/objects/{object}: the field permission matrix; POST: plan
    it."""
    page = setup.page
    name = page.request.path_params["role"]
    object_name = page.request.path_params["object"]
    if page.request.method == "GET":
        return _fields_page(setup, name, object_name)
    role = _role(setup, name)
    if role.get("builtin") or role.get("admin"):
        raise NotFoundError(f"the role {name!r} has no permissions to change",
                            code="page_not_found")
    obj = setup.object(object_name)
    current = access_of((role.get("objects") or {}).get(object_name))
    wanted = {**current, "fields": {}}
    for f in obj.get("fields", []):
        level = page.form.get(f"field.{f['api_name']}")
        if level in FIELD_LEVELS and level != "editable":
            wanted["fields"][f["api_name"]] = level
    draft = setup.draft()
    own = owns_role(draft, name)
    pack_role = None if own else setup.admin.pack_document(f"roles/{name}.json")
    place = set_role_grants(draft, name, object_name, wanted, pack_role)
    fields_place = Place(place.file, f"/objects/{object_name}/fields")
    return propose(setup, draft, [fields_place, place],
                   title=page.t("setup_field_permissions") + f" {name} · {object_name}",
                   back=f"/setup/roles/{name}",
                   editor=lambda problems: _fields_page(setup, name, object_name, problems))


routes = [
    Route("/setup/roles", setup_endpoint(roles), methods=["GET"], name="setup_roles"),
    Route("/setup/roles/new", setup_endpoint(new_role), methods=["GET", "POST"],
          name="setup_new_role"),
    Route("/setup/roles/{role}", setup_endpoint(role_page), methods=["GET", "POST"],
          name="setup_role"),
    Route("/setup/roles/{role}/objects/{object}", setup_endpoint(role_fields),
          methods=["GET", "POST"], name="setup_role_fields"),
]
