"""What a new version of an installed pack means for its policies and the tenant's overlay.

- :func:`immutable_changes`: the new version may not change what the old one
  declared ``immutable`` (nor relax that policy), on objects, fields, validation
  rules, sharing rules and roles;
- :func:`kept_overrides`: where the new version changed an editable property
  that the overlay overrides (in an extension or a role extension), or a layout,
  scene or home view the overlay replaces, the tenant's value stays; these sentences
  say so. A document the overlay replaced and the new version drops stays as the
  overlay's own; one the new version locks is ``overlay.locked_document`` when merged.

What the new version drops while the overlay still changes it (a field, a rule, a
sharing rule, a role, an object or action a role extension grants) is not listed
here: merging the overlay with the new version reports it (``extension.unknown_*``,
``role.unknown_*``) at the overlay's file, before anything is deployed. A field the
overlay only tracks (an extension's ``track_history`` list) is the exception: as in
Salesforce, removing a tracked field just ends its tracking (:func:`untrack_removed`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from hulian.metadata.documents import document_kind
from hulian.metadata.kinds import KINDS
from hulian.metadata.model import (
    STANDARD_ACTIONS,
    Field,
    ObjectAccess,
    ObjectDef,
    Pack,
    Role,
    SharingRule,
    ValidationRule,
)
from hulian.metadata.policy import DEFAULT_POLICIES, EDITABLE, IMMUTABLE, Level, policy
from hulian.metadata.problems import Problem, pointer, reading_order
from hulian.metadata.renames import Renames

if TYPE_CHECKING:
    from hulian.metadata.layers import Layers

Element = ObjectDef | Field | ValidationRule | SharingRule | Role


def _previous(old: Pack, new: ObjectDef) -> ObjectDef | None:
    """``new``'s object in the old version: same api_name, else the one it was renamed from."""
    found = old.object(new.api_name)
    if found is None and new.renamed_from:
        found = old.object(new.renamed_from)
    return found


def _previous_field(old: ObjectDef, new: Field) -> Field | None:
    found = old.field(new.api_name)
    if found is None and new.renamed_from:
        found = old.field(new.renamed_from)
    return found


def _rule(obj: ObjectDef, name: str) -> ValidationRule | None:
    return next((r for r in obj.validation_rules if r.api_name == name), None)


def _sharing_rule(obj: ObjectDef, name: str) -> SharingRule | None:
    return next((r for r in obj.sharing_rules if r.api_name == name), None)


_Pair = tuple[Level, Element, Element, str, str, str]


def _pairs(old: Pack, new: Pack) -> Iterator[_Pair]:
    """(level, old element, new element, its name, the new object's file, the pointer
    there) for every object, field and rule in both versions."""
    for obj in new.objects:
        before = _previous(old, obj)
        if before is None:
            continue
        name, file = obj.api_name, obj.source
        yield "object", before, obj, name, file, ""
        for i, f in enumerate(obj.fields):
            previous = _previous_field(before, f)
            if previous is not None:
                yield "field", previous, f, f"{name}.{f.api_name}", file, pointer("fields", i)
        for i, rule in enumerate(obj.validation_rules):
            previous_rule = _rule(before, rule.api_name)
            if previous_rule is not None:
                yield ("rule", previous_rule, rule, f"{name} rule {rule.api_name}", file,
                       pointer("validation_rules", i))
        for i, sharing in enumerate(obj.sharing_rules):
            previous_sharing = _sharing_rule(before, sharing.api_name)
            if previous_sharing is not None:
                yield ("sharing_rule", previous_sharing, sharing,
                       f"{name} sharing rule {sharing.api_name}", file,
                       pointer("sharing_rules", i))
    for role in new.roles:
        previous_role = old.role(role.api_name)
        if previous_role is not None:
            yield "role", previous_role, role, f"the role {role.api_name}", role.source, ""


