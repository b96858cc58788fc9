"""Who may do what, as edits of a tenant's overlay: roles, interconnect apps and sharing
rules (pure metadata: no database). They work on an
:class:`~hulian.metadata.overlay_edits.OverlayDraft` and answer the
:class:`~hulian.metadata.overlay_edits.Place` of what they wrote, like its own edits.

A role of the tenant's own is its document ``roles/<role>.json``; a pack's role is changed
by a role extension ``extensions/roles/<role>.json`` (docs/packs.md) that holds only the
differences from the pack's role, so the pack's later grants still come through:

>>> from hulian.metadata.overlay_edits import OverlayDraft
>>> draft = OverlayDraft({}, {})
>>> pack_role = {"api_name": "dealer_buyer", "objects": {"Order": {"read": True}}}
>>> place = set_role_grants(draft, "dealer_buyer", "Order",
...                         {"read": True, "delete": True}, pack_role)
>>> draft.documents["extensions/roles/dealer_buyer.json"]
{'role': 'dealer_buyer', 'objects': {'Order': {'delete': True}}}

An interconnect app of the tenant's own is ``apps/<app>.json``; a pack's app cannot be
changed by an overlay (a second definition is ``pack.app_conflict``). Sharing rules of the
tenant's own go into the object's ``sharing_rules`` (its definition for an own object,
else its extension); a pack's rule is changed with ``sharing_rule_overrides``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hulian.metadata.model import STANDARD_ACTIONS
from hulian.metadata.overlay_edits import OVERLAY, OverlayDraft, Place

__all__ = [
    "FIELD_LEVELS",
    "SHARING_OVERRIDABLE",
    "access_of",
    "add_role",
    "override_sharing_rule",
    "own_sharing_rule",
    "owns_app",
    "owns_role",
    "put_app",
    "put_sharing_rule",
    "remove_sharing_rule",
    "set_role",
    "set_role_grants",
]

FIELD_LEVELS = ("editable", "read_only", "hidden")
SHARING_OVERRIDABLE = ("active", "share_with", "access", "description")
"""What a ``sharing_rule_overrides`` entry may hold (docs/packs.md)."""


def _role_path(role: str) -> str:
    return f"roles/{role}.json"


def _extension_path(role: str) -> str:
    return f"extensions/roles/{role}.json"


def owns_role(draft: OverlayDraft, role: str) -> bool:
    """Whether ``role`` is the overlay's own (not a pack's, nor a built-in one)."""
    return _role_path(role) in draft.documents


def owns_app(draft: OverlayDraft, app: str) -> bool:
    return f"apps/{app}.json" in draft.documents


def access_of(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """A role's grants on one object, complete: every standard action (a bool),
    ``actions`` (a list) and ``fields`` (field -> hidden / read_only; editable left out)."""
    raw = raw or {}
    found: dict[str, Any] = {a: bool(raw.get(a, False)) for a in STANDARD_ACTIONS}
    found["actions"] = [a for a in raw.get("actions") or [] if isinstance(a, str)]
    found["fields"] = {f: level for f, level in (raw.get("fields") or {}).items()
                       if level in FIELD_LEVELS and level != "editable"}
    return found


def _compact(access: Mapping[str, Any]) -> dict[str, Any]:
    """A complete access as a role document writes it: only what it grants."""
    found: dict[str, Any] = {a: True for a in STANDARD_ACTIONS if access.get(a)}
    if access.get("actions"):
        found["actions"] = list(access["actions"])
    fields = {f: level for f, level in (access.get("fields") or {}).items()
              if level != "editable"}
    if fields:
        found["fields"] = fields
    return found


def _difference(wanted: Mapping[str, Any], pack: Mapping[str, Any]) -> dict[str, Any]:
    """What a role extension says to turn the pack's grants ``pack`` into ``wanted``
    (both complete). The pack's custom actions cannot be withdrawn by an extension
    (its ``actions`` are added), so only new ones appear."""
    entry: dict[str, Any] = {a: bool(wanted.get(a)) for a in STANDARD_ACTIONS
                             if bool(wanted.get(a)) != bool(pack.get(a))}
    added = [a for a in wanted.get("actions") or [] if a not in (pack.get("actions") or [])]
    if added:
        entry["actions"] = added
    wanted_fields, pack_fields = wanted.get("fields") or {}, pack.get("fields") or {}
    fields = {f: wanted_fields.get(f, "editable")
              for f in sorted({*wanted_fields, *pack_fields})
              if wanted_fields.get(f, "editable") != pack_fields.get(f, "editable")}
    if fields:
        entry["fields"] = fields
    return entry


def add_role(draft: OverlayDraft, document: dict[str, Any]) -> Place:
    """A new role of the tenant's own (a complete role document)."""
    return draft.put(_role_path(document["api_name"]), document)


