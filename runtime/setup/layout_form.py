"""The layout editor's form and the layout document, both ways (no HTTP, no database).

The editor is one form that carries the whole layout, so it works without script: every
button posts it and the page comes back with the edit made (``op``), until "Review the
plan" sends the layout to the deploy plan. The inputs:

- ``label_zh``, ``label_en``, ``channel``, ``default``, ``description``;
- ``section`` (repeated, in order: a section's api_name) with ``section_label_zh.<s>``,
  ``section_label_en.<s>``, ``section_columns.<s>`` and ``section_remove.<s>``;
- ``field`` (repeated, in order: ``<section>/<field>``; a list layout's columns use the
  group ``columns``) with ``required.<f>``, ``read_only.<f>`` and ``remove.<f>``; the
  drag and drop of ``setup.js`` only reorders these inputs (and their group);
- ``add_field`` and ``add_field_to``; ``new_section_zh`` and ``new_section_en``;
- ``related`` (repeated) with ``related_remove.<r>``, and ``add_related``;
- ``assign_role`` and ``assign_business_type`` (repeated, pairwise), ``assign_remove``
  (their indexes), ``new_assign_role`` and ``new_assign_business_type``;
- ``op``: ``update``, ``plan``, ``move:field:<f>:up|down`` or ``move:section:<s>:up|down``.

>>> form = {"label_zh": "订单", "label_en": "Order", "channel": "mobile",
...         "section": ["main"], "section_label_zh.main": "主", "section_label_en.main": "Main",
...         "section_columns.main": "1", "field": ["main/number", "main/status"],
...         "required.status": "true"}
>>> doc = layout_from_form({"api_name": "o", "object": "Order", "kind": "detail"},
...                        MultiForm(form))
>>> doc["sections"][0]["fields"]
['number', {'field': 'status', 'required': True}]
>>> move(doc, "move:field:status:up")["sections"][0]["fields"][0]
{'field': 'status', 'required': True}
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from hulian.runtime.setup.inputs import i18n_value

__all__ = ["COLUMNS", "MultiForm", "editor_model", "layout_from_form", "move", "new_layout"]

COLUMNS = "columns"
"""The group of a list layout's columns in the ``field`` inputs."""
_DROPPED = ("$schema", "customizable")


class MultiForm:
    """A form's values by name, one (``get``) or all (``getlist``): Starlette's FormData,
    or a plain mapping whose lists are the repeated inputs (for tests)."""

    def __init__(self, form: Any):
        self.form = form

    def get(self, name: str) -> str:
        if hasattr(self.form, "getlist"):
            value = self.form.get(name)
        else:
            value = self.form.get(name)
            if isinstance(value, list):
                value = value[0] if value else None
        return str(value).strip() if isinstance(value, str) else ""

    def getlist(self, name: str) -> list[str]:
        if hasattr(self.form, "getlist"):
            values = self.form.getlist(name)
        else:
            found = self.form.get(name)
            values = found if isinstance(found, list) else [] if found is None else [found]
        return [v.strip() for v in values if isinstance(v, str)]

    def flag(self, name: str) -> bool:
        return self.get(name) == "true"


def new_layout(api_name: str, obj: Mapping[str, Any], kind: str, channel: str
               ) -> dict[str, Any]:
    """A starting layout for ``obj``: its name field in one section (detail) or as the
    only column (list)."""
    label = dict(obj.get("label") or {"zh": obj["api_name"], "en": obj["api_name"]})
    doc: dict[str, Any] = {"api_name": api_name, "object": obj["api_name"], "kind": kind,
                           "channel": channel, "label": label}
    name_field = obj.get("name_field") or next(
        (f["api_name"] for f in obj.get("fields", [])), "id")
    if kind == "list":
        doc["columns"] = [name_field]
    else:
        doc["sections"] = [{"api_name": "main", "label": {"zh": "基本信息", "en": "Details"},
                            "columns": 2, "fields": [name_field]}]
    return doc


