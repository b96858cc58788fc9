"""Home views (首页, ``home/<api_name>.json``): the page a role's users see first, per channel
("千人千面": each role its own).

A home view is an ordered list of widgets, for some ``roles`` on one ``channel`` (``web``
or ``mobile``); one per channel may be the ``default`` for users no view names::

    {"api_name": "dealer_mobile", "label": {"zh": "经销商首页", "en": "Dealer home"},
     "channel": "mobile", "roles": ["dealer_buyer", "dealer_boss"],
     "widgets": [
       {"kind": "text", "text": {"zh": "春季订货会开始了", "en": "The spring fair is on"}},
       {"kind": "metric", "label": {...}, "object": "Order", "scene": "mine",
        "function": "SUM", "field": "total_amount"},
       {"kind": "scene_list", "object": "Order", "scene": "mine", "rows": 5},
       {"kind": "quick_create", "objects": ["Order"]},
       {"kind": "app_tiles"}]}

Widget kinds: ``scene_list`` (a scene's first rows), ``metric`` (COUNT, SUM, AVG, MIN or
MAX of a numeric field over a scene), ``quick_create`` (buttons to create records),
``app_tiles`` (the interconnect apps the user may use) and ``text`` (an announcement).
What each shows is computed for the reader, under their permissions (:mod:`hulian.layouts`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hulian.metadata.hints import a_field
from hulian.metadata.kinds.base import (
    Document,
    DocumentKind,
    ObjectView,
    PackView,
    Report,
    Use,
    content,
    items,
    texts,
)
from hulian.metadata.kinds.naming import SYSTEM_FIELD_TYPES, Names
from hulian.metadata.model import frozen_map

__all__ = ["HOME_VIEWS", "METRIC_FUNCTIONS", "HomeView", "HomeViewKind", "Widget"]

METRIC_FUNCTIONS = ("COUNT", "SUM", "AVG", "MIN", "MAX")
NUMERIC = ("number", "currency", "percent")
"""What SUM and AVG take (formula, roll-up and quote fields of these types too)."""
ORDERED = (*NUMERIC, "date", "datetime", "time")
"""What MIN and MAX take."""


@dataclass(frozen=True)
class Widget:
    kind: str
    label: Mapping[str, str] | None = None
    object: str | None = None
    scene: str | None = None
    rows: int = 5
    function: str | None = None
    field: str | None = None
    objects: tuple[str, ...] = ()
    text: Mapping[str, str] | None = None


@dataclass(frozen=True)
class HomeView(Document):
    label: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    channel: str = "web"
    roles: tuple[str, ...] = ()
    default: bool = False
    widgets: tuple[Widget, ...] = ()


def _widget(raw: Mapping[str, Any]) -> Widget:
    return Widget(kind=raw["kind"], label=frozen_map(raw["label"]) if "label" in raw else None,
                  object=raw.get("object"), scene=raw.get("scene"), rows=raw.get("rows", 5),
                  function=raw.get("function"), field=raw.get("field"),
                  objects=tuple(raw.get("objects", ())),
                  text=frozen_map(raw["text"]) if "text" in raw else None)


class HomeViewKind(DocumentKind):
    name = "home_view"
    folder = "home"
    schema = "home_view.schema.json"
    what = "a home view"

    def build(self, doc: Mapping[str, Any], source: str) -> HomeView:
        return HomeView(api_name=doc["api_name"], source=source,
                        document=content(doc), label=frozen_map(doc["label"]),
                        channel=doc.get("channel", "web"), roles=tuple(doc.get("roles", ())),
                        default=doc.get("default", False),
                        widgets=tuple(_widget(w) for w in doc["widgets"]))

    def check(self, doc: Mapping[str, Any], file: str, report: Report,
              pack: PackView) -> None:
        names = Names("home", f"the home view {doc.get('api_name')!r}", report, pack)
        for i, role in texts(doc.get("roles")):
            names.role(role, ("roles", i))
        for i, widget in items(doc.get("widgets")):
            self._check_widget(widget, ("widgets", i), names)

    @staticmethod
    def _check_widget(widget: Mapping[str, Any], path: tuple[Any, ...], names: Names) -> None:
        kind = widget.get("kind")
        for key in ("label", "text"):
            if key in widget:
                names.report.labels(widget[key], (*path, key))
        if kind in ("scene_list", "metric"):
            obj = names.object(widget.get("object"), (*path, "object"))
            names.scene(obj, widget.get("scene"), (*path, "scene"))
            if kind == "metric":
                _check_metric(widget, path, names, obj)
        elif kind == "quick_create":
            for i, name in texts(widget.get("objects")):
                names.object(name, (*path, "objects", i))

    def check_together(self, documents: list[tuple[str, Mapping[str, Any]]],
                       report_for: Callable[[str], Report], pack: PackView) -> None:
        """Two home views of one channel for one role (or both its default), reported at
        the later one (the packs' documents come before the overlay's)."""
        claims: dict[tuple[str, str | None], list[tuple[str, tuple[Any, ...]]]] = \
            defaultdict(list)
        for file, doc in documents:
            channel = doc.get("channel", "web")
            if not isinstance(channel, str):
                continue
            if doc.get("default") is True:
                claims[(channel, None)].append((file, ("default",)))
            for i, role in texts(doc.get("roles")):
                claims[(channel, role)].append((file, ("roles", i)))
        for (channel, role), found in claims.items():
            (first, first_path) = found[0]
            for file, path in found[1:]:
                where = f"/{'/'.join(map(str, first_path))}" if file == first else first
                what = f"the role {role}" if role else "users no home view names (default)"
                report_for(file).add("home.duplicate_assignment", path,
                                     f"{where} is already the {channel} home view of {what}",
                                     "one home view per role and channel: remove one of "
                                     "the two")

    def uses(self, doc: Mapping[str, Any], pack: PackView) -> Iterator[Use]:
        for i, role in texts(doc.get("roles")):
            yield Use("role", role, ("roles", i))
        for i, widget in items(doc.get("widgets")):
            obj = widget.get("object")
            if isinstance(obj, str):
                yield Use("object", obj, ("widgets", i, "object"))
                if isinstance(widget.get("scene"), str):
                    yield Use("scene", widget["scene"], ("widgets", i, "scene"), obj)
                if isinstance(widget.get("field"), str):
                    yield Use("field", widget["field"], ("widgets", i, "field"), obj)
            for j, name in texts(widget.get("objects")):
                yield Use("object", name, ("widgets", i, "objects", j))


def _check_metric(widget: Mapping[str, Any], path: tuple[Any, ...], names: Names,
                  obj: ObjectView | None) -> None:
    """SUM and AVG take a number, currency or percent field; MIN and MAX also a date or
    time; COUNT counts the scene's records (those where ``field`` is filled in, if named)."""
    function, name = widget.get("function"), widget.get("field")
    if function in ("SUM", "AVG", "MIN", "MAX") and name is None:
        names.report.add("home.metric_needs_field", path,
                         f"{function} needs a field to summarise",
                         "name a numeric field in \"field\", or use COUNT")
    if not isinstance(name, str) or not names.field(obj, name, (*path, "field")) \
            or obj is None or function not in ("SUM", "AVG", "MIN", "MAX"):
        return
    kind = obj.field_type(name) if name in obj.fields else SYSTEM_FIELD_TYPES.get(name, "text")
    if not isinstance(kind, str) or kind in (ORDERED if function in ("MIN", "MAX")
                                             else NUMERIC):
        return
    if function in ("SUM", "AVG"):
        message, hint = "cannot be summed or averaged", "choose a number, currency or " \
            "percent field, or use COUNT"
    else:
        message, hint = "has no order to take the " + ("least" if function == "MIN" else
                                                         "greatest") + " of", \
            "choose a number, currency, percent, date or time field"
    names.report.add("home.metric_not_numeric", (*path, "field"),
                     f"{function} of {obj.api_name}.{name}: {a_field(kind)} {message}", hint)


HOME_VIEWS = HomeViewKind()
