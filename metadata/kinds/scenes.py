"""Scenes (场景, ``scenes/<api_name>.json``): saved list views of an object.

A scene has a label, a filter (a boolean formula over the object's records, which may use
``$User``: ``owner_id = $User.id && !ISPICKVAL(status, 'closed')``), the columns and sort
of its list, and who may use it: everyone (the default), some ``roles``, or only
``internal`` or ``interconnect`` users. Every object also has four built-in scenes
(:data:`BUILT_IN_SCENES`): all records, mine (我负责的), those whose related team has me
(我参与的) and those my subordinates own (我下属负责的); their names are reserved. What a
scene lists is always limited by the reader's permissions too (:mod:`hulian.layouts`)::

    {"api_name": "open_orders", "object": "Order", "label": {"zh": "未完成", "en": "Open"},
     "filter": "!ISPICKVAL(status, 'closed')", "columns": ["number", "status"],
     "sort": ["-order_date"], "visible_to": {"roles": ["sales_rep"]}}

Users keep personal scenes of their own as data, not metadata (the REST API's
``POST /objects/{o}/scenes``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hulian.metadata.kinds.base import (
    Document,
    DocumentKind,
    Formula,
    PackView,
    Report,
    Use,
    content,
    mapping,
    texts,
)
from hulian.metadata.kinds.naming import Names, field_uses, sort_uses
from hulian.metadata.model import frozen_map

__all__ = ["BUILT_IN_SCENES", "SCENES", "Scene", "SceneKind"]

BUILT_IN_SCENES = ("all", "mine", "in_my_team", "my_subordinates")
"""全部, 我负责的, 我参与的, 我下属负责的."""
AUDIENCES = ("internal", "interconnect")


@dataclass(frozen=True)
class Scene(Document):
    object: str = ""
    label: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    filter: str | None = None
    columns: tuple[str, ...] = ()
    sort: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    """Who may use it by role (empty: no role restriction)."""
    audience: str | None = None
    """``internal`` or ``interconnect`` users only (None: both)."""
    default: bool = False
    """The scene a list opens with (else ``all``)."""
    description: str | None = None


class SceneKind(DocumentKind):
    name = "scene"
    folder = "scenes"
    schema = "scene.schema.json"
    what = "a scene"

    def build(self, doc: Mapping[str, Any], source: str) -> Scene:
        visible = doc.get("visible_to") or {}
        sort = doc.get("sort")
        return Scene(api_name=doc["api_name"], source=source,
                     document=content(doc), object=doc["object"],
                     label=frozen_map(doc["label"]), filter=doc.get("filter"),
                     columns=tuple(doc.get("columns", ())),
                     sort=tuple(sort) if isinstance(sort, list) else (sort,) if sort else (),
                     roles=tuple(visible.get("roles", ())), audience=visible.get("users"),
                     default=doc.get("default", False), description=doc.get("description"))

    def check(self, doc: Mapping[str, Any], file: str, report: Report,
              pack: PackView) -> None:
        names = Names("scene", f"the scene {doc.get('api_name')!r}", report, pack)
        if doc.get("api_name") in BUILT_IN_SCENES:
            report.add("scene.reserved_name", ("api_name",),
                       f"{doc['api_name']!r} is a built-in scene of every object",
                       "choose another api_name; the built-in ones are "
                       + ", ".join(BUILT_IN_SCENES))
        obj = names.object(doc.get("object"), ("object",))
        names.columns(obj, doc.get("columns"), ("columns",))
        names.sort(obj, doc.get("sort"), ("sort",))
        for i, role in texts(mapping(doc.get("visible_to")).get("roles")):
            names.role(role, ("visible_to", "roles", i))

    def check_together(self, documents: list[tuple[str, Mapping[str, Any]]],
                       report_for: Callable[[str], Report], pack: PackView) -> None:
        """Two default scenes of one object, reported at the later one (the packs'
        documents come before the overlay's)."""
        defaults: dict[str, str] = {}
        for file, doc in documents:
            obj = doc.get("object")
            if doc.get("default") is not True or not isinstance(obj, str):
                continue
            first = defaults.setdefault(obj, file)
            if first != file:
                report_for(file).add("scene.duplicate_default", ("default",),
                                     f"{first} is already the default scene of {obj}",
                                     "one default scene per object: keep \"default\": true "
                                     "on one of them")

    def formulas(self, doc: Mapping[str, Any]) -> Iterator[Formula]:
        if isinstance(doc.get("filter"), str) and isinstance(doc.get("object"), str):
            yield Formula(("filter",), doc["filter"], doc["object"], "boolean",
                          f"filter of scene {doc.get('api_name')}",
                          "a filter is a condition that is true for the records the scene "
                          "lists, e.g. amount > 1000 && owner_id = $User.id")

    def uses(self, doc: Mapping[str, Any], pack: PackView) -> Iterator[Use]:
        obj = doc.get("object")
        if not isinstance(obj, str):
            return
        yield Use("object", obj, ("object",))
        yield from field_uses(obj, doc.get("columns"), ("columns",))
        yield from sort_uses(obj, doc.get("sort"), ("sort",))
        for i, role in texts(mapping(doc.get("visible_to")).get("roles")):
            yield Use("role", role, ("visible_to", "roles", i))


SCENES = SceneKind()