def _entry(field: Any) -> tuple[str, bool, bool]:
    if isinstance(field, dict):
        return str(field.get("field", "")), bool(field.get("required")), \
            bool(field.get("read_only"))
    return str(field), False, False


def _field_document(name: str, required: bool, read_only: bool) -> Any:
    if not required and not read_only:
        return name
    found: dict[str, Any] = {"field": name}
    if required:
        found["required"] = True
    if read_only:
        found["read_only"] = True
    return found


def editor_model(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the editor template shows of a layout document."""
    label = doc.get("label") or {}
    groups = []
    if doc.get("kind", "detail") == "list":
        groups.append({"api_name": COLUMNS, "label_zh": "", "label_en": "", "columns": 1,
                       "fields": [{"name": c, "required": False, "read_only": False}
                                  for c in doc.get("columns", [])]})
    for section in doc.get("sections", []):
        slabel = section.get("label") or {}
        groups.append({
            "api_name": section.get("api_name", ""), "label_zh": slabel.get("zh", ""),
            "label_en": slabel.get("en", ""), "columns": section.get("columns", 2),
            "fields": [dict(zip(("name", "required", "read_only"), _entry(f), strict=True))
                       for f in section.get("fields", [])]})
    return {
        "api_name": doc.get("api_name", ""), "object": doc.get("object", ""),
        "kind": doc.get("kind", "detail"), "channel": doc.get("channel", "web"),
        "label_zh": label.get("zh", ""), "label_en": label.get("en", ""),
        "default": bool(doc.get("default")), "description": doc.get("description", ""),
        "groups": groups,
        "related": [r.get("relationship", "") for r in doc.get("related_lists", [])],
        "assignments": [{"role": a.get("role", ""), "business_type": a.get("business_type", "")}
                        for a in doc.get("assignments", [])],
    }


def _section_name(zh: str, en: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_]+", "_", en.lower()).strip("_") or "section"
    if not base[0].isalpha():
        base = "section_" + base
    base = base[:56]
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def layout_from_form(original: Mapping[str, Any], form: MultiForm) -> dict[str, Any]:
    """The layout the form describes: ``original`` (the document as stored, or a new
    one's ``api_name``, ``object`` and ``kind``) with what the editor edits replaced, so
    what it does not show (buttons, a list's card, a section's collapsing, a related
    list's columns) is kept."""
    doc = {k: copy.deepcopy(v) for k, v in original.items() if k not in _DROPPED}
    kind = doc.get("kind", "detail")
    doc["label"] = i18n_value(form.get("label_zh"), form.get("label_en"))
    channel = form.get("channel")
    doc["channel"] = channel if channel in ("web", "mobile") else doc.get("channel", "web")
    if form.flag("default"):
        doc["default"] = True
    else:
        doc.pop("default", None)
    if form.get("description"):
        doc["description"] = form.get("description")
    else:
        doc.pop("description", None)
    removed = {name for name in _names_with(form, "remove.")}
    fields: dict[str, list[Any]] = {}
    for entry in form.getlist("field"):
        group, _, name = entry.partition("/")
        if not name or name in removed:
            continue
        fields.setdefault(group, []).append(_field_document(
            name, form.flag(f"required.{name}"), form.flag(f"read_only.{name}")))
    added, to = form.get("add_field"), form.get("add_field_to")
    if kind == "list":
        columns = [_entry(f)[0] for f in fields.get(COLUMNS, [])]
        if added and added not in columns:
            columns.append(added)
        doc["columns"] = columns
    else:
        doc["sections"] = _sections(original, form, fields, added, to)
    doc.update(_related(original, form))
    if not doc.get("related_lists"):
        doc.pop("related_lists", None)
    doc["assignments"] = _assignments(form)
    if not doc["assignments"]:
        del doc["assignments"]
    return doc


def _names_with(form: MultiForm, prefix: str) -> list[str]:
    source = form.form
    keys = source.keys() if hasattr(source, "keys") else []
    return [k[len(prefix):] for k in keys if k.startswith(prefix) and form.flag(k)]


def _sections(original: Mapping[str, Any], form: MultiForm, fields: dict[str, list[Any]],
              added: str, to: str) -> list[dict[str, Any]]:
    before = {s.get("api_name"): s for s in original.get("sections", [])}
    sections = []
    for name in form.getlist("section"):
        if form.flag(f"section_remove.{name}"):
            continue
        section = {k: copy.deepcopy(v) for k, v in before.get(name, {}).items()}
        columns = form.get(f"section_columns.{name}")
        section.update(api_name=name, label=i18n_value(form.get(f"section_label_zh.{name}"),
                                                       form.get(f"section_label_en.{name}")),
                       columns=int(columns) if columns in ("1", "2") else
                       section.get("columns", 2),
                       fields=fields.get(name, []))
        sections.append(section)
    zh, en = form.get("new_section_zh"), form.get("new_section_en")
    if zh or en:
        name = _section_name(zh, en, {s["api_name"] for s in sections})
        sections.append({"api_name": name, "label": i18n_value(zh, en), "columns": 2,
                         "fields": []})
    listed = {_entry(f)[0] for s in sections for f in s["fields"]}
    if added and added not in listed and sections:
        target = next((s for s in sections if s["api_name"] == to), sections[0])
        target["fields"].append(added)
    return sections


def _related(original: Mapping[str, Any], form: MultiForm) -> dict[str, Any]:
    before = {r.get("relationship"): r for r in original.get("related_lists", [])}
    related = [copy.deepcopy(before.get(name, {"relationship": name}))
               for name in form.getlist("related")
               if not form.flag(f"related_remove.{name}")]
    added = form.get("add_related")
    if added and added not in {r["relationship"] for r in related}:
        related.append({"relationship": added})
    return {"related_lists": related}


def _assignments(form: MultiForm) -> list[dict[str, str]]:
    roles, types = form.getlist("assign_role"), form.getlist("assign_business_type")
    removed = set(form.getlist("assign_remove"))
    rows = [(r, t) for i, (r, t) in enumerate(zip(roles, types, strict=False))
            if str(i) not in removed]
    new = (form.get("new_assign_role"), form.get("new_assign_business_type"))
    if any(new):
        rows.append(new)
    found: list[dict[str, str]] = []
    for role, business_type in rows:
        entry = {k: v for k, v in (("role", role), ("business_type", business_type)) if v}
        if entry and entry not in found:
            found.append(entry)
    return found


def move(doc: dict[str, Any], op: str) -> dict[str, Any]:
    """``doc`` with one field or section moved up or down (``op`` as the editor's move
    buttons send it). A field moved past the top or bottom of its section goes to the
    end or start of the section before or after it."""
    parts = op.split(":")
    if len(parts) != 4 or parts[3] not in ("up", "down"):
        return doc
    _, what, name, direction = parts
    step = -1 if direction == "up" else 1
    if what == "section":
        sections = doc.get("sections", [])
        index = next((i for i, s in enumerate(sections) if s.get("api_name") == name), None)
        if index is not None and 0 <= index + step < len(sections):
            sections[index], sections[index + step] = sections[index + step], sections[index]
        return doc
    if doc.get("kind") == "list":
        columns = doc.get("columns", [])
        if name in columns:
            i = columns.index(name)
            if 0 <= i + step < len(columns):
                columns[i], columns[i + step] = columns[i + step], columns[i]
        return doc
    sections = doc.get("sections", [])
    for s_index, section in enumerate(sections):
        names = [_entry(f)[0] for f in section["fields"]]
        if name not in names:
            continue
        i = names.index(name)
        entries = section["fields"]
        if 0 <= i + step < len(entries):
            entries[i], entries[i + step] = entries[i + step], entries[i]
        elif 0 <= s_index + step < len(sections):
            entry = entries.pop(i)
            neighbour = sections[s_index + step]["fields"]
            if step < 0:
                neighbour.append(entry)
            else:
                neighbour.insert(0, entry)
        break
    return doc
