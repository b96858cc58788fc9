"""``/setup/objects/{object}/business-types``: an object's business types (record types).

The tenant adds types of its own (``business_types`` in the object's extension, or in
its own object's definition) and changes a pack's with ``business_type_overrides``
(label, description, active, default, roles, option subsets). The form gives: the label in
two languages, active and default, the roles that may use the type (none ticked: everyone
who may create records), and per picklist field the options the type allows (none
ticked: all of them) with the type's default option. docs/layouts.md#business-types.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import i18n_value
from hulian.runtime.setup.layout_form import MultiForm
from hulian.runtime.setup.layouts import roles

__all__ = ["routes"]

PICKLISTS = ("picklist", "multi_picklist")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _picklists(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in obj.get("fields", []) if f.get("type") in PICKLISTS]


def _values(business_type: dict[str, Any]) -> dict[str, Any]:
    label = business_type.get("label") or {}
    return {"api_name": business_type.get("api_name", ""), "label_zh": label.get("zh", ""),
            "label_en": label.get("en", ""),
            "description": business_type.get("description", ""),
            "active": business_type.get("active", True),
            "default": business_type.get("default", False),
            "roles": list(business_type.get("roles") or []),
            "options": {name: {"values": list(subset.get("values", [])),
                               "default": subset.get("default", "")}
                        for name, subset in (business_type.get("options") or {}).items()}}


def _read(form: MultiForm, obj: dict[str, Any]) -> dict[str, Any]:
    values = {k: form.get(k) for k in ("api_name", "label_zh", "label_en", "description")}
    values.update(active=form.flag("active"), default=form.flag("default"),
                  roles=form.getlist("roles"), options={})
    for field in _picklists(obj):
        name = field["api_name"]
        chosen = form.getlist(f"options.{name}")
        if chosen:
            values["options"][name] = {"values": chosen,
                                       "default": form.get(f"option_default.{name}")}
    return values


def _options_document(options: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for name, subset in options.items():
        entry: dict[str, Any] = {"values": subset["values"]}
        if subset.get("default"):
            entry["default"] = subset["default"]
        found[name] = entry
    return found


def _document(values: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The tenant's own type: its form's values over what the editor does not show
    (``defaults``)."""
    doc: dict[str, Any] = {"api_name": values["api_name"],
                           "label": i18n_value(values["label_zh"], values["label_en"])}
    if values["description"]:
        doc["description"] = values["description"]
    if not values["active"]:
        doc["active"] = False
    if values["default"]:
        doc["default"] = True
    if before.get("defaults"):
        doc["defaults"] = before["defaults"]
    if values["roles"]:
        doc["roles"] = values["roles"]
    if values["options"]:
        doc["options"] = _options_document(values["options"])
    return doc


def _overrides(values: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What differs from the pack's type as in effect (the tenant's overrides included);
    roles or options left empty drop the tenant's override of them."""
    was = _values(before)
    changes: dict[str, Any] = {}
    if (values["label_zh"], values["label_en"]) != (was["label_zh"], was["label_en"]):
        changes["label"] = i18n_value(values["label_zh"], values["label_en"])
    if values["description"] != was["description"]:
        changes["description"] = values["description"] or None
    for key in ("active", "default"):
        if values[key] != was[key]:
            changes[key] = values[key]
    if set(values["roles"]) != set(was["roles"]):
        changes["roles"] = values["roles"] or None
    if values["options"] != was["options"]:
        changes["options"] = _options_document(values["options"]) or None
    return changes


def _form(setup: Setup, obj: dict[str, Any], values: dict[str, Any], problems: Problems,
          name: str | None, whose: str) -> Response:
    return setup.render("setup/business_type.html", {
        "object": obj, "values": values, "problems": problems, "name": name, "whose": whose,
        "roles": roles(setup), "picklists": _picklists(obj)},
        section="objects", status=422 if problems else 200)


def business_types(setup: Setup) -> Response:
    """GET /setup/objects/{object}/business-types: the object's types."""
    name = setup.page.request.path_params["object"]
    obj = setup.object(name)
    draft = setup.draft()
    rows = [{**_values(b), "label": b.get("label"),
             "whose": "custom" if draft.own_business_type(name, b["api_name"]) else "pack"}
            for b in obj.get("business_types", [])]
    return setup.render("setup/business_types.html", {
        "object": obj, "types": rows,
        "deployed": setup.page.request.query_params.get("deployed")}, section="objects")


def business_type_page(setup: Setup) -> Response:
    """GET /setup/objects/{object}/business-types/new and /{type}: the type's form; POST:
    plan the new type, or the change of one."""
    page = setup.page
    object_name = page.request.path_params["object"]
    name = page.request.path_params.get("business_type")
    obj = setup.object(object_name)
    current = next((b for b in obj.get("business_types", []) if b.get("api_name") == name),
                   None) if name else None
    if name and current is None:
        raise NotFoundError(f"{object_name} has no business type {name!r}",
                            code="page_not_found")
    draft = setup.draft()
    whose = "pack" if name and draft.own_business_type(object_name, name) is None \
        else "custom"
    if page.request.method == "GET":
        values = _values(current) if current else _values({})
        return _form(setup, obj, values, Problems(), name, whose)
    values = _read(MultiForm(page.form), obj)
    if name:
        values["api_name"] = name
    if whose == "pack":
        assert current is not None and name is not None
        changes = _overrides(values, current)
        places = [draft.override_business_type(object_name, name, changes)] \
            if changes else []
    elif not _NAME.match(values["api_name"]):
        return _form(setup, obj, values, Problems(by_input={
            "api_name": [page.t("setup_business_type_name_help")]}), name, whose)
    else:
        places = [draft.put_business_type(object_name, _document(values, current or {}))]

    def editor(problems: Problems) -> Response:
        return _form(setup, obj, values, problems, name, whose)

    return propose(setup, draft, places,
                   title=page.t("setup_business_type") + f" {object_name}.{values['api_name']}",
                   back=f"/setup/objects/{object_name}/business-types", editor=editor)


routes = [
    Route("/setup/objects/{object}/business-types", setup_endpoint(business_types),
          methods=["GET"], name="setup_business_types"),
    Route("/setup/objects/{object}/business-types/new", setup_endpoint(business_type_page),
          methods=["GET", "POST"], name="setup_new_business_type"),
    Route("/setup/objects/{object}/business-types/{business_type}",
          setup_endpoint(business_type_page), methods=["GET", "POST"],
          name="setup_business_type"),
]