def _role_document(draft: OverlayDraft, role: str) -> tuple[str, dict[str, Any]]:
    """The overlay document holding the tenant's changes of ``role``: its own definition,
    else its extension (made when missing)."""
    if owns_role(draft, role):
        path = _role_path(role)
        return path, copy.deepcopy(draft.documents[path])
    path = _extension_path(role)
    found = draft.documents.get(path)
    return path, copy.deepcopy(found) if isinstance(found, dict) else {"role": role}


def _store_role(draft: OverlayDraft, path: str, document: dict[str, Any]) -> None:
    """Put the role document, or delete an extension that no longer changes anything."""
    if path.startswith("extensions/") and not {k for k in document
                                               if k not in ("role", "$schema")}:
        if path in draft.documents:
            draft.delete(path)
        return
    draft.put(path, document)


def set_role(draft: OverlayDraft, role: str, values: Mapping[str, Any]) -> Place:
    """Role-level properties (``label``, ``description``; a value of None removes the key):
    in the own role's definition, else in the pack role's extension."""
    path, document = _role_document(draft, role)
    for key, value in values.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    _store_role(draft, path, document)
    return Place(f"{OVERLAY}/{path}", "")


def set_role_grants(draft: OverlayDraft, role: str, object_name: str,
                    wanted: Mapping[str, Any], pack_role: Mapping[str, Any] | None = None
                    ) -> Place:
    """Make ``role``'s grants on ``object_name`` what ``wanted`` says (standard actions as
    bools, ``actions``, ``fields``: field -> level; what is left out is not granted, a
    field left out is editable).

    An own role's definition says it whole. For a pack's role, ``pack_role`` is the role
    document as the pack defines it (without the overlay's extension): the extension
    then holds only the differences from it, and an object whose grants equal the pack's
    leaves the extension (and an extension changing nothing is deleted)."""
    wanted = access_of(wanted)
    path, document = _role_document(draft, role)
    objects = document.setdefault("objects", {})
    if path.startswith("roles/"):
        entry = _compact(wanted)
    else:
        pack_objects = (pack_role or {}).get("objects") or {}
        entry = _difference(wanted, access_of(pack_objects.get(object_name)))
    if entry:
        objects[object_name] = entry
    else:
        objects.pop(object_name, None)
    if not objects:
        del document["objects"]
    _store_role(draft, path, document)
    return Place(f"{OVERLAY}/{path}", f"/objects/{object_name}")


def put_app(draft: OverlayDraft, document: dict[str, Any]) -> Place:
    """Add or replace an interconnect app of the tenant's own (a complete app document)."""
    return draft.put(f"apps/{document['api_name']}.json", document)


def own_sharing_rule(draft: OverlayDraft, object_name: str, rule: str
                     ) -> tuple[str, int] | None:
    """Where the overlay defines the sharing rule itself: (document path, index in its
    ``sharing_rules``), or None for a pack's rule."""
    for path in (f"objects/{object_name}.json", f"extensions/{object_name}.json"):
        doc = draft.documents.get(path)
        if not isinstance(doc, dict):
            continue
        for index, found in enumerate(doc.get("sharing_rules") or []):
            if isinstance(found, dict) and found.get("api_name") == rule:
                return path, index
    return None


def put_sharing_rule(draft: OverlayDraft, object_name: str, rule: dict[str, Any]) -> Place:
    """Add a sharing rule of the tenant's own, or replace its rule of that name."""
    own = own_sharing_rule(draft, object_name, rule["api_name"])
    if own is not None:
        path, index = own
        document = copy.deepcopy(draft.documents[path])
        document["sharing_rules"][index] = rule
        draft.put(path, document)
        return Place(f"{OVERLAY}/{path}", f"/sharing_rules/{index}")
    path, document = draft.object_document(object_name)
    rules = document.setdefault("sharing_rules", [])
    rules.append(rule)
    return Place(f"{OVERLAY}/{path}", f"/sharing_rules/{len(rules) - 1}")


def remove_sharing_rule(draft: OverlayDraft, object_name: str, rule: str) -> Place:
    """Take the tenant's own sharing rule out (KeyError for a pack's rule)."""
    own = own_sharing_rule(draft, object_name, rule)
    if own is None:
        raise KeyError(f"{object_name}.{rule} is a pack's sharing rule")
    path, index = own
    document = copy.deepcopy(draft.documents[path])
    del document["sharing_rules"][index]
    if not document["sharing_rules"]:
        del document["sharing_rules"]
    draft.put(path, document)
    return Place(f"{OVERLAY}/{path}", "/sharing_rules")


def override_sharing_rule(draft: OverlayDraft, object_name: str, rule: str,
                          values: Mapping[str, Any]) -> Place:
    """Change a pack's sharing rule (``active``, ``share_with``, ``access``,
    ``description``; None removes an override, back to the pack's value)."""
    unknown = set(values) - set(SHARING_OVERRIDABLE)
    if unknown:
        raise KeyError(f"a sharing rule override may not hold {sorted(unknown)}")
    return draft.override(object_name, "sharing_rule_overrides", rule, values)
