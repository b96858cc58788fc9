"""``/setup/objects/{object}/fields/...``: add a field of any type, edit one, change its
type or name, archive it and bring it back.

A field of the tenant's own (``__c``) is edited in its definition: label, help, settings,
its type (the plan runs the deploy's data check first and names the records whose value
does not convert) and its name (kept as ``renamed_from``, so its values follow). A pack's
field takes overrides of what the pack leaves editable (labels, help, options, default,
hidden...); a locked one is reported beside its input (``overlay.locked_property``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.metadata.field_types import BY_NAME, REGISTERED, derivable
from hulian.metadata.overlay_edits import OverlayDraft, Place
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import (
    i18n_value,
    name_with_suffix,
    setting_inputs,
    setting_text,
    setting_values,
)

__all__ = ["routes"]

DERIVED = ("formula", "roll_up", "quote")
ROLL_UP_KEYS = ("object", "relationship", "function", "field", "filter")
COMMON_TEXTS = ("api_name", "label_zh", "label_en", "help_zh", "help_en", "description",
                "default", "formula", "quote",
                *(f"roll_up_{k}" for k in ROLL_UP_KEYS))
FLAGS = ("required", "unique", "indexed", "hidden")


def _types() -> list[dict[str, Any]]:
    """The field types a new field may have, and the derived kinds of each."""
    return [{"name": t.name, "widget": t.widget, "derived": sorted(t.derived)}
            for t in REGISTERED]


def _field(obj: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((f for f in obj.get("fields", []) if f.get("api_name") == name), None)


def _values_of(field: dict[str, Any]) -> dict[str, Any]:
    label, help_ = field.get("label") or {}, field.get("help") or {}
    roll_up = field.get("roll_up") or {}
    values: dict[str, Any] = {
        "api_name": field.get("api_name", ""), "label_zh": label.get("zh", ""),
        "label_en": label.get("en", ""), "help_zh": help_.get("zh", ""),
        "help_en": help_.get("en", ""), "description": field.get("description", ""),
        "default": setting_text(field.get("default")), "formula": field.get("formula", ""),
        "quote": field.get("quote", ""),
        **{f"roll_up_{k}": setting_text(roll_up.get(k)) for k in ROLL_UP_KEYS},
        **{flag: bool(field.get(flag)) for flag in FLAGS}}
    for key in BY_NAME[field["type"]].settings if field.get("type") in BY_NAME else ():
        values[key] = setting_text(field.get(key))
    return values


def _posted(setup: Setup, type_name: str, objects: list[str]) -> dict[str, Any]:
    form = setup.page.form
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in COMMON_TEXTS}
    values.update({flag: form.get(flag) == "true" for flag in FLAGS})
    for setting in setting_inputs(type_name, objects):
        values[setting.name] = str(form.get(setting.name) or "").strip()
    return values


def _definition(setup: Setup, type_name: str, derived: str | None, values: dict[str, Any],
                objects: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A field document from the form, and the number inputs that hold no number."""
    document: dict[str, Any] = {
        "api_name": name_with_suffix(values["api_name"]), "type": type_name,
        "label": i18n_value(values["label_zh"], values["label_en"])}
    if values["help_zh"] or values["help_en"]:
        document["help"] = i18n_value(values["help_zh"], values["help_en"])
    if values["description"]:
        document["description"] = values["description"]
    for flag in FLAGS:
        if values[flag]:
            document[flag] = True
    settings, bad = setting_values(setting_inputs(type_name, objects), setup.page.form)
    document.update(settings)
    if derived == "formula":
        document["formula"] = values["formula"]
    elif derived == "quote":
        document["quote"] = values["quote"]
    elif derived == "roll_up":
        document["roll_up"] = {k: values[f"roll_up_{k}"] for k in ROLL_UP_KEYS
                               if values[f"roll_up_{k}"]}
    if values["default"] and derived is None:
        document["default"] = _default(values["default"], type_name)
    return document, bad


