"""A tenant's layers: installed packs (each at a version) plus its overlay, and the
effective metadata merged from them.

Layers are stored with every deployed version (``hulian_metadata_versions.layers``)::

    {"packs": [{"name": "crm", "version": "1.2.0", "documents": {...}}, ...],
     "overlay": {...documents of the tenant pack...} | null,
     "snapshot": {...documents of an exported snapshot...} | null}

A version deployed before layers existed (``layers`` NULL) is read as one layer of
the kind its pack.json says.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from hulian.engine.errors import DeployError
from hulian.engine.formulas.compiled import formula_problems
from hulian.formula.rename import rename_references
from hulian.metadata.documents import document_kind
from hulian.metadata.kinds import BY_NAME
from hulian.metadata.layers import (
    Effective,
    Layers,
    immutable_changes,
    kept_overrides,
    merge,
    rename_overlay,
    untrack_removed,
)
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack
from hulian.metadata.problems import MetadataError, Problem, pointer
from hulian.metadata.relationship_checks import is_reference
from hulian.metadata.renames import Renames
from hulian.metadata.versions import parse_version, satisfies


@dataclass(frozen=True)
class Stack:
    """What a tenant runs on; ``sources`` maps a layer (``packs/crm``, ``overlay``) to the
    folder it was read from in this operation, so problems name real files."""

    packs: tuple[Pack, ...] = ()
    overlay: Pack | None = None
    snapshot: Pack | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    base: int | None = field(default=None, compare=False)
    """The version these layers were read from (None: nothing deployed yet)."""

    # -- storage ------------------------------------------------------------------------------

    @classmethod
    def stored(cls, layers: dict[str, Any] | None, documents: dict[str, Any] | None) -> Stack:
        if layers is None:
            if documents is None:
                return cls()
            return cls().with_pack(load_documents(documents))
        packs = tuple(load_documents(p["documents"]) for p in layers.get("packs", ()))
        overlay = layers.get("overlay")
        snapshot = layers.get("snapshot")
        return cls(packs, load_documents(overlay) if overlay else None,
                   load_documents(snapshot) if snapshot else None)

    def to_json(self) -> dict[str, Any]:
        return {
            "packs": [{"name": p.name, "version": p.version, "documents": dict(p.documents)}
                      for p in self.packs],
            "overlay": dict(self.overlay.documents) if self.overlay else None,
            "snapshot": dict(self.snapshot.documents) if self.snapshot else None,
        }

    # -- changes ------------------------------------------------------------------------------

    def installed(self, name: str) -> Pack | None:
        return next((p for p in self.packs if p.name == name), None)

    def with_pack(self, pack: Pack, source: str = "") -> Stack:
        """``pack`` placed in its layer: installed or replaced (preset), the overlay (tenant),
        or everything (snapshot)."""
        sources = dict(self.sources)
        if pack.kind == "snapshot":
            return Stack(snapshot=pack, sources={"snapshot": source}, base=self.base)
        if pack.kind == "tenant":
            sources["overlay"] = source
            return replace(self, overlay=pack, snapshot=None, sources=sources)
        sources[f"packs/{pack.name}"] = source
        packs = tuple(pack if p.name == pack.name else p for p in self.packs)
        if self.installed(pack.name) is None:
            packs = (*packs, pack)
        return replace(self, packs=packs, snapshot=None, sources=sources)

    def without(self, name: str) -> Stack:
        return replace(self, packs=tuple(p for p in self.packs if p.name != name))

    # -- the effective metadata ---------------------------------------------------------------

    def effective(self, tenant: str) -> tuple[Pack, Effective | None]:
        """The metadata to deploy and, when layers were merged, how to locate problems."""
        self._check_requirements()
        if self.snapshot is not None:
            return self.snapshot, None
        if len(self.packs) == 1 and self.overlay is None:
            return self.packs[0], None
        try:
            merged = merge(Layers(self.packs, self.overlay), name=tenant)
        except MetadataError as error:
            raise MetadataError([self.real_file(p) for p in error.problems]) from None
        found = formula_problems(merged.pack)[1]
        if found:
            raise MetadataError([self.real_file(merged.locate(p)) for p in found])
        return merged.pack, merged

    def real_file(self, problem: Problem) -> Problem:
        """A problem's layer prefix (``overlay/``, ``packs/crm/``) replaced by its folder."""
        for layer, folder in self.sources.items():
            if folder and problem.file.startswith(layer + "/"):
                return replace(problem, file=folder.rstrip("/") + problem.file[len(layer):])
        return problem

    def _check_requirements(self) -> None:
        missing = []
        for pack in self.packs:
            for name, specifier in pack.requires.items():
                needed = self.installed(name)
                if needed is None or not satisfies(needed.version, specifier):
                    have = f"{name} {needed.version} is installed" if needed else \
                        f"{name} is not installed"
                    missing.append({"change": f"{pack.name} {pack.version} requires {name} "
                                              f"{specifier}; {have}"})
        if missing:
            raise DeployError(f"{len(missing)} pack requirement(s) not met: "
                              f"{missing[0]['change']}", code="pack_requirement_missing",
                              hint="install or upgrade the required packs first",
                              changes=missing)

    def describe(self) -> dict[str, Any]:
        return {"packs": {p.name: p.version for p in self.packs},
                "overlay": f"{self.overlay.name} {self.overlay.version}" if self.overlay
                else None,
                "snapshot": self.snapshot is not None}


