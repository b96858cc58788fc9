"""The registry of pack document kinds besides objects (one module per kind).

>>> [kind.folder for kind in KINDS]                        # doctest: +SKIP
['layouts', 'scenes', 'home', 'flows', 'webhooks']
>>> kind_of("layouts/Order.web.json").name                 # doctest: +SKIP
'layout'

Each kind is a :class:`~hulian.metadata.kinds.base.DocumentKind`; the loader, the checks,
the overlay merge, the snapshot writer and the deploy plan loop over :data:`KINDS`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from hulian.metadata.kinds.base import (
    Document,
    DocumentKind,
    ObjectView,
    PackView,
    Report,
    Use,
)
from hulian.metadata.kinds.flows import FLOWS
from hulian.metadata.kinds.home_views import HOME_VIEWS
from hulian.metadata.kinds.layouts import LAYOUTS
from hulian.metadata.kinds.scenes import BUILT_IN_SCENES, SCENES
from hulian.metadata.kinds.webhooks import WEBHOOKS
from hulian.metadata.model import PARTIAL_KINDS

__all__ = ["BY_FOLDER", "BY_NAME", "KINDS", "Document", "DocumentKind", "ObjectView",
           "PackView", "Report", "Use", "kind_of", "pack_view"]

KINDS: tuple[DocumentKind, ...] = (LAYOUTS, SCENES, HOME_VIEWS, FLOWS, WEBHOOKS)
BY_NAME: Mapping[str, DocumentKind] = {kind.name: kind for kind in KINDS}
BY_FOLDER: Mapping[str, DocumentKind] = {kind.folder: kind for kind in KINDS}

BUILT_IN_ROLES = {"admin": "internal", "member": "internal"}


def kind_of(file: str) -> DocumentKind | None:
    """The kind of the document at ``file`` (``layouts/x.json``), None for other files."""
    folder, _, name = file.rpartition("/")
    found = BY_FOLDER.get(folder)
    return found if found is not None and name.endswith(".json") and len(name) > 5 else None


def _names(items: Any, key: str = "api_name") -> list[str]:
    if not isinstance(items, list):
        return []
    return [item[key] for item in items if isinstance(item, dict)
            and isinstance(item.get(key), str)]


def pack_view(documents: Mapping[str, Any], pack_kind: str | None,
              unreadable: Collection[str] = ()) -> PackView:
    """What the kinds' checks may know of the pack whose documents are ``documents``
    (``unreadable``: files that exist but could not be read)."""
    objects: dict[str, dict[str, Any]] = {}
    for file, doc in documents.items():
        if file.startswith("objects/") and isinstance(doc, dict) \
                and isinstance(doc.get("api_name"), str):
            objects[doc["api_name"]] = doc
    children: dict[str, list[str]] = {name: [] for name in objects}
    for name, doc in objects.items():
        for f in doc.get("fields", []) if isinstance(doc.get("fields"), list) else ():
            if isinstance(f, dict) and f.get("type") in ("lookup", "master_detail") \
                    and isinstance(f.get("target"), str) and f["target"] in children \
                    and isinstance(f.get("api_name"), str):
                children[f["target"]].append(
                    f.get("relationship_name") if isinstance(f.get("relationship_name"), str)
                    else f"{name}.{f['api_name']}")
    views = {}
    for name, doc in objects.items():
        fields = {f["api_name"]: f for f in doc.get("fields", [])
                  if isinstance(f, dict) and isinstance(f.get("api_name"), str)} \
            if isinstance(doc.get("fields"), list) else {}
        types = tuple(_names(doc.get("business_types"))) or ("default",)
        views[name] = ObjectView(name, fields, types, tuple(sorted(children[name])),
                                 tuple(_names(doc.get("actions"))))
    roles = dict(BUILT_IN_ROLES)
    for file, doc in documents.items():
        if file.startswith("roles/") and isinstance(doc, dict) \
                and isinstance(doc.get("api_name"), str):
            roles[doc["api_name"]] = doc.get("kind", "internal")
    apps = tuple(sorted(doc["api_name"] for file, doc in documents.items()
                        if file.startswith("apps/") and isinstance(doc, dict)
                        and isinstance(doc.get("api_name"), str)))
    scenes: dict[str, list[str]] = {name: list(BUILT_IN_SCENES) for name in objects}
    for file, doc in documents.items():
        if kind_of(file) is SCENES and isinstance(doc, dict) \
                and isinstance(doc.get("object"), str) and isinstance(doc.get("api_name"), str):
            scenes.setdefault(doc["object"], list(BUILT_IN_SCENES)).append(doc["api_name"])
    broken = frozenset(file.removeprefix("objects/").removesuffix(".json")
                       for file in unreadable if file.startswith("objects/"))
    return PackView(views, roles, apps, {o: tuple(s) for o, s in scenes.items()},
                    partial=pack_kind in PARTIAL_KINDS, unreadable=broken)