def _default(text: str, type_name: str) -> Any:
    """A default typed as text, as the JSON value the field's type takes."""
    kind = BY_NAME[type_name]
    if bool in (kind.default_json or ()) and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind.numeric:
        try:
            return Decimal(text)
        except InvalidOperation:
            return text
    if type_name == "multi_picklist":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _form(setup: Setup, name: str, *, type_name: str, derived: str | None,
          values: dict[str, Any], problems: Problems, field: str | None = None,
          whose: str = "custom") -> Response:
    obj = setup.object(name)
    objects = [o["api_name"] for o in setup.objects()]
    settings = setting_inputs(type_name, objects)
    values = {**{k: "" for k in COMMON_TEXTS}, **{f: False for f in FLAGS},
              **{s.name: "" for s in settings}, **values}
    return setup.render("setup/field.html", {
        "object": obj, "field": field, "type_name": type_name, "derived": derived,
        "whose": whose, "values": values, "problems": problems,
        "settings": settings, "types": _types(),
        "result_types": derivable(derived) if derived else (),
        "roll_up_functions": ("COUNT", "SUM", "MIN", "MAX", "AVG")},
        section="objects", status=422 if problems else 200)


def new_field(setup: Setup) -> Response:
    """GET /setup/objects/{object}/fields/new[?type=&derived=]: the type chooser, then the
    field's form; POST: plan the new field."""
    page = setup.page
    name = page.request.path_params["object"]
    obj = setup.object(name)
    params = page.request.query_params
    type_name = str(page.form.get("type") or params.get("type") or "")
    derived = str(page.form.get("derived") or params.get("derived") or "") or None
    if type_name not in BY_NAME or (derived is not None and (
            derived not in DERIVED or derived not in BY_NAME[type_name].derived)):
        return setup.render("setup/field_types.html", {"object": obj, "types": _types()},
                            section="objects")
    objects = [o["api_name"] for o in setup.objects()]
    if page.request.method == "GET":
        return _form(setup, name, type_name=type_name, derived=derived,
                     values={}, problems=Problems())
    values = _posted(setup, type_name, objects)
    document, bad = _definition(setup, type_name, derived, values, objects)
    if bad:
        return _form(setup, name, type_name=type_name, derived=derived, values=values,
                     problems=Problems({k: [page.t("setup_not_a_number", text=v)]
                                        for k, v in bad.items()}))
    draft = setup.draft()
    place = draft.add_field(name, document)

    def editor(problems: Problems) -> Response:
        return _form(setup, name, type_name=type_name, derived=derived, values=values,
                     problems=problems)

    return propose(setup, draft, [place],
                   title=page.t("setup_new_field") + f" {name}.{document['api_name']}",
                   back=f"/setup/objects/{name}", editor=editor)


def edit_field(setup: Setup) -> Response:
    """GET /setup/objects/{object}/fields/{field}: the field's form; POST: plan the
    change (overrides of a pack's field; the definition of an own one, including a new
    type or name)."""
    page = setup.page
    name, field_name = page.request.path_params["object"], page.request.path_params["field"]
    obj = setup.object(name)
    current = _field(obj, field_name)
    if current is None:
        raise NotFoundError(f"{name} has no field {field_name!r}", code="page_not_found")
    draft = setup.draft()
    whose = "custom" if draft.own_field(name, field_name) else "pack"
    derived = next((k for k in DERIVED if k in current), None)
    objects = [o["api_name"] for o in setup.objects()]
    type_name = str(page.form.get("type") or page.request.query_params.get("type")
                    or current["type"]) if whose == "custom" else current["type"]
    if type_name not in BY_NAME:
        type_name = current["type"]
    if page.request.method == "GET":
        return _form(setup, name, type_name=type_name, derived=derived,
                     values=_values_of(current), problems=Problems(), field=field_name,
                     whose=whose)
    values = _posted(setup, type_name, objects)
    if whose == "pack":
        values["api_name"] = field_name
    document, bad = _definition(setup, type_name, derived, values, objects)
    if bad:
        return _form(setup, name, type_name=type_name, derived=derived, values=values,
                     problems=Problems({k: [page.t("setup_not_a_number", text=v)]
                                        for k, v in bad.items()}),
                     field=field_name, whose=whose)
    place = _change_field(draft, name, field_name, whose, current, document)

    def editor(problems: Problems) -> Response:
        return _form(setup, name, type_name=type_name, derived=derived, values=values,
                     problems=problems, field=field_name, whose=whose)

    return propose(setup, draft, [place], title=page.t("setup_edit_field")
                   + f" {name}.{field_name}", back=f"/setup/objects/{name}", editor=editor)


