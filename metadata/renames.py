"""Keeping a tenant's overlay pointed at objects and fields a pack has renamed.

A pack version renames an object or a field with ``renamed_from``. An overlay
written against the old version still says the old name: in an extension's
``object``, as a key of ``field_overrides``, in its ``track_history`` list, as a new
rule's or a rule override's ``error_field``, as a new lookup's ``target``, or in a role's, a role
extension's or an app's ``objects`` and a role's or role extension's field
permissions, or in a layout, scene or home view (every name its kind's ``uses`` finds:
objects, fields, sort keys, related lists' relationships and columns). :class:`Renames`
resolves old names to new ones (what :func:`~hulian.metadata.layers.merge`
does on the fly) and :func:`rename_overlay` rewrites the overlay's documents
for good (what the engine stores after an upgrade).

>>> from hulian.metadata.model import Field, ObjectDef
>>> area = Field("area", "text", {}, renamed_from="region")
>>> pack = Pack("crm", "2.0.0", {}, (ObjectDef("Account", {}, "area", (area,)),))
>>> docs = {"extensions/Account.json": {"object": "Account",
...         "field_overrides": {"region": {"hidden": True}}}}
>>> rewritten, notes = rename_overlay(docs, pack)
>>> rewritten["extensions/Account.json"]["field_overrides"]
{'area': {'hidden': True}}
>>> notes
["extensions/Account.json: field_overrides 'region' now apply to 'area' (crm renamed ...)"]
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hulian.metadata.documents import document_kind
from hulian.metadata.kinds import BY_NAME, DocumentKind, PackView, pack_view
from hulian.metadata.model import Pack


@dataclass(frozen=True)
class Renames:
    """Old names the packs' ``renamed_from`` declare, and what they are now.

    A rename counts only while the old name is not used again: a pack that
    renames ``region`` to ``area`` and later adds a new ``region`` field means
    the new field by ``region``.
    """

    objects: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """old object api_name -> new api_name"""
    fields: Mapping[tuple[str, str], str] = field(default_factory=lambda: MappingProxyType({}))
    """(object api_name now, old field api_name) -> new field api_name"""

    @classmethod
    def of(cls, packs: Iterable[Pack]) -> Renames:
        objects: dict[str, str] = {}
        fields: dict[tuple[str, str], str] = {}
        for pack in packs:
            names = {o.api_name for o in pack.objects}
            for obj in pack.objects:
                if obj.renamed_from and obj.renamed_from not in names:
                    objects[obj.renamed_from] = obj.api_name
                for f in obj.fields:
                    if f.renamed_from and obj.field(f.renamed_from) is None:
                        fields[(obj.api_name, f.renamed_from)] = f.api_name
        return cls(MappingProxyType(objects), MappingProxyType(fields))

    def object(self, name: str) -> str:
        """The object's api_name now."""
        return self.objects.get(name, name)

    def field(self, obj: str, name: str) -> str:
        """The api_name now of the field ``name`` of the object ``obj`` (its name now)."""
        return self.fields.get((obj, name), name)


def rename_overlay(overlay_documents: Mapping[str, Any],
                   pack: Pack) -> tuple[dict[str, Any], list[str]]:
    """The overlay's documents with every old name ``pack`` renamed replaced by the new one.

    Returns the rewritten documents (a copy; an extension file whose object was
    renamed is moved to ``extensions/<New>.json``) and one sentence per rewrite.
    Formulas are left as they are. Documents that are not valid are copied
    unchanged where they do not have the expected shape.
    """
    renames = Renames.of([pack])
    documents = copy.deepcopy(dict(overlay_documents))
    view = pack_view({**pack.documents, **documents}, "snapshot")
    notes: list[str] = []
    for file in sorted(documents):
        doc = documents[file]
        if not isinstance(doc, dict):
            continue
        kind = document_kind(file)
        if kind == "object":
            _rename_targets(doc.get("fields"), "fields", file, renames, pack.name, notes)
        elif kind == "extension":
            new_file = _rename_extension(doc, file, renames, pack.name, notes)
            if new_file != file and new_file not in documents:
                documents[new_file] = documents.pop(file)
                notes.append(f"{file}: moved to {new_file}")
        elif kind in ("role", "app", "role_extension"):
            _rename_access(doc, file, renames, pack.name, notes)
        elif kind in BY_NAME:
            documents[file] = rename_document(BY_NAME[kind], doc, renames, view, notes=notes,
                                              file=file, pack=pack.name)
    return documents, notes