def immutable_changes(old: Pack, new: Pack) -> list[Problem]:
    """``pack.immutable_changed`` for each property ``old`` declared immutable that ``new`` changes.

    Renamed objects and fields are followed (``renamed_from``). A new version that
    relaxes such a policy is reported too, at the ``customizable`` entry. Problem
    files are relative to the new pack (``objects/Account.json``). ``api_name``
    and ``type`` are immutable for overlays, but a pack version renames with
    ``renamed_from`` and converts types through the deploy's checks, so they are
    not compared here.
    """
    problems: list[Problem] = []
    for level, before, after, name, file, at in _pairs(old, new):
        for prop in DEFAULT_POLICIES[level]:
            if policy(old, level, prop, before.customizable) != IMMUTABLE:
                continue
            what = f"{name} {prop}"
            if getattr(before, prop) != getattr(after, prop):
                problems.append(Problem(
                    "pack.immutable_changed", file, f"{at}/{prop}",
                    f"{what} is immutable since {old.name} {old.version} but this version"
                    " changes it", f"keep the value of {old.version}; an immutable property"
                    " never changes once installed"))
            if policy(new, level, prop, after.customizable) != IMMUTABLE:
                declared = prop in after.customizable
                problems.append(Problem(
                    "pack.immutable_changed", file if declared else "pack.json",
                    f"{at}/customizable/{prop}" if declared
                    else pointer("customizable", level, prop),
                    f"{what} is immutable since {old.name} {old.version} but this version"
                    f" makes it {policy(new, level, prop, after.customizable)}",
                    "an immutable property stays immutable; declare it immutable again"))
    # a pack-wide policy relaxed is one problem, however many elements it covers
    unique = {(p.file, p.pointer): p for p in reversed(problems)}
    return sorted(unique.values(), key=reading_order)


def untrack_removed(overlay_documents: Mapping[str, Any], old: Pack, new: Pack
                    ) -> tuple[dict[str, Any], list[str]]:
    """The overlay's documents (already following ``new``'s renames) without the fields
    ``new`` removed from the ``track_history`` lists of its extensions, and one sentence
    per field taken out."""
    documents = dict(overlay_documents)
    renames = Renames.of([new])
    notes: list[str] = []
    for file in sorted(f for f in documents if document_kind(f) == "extension"):
        doc = documents[file]
        tracked = doc.get("track_history") if isinstance(doc, dict) else None
        if not isinstance(tracked, list):
            continue
        obj = new.object(doc["object"])
        previous = _previous(old, obj) if obj is not None else None
        if obj is None or previous is None:
            continue
        removed = {renames.field(obj.api_name, f.api_name) for f in previous.fields} \
            - set(obj.field_names)
        kept = [name for name in tracked if name not in removed]
        if len(kept) != len(tracked):
            documents[file] = {**doc, "track_history": kept}
            notes += [f"{file}: track_history no longer names {name!r} ({new.name} "
                      f"{new.version} removed {obj.api_name}.{name}; its changes are no "
                      "longer tracked)" for name in tracked if name in removed]
    return documents, notes


def _objects(packs: tuple[Pack, ...]) -> dict[str, tuple[Pack, ObjectDef]]:
    return {obj.api_name: (pack, obj) for pack in packs for obj in pack.objects}


def kept_overrides(old: Layers, new: Layers) -> list[str]:
    """Sentences naming each overridden editable property that the new pack versions changed.

    The overlay is ``new.overlay`` (old names of renamed objects and fields are
    followed). For example ``"Account.industry label: the pack changed it, the
    tenant's label is kept"`` or ``"the role dealer_buyer Order edit: the pack changed
    it, the tenant's edit is kept"``.
    """
    overlay = new.overlay
    if overlay is None:
        return []
    renames = Renames.of(new.packs)
    before, after = _objects(old.packs), _objects(new.packs)
    sentences: list[str] = []
    for file in sorted(f for f in overlay.documents if document_kind(f) == "extension"):
        doc = overlay.documents[file]
        name = renames.object(doc["object"])
        if name not in after:
            continue
        pack, obj = after[name]
        previous = before.get(name) or before.get(obj.renamed_from or "")
        if previous is None:
            continue
        sentences += _kept(pack, previous[1], obj, doc, renames)
    return sentences + _kept_roles(old, new, overlay, renames) + _kept_documents(old, new,
                                                                                  overlay)


