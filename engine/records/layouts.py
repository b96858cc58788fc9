"""The effective layout (布局) of an object for one user: what a record page, a form or a
list shows them, built from the layout document they get
(:mod:`~hulian.engine.records.layout_resolve`) and their rights.

>>> s.layout("Order", "sample", channel="mobile")["sections"][0]["fields"][0]  # doctest: +SKIP
{'api_name': 'status', 'type': 'picklist', 'widget': 'select', 'required': True, ...}

- Fields the user may not see never appear (sections, columns, card, related list
  columns, dependencies); a section left empty goes too. Field entries:
  :mod:`~hulian.engine.records.layout_fields`.
- Related lists: only children the user may read, through a relationship field they see.
- Buttons: only what the user may do (``new``/``clone``: create, and the business type is
  one they may use; ``edit``, ``share``: edit; ``delete``/``restore``: delete; ``export``;
  a custom action: that action).
- No layout applies: one is generated (detail: one section of every field the user sees,
  in field order, a related list per readable child, the standard buttons and the
  object's actions; list: the name field and up to five more fields, a card of the name
  field and three more).

The result is read-only (maps and tuples) and built once per user, metadata version and
(object, business type, channel, kind): a warm call builds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hulian.engine.describe import describe_object
from hulian.engine.errors import NotFoundError, QueryError
from hulian.engine.records import layout_fields as entries
from hulian.engine.records.access import Guard
from hulian.engine.records.business_types import usable_types
from hulian.engine.records.layout_resolve import CHANNELS, KINDS, resolve
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.hints import choices_hint
from hulian.metadata.kinds.layouts import STANDARD_BUTTONS, Layout, RelatedList
from hulian.metadata.kinds.naming import SYSTEM_FIELDS
from hulian.metadata.model import BusinessType, frozen_map

__all__ = ["chosen_type", "effective_layout"]

GENERATED_SECTION = frozen_map({"zh": "详细信息", "en": "Details"})
LIST_COLUMNS = 6
CARD_FIELDS = 3
RELATED_COLUMNS = 4
LIST_BUTTONS = ("new", "export")


def _parameter(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise QueryError(f"{name} must be {' or '.join(allowed)}, not {str(value)[:40]!r}",
                         code="invalid_parameter", hint=f"{name}: {', '.join(allowed)}")


def chosen_type(obj: CompiledObject, visibility: Any, name: Any) -> BusinessType:
    """The business type a layout is for: ``name``, or (None) the type a new record of the
    user gets (the object's default type when they may use it, else the first they may).
    An unknown type is NotFoundError ``unknown_business_type``; a type the user may not
    create records of is still one whose records they may read, so it has a layout."""
    usable = usable_types(obj, visibility)
    if name is None:
        default = obj.model.default_type
        return default if default in usable or not usable else usable[0]
    found = obj.model.business_type(name) if isinstance(name, str) else None
    if found is None:
        raise NotFoundError(f"{obj.api_name} has no business type {str(name)[:100]!r}",
                            code="unknown_business_type",
                            hint=choices_hint(str(name), [t.api_name for t in obj.model.types],
                                              f"business types of {obj.api_name}"))
    return found


def effective_layout(guard: Guard, object_name: str, business_type: str | None = None,
                     channel: str = "web", kind: str = "detail") -> Mapping[str, Any]:
    """The layout ``guard``'s user gets (see the module's docstring)."""
    _parameter("channel", channel, CHANNELS)
    _parameter("kind", kind, KINDS)
    obj = guard.object(object_name)
    visibility = guard.visibility
    btype = chosen_type(obj, visibility, business_type)
    return visibility.statement(
        ("layout", obj.api_name, btype.api_name, channel, kind),
        lambda: entries.frozen(_Builder(guard, obj, btype).build(channel, kind)))


class _Builder:
    """Builds one effective layout (once: the result is cached)."""

    def __init__(self, guard: Guard, obj: CompiledObject, btype: BusinessType):
        self.guard = guard
        self.schema = guard.schema
        self.obj = obj
        self.name = obj.api_name
        self.btype = btype
        self.usable = btype in usable_types(obj, guard.visibility)
        self.described = self._described(obj)
        self.fields = {f["api_name"]: f for f in self.described["fields"]}

    def _described(self, obj: CompiledObject) -> dict[str, Any]:
        return self.guard.describe(obj, describe_object(
            obj, self.schema.ids.get(obj.api_name), self.schema))

    def build(self, channel: str, kind: str) -> dict[str, Any]:
        user = self.guard.visibility
        layout = resolve(self.schema, self.name, kind, channel, user.roles,
                         self.btype.api_name)
        out: dict[str, Any] = {
            "object": self.name, "kind": kind, "channel": channel,
            "layout": layout.api_name if layout else None,
            "layout_channel": layout.channel if layout else None,
            "label": dict(layout.label) if layout else self.described["label"],
            "business_type": {"api_name": self.btype.api_name,
                              "label": dict(self.btype.label), "usable": self.usable}}
        if kind == "list":
            out.update(self._list(layout))
        else:
            out.update(self._detail(layout))
        return out

    # -- fields -----------------------------------------------------------------------

    def _shown(self, name: str, fields: Mapping[str, Any]) -> bool:
        return name in fields or name in SYSTEM_FIELDS

    def _system(self, name: str) -> dict[str, Any]:
        writable = (name in ("owner_id", "out_owner_id")
                    and not self.guard.user.is_interconnect) or (
            name == "business_type" and len(usable_types(self.obj, self.guard.visibility)) > 1)
        return entries.system_description(name, writable=writable)

    def _field(self, name: str, *, read_only: bool = False, required: bool = False
               ) -> dict[str, Any]:
        if name not in self.fields:
            return entries.field_entry(self._system(name), self.btype, read_only=read_only,
                                       required=False)
        return entries.field_entry(
            self.fields[name], self.btype, coerce=self.obj.coercers.get(name),
            read_only=read_only or name in self.guard.locked(self.name), required=required)

    def _column(self, name: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        described = fields.get(name) or self._system(name)
        return entries.column_entry(described)

    def _generated_names(self, fields: Mapping[str, Any], name_field: str | None,
                         more: int) -> list[str]:
        """The name field (if shown) and up to ``more`` other shown fields, in order."""
        first = [name_field] if name_field in fields else []
        rest = [n for n, f in fields.items() if n not in first and not f.get("hidden")
                and f["type"] != "textarea"]
        return first + rest[:more if first else more + 1]

    # -- detail -----------------------------------------------------------------------

    def _detail(self, layout: Layout | None) -> dict[str, Any]:
        if layout is None:
            names = [n for n, f in self.fields.items() if not f.get("hidden")]
            sections = [{"api_name": "main", "label": dict(GENERATED_SECTION), "columns": 2,
                         "collapsible": False, "collapsed": False,
                         "fields": [self._field(n) for n in names]}] if names else []
            related = [self._related(RelatedList(r["name"], sort=("-created_at",)), r)
                       for r in self.described.get("child_relationships", ())]
            buttons = [*STANDARD_BUTTONS, *(a.api_name for a in self.obj.model.actions)]
        else:
            sections = []
            for section in layout.sections:
                shown = [self._field(f.field, read_only=f.read_only, required=f.required)
                         for f in section.fields if self._shown(f.field, self.fields)]
                if shown:
                    sections.append({"api_name": section.api_name,
                                     "label": dict(section.label), "columns": section.columns,
                                     "collapsible": section.collapsible,
                                     "collapsed": section.collapsed, "fields": shown})
            children = {r["name"]: r for r in self.described.get("child_relationships", ())}
            related = [self._related(r, children[r.relationship])
                       for r in layout.related_lists if r.relationship in children]
            buttons = list(layout.buttons)
        on_form = {f["api_name"] for s in sections for f in s["fields"]}
        return {"sections": sections, "related_lists": related,
                "buttons": self._buttons(buttons),
                "dependencies": [
                    entries.dependency_entry(d, self.fields[d.controlling],
                                             self.fields[d.dependent], self.btype)
                    for d in self.obj.model.field_dependencies
                    if d.dependent in on_form and d.controlling in self.fields]}

    def _related(self, related: RelatedList, relationship: Mapping[str, Any]
                 ) -> dict[str, Any]:
        """A related list (``relationship``: the one describe lists, readable)."""
        child = self.schema.object(relationship["object"])
        fields = {f["api_name"]: f for f in self._described(child)["fields"]}
        columns = [c for c in related.columns if self._shown(c, fields)] or \
            self._generated_names(fields, child.model.name_field, RELATED_COLUMNS - 1)
        sort = [key for key in related.sort if self._shown(key.lstrip("-"), fields)]
        return {"relationship": relationship["name"], "object": child.api_name,
                "field": relationship["field"],
                "label": dict(related.label) if related.label else relationship["label"],
                "columns": [self._column(c, fields) for c in columns],
                "sort": sort, "page_size": related.page_size}

    def _buttons(self, names: list[str]) -> list[dict[str, Any]]:
        actions = {a.api_name: a for a in self.obj.model.actions}
        out = []
        for name in dict.fromkeys(names):
            if not self._may(name):
                continue
            if name in actions:
                out.append({"api_name": name, "kind": "action",
                            "label": dict(actions[name].label)})
            else:
                out.append({"api_name": name, "kind": "standard",
                            "label": dict(entries.STANDARD_LABELS[name])})
        return out

    def _may(self, button: str) -> bool:
        can = self.guard.can
        if button in ("new", "clone"):
            return can(self.name, "create") and self.usable
        if button in ("delete", "restore"):
            return can(self.name, "delete")
        if button == "share":
            return can(self.name, "edit") and not any(
                f.type == "master_detail" for f in self.obj.model.fields)
        return can(self.name, button)  # edit, export, custom actions

    # -- list -------------------------------------------------------------------------

    def _list(self, layout: Layout | None) -> dict[str, Any]:
        fields = self.fields
        if layout is None:
            columns = self._generated_names(fields, self.obj.model.name_field,
                                            LIST_COLUMNS - 1)
            title = columns[0] if columns else None
            card = columns[1:CARD_FIELDS + 1]
        else:
            columns = [c for c in layout.columns if self._shown(c, fields)]
            title = layout.card_title if layout.card_title is not None and \
                self._shown(layout.card_title, fields) else None
            card = [c for c in layout.card_fields if self._shown(c, fields)]
        return {"columns": [self._column(c, fields) for c in columns],
                "card": {"title": self._column(title, fields) if title else None,
                         "fields": [self._column(c, fields) for c in card]},
                "buttons": self._buttons(list(LIST_BUTTONS))}
