"""``/setup/scenes``: saved list views (场景) of every object, and their editor.

A scene is the overlay's ``scenes/<api_name>.json`` (a file of a pack scene's name
replaces the pack's unless the pack locks it). The editor sets its label, filter formula
(checked as the admin types, like a validation rule's condition: ``/setup/formula-check``
with the ``filter`` context), columns and sort (field names, in order, comma-separated),
who may use it (roles, or only internal or interconnect users) and whether the object's
list opens with it. The change goes through the plan page.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.metadata.kinds.naming import SYSTEM_FIELDS
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import i18n_value
from hulian.runtime.setup.layout_form import MultiForm
from hulian.runtime.setup.layouts import roles

__all__ = ["routes"]

FOLDER = "scenes"
USERS = ("internal", "interconnect")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_DROPPED = ("$schema", "customizable")


def _path(name: str) -> str:
    return f"{FOLDER}/{name}.json"


def _names(text: str) -> list[str]:
    return [n for n in (part.strip() for part in re.split(r"[,\s]+", text)) if n]


def _values(scene: dict[str, Any]) -> dict[str, Any]:
    label = scene.get("label") or {}
    visible = scene.get("visible_to") or {}
    sort = scene.get("sort", [])
    return {"api_name": scene.get("api_name", ""), "object": scene.get("object", ""),
            "label_zh": label.get("zh", ""), "label_en": label.get("en", ""),
            "description": scene.get("description", ""), "filter": scene.get("filter", ""),
            "columns": ", ".join(scene.get("columns", [])),
            "sort": sort if isinstance(sort, str) else ", ".join(sort),
            "roles": list(visible.get("roles", [])), "users": visible.get("users", ""),
            "default": bool(scene.get("default"))}


def _document(values: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in before.items() if k not in _DROPPED}
    doc.update(api_name=values["api_name"], object=values["object"],
               label=i18n_value(values["label_zh"], values["label_en"]))
    optional: dict[str, Any] = {
        "description": values["description"] or None, "filter": values["filter"] or None,
        "columns": _names(values["columns"]) or None, "default": values["default"] or None}
    sort = _names(values["sort"])
    optional["sort"] = (sort[0] if len(sort) == 1 else sort) or None
    visible = {k: v for k, v in (("roles", values["roles"]), ("users", values["users"])) if v}
    optional["visible_to"] = visible or None
    for key, value in optional.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def _scenes(setup: Setup) -> list[dict[str, Any]]:
    return sorted((doc for path, doc in setup.state.effective.items()
                   if path.startswith(FOLDER + "/") and isinstance(doc, dict)),
                  key=lambda d: (d.get("object", ""), d.get("api_name", "")))


def scene_list(setup: Setup, problem: str | None = None,
               new_values: dict[str, str] | None = None) -> Response:
    """GET /setup/scenes: every scene, and the form for a new one."""
    rows = [{**_values(doc), "label": doc.get("label"),
             "whose": "custom" if _path(doc["api_name"]) in setup.state.documents
             else "pack"} for doc in _scenes(setup)]
    return setup.render("setup/scenes.html", {
        "scenes": rows, "objects": setup.objects(), "new_problem": problem,
        "new_values": new_values or {},
        "deployed": setup.page.request.query_params.get("deployed")},
        section="scenes", status=422 if problem else 200)


def _form(setup: Setup, values: dict[str, Any], problems: Problems, new: bool) -> Response:
    obj = setup.object(values["object"])
    fields = [f["api_name"] for f in obj.get("fields", [])] + list(SYSTEM_FIELDS)
    return setup.render("setup/scene.html", {
        "values": values, "object": obj, "problems": problems, "new": new,
        "roles": roles(setup), "users": USERS, "fields": fields},
        section="scenes", status=422 if problems else 200)


def _edit(setup: Setup, values: dict[str, Any], before: dict[str, Any], new: bool
          ) -> Response:
    form = MultiForm(setup.page.form)
    values = {**values, **{k: form.get(k) for k in (
        "label_zh", "label_en", "description", "filter", "columns", "sort", "users")}}
    values.update(roles=form.getlist("roles"), default=form.flag("default"))
    if values["users"] not in USERS:
        values["users"] = ""
    draft = setup.draft()
    place = draft.put_view(FOLDER, _document(values, before))

    def editor(problems: Problems) -> Response:
        return _form(setup, values, problems, new)

    return propose(setup, draft, [place],
                   title=setup.page.t("setup_scene") + f" {values['api_name']}",
                   back="/setup/scenes", editor=editor)


def new_scene(setup: Setup) -> Response:
    """GET /setup/scenes/new?object=&api_name=: a new scene's form; POST: its plan."""
    page = setup.page
    source = page.request.query_params if page.request.method == "GET" else page.form
    object_name = str(source.get("object") or "")
    api_name = str(source.get("api_name") or "").strip().lower()
    setup.object(object_name)
    if not _NAME.match(api_name):
        return scene_list(setup, page.t("setup_layout_name_help"),
                          {"object": object_name, "api_name": api_name})
    if _path(api_name) in setup.state.effective:
        return page.redirect(f"/setup/scenes/{api_name}")
    values = {**_values({}), "api_name": api_name, "object": object_name}
    if page.request.method == "GET":
        return _form(setup, values, Problems(), True)
    return _edit(setup, values, {}, True)


def scene_page(setup: Setup) -> Response:
    """GET /setup/scenes/{scene}: its form; POST: the plan of the change."""
    name = setup.page.request.path_params["scene"]
    found = setup.state.effective.get(_path(name))
    if not isinstance(found, dict):
        raise NotFoundError(f"the tenant has no scene {name!r}", code="page_not_found")
    if setup.page.request.method == "GET":
        return _form(setup, _values(found), Problems(), False)
    return _edit(setup, _values(found), found, False)


routes = [
    Route("/setup/scenes", setup_endpoint(scene_list), methods=["GET"], name="setup_scenes"),
    Route("/setup/scenes/new", setup_endpoint(new_scene), methods=["GET", "POST"],
          name="setup_new_scene"),
    Route("/setup/scenes/{scene}", setup_endpoint(scene_page), methods=["GET", "POST"],
          name="setup_scene"),
]
