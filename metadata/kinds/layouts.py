"""Layouts (布局, ``layouts/<api_name>.json``): how an object's records show, per business
type, role and channel.

A **detail** layout (record page and form) has sections of fields, related lists and
buttons; a **list** layout has columns and the fields of a mobile card. A layout is for one
``channel`` (``web``, the default, or ``mobile``; mobile falls back to web) and is assigned
to (role x business type) pairs; one layout per (object, kind, channel) is the
``default``::

    {"api_name": "order_dealer_mobile", "object": "Order", "kind": "detail",
     "channel": "mobile", "label": {"zh": "订单", "en": "Order"},
     "assignments": [{"role": "dealer_buyer"}],
     "sections": [{"api_name": "main", "label": {...}, "columns": 1,
                   "fields": ["number", {"field": "status", "required": true}]}],
     "related_lists": [{"relationship": "lines", "columns": ["product", "quantity"]}],
     "buttons": ["edit", "submit"]}

A field's ``required`` and ``read_only`` tighten what the object says for writes of the
layout's business types; they never loosen a field permission. The runtime side (which
layout a user gets, without the fields they may not see) is :mod:`hulian.layouts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from hulian.metadata.kinds.base import (
    Document,
    DocumentKind,
    ObjectView,
    PackView,
    Report,
    Use,
    content,
    items,
    mapping,
    texts,
)
from hulian.metadata.kinds.naming import SYSTEM_FIELDS, Names, field_uses, sort_uses
from hulian.metadata.model import frozen_map

__all__ = [
    "LAYOUTS",
    "STANDARD_BUTTONS",
    "Assignment",
    "Claim",
    "Layout",
    "LayoutField",
    "LayoutKind",
    "RelatedList",
    "Section",
    "assignment_keys",
]

DETAIL = "detail"
LIST = "list"
STANDARD_BUTTONS = ("new", "edit", "delete", "clone", "export", "restore", "share")
"""Buttons every object has (shown only when the user may do them)."""
DERIVED_KEYS = ("formula", "roll_up", "quote")
_ONLY = {DETAIL: ("sections", "related_lists", "buttons"), LIST: ("columns", "card")}


@dataclass(frozen=True)
class LayoutField:
    field: str
    required: bool = False
    read_only: bool = False


@dataclass(frozen=True)
class Section:
    api_name: str
    label: Mapping[str, str]
    fields: tuple[LayoutField, ...]
    columns: int = 2
    collapsible: bool = False
    collapsed: bool = False


@dataclass(frozen=True)
class RelatedList:
    relationship: str
    columns: tuple[str, ...] = ()
    sort: tuple[str, ...] = ()
    page_size: int = 10
    label: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Assignment:
    """Which users get the layout: a role (None: any), a business type (None: any)."""

    role: str | None = None
    business_type: str | None = None


@dataclass(frozen=True)
class Layout(Document):
    object: str = ""
    kind: str = DETAIL
    channel: str = "web"
    label: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    default: bool = False
    assignments: tuple[Assignment, ...] = ()
    sections: tuple[Section, ...] = ()
    related_lists: tuple[RelatedList, ...] = ()
    buttons: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    card_title: str | None = None
    card_fields: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[LayoutField, ...]:
        """Every field of a detail layout, in order (a list layout: its columns)."""
        if self.kind == LIST:
            return tuple(LayoutField(name) for name in self.columns)
        return tuple(f for section in self.sections for f in section.fields)


def _layout_field(raw: Any) -> LayoutField:
    if isinstance(raw, str):
        return LayoutField(raw)
    return LayoutField(raw["field"], raw.get("required", False), raw.get("read_only", False))


def _field_name(raw: Any) -> str | None:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict) and isinstance(raw.get("field"), str):
        return raw["field"]
    return None


def _keys(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (value,) if isinstance(value, str) \
        else ()


class LayoutKind(DocumentKind):
    name = "layout"
    folder = "layouts"
    schema = "layout.schema.json"
    what = "a layout"

    def build(self, doc: Mapping[str, Any], source: str) -> Layout:
        card = doc.get("card") or {}
        return Layout(
            api_name=doc["api_name"], source=source, document=content(doc),
            object=doc["object"], kind=doc.get("kind", DETAIL),
            channel=doc.get("channel", "web"), label=frozen_map(doc["label"]),
            default=doc.get("default", False),
            assignments=tuple(Assignment(a.get("role"), a.get("business_type"))
                              for a in doc.get("assignments", ())),
            sections=tuple(Section(s["api_name"], frozen_map(s["label"]),
                                   tuple(_layout_field(f) for f in s["fields"]),
                                   s.get("columns", 2), s.get("collapsible", False),
                                   s.get("collapsed", False))
                           for s in doc.get("sections", ())),
            related_lists=tuple(RelatedList(r["relationship"], tuple(r.get("columns", ())),
                                            _keys(r.get("sort")), r.get("page_size", 10),
                                            frozen_map(r["label"]) if "label" in r else None)
                                for r in doc.get("related_lists", ())),
            buttons=tuple(doc.get("buttons", ())),
            columns=tuple(doc.get("columns", ())),
            card_title=card.get("title"), card_fields=tuple(card.get("fields", ())),
        )

    # -- checks ---------------------------------------------------------------------------

    def check(self, doc: Mapping[str, Any], file: str, report: Report,
              pack: PackView) -> None:
        names = Names("layout", f"the layout {doc.get('api_name')!r}", report, pack)
        obj = names.object(doc.get("object"), ("object",))
        kind = doc.get("kind", DETAIL)
        for other, keys in _ONLY.items():
            for key in keys if other != kind and kind in (DETAIL, LIST) else ():
                if key in doc:
                    report.add("layout.key_not_applicable", (key,),
                               f"{key} belongs to {other} layouts, and this is a {kind} "
                               "layout", f"remove {key}, or make the layout \"kind\": "
                                         f"\"{other}\"")
        for i, assignment in items(doc.get("assignments")):
            names.role(assignment.get("role"), ("assignments", i, "role"))
            names.business_type(obj, assignment.get("business_type"),
                                 ("assignments", i, "business_type"))
        if kind == DETAIL:
            self._check_detail(doc, names, obj)
        elif kind == LIST:
            names.columns(obj, doc.get("columns"), ("columns",))
            card = mapping(doc.get("card"))
            if isinstance(card.get("title"), str):
                names.field(obj, card["title"], ("card", "title"))
            names.columns(obj, card.get("fields"), ("card", "fields"))

    def _check_detail(self, doc: Mapping[str, Any], names: Names,
                      obj: ObjectView | None) -> None:
        report = names.report
        seen: dict[str, tuple[Any, ...]] = {}
        for i, section in items(doc.get("sections")):
            report.labels(section.get("label"), ("sections", i, "label"))
            if section.get("fields") == []:
                report.add("layout.empty_section", ("sections", i, "fields"),
                           f"the section {section.get('api_name')!r} has no fields",
                           "list the fields it shows, or remove the section")
            for j, raw in _entries(section.get("fields")):
                name = _field_name(raw)
                at = ("sections", i, "fields", j)
                if name is None or not names.field(
                        obj, name, (*at, "field") if isinstance(raw, dict) else at):
                    continue
                if name in seen:
                    report.add("layout.duplicate_field", at,
                               f"{name} is in the layout twice (first at "
                               f"/{'/'.join(map(str, seen[name]))})",
                               "a field shows in one place of a layout: remove one of them")
                seen.setdefault(name, at)
                self._check_field_flags(raw, name, obj, at, report)
        for i, related in items(doc.get("related_lists")):
            if "label" in related:
                report.labels(related["label"], ("related_lists", i, "label"))
            path = ("related_lists", i)
            child = names.relationship(obj, related.get("relationship"),
                                       (*path, "relationship"))
            names.columns(child, related.get("columns"), (*path, "columns"))
            names.sort(child, related.get("sort"), (*path, "sort"))
        actions = obj.actions if obj is not None else ()
        for i, button in texts(doc.get("buttons")):
            if obj is not None and button not in STANDARD_BUTTONS and button not in actions:
                report.add("layout.unknown_button", ("buttons", i),
                           f"{button!r} is neither a standard button nor an action of "
                           f"{obj.api_name}",
                           "standard: " + ", ".join(STANDARD_BUTTONS) +
                           (f"; actions: {', '.join(actions)}" if actions else ""))

    @staticmethod
    def _check_field_flags(raw: Any, name: str, obj: ObjectView | None,
                           at: tuple[Any, ...], report: Report) -> None:
        if not isinstance(raw, dict) or obj is None or raw.get("required") is not True:
            return
        definition = obj.fields.get(name, {})
        if name in SYSTEM_FIELDS or any(key in definition for key in DERIVED_KEYS) \
                or definition.get("type") == "auto_number":
            report.add("layout.required_not_writable", (*at, "required"),
                       f"{name} is computed or maintained by hulian: nobody writes it, so a "
                       "layout cannot require it", "remove \"required\"")

    def check_together(self, documents: list[tuple[str, Mapping[str, Any]]],
                       report_for: Callable[[str], Report], pack: PackView) -> None:
        """Two layouts (or two assignments of one layout) for one key. Documents come in
        the order of the pack, the packs' before the overlay's: a clash is reported at the
        later one."""
        for key, claims in assignment_keys(documents).items():
            first, first_path = claims[0]
            for file, path in claims[1:]:
                where = f"/{'/'.join(map(str, first_path))}" if file == first else first
                layout = f"{key.channel} {key.kind} layout of {key.object}"
                if key.default:
                    report_for(file).add(
                        "layout.duplicate_default", path,
                        f"{where} is already the default {layout}",
                        "one default per object, kind and channel: keep \"default\": true "
                        "on one of them")
                    continue
                who = (f"the role {key.role}" if key.role else "any role") + " and " + \
                    (f"the business type {key.business_type}" if key.business_type
                     else "any business type")
                report_for(file).add(
                    "layout.duplicate_assignment", path,
                    f"the {layout} for {who} is already {where}",
                    "one layout per object, kind, channel, role and business type: remove "
                    "one of the two assignments")

    # -- uses -------------------------------------------------------------------------------

    def uses(self, doc: Mapping[str, Any], pack: PackView) -> Iterator[Use]:
        obj = doc.get("object")
        if not isinstance(obj, str):
            return
        yield Use("object", obj, ("object",))
        for i, assignment in items(doc.get("assignments")):
            if isinstance(assignment.get("role"), str):
                yield Use("role", assignment["role"], ("assignments", i, "role"))
            if isinstance(assignment.get("business_type"), str):
                yield Use("business_type", assignment["business_type"],
                          ("assignments", i, "business_type"), obj)
        for i, section in items(doc.get("sections")):
            for j, raw in _entries(section.get("fields")):
                at = ("sections", i, "fields", j)
                name = _field_name(raw)
                if name is not None and name not in SYSTEM_FIELDS:
                    yield Use("field", name, at if isinstance(raw, str) else (*at, "field"),
                              obj)
        for i, related in items(doc.get("related_lists")):
            name = related.get("relationship")
            if not isinstance(name, str):
                continue
            yield Use("relationship", name, ("related_lists", i, "relationship"), obj)
            found = pack.relationship(obj, name)
            if found is not None:
                yield from field_uses(found[0].api_name, related.get("columns"),
                                      ("related_lists", i, "columns"))
                yield from sort_uses(found[0].api_name, related.get("sort"),
                                     ("related_lists", i, "sort"))
        yield from field_uses(obj, doc.get("columns"), ("columns",))
        card = mapping(doc.get("card"))
        if isinstance(card.get("title"), str) and card["title"] not in SYSTEM_FIELDS:
            yield Use("field", card["title"], ("card", "title"), obj)
        yield from field_uses(obj, card.get("fields"), ("card", "fields"))


def _entries(value: Any) -> Iterator[tuple[int, Any]]:
    return enumerate(value) if isinstance(value, list) else iter(())


class Claim(NamedTuple):
    """What one assignment (or ``"default": true``) of a layout claims."""

    object: str
    kind: str
    channel: str
    role: str | None = None
    business_type: str | None = None
    default: bool = False


def assignment_keys(layouts: list[tuple[str, Mapping[str, Any]]]
                    ) -> dict[Claim, list[tuple[str, tuple[Any, ...]]]]:
    """Each claim -> the (file, path) of every assignment (or default) making it: two of
    one claim are a problem. Only well-formed parts count."""
    found: dict[Claim, list[tuple[str, tuple[Any, ...]]]] = defaultdict(list)
    for file, doc in layouts:
        obj, kind, channel = doc.get("object"), doc.get("kind", DETAIL), doc.get("channel", "web")
        if not (isinstance(obj, str) and isinstance(kind, str) and isinstance(channel, str)):
            continue
        if doc.get("default") is True:
            found[Claim(obj, kind, channel, default=True)].append((file, ("default",)))
        for i, assignment in items(doc.get("assignments")):
            role, business_type = assignment.get("role"), assignment.get("business_type")
            if isinstance(role, str | None) and isinstance(business_type, str | None):
                found[Claim(obj, kind, channel, role, business_type)].append(
                    (file, ("assignments", i)))
    return found


LAYOUTS = LayoutKind()
