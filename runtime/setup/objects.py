"""``/setup/objects``: the tenant's objects, one object's settings, fields and rules, and a
new custom object.

``GET /setup`` and ``/setup/objects`` list every object (whose it is: a pack's or the
tenant's own); ``/setup/objects/new`` makes a custom ``__c`` object with its name field;
``/setup/objects/{object}`` shows its fields and validation rules and edits its labels,
data permission and field history (through the change flow of
:mod:`hulian.runtime.setup.flow`).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.metadata.loader import DEFAULT_DATA_PERMISSION
from hulian.metadata.model import DATA_PERMISSIONS, EXTERNAL_DATA_PERMISSIONS
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import i18n_value, name_with_suffix

__all__ = ["routes"]

OBJECT_INPUTS = ("api_name", "label_zh", "label_en", "plural_zh", "plural_en", "name_zh",
                 "name_en", "internal", "external", "description")


def _whose(setup: Setup, name: str) -> str:
    return "custom" if setup.draft().owns(name) else "pack"


def objects(setup: Setup) -> Response:
    """GET /setup/objects: every object."""
    rows = [{"api_name": o["api_name"], "label": o.get("label"),
             "fields": len(o.get("fields", [])), "whose": _whose(setup, o["api_name"])}
            for o in setup.objects()]
    return setup.render("setup/objects.html", {"objects": rows,
                                               "deployed": setup.page.request.query_params
                                               .get("deployed")}, section="objects")


def _object_form(setup: Setup, values: dict[str, Any], problems: Problems) -> Response:
    return setup.render("setup/object_new.html", {
        "values": values, "problems": problems, "internal_levels": DATA_PERMISSIONS,
        "external_levels": EXTERNAL_DATA_PERMISSIONS}, section="objects",
        status=422 if problems else 200)


def new_object(setup: Setup) -> Response:
    """GET /setup/objects/new: the form; POST: plan the new object."""
    page = setup.page
    if page.request.method == "GET":
        return _object_form(setup, {**dict.fromkeys(OBJECT_INPUTS, ""),
                                    "internal": "company_read_write",
                                    "external": "private"}, Problems())
    form = page.form
    values = {k: str(form.get(k) or "").strip() for k in OBJECT_INPUTS}
    api_name = name_with_suffix(values["api_name"])
    document: dict[str, Any] = {
        "api_name": api_name,
        "label": i18n_value(values["label_zh"], values["label_en"]),
        "plural_label": i18n_value(values["plural_zh"] or values["label_zh"],
                                   values["plural_en"] or values["label_en"]),
        "name_field": "name__c",
        "fields": [{"api_name": "name__c", "type": "text", "required": True,
                    "label": i18n_value(values["name_zh"], values["name_en"])}],
        "data_permission": {"internal": values["internal"], "external": values["external"]},
    }
    if values["description"]:
        document["description"] = values["description"]
    draft = setup.draft()
    place = draft.add_object(document)
    inputs = {"label": "label", "plural_label": "plural", "fields": "name",
              "name_field": "name", "data_permission": "internal"}

    def editor(problems: Problems) -> Response:
        renamed = Problems({inputs.get(k, k): v for k, v in problems.by_input.items()},
                           problems.general)
        return _object_form(setup, values, renamed)

    return propose(setup, draft, [place], title=page.t("setup_new_object") + f" {api_name}",
                   back=f"/setup/objects/{api_name}", editor=editor)


def _settings(setup: Setup, name: str, obj: dict[str, Any]) -> dict[str, Any]:
    history = obj.get("track_history", False)
    return {"label_zh": (obj.get("label") or {}).get("zh", ""),
            "label_en": (obj.get("label") or {}).get("en", ""),
            "plural_zh": (obj.get("plural_label") or {}).get("zh", ""),
            "plural_en": (obj.get("plural_label") or {}).get("en", ""),
            "description": obj.get("description", ""),
            "internal": {**DEFAULT_DATA_PERMISSION, **(obj.get("data_permission") or {})}
            ["internal"],
            "external": {**DEFAULT_DATA_PERMISSION, **(obj.get("data_permission") or {})}
            ["external"],
            "track_history": history is True or bool(history)}


def _object_page(setup: Setup, name: str, values: dict[str, Any] | None = None,
                 problems: Problems | None = None) -> Response:
    obj = setup.object(name)
    draft = setup.draft()
    fields = [{"api_name": f["api_name"], "label": f.get("label"), "type": f["type"],
               "derived": next((k for k in ("formula", "roll_up", "quote") if k in f), None),
               "required": f.get("required", False),
               "whose": "custom" if draft.own_field(name, f["api_name"]) else "pack",
               "hidden": f.get("hidden", False)}
              for f in obj.get("fields", [])]
    rules = [{"api_name": r["api_name"], "condition": r.get("condition", ""),
              "active": r.get("active", True),
              "whose": "custom" if draft.own_rule(name, r["api_name"]) else "pack"}
             for r in obj.get("validation_rules", [])]
    archived = [a for a in setup.admin.archived()
                if a.object == name and a.field is not None]
    return setup.render("setup/object.html", {
        "object": obj, "whose": _whose(setup, name), "fields": fields, "rules": rules,
        "archived": archived,
        "values": values or _settings(setup, name, obj), "problems": problems or Problems(),
        "internal_levels": DATA_PERMISSIONS, "external_levels": EXTERNAL_DATA_PERMISSIONS,
        "deployed": setup.page.request.query_params.get("deployed")},
        section="objects", status=422 if problems else 200)


def object_page(setup: Setup) -> Response:
    """GET /setup/objects/{object}: its settings, fields and rules; POST: plan the
    settings' change."""
    page = setup.page
    name = page.request.path_params["object"]
    if page.request.method == "GET":
        return _object_page(setup, name)
    obj = setup.object(name)
    form = page.form
    values = {k: str(form.get(k) or "").strip() for k in (
        "label_zh", "label_en", "plural_zh", "plural_en", "description", "internal",
        "external")}
    values["track_history"] = form.get("track_history") == "true"
    before = _settings(setup, name, obj)
    changes: dict[str, Any] = {}
    if (values["label_zh"], values["label_en"]) != (before["label_zh"], before["label_en"]):
        changes["label"] = i18n_value(values["label_zh"], values["label_en"])
    if (values["plural_zh"], values["plural_en"]) != (before["plural_zh"],
                                                       before["plural_en"]):
        changes["plural_label"] = i18n_value(values["plural_zh"], values["plural_en"])
    if values["description"] != before["description"]:
        changes["description"] = values["description"] or None
    if (values["internal"], values["external"]) != (before["internal"], before["external"]):
        changes["data_permission"] = {"internal": values["internal"],
                                      "external": values["external"]}
    if values["track_history"] != before["track_history"]:
        changes["track_history"] = values["track_history"]
    draft = setup.draft()
    place = draft.set_object(name, changes) if changes else None
    inputs = {"label": "label", "plural_label": "plural", "data_permission": "internal"}

    def editor(problems: Problems) -> Response:
        renamed = Problems({inputs.get(k, k): v for k, v in problems.by_input.items()},
                           problems.general)
        return _object_page(setup, name, values, renamed)

    return propose(setup, draft, [place] if place else [],
                   title=page.t("setup_object_settings") + f" {name}",
                   back=f"/setup/objects/{name}", editor=editor)


def index(setup: Setup) -> Response:
    """GET /setup: the objects (the config UI's first page)."""
    return objects(setup)


routes = [
    Route("/setup", setup_endpoint(index), methods=["GET"], name="setup"),
    Route("/setup/objects", setup_endpoint(objects), methods=["GET"], name="setup_objects"),
    Route("/setup/objects/new", setup_endpoint(new_object), methods=["GET", "POST"],
          name="setup_new_object"),
    Route("/setup/objects/{object}", setup_endpoint(object_page), methods=["GET", "POST"],
          name="setup_object"),
]