def _kept(pack: Pack, old: ObjectDef, new: ObjectDef, doc: Mapping[str, Any],
          renames: Renames) -> list[str]:
    out: list[str] = []

    def check(level: Level, before: Element, after: Element, what: str,
              override: Mapping[str, Any]) -> None:
        for prop in override:
            if policy(pack, level, prop, after.customizable) != EDITABLE:
                continue
            if prop == "options" and isinstance(before, Field) and isinstance(after, Field):
                out.extend(_kept_options(before, after, what, override[prop]))
            elif getattr(before, prop, None) != getattr(after, prop, None):
                out.append(f"{what} {prop}: the pack changed it, the tenant's {prop} is kept")

    check("object", old, new, new.api_name,
          {k: doc[k] for k in ("label", "plural_label", "description", "track_history",
                               "history_retention_days") if k in doc})
    for key, override in doc.get("field_overrides", {}).items():
        after = new.field(renames.field(new.api_name, key))
        before = _previous_field(old, after) if after is not None else None
        if after is not None and before is not None:
            check("field", before, after, f"{new.api_name}.{after.api_name}", override)
    for key, override in doc.get("rule_overrides", {}).items():
        rule, previous = _rule(new, key), _rule(old, key)
        if rule is not None and previous is not None:
            check("rule", previous, rule, f"{new.api_name} rule {key}", override)
    for key, override in doc.get("sharing_rule_overrides", {}).items():
        sharing, previous_sharing = _sharing_rule(new, key), _sharing_rule(old, key)
        if sharing is not None and previous_sharing is not None:
            check("sharing_rule", previous_sharing, sharing,
                  f"{new.api_name} sharing rule {key}", override)
    levels = doc.get("data_permission", {})
    if levels and policy(pack, "object", "data_permission", new.customizable) == EDITABLE:
        for key in levels:
            if old.data_permission.get(key) != new.data_permission.get(key):
                out.append(f"{new.api_name} data_permission {key}: the pack changed it,"
                           " the tenant's level is kept")
    return out


def _kept_roles(old: Layers, new: Layers, overlay: Pack, renames: Renames) -> list[str]:
    """Sentences for the role extensions (``extensions/roles/<role>.json``)."""
    before = {r.api_name: r for pack in old.packs for r in pack.roles}
    after = {r.api_name: (pack, r) for pack in new.packs for r in pack.roles}
    out: list[str] = []
    for file in sorted(f for f in overlay.documents if document_kind(f) == "role_extension"):
        doc = overlay.documents[file]
        name = doc["role"]
        if name in before and name in after:
            pack, role = after[name]
            out += _kept_role(pack, before[name], role, doc, renames)
    return out


def _kept_role(pack: Pack, old: Role, new: Role, doc: Mapping[str, Any],
               renames: Renames) -> list[str]:
    def editable(prop: str) -> bool:
        return prop in doc and policy(pack, "role", prop, new.customizable) == EDITABLE

    what = f"the role {new.api_name}"
    out = [f"{what} {prop}: the pack changed it, the tenant's {prop} is kept"
           for prop in ("label", "description")
           if editable(prop) and getattr(old, prop) != getattr(new, prop)]
    if not editable("objects"):
        return out
    for key, access in doc["objects"].items():
        obj = renames.object(key)
        before = next((a for n, a in old.objects.items() if renames.object(n) == obj),
                      ObjectAccess())
        after = new.objects.get(obj, ObjectAccess())
        for prop in access:
            if prop in STANDARD_ACTIONS and before.allows(prop) != after.allows(prop):
                out.append(f"{what} {obj} {prop}: the pack changed it, the tenant's {prop}"
                           " is kept")
        for field in access.get("fields", {}):
            name = renames.field(obj, field)
            old_level = next((level for f, level in before.fields.items()
                              if renames.field(obj, f) == name), "editable")
            if old_level != after.fields.get(name, "editable"):
                out.append(f"{what} {obj}.{name} field permission: the pack changed it,"
                           " the tenant's permission is kept")
    return out


def _kept_documents(old: Layers, new: Layers, overlay: Pack) -> list[str]:
    """Sentences for the overlay's layouts, scenes and home views that replace (or now
    stand in for) a pack's document of the same api_name."""
    out: list[str] = []
    for kind in KINDS:
        before = {m.api_name: m for pack in old.packs for m in pack.part(kind.name)}
        after = {m.api_name: m for pack in new.packs for m in pack.part(kind.name)}
        what = f"the {kind.name.replace('_', ' ')}"
        for model in overlay.part(kind.name):
            name, was, now = model.api_name, before.get(model.api_name), \
                after.get(model.api_name)
            if was is not None and now is not None and was.document != now.document:
                out.append(f"{what} {name}: the pack changed it, the tenant's {what[4:]} is "
                           "kept")
            elif was is not None and now is None:
                out.append(f"{what} {name}: the pack removed it, the tenant's {what[4:]} "
                           "stays as its own")
            elif was is None and now is not None:
                out.append(f"{what} {name}: the pack now has one of this name, the tenant's "
                           f"{what[4:]} replaces it")
    return out


def _kept_options(old: Field, new: Field, what: str, options: list[Any]) -> list[str]:
    out = []
    for option in options:
        before, after = old.option(option["api_name"]), new.option(option["api_name"])
        if before is None or after is None:
            continue
        for key in ("label", "active"):
            if key in option and getattr(before, key) != getattr(after, key):
                out.append(f"{what} option {after.api_name} {key}: the pack changed it,"
                           f" the tenant's {key} is kept")
    return out
