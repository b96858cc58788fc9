"""A tenant's effective metadata: its installed packs plus its overlay, merged.

>>> crm = load_pack("examples/crm")                                   # doctest: +SKIP
>>> overlay = load_pack("acme-overlay")                               # doctest: +SKIP
>>> effective = merge(Layers((crm,), overlay), name="acme")           # doctest: +SKIP
>>> effective.pack.object("Account").field("industry").label["en"]    # doctest: +SKIP
'Sector'

The merge works on documents: the packs' object, role and app documents, then the
extension files of the dependent packs (presets that ``requires`` others: they extend the
objects, roles and apps of the packs they require, :mod:`hulian.metadata.extend_apps`
for apps), then the overlay's own objects, roles and apps, then its extension files
(:mod:`hulian.metadata.extend`: objects, their sharing rules and data permission)
and role extension files (:mod:`hulian.metadata.extend_roles`) make the merged
documents, which are loaded like any pack (kind ``snapshot``) so that every
cross-check runs on the result. Every problem, whether found while merging or while
loading, names the file and pointer it came from, with the layer in front:
``packs/crm/objects/Account.json`` or ``overlay/extensions/Account.json``.

Upgrades, renames and exports have their own modules, re-exported here:
:func:`kept_overrides`, :func:`immutable_changes` and :func:`untrack_removed`
(:mod:`~hulian.metadata.upgrades`),
:func:`rename_overlay` (:mod:`~hulian.metadata.renames`) and
:func:`snapshot_documents` (:mod:`~hulian.metadata.snapshot`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from hulian.metadata.documents import MANIFEST, document_kind
from hulian.metadata.extend import OVERLAY, Merging, apply_extension
from hulian.metadata.extend_apps import apply_app_extension
from hulian.metadata.extend_roles import apply_role_extension
from hulian.metadata.kind_layers import add_kind_documents
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack
from hulian.metadata.problems import MetadataError, Problem
from hulian.metadata.renames import Renames, rename_overlay
from hulian.metadata.snapshot import snapshot_documents
from hulian.metadata.upgrades import immutable_changes, kept_overrides, untrack_removed

__all__ = [
    "Effective",
    "Layers",
    "immutable_changes",
    "kept_overrides",
    "merge",
    "rename_overlay",
    "snapshot_documents",
    "untrack_removed",
]

PACKS = "packs"
EFFECTIVE_VERSION = "1.0.0"
EFFECTIVE_LABEL = {"zh": "有效元数据", "en": "Effective metadata"}


@dataclass(frozen=True)
class Layers:
    """What a tenant has installed: preset packs, each loaded and valid, and its overlay.

    The overlay is a pack of kind ``tenant``, loaded and valid on its own: its
    objects, and extension files that change objects of the packs.
    """

    packs: tuple[Pack, ...]
    overlay: Pack | None = None


Origins = Mapping[tuple[str, str], tuple[str, str]]


@dataclass(frozen=True)
class Effective:
    """The merged model and where each part of its documents came from.

    ``origins`` maps (merged file, merged pointer prefix) to (origin file, origin
    pointer prefix); origin files start with the layer (``packs/<pack>/`` or
    ``overlay/``).
    """

    pack: Pack
    origins: Origins
    _index: Mapping[str, tuple[tuple[str, tuple[str, str]], ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))
        object.__setattr__(self, "_index", _index(self.origins))

    def locate(self, problem: Problem) -> Problem:
        """``problem``, found on the merged documents, moved to the file and pointer it came from.

        The longest recorded prefix of its pointer decides; a problem outside
        every recorded part (e.g. in the generated pack.json) is returned as is.
        """
        return _locate(self._index, problem)


def _index(origins: Origins) -> Mapping[str, tuple[tuple[str, tuple[str, str]], ...]]:
    by_file: dict[str, list[tuple[str, tuple[str, str]]]] = {}
    for (file, prefix), origin in origins.items():
        by_file.setdefault(file, []).append((prefix, origin))
    return MappingProxyType({file: tuple(sorted(entries, key=lambda e: -len(e[0])))
                             for file, entries in by_file.items()})


def _locate(index: Mapping[str, tuple[tuple[str, tuple[str, str]], ...]],
            problem: Problem) -> Problem:
    for prefix, (file, origin_prefix) in index.get(problem.file, ()):
        if problem.pointer == prefix or problem.pointer.startswith(prefix + "/") or not prefix:
            return replace(problem, file=file,
                           pointer=origin_prefix + problem.pointer[len(prefix):])
    return problem


def merge(layers: Layers, name: str = "effective") -> Effective:
    """The effective metadata of ``layers``: one pack of kind ``snapshot`` called ``name``.

    Raises :class:`MetadataError` with every problem, each at the file and
    pointer of the layer it came from.
    """
    merging = Merging(Renames.of(layers.packs))
    merging.documents[MANIFEST] = _manifest(layers, name)
    seen: dict[str, str] = {}
    seen_access: dict[str, dict[str, str]] = {"role": {}, "app": {}}
    kind_owners: dict[str, str] = {}
    for pack in layers.packs:
        _add_objects(merging, pack, f"{PACKS}/{pack.name}", seen)
        _add_access(merging, pack, f"{PACKS}/{pack.name}", seen_access)
        add_kind_documents(merging, pack, f"{PACKS}/{pack.name}", kind_owners)
    for pack in layers.packs:  # dependent packs extend the packs they require
        _extend(merging, pack, f"{PACKS}/{pack.name}", required(pack, layers.packs))
    overlay = layers.overlay
    if overlay is not None:
        _add_objects(merging, overlay, OVERLAY, seen)
        _add_access(merging, overlay, OVERLAY, seen_access)
        add_kind_documents(merging, overlay, OVERLAY, kind_owners)
        _extend(merging, overlay, OVERLAY, None)
    index = _index(merging.origins)
    try:
        pack = load_documents(merging.documents)
    except MetadataError as error:
        located = [_locate(index, p) for p in error.problems]
        raise MetadataError(dict.fromkeys([*merging.problems, *located])) from None
    if merging.problems:
        raise MetadataError(merging.problems)
    return Effective(pack, merging.origins)


def required(pack: Pack, packs: tuple[Pack, ...]) -> frozenset[str]:
    """The names of the packs ``pack`` requires, directly or through another of ``packs``."""
    by_name = {p.name: p for p in packs}
    found: set[str] = set()
    todo = list(pack.requires)
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += list(by_name[name].requires) if name in by_name else []
    return frozenset(found)


def _extend(merging: Merging, pack: Pack, layer: str, within: frozenset[str] | None) -> None:
    """Apply the extension files of one layer (``within``: see :func:`apply_extension`)."""
    for kind, apply in (("extension", apply_extension), ("role_extension", apply_role_extension)):
        for file in sorted(f for f in pack.documents if document_kind(f) == kind):
            apply(merging, file, pack.documents[file], layer, within)
    if within is not None:
        for file in sorted(f for f in pack.documents if document_kind(f) == "app_extension"):
            apply_app_extension(merging, file, pack.documents[file], layer, within)


def _manifest(layers: Layers, name: str) -> dict[str, Any]:
    parts = [f"{p.name} {p.version}" for p in layers.packs]
    if layers.overlay is not None:
        parts.append(f"the overlay {layers.overlay.name} {layers.overlay.version}")
    manifest = {"name": name, "version": EFFECTIVE_VERSION, "label": dict(EFFECTIVE_LABEL),
                "kind": "snapshot",
                "description": "Effective metadata of " + (", ".join(parts) or "no packs") + "."}
    branded = [p for p in (*layers.packs, layers.overlay) if p is not None and p.branding]
    if branded:  # the overlay's, else the last pack's
        manifest["branding"] = copy.deepcopy(branded[-1].documents[MANIFEST]["branding"])
    return manifest


def _add_objects(merging: Merging, pack: Pack, layer: str, seen: dict[str, str]) -> None:
    """Copy the object documents of one layer; a name taken by an earlier pack is a conflict."""
    is_overlay = layer == OVERLAY
    for file in sorted(f for f in pack.documents if document_kind(f) == "object"):
        doc = copy.deepcopy(pack.documents[file])
        api_name = doc["api_name"]
        origin = f"{layer}/{file}"
        first = seen.setdefault(api_name.lower(), origin)
        if first != origin:
            merging.add("pack.object_conflict", origin, ("api_name",),
                        f"the object {api_name!r} is already defined by {first}",
                        "an object belongs to one pack: remove it from one of them, or"
                        " rename it (a tenant's own objects end with '__c')")
            continue
        if is_overlay:
            doc["fields"] = [merging.renamed_copy(f, api_name) for f in doc["fields"]]
        else:
            merging.owners[api_name] = pack
        merging.documents[file] = doc
        merging.came_from(file, (), origin, ())


def _add_access(merging: Merging, pack: Pack, layer: str,
                seen: dict[str, dict[str, str]]) -> None:
    """Copy the role and app documents of one layer; a name taken earlier is a conflict.

    The overlay's roles and apps may still say the old names of objects and fields a
    pack renamed: they are renamed on the way.
    """
    for file in sorted(f for f in pack.documents if document_kind(f) in ("role", "app")):
        kind = document_kind(file)
        assert kind is not None
        doc = copy.deepcopy(pack.documents[file])
        origin = f"{layer}/{file}"
        first = seen[kind].setdefault(doc["api_name"], origin)
        if first != origin:
            fix = f"a {kind} belongs to one pack: remove it from one of them, or rename it"
            if kind == "role" and layer == OVERLAY:
                fix = (f"to change the pack's role, move what the overlay adds to"
                       f" extensions/{file}; or rename the overlay's role")
            merging.add(f"pack.{kind}_conflict", origin, ("api_name",),
                        f"the {kind} {doc['api_name']!r} is already defined by {first}", fix)
            continue
        merging.documents[file] = doc
        merging.came_from(file, (), origin, ())
        if layer == OVERLAY:
            _rename_access(merging, file, doc)
        elif kind == "role":
            merging.role_owners[doc["api_name"]] = pack
        else:
            merging.app_owners[doc["api_name"]] = pack


def _rename_access(merging: Merging, file: str, doc: dict[str, Any]) -> None:
    renames = merging.renames
    if isinstance(doc.get("objects"), list):  # an app
        doc["objects"] = [renames.object(o) for o in doc["objects"]]
        return
    objects: dict[str, Any] = {}
    for old, access in doc.get("objects", {}).items():
        name = renames.object(old)
        if name != old:
            merging.came_from(file, ("objects", name), f"{OVERLAY}/{file}", ("objects", old))
        fields = access.get("fields")
        if fields:
            renamed = {renames.field(name, f): level for f, level in fields.items()}
            for f in fields:
                if renames.field(name, f) != f:
                    merging.came_from(file, ("objects", name, "fields", renames.field(name, f)),
                                      f"{OVERLAY}/{file}", ("objects", old, "fields", f))
            access = {**access, "fields": renamed}
        objects[name] = access
    doc["objects"] = objects
