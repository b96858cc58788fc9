"""Applying a dependent pack's ``extensions/apps/<app>.json`` to the merged app documents.

Part of :func:`hulian.metadata.layers.merge`. A preset pack that ``requires`` another may
open its own objects (or more of the required pack's) in an app of the required pack, and
let more interconnect roles use it: the order pack adds its price books and deliveries to
crm's ``order`` app. The additions are appended after the app's own objects and roles
(names it already has are kept once); nothing is taken away. The merged app is checked
like any app when the merged documents are loaded, so an unknown object or a role that is
not an interconnect role is reported at the extension's file and pointer.

A tenant's overlay does not extend a pack's app (it adds an app of its own for the same
roles): the loader reports its ``extensions/apps/`` files as unexpected.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from hulian.metadata.documents import APPS
from hulian.metadata.extend import Merging, hint, outside

__all__ = ["apply_app_extension"]


def apply_app_extension(merging: Merging, file: str, doc: Mapping[str, Any], layer: str,
                        within: Collection[str]) -> None:
    """Apply the app extension ``file`` (relative to its pack) of the dependent pack
    ``layer`` (``packs/<name>``), which may extend the apps of the packs ``within``."""
    origin = f"{layer}/{file}"
    name = doc["app"]
    pack = merging.app_owners.get(name)
    if pack is None:
        merging.add("extension.unknown_app", origin, ("app",),
                    f"{name!r} is not an app of the installed packs",
                    hint(name, merging.app_owners, "apps of the installed packs"))
        return
    if outside(merging, pack, within, origin, ("app",), f"the app {name!r}"):
        return
    merged = f"{APPS}/{name}.json"
    app = merging.documents[merged]
    renames = merging.renames
    for key, rename in (("objects", renames.object), ("roles", lambda role: role)):
        items: list[str] = app.setdefault(key, [])
        for i, item in enumerate(doc.get(key, ())):
            item = rename(item)
            if item in items:
                continue
            merging.came_from(merged, (key, len(items)), origin, (key, i))
            items.append(item)