def _change_field(draft: OverlayDraft, name: str, field_name: str, whose: str,
                  current: dict[str, Any], document: dict[str, Any]) -> Place:
    if whose == "custom":
        if document["api_name"] != field_name:
            document["renamed_from"] = field_name
        elif "renamed_from" in current:
            document["renamed_from"] = current["renamed_from"]
        for key in ("customizable", "backfill", "blank_as", "default_formula"):
            if key in current and key not in document:
                document[key] = current[key]
        return draft.replace_field(name, field_name, document)
    changes: dict[str, Any] = {}
    for key in ("label", "help", "description", "default", "options", "required",
                "unique", "indexed", "hidden", "minimum", "maximum", "pattern",
                "max_length", "precision", "scale", "formula"):
        new, old = document.get(key), current.get(key)
        if key in ("required", "unique", "indexed", "hidden"):
            new, old = bool(new), bool(old)
        if new != old and not (new is None and key not in current):
            changes[key] = new
    return draft.set_field(name, field_name, changes)


def archive_field(setup: Setup) -> Response:
    """POST /setup/objects/{object}/fields/{field}/archive: plan archiving an own field
    (its values are kept until purged, and come back with it)."""
    page = setup.page
    name, field_name = page.request.path_params["object"], page.request.path_params["field"]
    setup.object(name)
    draft = setup.draft()
    if draft.own_field(name, field_name) is None:
        raise NotFoundError(f"{name}.{field_name} is not a field of the tenant's own",
                            code="page_not_found")
    place = draft.remove_field(name, field_name)
    return _propose_alone(setup, draft, place,
                          page.t("setup_archive_field") + f" {name}.{field_name}", name)


def _propose_alone(setup: Setup, draft: OverlayDraft, place: Place, title: str,
                   object_name: str) -> Response:
    """The plan of a change made by a button, not a form: its problems on a page of
    their own, with the way back to the object."""
    back = f"/setup/objects/{object_name}"

    def refused(problems: Problems) -> Response:
        message = " ".join([*problems.general,
                            *(m for ms in problems.by_input.values() for m in ms)])
        return setup.render("setup/refused.html", {"title": title, "back": back,
                                                   "message": message},
                            section="objects", status=422)

    return propose(setup, draft, [place], title=title, back=back, editor=refused)


def restore_field(setup: Setup) -> Response:
    """POST /setup/objects/{object}/fields/{field}/restore: plan bringing an archived own
    field back, as it was last deployed, with its values."""
    page = setup.page
    name, field_name = page.request.path_params["object"], page.request.path_params["field"]
    setup.object(name)
    definition = setup.admin.archived_field_definition(name, field_name)
    if definition is None:
        raise NotFoundError(f"{name}.{field_name} was never a field of the tenant's own",
                            code="page_not_found")
    draft = setup.draft()
    place = draft.add_field(name, definition)
    return _propose_alone(setup, draft, place,
                          page.t("setup_restore_field") + f" {name}.{field_name}", name)


routes = [
    Route("/setup/objects/{object}/fields/new", setup_endpoint(new_field),
          methods=["GET", "POST"], name="setup_new_field"),
    Route("/setup/objects/{object}/fields/{field}", setup_endpoint(edit_field),
          methods=["GET", "POST"], name="setup_field"),
    Route("/setup/objects/{object}/fields/{field}/archive", setup_endpoint(archive_field),
          methods=["POST"], name="setup_archive_field"),
    Route("/setup/objects/{object}/fields/{field}/restore", setup_endpoint(restore_field),
          methods=["POST"], name="setup_restore_field"),
]
