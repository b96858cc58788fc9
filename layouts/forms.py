"""Create and edit forms: an effective detail layout turned into what a form template
shows, and a submitted form turned back into the data a write takes.

>>> view = form_view(session.layout("Order"), "zh", record={"status": "draft"})  # doctest: +SKIP
>>> view["sections"][0]["fields"][0]["input"]                                     # doctest: +SKIP
'read-only'

Each field gets the control its type's ``widget`` declares (see
``hulian.metadata.field_types.base.WIDGETS``): native date and time inputs, a select for a
picklist (options already narrowed to the business type; a dependent picklist also carries
its controlling field and the options each controlling value allows, so the page's script
can narrow it), checkboxes for a multi-picklist, a lookup (a record id, with the chosen
record's name and the target object for the search), numbers with the step of their scale,
and plain text for formula, roll-up, quote and auto-number fields, which are read-only.
Server errors are placed beside their field; errors without a field (or about a field not
on the form) go to the summary at the top.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from hulian.layouts.values import display, input_text, label_text, option_labels

__all__ = ["INPUTS", "business_type_choices", "changed_only", "error_text", "fillable",
           "form_fields", "form_view", "read_form"]

PARTNER_FIELD = "out_owner_id"
"""The system field that gives a record to a downstream user (分配给下游)."""
INPUTS = {
    "text": "text", "textarea": "textarea", "number": "number", "money": "number",
    "percent": "number", "checkbox": "checkbox", "date": "date",
    "datetime-local": "datetime-local", "time": "time", "email": "email", "tel": "tel",
    "url": "url", "select": "select", "multi-select": "checkboxes", "lookup": "lookup",
    "read-only": "read-only",
}
"""The form control of each widget (``checkboxes``: one checkbox per option)."""


def error_text(error: Any, lang: str) -> str:
    """A field error's message in ``lang``: a validation rule's own text in that language
    when it has one, else the engine's message."""
    messages = getattr(error, "messages", None) or {}
    return str(messages.get(lang) or getattr(error, "message", "") or messages.get("en") or "")


