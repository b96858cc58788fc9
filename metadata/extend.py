"""Applying a tenant's ``extensions/<Object>.json`` to the merged object documents.

Part of :func:`hulian.metadata.layers.merge`: :class:`Merging` holds the merged
documents being built, where each part of them came from, and the problems
found so far; :func:`apply_extension` applies one extension file to it:

1. the object's label, plural_label, description, track_history and
   history_retention_days overrides (a track_history list follows the pack's field renames);
2. ``field_overrides`` (options merge by api_name);
3. ``rule_overrides``, ``sharing_rule_overrides`` and ``business_type_overrides``;
4. ``data_permission``, level by level (a level left out keeps the pack's);
5. the new fields, validation rules, sharing rules, business types and field
   dependencies, appended after the pack's.

Every override is checked against the property's policy
(:mod:`hulian.metadata.policy`); one that is not editable is reported as
``overlay.locked_property`` and not applied. Values are not checked here: the
merged documents are loaded afterwards and every problem found there is traced
back to the overlay through the recorded origins. A tenant's changes to the packs'
roles are applied by :mod:`hulian.metadata.extend_roles`.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from hulian.metadata.model import Pack
from hulian.metadata.names import CUSTOM_SUFFIX, closest
from hulian.metadata.policy import EDITABLE, IMMUTABLE, MEANING, Level, policy
from hulian.metadata.problems import Problem, pointer
from hulian.metadata.renames import Renames

OVERLAY = "overlay"
OBJECT_PROPERTIES = ("label", "plural_label", "description", "track_history",
                     "history_retention_days")
_RULES: Mapping[str, tuple[Level, str, str, str, str]] = {
    "validation_rules": ("rule", "validation rule", "rule", "extension.unknown_rule",
                         "rule_overrides"),
    "sharing_rules": ("sharing_rule", "sharing rule", "sharing rule",
                      "extension.unknown_sharing_rule", "sharing_rule_overrides"),
    "business_types": ("business_type", "business type", "business type",
                       "extension.unknown_business_type", "business_type_overrides"),
}
"""list key -> (policy level, what it holds, its short name, the code of an unknown name,
the overrides key)"""

Origins = dict[tuple[str, str], tuple[str, str]]


@dataclass
class Merging:
    """The merge in progress: merged file -> document, origins and problems."""

    renames: Renames
    owners: dict[str, Pack] = field(default_factory=dict)
    """object api_name -> the installed pack that defines it"""
    role_owners: dict[str, Pack] = field(default_factory=dict)
    """role api_name -> the installed pack that defines it (in ``roles/<api_name>.json``)"""
    app_owners: dict[str, Pack] = field(default_factory=dict)
    """app api_name -> the installed pack that defines it (in ``apps/<api_name>.json``)"""
    documents: dict[str, Any] = field(default_factory=dict)
    origins: Origins = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    claims: dict[tuple[str, str], tuple[str, Any]] = field(default_factory=dict)
    """(merged file, pointer) -> (origin file, value) of what a dependent pack overrode"""

    def add(self, code: str, file: str, path: tuple[Any, ...], message: str,
            hint: str | None = None) -> None:
        self.problems.append(Problem(code, file, pointer(*path), message, hint))

    def came_from(self, merged: str, path: tuple[Any, ...], origin: str,
                  origin_path: tuple[Any, ...]) -> None:
        self.origins[(merged, pointer(*path))] = (origin, pointer(*origin_path))

    def allowed(self, pack: Pack, level: Level, raw: Mapping[str, Any], what: str, prop: str,
                origin: str, origin_path: tuple[Any, ...]) -> bool:
        """Whether the policy of ``prop`` lets the overlay override it; reported if not.

        ``raw`` is the element's document in ``pack`` (its ``customizable`` counts).
        """
        found = policy(pack, level, prop, raw.get("customizable"))
        if found == EDITABLE:
            return True
        fix = f"remove {prop} from the overlay" + (
            "" if found == IMMUTABLE else
            f"; only the pack {pack.name} changes it, and its customizable"
            " declarations say what tenants may edit")
        self.add("overlay.locked_property", origin, (*origin_path, prop),
                 f"{what} {prop} is {found} in the pack {pack.name}: {MEANING[found]}", fix)
        return False

    def claim(self, merged: str, path: tuple[Any, ...], origin: str,
              origin_path: tuple[Any, ...], value: Any) -> bool:
        """Record that the dependent pack of ``origin`` overrides ``merged`` at ``path`` with
        ``value``; False, and ``pack.extension_conflict``, when another dependent pack
        already overrode it with another value (which of the two holds would depend on the
        order the packs were installed in)."""
        key = (merged, pointer(*path))
        first = self.claims.setdefault(key, (origin, value))
        if first[0].split("/")[:2] == origin.split("/")[:2] or first[1] == value:
            return True
        self.add("pack.extension_conflict", origin, origin_path,
                 f"{first[0]} already sets {key[1].lstrip('/')} of {merged} to"
                 f" {first[1]!r}, and this pack to {value!r}",
                 "two packs extending one base pack must not override the same property"
                 " differently: agree on one value, or leave it to the tenant's overlay")
        return False

    def renamed_copy(self, item: Any, obj: str) -> Any:
        """A copy of a new field or rule, with old names of renamed objects and fields replaced."""
        item = copy.deepcopy(item)
        if isinstance(item, dict):
            if isinstance(item.get("target"), str):
                item["target"] = self.renames.object(item["target"])
            if isinstance(item.get("error_field"), str):
                item["error_field"] = self.renames.field(obj, item["error_field"])
        return item


def hint(word: str, choices: Collection[str], what: str) -> str:
    """ "did you mean ...?", else the ``choices`` (``what`` names them)."""
    close = closest(word, choices)
    if close:
        return f"did you mean {close!r}?"
    if not choices:
        return f"there are no {what}"
    shown = sorted(choices)
    return f"the {what}: " + ", ".join(shown[:20]) + (", ..." if len(shown) > 20 else "")


def apply_extension(merging: Merging, file: str, doc: Mapping[str, Any],
                    layer: str = OVERLAY, within: Collection[str] | None = None) -> None:
    """Apply the extension ``file`` (a path relative to its pack) of ``layer`` (the overlay,
    or ``packs/<name>`` for a dependent pack) to the merge.

    ``within`` names the packs whose objects the layer may extend (a dependent pack: the
    packs it requires); None lets the overlay extend every installed pack's.
    """
    origin = f"{layer}/{file}"
    target = doc["object"]
    name = merging.renames.object(target)
    pack = merging.owners.get(name)
    if pack is None:
        merging.add("extension.unknown_object", origin, ("object",),
                    f"{target!r} is not an object of the installed packs",
                    hint(target, merging.owners, "objects of the installed packs"))
        return
    if not outside(merging, pack, within, origin, ("object",), f"the object {name!r}"):
        _Extension(merging, pack, name, origin, layer == OVERLAY).apply(doc)


def outside(merging: Merging, pack: Pack, within: Collection[str] | None, origin: str,
            at: tuple[Any, ...], what: str) -> bool:
    """True, and reported, when ``pack`` is not one of the packs ``within`` names."""
    if within is None or pack.name in within:
        return False
    merging.add("extension.not_required", origin, at,
                f"{what} belongs to the pack {pack.name}, which this pack does not require",
                f"add {pack.name!r} to requires in pack.json, e.g."
                f" {{\"requires\": {{\"{pack.name}\": \"^{pack.version}\"}}}}")
    return True


class _Extension:
    def __init__(self, merging: Merging, pack: Pack, name: str, origin: str, tenant: bool):
        self.merging, self.pack, self.name, self.origin = merging, pack, name, origin
        self.tenant = tenant
        """the overlay's extension (its new options end with ``__c``), not a dependent pack's"""
        self.merged = f"objects/{name}.json"
        self.obj: dict[str, Any] = merging.documents[self.merged]

    def apply(self, doc: Mapping[str, Any]) -> None:
        for prop in OBJECT_PROPERTIES:
            if prop in doc:
                self._set("object", self.obj, self.name, prop, doc[prop], (), ())
        self._field_overrides(doc.get("field_overrides", {}))
        self._rule_overrides("validation_rules", doc.get("rule_overrides", {}))
        self._rule_overrides("sharing_rules", doc.get("sharing_rule_overrides", {}))
        self._rule_overrides("business_types", doc.get("business_type_overrides", {}))
        if "data_permission" in doc:
            self._data_permission(doc["data_permission"])
        self._append("fields", doc.get("fields", []))
        self._append("validation_rules", doc.get("validation_rules", []))
        self._append("sharing_rules", doc.get("sharing_rules", []))
        self._append("business_types", doc.get("business_types", []))
        self._append("field_dependencies", doc.get("field_dependencies", []))

    def _allowed(self, level: Level, raw: Mapping[str, Any], what: str, prop: str,
                 origin_path: tuple[Any, ...]) -> bool:
        return self.merging.allowed(self.pack, level, raw, what, prop, self.origin, origin_path)

    def _set(self, level: Level, raw: dict[str, Any], what: str, prop: str, value: Any,
             path: tuple[Any, ...], origin_path: tuple[Any, ...]) -> None:
        """Override ``raw[prop]`` if its policy allows."""
        if not self._allowed(level, raw, what, prop, origin_path):
            return
        if not self.tenant and not self.merging.claim(self.merged, (*path, prop), self.origin,
                                                      (*origin_path, prop), value):
            return
        if prop == "error_field" and isinstance(value, str):
            value = self.merging.renames.field(self.name, value)
        elif prop == "track_history" and isinstance(value, list):  # a list of fields
            value = [self.merging.renames.field(self.name, name) if isinstance(name, str)
                     else name for name in value]
        raw[prop] = copy.deepcopy(value)
        self.merging.came_from(self.merged, (*path, prop), self.origin, (*origin_path, prop))

    def _field_overrides(self, overrides: Mapping[str, Any]) -> None:
        fields = {f["api_name"]: i for i, f in enumerate(self.obj["fields"])}
        for key, override in overrides.items():
            name = self.merging.renames.field(self.name, key)
            at = ("field_overrides", key)
            if name not in fields:
                self.merging.add("extension.unknown_field", self.origin, at,
                                 f"{key!r} is not a field of {self.name} in the pack"
                                 f" {self.pack.name}",
                                 hint(key, fields, f"fields of {self.name}"))
                continue
            j = fields[name]
            raw = self.obj["fields"][j]
            what = f"{self.name}.{name}"
            for prop, value in override.items():
                if prop == "options":
                    if self._allowed("field", raw, what, prop, at):
                        self._options(raw, j, value, (*at, "options"))
                elif prop == "default" and "default_formula" in raw \
                        and "default_formula" not in override:
                    if self._allowed("field", raw, what, prop, at):
                        self.merging.add("field.key_not_applicable", self.origin, (*at, prop),
                                         f"{what} computes its default with a default_formula",
                                         "remove default from the overlay")
                else:
                    self._set("field", raw, what, prop, value, ("fields", j), at)

    def _options(self, raw: dict[str, Any], j: int, options: list[Any],
                 at: tuple[Any, ...]) -> None:
        """Merge override options into the field's by api_name: change or append."""
        if not isinstance(raw.get("options"), list):  # not a picklist: the load reports it
            raw["options"] = copy.deepcopy(options)
            self.merging.came_from(self.merged, ("fields", j, "options"), self.origin, at)
            return
        merged = raw["options"]
        by_name = {o.get("api_name"): p for p, o in enumerate(merged) if isinstance(o, dict)}
        for q, option in enumerate(options):
            name = option["api_name"]
            if name in by_name:
                p = by_name[name]
                for key in ("label", "active"):
                    if key in option:
                        merged[p][key] = copy.deepcopy(option[key])
                        self.merging.came_from(self.merged, ("fields", j, "options", p, key),
                                               self.origin, (*at, q, key))
                continue
            if name.endswith(CUSTOM_SUFFIX) and not self.tenant:
                self.merging.add("name.custom_suffix", self.origin, (*at, q, "api_name"),
                                 f"the new option {name!r} ends with '{CUSTOM_SUFFIX}' in a"
                                 " preset pack",
                                 f"the '{CUSTOM_SUFFIX}' suffix is for a tenant's own"
                                 f" customisations; use {name.removesuffix(CUSTOM_SUFFIX)!r}")
            elif not name.endswith(CUSTOM_SUFFIX) and self.tenant:
                self.merging.add("name.custom_suffix", self.origin, (*at, q, "api_name"),
                                 f"the new option {name!r} does not end with '{CUSTOM_SUFFIX}'",
                                 f"a tenant's own options end with '{CUSTOM_SUFFIX}' so they"
                                 f" never collide with the pack's; use '{name}{CUSTOM_SUFFIX}',"
                                 " or name an existing option to change it")
            by_name[name] = len(merged)
            self.merging.came_from(self.merged, ("fields", j, "options", len(merged)),
                                   self.origin, (*at, q))
            merged.append(copy.deepcopy(option))

    def _rule_overrides(self, key: str, overrides: Mapping[str, Any]) -> None:
        """``rule_overrides`` (``key`` "validation_rules") or ``sharing_rule_overrides``
        ("sharing_rules")."""
        level, what, short, code, at_key = _RULES[key]
        rules = {r["api_name"]: i for i, r in enumerate(self.obj.get(key, []))}
        for name, override in overrides.items():
            at = (at_key, name)
            if name not in rules:
                self.merging.add(code, self.origin, at,
                                 f"{name!r} is not a {what} of {self.name} in the"
                                 f" pack {self.pack.name}",
                                 hint(name, rules, f"{what}s of {self.name}"))
                continue
            i = rules[name]
            raw = self.obj[key][i]
            for prop, value in override.items():
                self._set(level, raw, f"{self.name} {short} {name}", prop, value, (key, i), at)

    def _data_permission(self, levels: Mapping[str, Any]) -> None:
        """Override the levels given (internal, external); the pack's others stay."""
        if not self._allowed("object", self.obj, self.name, "data_permission", ()):
            return
        if not levels:
            return
        if "data_permission" not in self.obj:  # e.g. a detail's, which takes none
            self.merging.came_from(self.merged, ("data_permission",), self.origin,
                                   ("data_permission",))
        merged = self.obj.setdefault("data_permission", {})
        for key, level in levels.items():
            if not self.tenant and not self.merging.claim(
                    self.merged, ("data_permission", key), self.origin,
                    ("data_permission", key), level):
                continue
            merged[key] = level
            self.merging.came_from(self.merged, ("data_permission", key), self.origin,
                                   ("data_permission", key))

    def _append(self, key: str, items: list[Any]) -> None:
        if not items:
            return
        if key not in self.obj:  # the whole list is the overlay's (a detail takes none)
            self.merging.came_from(self.merged, (key,), self.origin, (key,))
        target = self.obj.setdefault(key, [])
        for i, item in enumerate(items):
            self.merging.came_from(self.merged, (key, len(target)), self.origin, (key, i))
            target.append(self.merging.renamed_copy(item, self.name))