def rename_document(kind: DocumentKind, doc: Mapping[str, Any], renames: Renames,
                    view: PackView, *, notes: list[str] | None = None, file: str = "",
                    pack: str = "") -> dict[str, Any]:
    """A copy of the document ``doc`` of ``kind`` naming objects and fields by their names
    now (``view``: the packs as they are now, to find the child object of a related list).

    Objects and relationships (``OrderLine.order``) are renamed first, then the fields
    read from the renamed document, so a related list's columns follow a renamed parent
    or child; a sort key keeps its ``-``. Formulas are left as they are. ``notes`` gets
    one sentence per rewrite.
    """
    out = copy.deepcopy(dict(doc))
    if not renames.objects and not renames.fields:
        return out
    for step in ("object", "field"):
        for use in list(kind.uses(out, view)):
            if use.kind == "object" and step == "object":
                new = renames.object(use.name)
            elif use.kind == "relationship" and step == "object" and "." in use.name:
                child, _, lookup = use.name.partition(".")
                new = f"{renames.object(child)}.{renames.field(renames.object(child), lookup)}"
            elif use.kind == "field" and step == "field" and use.object is not None:
                new = renames.field(renames.object(use.object), use.name)
            else:
                continue
            if new == use.name:
                continue
            holder = _holder(out, use.path)
            if use.key:
                holder.update({new if k == use.name else k: v
                               for k, v in [(k, holder.pop(k)) for k in list(holder)]})
            else:
                current = holder[use.path[-1]]
                holder[use.path[-1]] = ("-" if current.startswith("-") else "") + new
            if notes is not None:
                what = {"object": "the object", "field": "the field"}.get(use.kind, "it")
                notes.append(f"{file}: {use.pointer} {use.name!r} is now {new!r} ({pack} "
                             f"renamed {what})")
    return out


def _holder(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


def _rename_access(doc: dict[str, Any], file: str, renames: Renames, pack: str,
                   notes: list[str]) -> None:
    """Rewrite a role's (or role extension's) object and field names, or an app's objects,
    in place."""
    objects = doc.get("objects")
    if isinstance(objects, list):
        for i, old in enumerate(objects):
            if isinstance(old, str) and renames.object(old) != old:
                objects[i] = renames.object(old)
                notes.append(f"{file}: /objects/{i} {old!r} is now {objects[i]!r} ({pack}"
                             " renamed the object)")
        return
    if not isinstance(objects, dict):
        return
    out: dict[str, Any] = {}
    for old, access in objects.items():
        name = renames.object(old)
        if name != old:
            notes.append(f"{file}: objects {old!r} is now {name!r} ({pack} renamed the object)")
        fields = access.get("fields") if isinstance(access, dict) else None
        if isinstance(fields, dict):
            access["fields"] = _rename_keys(fields, name, file, renames, pack, notes,
                                            what="field permissions")
        out.setdefault(name, access)
    doc["objects"] = out


def _rename_extension(doc: dict[str, Any], file: str, renames: Renames, pack: str,
                      notes: list[str]) -> str:
    """Rewrite one extension in place; the file name it should have now."""
    old = doc.get("object")
    if not isinstance(old, str):
        return file
    name = renames.object(old)
    if name != old:
        doc["object"] = name
        notes.append(f"{file}: object {old!r} is now {name!r} ({pack} renamed it)")
    _rename_targets(doc.get("fields"), "fields", file, renames, pack, notes)
    tracked = doc.get("track_history")
    if isinstance(tracked, list):
        for i, old_field in enumerate(tracked):
            if isinstance(old_field, str) and renames.field(name, old_field) != old_field:
                tracked[i] = renames.field(name, old_field)
                notes.append(f"{file}: /track_history/{i} {old_field!r} is now {tracked[i]!r}"
                             f" ({pack} renamed the field)")
    overrides = doc.get("field_overrides")
    if isinstance(overrides, dict):
        doc["field_overrides"] = _rename_keys(overrides, name, file, renames, pack, notes)
    for key in ("validation_rules", "rule_overrides"):
        rules = doc.get(key)
        items = enumerate(rules) if isinstance(rules, list) else \
            rules.items() if isinstance(rules, dict) else ()
        for at, rule in items:
            error_field = rule.get("error_field") if isinstance(rule, dict) else None
            if isinstance(error_field, str) and renames.field(name, error_field) != error_field:
                rule["error_field"] = renames.field(name, error_field)
                notes.append(f"{file}: {key} {at!r} error_field {error_field!r} is now"
                             f" {rule['error_field']!r} ({pack} renamed the field)")
    return f"extensions/{name}.json" if name != old else file


def _rename_keys(overrides: dict[str, Any], obj: str, file: str, renames: Renames,
                 pack: str, notes: list[str], what: str = "field_overrides") -> dict[str, Any]:
    """field_overrides (or a role's field permissions) with old field names replaced, in
    their order.

    When both the old and the new name are keys, their properties are merged and
    the new name's win.
    """
    out: dict[str, Any] = {}
    for key, override in overrides.items():
        name = renames.field(obj, key)
        if name != key:
            notes.append(f"{file}: {what} {key!r} now apply to {name!r}"
                         f" ({pack} renamed {obj}.{key} to {name})")
        if name not in out:
            out[name] = override
            continue
        old, new = (override, out[name]) if name != key else (out[name], override)
        out[name] = {**old, **new} if isinstance(old, dict) and isinstance(new, dict) else new
    return out


def _rename_targets(fields: Any, key: str, file: str, renames: Renames, pack: str,
                    notes: list[str]) -> None:
    if not isinstance(fields, list):
        return
    for i, raw in enumerate(fields):
        target = raw.get("target") if isinstance(raw, dict) else None
        if isinstance(target, str) and renames.object(target) != target:
            raw["target"] = renames.object(target)
            notes.append(f"{file}: /{key}/{i} target {target!r} is now {raw['target']!r}"
                         f" ({pack} renamed the object)")
