"""Applying a tenant's ``extensions/roles/<role>.json`` to a role of an installed pack.

Part of :func:`hulian.metadata.layers.merge`, after the object extensions
(:mod:`hulian.metadata.extend`). Like an administrator editing a profile, the
tenant changes what a pack's role may do without redefining it, so the pack's
later versions still reach the role:

- ``label`` and ``description`` replace the role's;
- ``objects`` merge into the role's, object by object: a standard action key
  (``create``, ``read``, ``edit``, ``delete``, ``export``, ``import``) replaces the
  pack's value, ``actions`` are added to the pack's custom actions, and each field
  permission in ``fields`` replaces the pack's for that field. An object the role
  does not list is added whole.

Each of ``label``, ``description`` and ``objects`` must be editable under the role's
policy (``customizable`` of the role, then ``customizable.role`` of the pack; all
three are editable by default), or it is reported as ``overlay.locked_property`` and
not applied. Old names of objects and fields a pack renamed are followed. The merged
role is then loaded with every other document, so an unknown object, field or action
is reported with its usual code at the extension file and pointer it came from.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from typing import Any

from hulian.metadata.documents import ROLES
from hulian.metadata.extend import OVERLAY, Merging, hint, outside
from hulian.metadata.model import BUILTIN_ROLES

__all__ = ["apply_role_extension"]


def apply_role_extension(merging: Merging, file: str, doc: Mapping[str, Any],
                         layer: str = OVERLAY, within: Collection[str] | None = None) -> None:
    """Apply the role extension ``file`` (a path relative to its pack) of ``layer`` to the
    merge; ``within`` as for :func:`~hulian.metadata.extend.apply_extension`."""
    origin = f"{layer}/{file}"
    name = doc["role"]
    pack = merging.role_owners.get(name)
    merged = f"{ROLES}/{name}.json"
    if pack is None:
        if name in BUILTIN_ROLES:
            fix = (f"{name} is built in and already "
                   + ("may do everything" if name == "admin" else "allows every action on"
                      " every object")
                   + "; extend a role of a pack, or give users a role of the overlay's own")
        elif merged in merging.documents:
            fix = f"{name} is the overlay's own role: change {merged} itself"
        else:
            fix = hint(name, merging.role_owners, "roles of the installed packs")
        merging.add("extension.unknown_role", origin, ("role",),
                    f"{name!r} is not a role of the installed packs", fix)
        return
    if outside(merging, pack, within, origin, ("role",), f"the role {name!r}"):
        return
    role = merging.documents[merged]
    what = f"the role {name}"
    for prop in ("label", "description"):
        if prop in doc and merging.allowed(pack, "role", role, what, prop, origin, ()):
            role[prop] = copy.deepcopy(doc[prop])
            merging.came_from(merged, (prop,), origin, (prop,))
    if "objects" in doc and merging.allowed(pack, "role", role, what, "objects", origin, ()):
        grants = role.setdefault("objects", {})
        for key, access in doc["objects"].items():
            _grant(merging, merged, origin, grants, key, access)


def _grant(merging: Merging, merged: str, origin: str, grants: dict[str, Any], key: str,
           access: Mapping[str, Any]) -> None:
    """Merge the extension's permissions on the object ``key`` into the role's ``grants``."""
    renames = merging.renames
    obj = renames.object(key)
    at = ("objects", key)
    current = grants.get(obj)
    if current is None:
        current = grants[obj] = {}
        merging.came_from(merged, ("objects", obj), origin, at)
    for prop, value in access.items():
        if prop == "actions":
            actions = current.setdefault("actions", [])
            for i, action in enumerate(value):
                if action not in actions:
                    merging.came_from(merged, ("objects", obj, "actions", len(actions)),
                                      origin, (*at, "actions", i))
                    actions.append(action)
        elif prop == "fields":
            fields = current.setdefault("fields", {})
            for field, level in value.items():
                name = renames.field(obj, field)
                fields[name] = level
                merging.came_from(merged, ("objects", obj, "fields", name), origin,
                                  (*at, "fields", field))
        else:
            current[prop] = value
            merging.came_from(merged, ("objects", obj, prop), origin, (*at, prop))