def form_fields(layout: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every field entry of the layout's sections, in order."""
    return [f for section in layout.get("sections") or () for f in section["fields"]]


def fillable(layout: Mapping[str, Any]) -> dict[str, Any]:
    """The layout as a create form shows it: only the fields the user can fill (no
    auto-number, formula, roll-up or other read-only field: those have no value before
    the record exists and appear on the record page and the edit form); a section left
    without fields is left out."""
    sections = []
    for section in layout.get("sections") or ():
        fields = [f for f in section["fields"]
                  if not (f.get("read_only") or f.get("widget") == "read-only")]
        if fields:
            sections.append({**section, "fields": fields})
    return {**layout, "sections": sections}


def _step(field: Mapping[str, Any]) -> str | None:
    scale = field.get("scale")
    if field.get("type") not in ("currency", "number", "percent"):
        return None
    if isinstance(scale, int) and not isinstance(scale, bool) and scale > 0:
        return "0." + "0" * (scale - 1) + "1"
    return "1" if scale == 0 else "any"


def _dependencies(layout: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {d["dependent"]: d for d in layout.get("dependencies") or ()}


def _field_view(field: Mapping[str, Any], lang: str, value: Any, submitted: Any,
                error: str | None, names: Mapping[str, str], depends: Mapping[str, Any] | None,
                users: list[Mapping[str, str]] | None = None,
                zone: dt.tzinfo | None = None,
                partners: list[Mapping[str, str]] | None = None) -> dict[str, Any]:
    name = field["api_name"]
    read_only = bool(field.get("read_only")) or field.get("widget") == "read-only"
    control = "read-only" if read_only else INPUTS.get(field.get("widget") or "text", "text")
    choices: list[dict[str, str]] = []
    if name == PARTNER_FIELD:
        users = partners  # a record is given downstream to a partner's user
    if control == "lookup" and field.get("target") == "User" and users is not None:
        control = "select"  # a user is chosen by name from the list, never typed as an id
        choices = [{"api_name": u["id"], "label": u["name"]} for u in users]
    if submitted is not None and not read_only:
        values = [str(v) for v in submitted] if isinstance(submitted, list) else \
            [str(submitted)]
    elif isinstance(value, (list, tuple)):
        values = [str(v) for v in value]
    else:
        values = [input_text(value, field, zone)] if value is not None else []
    text = values[0] if values else ""
    labels = option_labels(field, lang)
    if choices:
        labels = {c["api_name"]: c["label"] for c in choices}
    options = [{"value": o["api_name"], "label": labels[o["api_name"]],
                "selected": o["api_name"] in values}
               for o in (choices or field.get("options") or ())]
    known = {o["value"] for o in options}
    options += [{"value": v, "label": names.get(v, v), "selected": True}  # outside the subset
                for v in values if v and v not in known and control in ("select",
                                                                         "checkboxes")]
    view: dict[str, Any] = {
        "name": name, "id": f"field-{name}", "label": label_text(field.get("label"), lang),
        "type": field.get("type"), "widget": field.get("widget"), "input": control,
        "value": text, "values": values, "checked": text.lower() in ("true", "on", "1"),
        "options": options, "required": bool(field.get("required")) and not read_only,
        "read_only": read_only, "help": label_text(field.get("help"), lang),
        "error": error, "error_id": f"error-{name}" if error else None,
        "help_id": f"help-{name}" if field.get("help") else None,
        "step": _step(field), "min": field.get("minimum"), "max": field.get("maximum"),
        "maxlength": field.get("max_length"), "pattern": field.get("pattern"),
        "target": field.get("target"), "suffix": "%" if field.get("type") == "percent" else "",
        "display": display(value, field, lang, options=labels, names=names),
        "lookup_name": names.get(text, "") if text else "",
        "controlling": None, "allowed": None,
    }
    if depends is not None:
        view["controlling"] = depends["controlling"]
        view["allowed"] = json.dumps({k: list(v) for k, v in depends["values"].items()},
                                     ensure_ascii=False, sort_keys=True)
    return view


def form_view(layout: Mapping[str, Any], lang: str, *,
              record: Mapping[str, Any] | None = None,
              submitted: Mapping[str, Any] | None = None, errors: Iterable[Any] = (),
              names: Mapping[str, str] | None = None,
              users: list[Mapping[str, str]] | None = None,
              zone: dt.tzinfo | None = None,
              partners: list[Mapping[str, str]] | None = None,
              labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the form template shows for ``layout`` (an effective detail layout) in
    ``lang``: ``sections`` of field views, ``summary`` (every error, each with the id of
    its input when it has one) and ``general`` (the errors without a field on the form).

    ``record``: the values to start from (the record being edited, or a new record's
    defaults and prefills); ``submitted``: what the user sent (name -> text or list of
    texts), shown instead after a refused write; ``errors``: the write's field errors
    (``FieldError``-like: ``field``, ``message``, ``messages``); ``names``: id -> name of
    the records the lookups point at; ``users``: the users a record may be given to
    (``{"id", "name"}``, :meth:`Session.owner_choices`): a writable lookup to ``User``
    (the owner) becomes a select of them, the current value kept when it is not among them.
    ``zone``: the user's time zone, that date-and-time inputs are filled in (None: UTC).
    ``partners``: the interconnect users a record may be given to downstream
    (``out_owner_id``, :meth:`Session.partner_choices`), chosen the same way. ``labels``:
    field api_name -> label, for errors of fields the form does not show.
    """
    record, names = record or {}, names or {}
    on_form = {f["api_name"]: f for f in form_fields(layout)}
    by_field: dict[str, list[str]] = {}
    summary: list[dict[str, Any]] = []
    general: list[str] = []
    for error in errors:
        text = error_text(error, lang)
        field = getattr(error, "field", None)
        if field in on_form:
            by_field.setdefault(field, []).append(text)
            summary.append({"id": f"field-{field}", "label": label_text(
                on_form[field].get("label"), lang), "message": text})
        else:
            named = (labels or {}).get(field, field) if field else ""
            general.append(f"{named}: {text}" if named else text)
            summary.append({"id": None, "label": named or "", "message": text})
    depends = _dependencies(layout)
    sections = []
    for section in layout.get("sections") or ():
        fields = [_field_view(f, lang, record.get(f["api_name"]),
                              (submitted or {}).get(f["api_name"]),
                              " ".join(by_field.get(f["api_name"], ())) or None, names,
                              depends.get(f["api_name"]), users, zone, partners)
                  for f in section["fields"]]
        sections.append({"api_name": section["api_name"],
                         "label": label_text(section.get("label"), lang),
                         "columns": section.get("columns", 2),
                         "collapsible": bool(section.get("collapsible")),
                         "collapsed": bool(section.get("collapsed")), "fields": fields})
    return {"sections": sections, "summary": summary, "general": general}


def _one(texts: list[str]) -> str:
    return texts[-1].strip() if texts else ""


def read_form(layout: Mapping[str, Any], form: Mapping[str, list[str]],
              zone: dt.tzinfo | None = None) -> dict[str, Any]:
    """The data a create or update takes from a submitted form (``form``: each name's
    list of values, as ``FormData.getlist`` gives them): only the fields the form lets
    the user change and that the form sent (a checkbox or multi-picklist is preceded by
    a hidden empty input of its name, so an unchecked one is sent too); a blank input is
    None, an unchecked checkbox False, a multi-picklist a list of its checked options, a
    ``datetime-local`` value as a moment in ``zone`` (the user's; None: UTC)."""
    data: dict[str, Any] = {}
    for field in form_fields(layout):
        name = field["api_name"]
        if field.get("read_only") or field.get("widget") == "read-only":
            continue
        if name not in form:
            continue
        control = INPUTS.get(field.get("widget") or "text", "text")
        texts = list(form.get(name) or [])
        if control == "checkbox":
            data[name] = bool(_one(texts))
        elif control == "checkboxes":
            chosen = [t for t in texts if t]
            data[name] = chosen or None
        else:
            text = _one(texts)
            if control == "datetime-local" and text and not _zoned(text):
                text = _in_zone(text, zone)
            data[name] = text or None
    return data


def _in_zone(text: str, zone: dt.tzinfo | None) -> str:
    """A ``datetime-local`` text as an ISO moment in ``zone``; a text that is not a date and
    time is left for the engine to refuse (with its own message)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.replace(tzinfo=zone or dt.UTC).isoformat()


def _zoned(text: str) -> bool:
    return text.endswith("Z") or "+" in text[10:] or text[10:].count("-") > 0


def changed_only(data: Mapping[str, Any], record: Mapping[str, Any],
                 layout: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``data`` that differ from ``record`` as its form showed them, so an
    edit writes only what the user changed (a value stored before a picklist's subset was
    narrowed stays when the user leaves it alone)."""
    fields = {f["api_name"]: f for f in form_fields(layout)}
    out: dict[str, Any] = {}
    for name, value in data.items():
        before = record.get(name)
        field = fields.get(name, {})
        if isinstance(value, bool) or isinstance(before, bool):
            same = bool(value) == bool(before)
        elif isinstance(value, list) or isinstance(before, (list, tuple)):
            same = sorted(value or []) == sorted(before or [])
        elif isinstance(before, dt.datetime) and isinstance(value, str):
            same = _same_moment(value, before)
        else:
            shown = input_text(before, field) if before is not None else ""
            same = (value or "") in (shown, shown + "Z" if shown else "")
        if not same:
            out[name] = value
    return out


def _same_moment(text: str, before: dt.datetime) -> bool:
    """Whether a form's date and time (to the minute, as the input holds it) is the stored
    moment's."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is None or before.tzinfo is None:
        return False
    return moment == before.replace(second=0, microsecond=0)


def business_type_choices(describe: Mapping[str, Any], lang: str,
                          chosen: str | None = None) -> list[dict[str, Any]]:
    """The business types the user may create records of, for the type picker (shown
    when there is more than one), the chosen one (else the default) marked."""
    types = describe.get("business_types") or []
    if chosen is None:
        chosen = next((t["api_name"] for t in types if t.get("default")),
                      types[0]["api_name"] if types else None)
    return [{"value": t["api_name"], "label": label_text(t.get("label"), lang),
             "description": t.get("description") or "", "selected": t["api_name"] == chosen}
            for t in types]
