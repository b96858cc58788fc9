"""Customisation policies: who may change a property of a pack's object, field, rule, sharing
rule or role.

Like a managed package's subscriber-editable and developer-locked settings, every
property that a tenant's overlay could touch has one of three policies:

- ``locked``: only the pack may change it (in a later version);
- ``editable``: the tenant's overlay may override it, and the pack's later changes
  to it then do not overwrite the tenant's value;
- ``immutable``: nobody may change it after install, not even a later pack version.

A property's policy is the first of: the ``customizable`` map of the object, field,
rule, sharing rule or role itself, the pack-wide ``customizable`` of ``pack.json`` for
its level, the built-in default. ``api_name`` and ``type`` are always immutable.

>>> policy(Pack("crm", "1.0.0", {}, ()), "field", "label")
'editable'
>>> policy(Pack("crm", "1.0.0", {}, ()), "field", "required", {"required": "editable"})
'editable'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from hulian.metadata.model import Pack

Level = Literal["object", "field", "rule", "sharing_rule", "role", "business_type"]

LOCKED = "locked"
EDITABLE = "editable"
IMMUTABLE = "immutable"
POLICIES = (LOCKED, EDITABLE, IMMUTABLE)
LEVELS: tuple[Level, ...] = ("object", "field", "rule", "sharing_rule", "role", "business_type")

DEFAULT_POLICIES: Mapping[str, Mapping[str, str]] = {
    "object": {"label": EDITABLE, "plural_label": EDITABLE, "description": EDITABLE,
               "data_permission": EDITABLE, "track_history": EDITABLE,
               "history_retention_days": EDITABLE},
    "field": {
        **dict.fromkeys(("label", "help", "description", "hidden", "default", "options",
                         "indexed"), EDITABLE),
        **dict.fromkeys(("required", "unique", "minimum", "maximum", "pattern", "max_length",
                         "precision", "scale", "formula", "default_formula"), LOCKED),
    },
    "rule": {"active": EDITABLE, "message": EDITABLE, "description": EDITABLE,
             "condition": LOCKED, "error_field": LOCKED},
    # who gains access is the tenant's (its departments, roles, enterprises); which
    # records a rule selects is the pack's
    "sharing_rule": {"active": EDITABLE, "share_with": EDITABLE, "access": EDITABLE,
                     "description": EDITABLE, "owned_by": LOCKED, "criteria": LOCKED},
    # a role extension (extensions/roles/<role>.json) changes these
    "role": {"label": EDITABLE, "description": EDITABLE, "objects": EDITABLE},
    # how a business type is used is the tenant's (who, defaults, which options)
    "business_type": dict.fromkeys(("label", "description", "active", "default", "defaults",
                                    "roles", "options"), EDITABLE),
}
"""The built-in policy of every property an overlay could override, per level."""

FIXED: Mapping[str, tuple[str, ...]] = {
    "object": ("api_name",),
    "field": ("api_name", "type"),
    "rule": ("api_name",),
    "sharing_rule": ("api_name",),
    "role": ("api_name",),
    "business_type": ("api_name",),
}
"""Properties that are always immutable; declaring another policy is a schema problem."""

MEANING = {
    LOCKED: "only the pack may change it",
    EDITABLE: "the tenant's overlay may override it",
    IMMUTABLE: "nobody may change it after install, not even a later pack version",
}


def policy(pack: Pack, level: Level, prop: str,
           declared: Mapping[str, str] | None = None) -> str:
    """The policy of ``prop`` on an object, field or rule of ``pack``.

    ``declared`` is the element's own ``customizable`` map (``ObjectDef.customizable``,
    ``Field.customizable``, ``ValidationRule.customizable``, ``SharingRule.customizable``,
    ``Role.customizable`` or the raw document's).
    Properties without a built-in policy (a lookup's target, an auto-number's
    format...) are locked.
    """
    if prop in FIXED[level]:
        return IMMUTABLE
    found = (declared or {}).get(prop) or pack.customizable.get(level, {}).get(prop)
    return found or DEFAULT_POLICIES[level].get(prop, LOCKED)