def locate_uses(error: DeployError, merged: Effective | None, stack: Stack) -> DeployError:
    """``deploy_removed_in_use`` (or ``flow_unknown_user``) with each use moved to the layer
    file it came from."""
    if merged is None or error.code not in ("deploy_removed_in_use", "flow_unknown_user"):
        return error
    for change in error.changes:
        found = stack.real_file(merged.locate(Problem("", change["file"], change["pointer"],
                                                      "")))
        change["file"], change["pointer"] = found.file, found.pointer
    return error


def require_preset(pack: Pack) -> None:
    if pack.kind != "preset":
        raise DeployError(f"{pack.name} is a {pack.kind} pack, not a preset pack",
                          code="pack_not_preset",
                          hint="a tenant pack is the tenant's overlay: deploy it with hulian "
                               "deploy; a snapshot replaces everything the same way")


def upgrade_stack(stack: Stack, pack: Pack, source: str) -> tuple[Stack, tuple[str, ...]]:
    """``stack`` with ``pack`` replacing its installed older version, the overlay's names
    following the pack's renames; and notes on what the upgrade keeps of the overlay."""
    require_preset(pack)
    installed = stack.installed(pack.name)
    if installed is None:
        raise DeployError(f"pack {pack.name} is not installed", code="pack_not_installed",
                          hint="install it first: hulian pack install PATH --tenant T")
    if parse_version(pack.version) <= parse_version(installed.version):
        raise DeployError(f"{pack.name} {pack.version} is not newer than the installed "
                          f"{installed.version}", code="pack_not_newer",
                          hint="bump the pack's version; hulian deploy re-deploys a pack "
                               "at any version")
    problems = immutable_changes(installed, pack)
    if problems:
        prefix = source.rstrip("/") + "/" if source else f"packs/{pack.name}/"
        raise MetadataError([replace(p, file=prefix + p.file) for p in problems])
    upgraded = stack.with_pack(pack, source)
    notes = [f"upgraded {pack.name} {installed.version} -> {pack.version}"]
    if stack.overlay is not None:
        documents, renamed = rename_overlay(stack.overlay.documents, pack)
        documents, rewritten = rename_overlay_formulas(documents, pack)
        renamed += rewritten
        documents, untracked = untrack_removed(documents, installed, pack)
        renamed += untracked
        if renamed:
            upgraded = replace(upgraded, overlay=load_documents(documents))
            notes += [f"overlay: {line}" for line in renamed]
    notes += kept_overrides(Layers(stack.packs, stack.overlay),
                            Layers(upgraded.packs, upgraded.overlay))
    return upgraded, tuple(notes)


def _formula_places(doc: dict[str, Any], kind: str | None
                    ) -> Iterator[tuple[dict[str, Any], str, str, str | None]]:
    """(holder, key, where, the object it reads or None for the document's own) of every
    formula in an object or extension document, or in a layout, scene or home view (each
    registered kind's ``formulas``: a scene's filter)."""
    if kind in BY_NAME:
        for formula in BY_NAME[kind].formulas(doc):
            holder: Any = doc
            for key in formula.path[:-1]:
                holder = holder[key]
            yield holder, formula.path[-1], pointer(*formula.path), formula.object
        return
    yield from ((holder, key, where, None) for holder, key, where in _object_places(doc))


def _object_places(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(holder, key, where) of every formula in an object or extension document."""
    for i, f in enumerate(doc.get("fields") or ()):
        for key in ("formula", "default_formula"):
            if isinstance(f, dict) and isinstance(f.get(key), str):
                yield f, key, f"/fields/{i}/{key}"
    for i, rule in enumerate(doc.get("validation_rules") or ()):
        if isinstance(rule, dict) and isinstance(rule.get("condition"), str):
            yield rule, "condition", f"/validation_rules/{i}/condition"
    for i, rule in enumerate(doc.get("sharing_rules") or ()):
        if isinstance(rule, dict) and isinstance(rule.get("criteria"), str):
            yield rule, "criteria", f"/sharing_rules/{i}/criteria"


def rename_overlay_formulas(documents: dict[str, Any], pack: Pack
                            ) -> tuple[dict[str, Any], list[str]]:
    """The overlay's formulas (of its objects, extensions, layouts, scenes and home views)
    rewritten for the fields ``pack`` renamed (``renamed_from``), and one sentence per
    rewritten formula. Object names are already the new ones (:func:`rename_overlay`)."""
    renames = Renames.of([pack])
    if not renames.fields:
        return documents, []
    lookups: dict[tuple[str, str], str] = {
        (o.api_name, f.api_name): renames.object(f.target)
        for o in pack.objects for f in o.fields if f.is_reference and f.target}
    for doc in documents.values():
        start = doc.get("api_name") or doc.get("object") if isinstance(doc, dict) else None
        for f in (doc.get("fields") or ()) if isinstance(doc, dict) else ():
            if isinstance(f, dict) and is_reference(f) and start:
                lookups[(start, f.get("api_name", ""))] = renames.object(f.get("target", ""))
    notes = []
    for file in sorted(documents):
        doc = documents[file]
        kind = document_kind(file)
        if kind not in ("object", "extension", *BY_NAME) or not isinstance(doc, dict):
            continue
        own = doc.get("api_name") if kind == "object" else doc.get("object")
        for holder, key, where, reads in _formula_places(doc, kind):
            start = renames.object(reads or own)
            text = rename_references(holder[key], start, renames.field,
                                     lambda o, f: lookups.get((o, f)))
            if text != holder[key]:
                notes.append(f"{file}#{where}: formula now reads {text!r} ({pack.name} renamed "
                             "fields it uses)")
                holder[key] = text
    return documents, notes
