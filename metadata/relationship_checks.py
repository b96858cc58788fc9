"""Cross-checks between objects: master-detail chains and relationship names.

They run on all of a pack's object documents at once (:class:`PackObjects`),
after the per-field checks, and look only at values of the right JSON type.
What they cannot see is left alone: objects of files that could not be read,
and, in a tenant pack or a dependent pack (a preset that ``requires`` others), objects
of other packs (names without ``__c``) and the extension files, which are checked when
the packs are merged (the merged documents are loaded like one pack).

A chain of master-detail fields runs from a detail up through its masters: an
object without a master is level 1, its details level 2, theirs level 3, and no
deeper (:data:`~hulian.metadata.model.MAX_MASTER_DETAIL_DEPTH`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hulian.metadata.documents import document_kind
from hulian.metadata.extension_checks import Report
from hulian.metadata.field_types import REFERENCE_TYPES
from hulian.metadata.model import MAX_MASTER_DETAIL_DEPTH, PARTIAL_KINDS
from hulian.metadata.names import CUSTOM_SUFFIX
from hulian.metadata.problems import pointer

ReportFor = Callable[[str], Report]
Raw = Mapping[str, Any]


def is_reference(raw: Raw) -> bool:
    """True for a lookup or master-detail field document."""
    kind = raw.get("type")
    return isinstance(kind, str) and kind in REFERENCE_TYPES


def may_be_installed(name: str, pack_kind: str | None) -> bool:
    """True when a tenant pack or a dependent pack (:data:`~hulian.metadata.model.DEPENDENT`)
    names what may be an object of another pack (checked when the packs are merged)."""
    return pack_kind in PARTIAL_KINDS and not name.endswith(CUSTOM_SUFFIX)


@dataclass(frozen=True)
class ObjectDoc:
    """One object document: its file, name field and fields (the first of duplicates)."""

    file: str
    name_field: Any
    fields: tuple[tuple[int, Raw], ...]
    """(index in ``fields``, field document) of each field with a text api_name"""
    by_name: Mapping[str, Raw]


@dataclass(frozen=True)
class PackObjects:
    """A pack's object documents by api_name, for checks that follow references."""

    objects: Mapping[str, ObjectDoc]
    present: Collection[str]
    """api_names of every object of the pack, those of unreadable files included"""
    pack_kind: str | None

    @classmethod
    def of(cls, documents: Mapping[str, Any], present: Collection[str],
           pack_kind: str | None) -> PackObjects:
        objects: dict[str, ObjectDoc] = {}
        for file in sorted(f for f in documents if document_kind(f) == "object"):
            doc = documents[file]
            if not isinstance(doc, dict) or not isinstance(doc.get("api_name"), str) \
                    or doc["api_name"] in objects:
                continue
            raw_fields = doc.get("fields")
            fields = tuple((i, f) for i, f in enumerate(raw_fields)
                           if isinstance(f, dict) and isinstance(f.get("api_name"), str)) \
                if isinstance(raw_fields, list) else ()
            by_name: dict[str, Raw] = {}
            for _, f in fields:
                by_name.setdefault(f["api_name"], f)
            objects[doc["api_name"]] = ObjectDoc(file, doc.get("name_field"), fields, by_name)
        return cls(objects, present, pack_kind)

    def field(self, obj: str, name: str) -> Raw | None:
        found = self.objects.get(obj)
        return found.by_name.get(name) if found else None

    def unseen(self, name: str) -> bool:
        """True for an object that exists for all we know but whose fields we cannot see."""
        return name not in self.objects and (name in self.present
                                             or may_be_installed(name, self.pack_kind))

    def references(self, obj: str, target: str | None = None) -> list[str]:
        """The lookup and master-detail fields of ``obj`` (to ``target`` only, if given)."""
        found = self.objects.get(obj)
        return [name for name, f in (found.by_name.items() if found else ())
                if is_reference(f)
                and (target is None or f.get("target") == target)]

    def each_field(self) -> Iterator[tuple[str, ObjectDoc, int, Raw]]:
        """(object, its document, index, field) in reading order."""
        for name, doc in sorted(self.objects.items(), key=lambda item: item[1].file):
            for i, raw in doc.fields:
                yield name, doc, i, raw


def check_relationships(objects: PackObjects, report_for: ReportFor) -> None:
    """Master-detail fields (self, cycles, depth) and relationship names."""
    _check_master_detail(objects, report_for)
    _check_relationship_names(objects, report_for)


# obj -> (field index, field api_name, master object) of its master-detail fields
Masters = dict[str, list[tuple[int, str, str]]]


def _masters(objects: PackObjects, report_for: ReportFor) -> Masters:
    """The master-detail edges between objects of the pack; a master of itself is reported."""
    masters: Masters = {name: [] for name in objects.objects}
    for obj, doc, i, raw in objects.each_field():
        target = raw.get("target")
        if raw.get("type") != "master_detail" or not isinstance(target, str):
            continue
        if target == obj:
            report_for(doc.file).add(
                "master_detail.self", ("fields", i, "target"),
                f"{obj}.{raw['api_name']} makes {obj} a detail of itself",
                "a record cannot be its own master; link records of one object with a lookup"
                " (e.g. a parent account)")
        elif target in objects.objects:
            masters[obj].append((i, raw["api_name"], target))
    return masters


def _path(masters: Masters, start: str, goal: str) -> list[tuple[str, str, str]] | None:
    """The shortest chain of edges (detail, field, master) from ``start`` up to ``goal``."""
    came: dict[str, tuple[str, str, str] | None] = {start: None}
    queue = [start]
    for obj in queue:
        for _, name, target in masters.get(obj, ()):
            if target in came:
                continue
            came[target] = (obj, name, target)
            if target == goal:
                steps: list[tuple[str, str, str]] = []
                at: str | None = goal
                while at is not None and (step := came[at]) is not None:
                    steps.append(step)
                    at = step[0]
                return steps[::-1]
            queue.append(target)
    return None


def _chain(steps: list[tuple[str, str, str]]) -> str:
    """ "OrderLine.order -> Order" from the edges of a chain."""
    return " -> ".join([*(f"{obj}.{name}" for obj, name, _ in steps), steps[-1][2]])


def _check_master_detail(objects: PackObjects, report_for: ReportFor) -> None:
    masters = _masters(objects, report_for)
    for obj, edges in masters.items():
        for i, name, target in edges:
            back = _path(masters, target, obj)
            if back is not None:
                report_for(objects.objects[obj].file).add(
                    "master_detail.cycle", ("fields", i, "target"),
                    f"the master-detail chain {_chain([(obj, name, target), *back])} is a cycle",
                    "a master cannot be a detail of its own details; make one of these fields"
                    " a lookup")
    up = _levels(masters)
    for obj, edges in masters.items():
        for i, name, target in edges:
            chain = up.get(target)
            # reported where the chain first goes too deep; deeper objects follow from it
            if chain is not None and len(chain) + 1 == MAX_MASTER_DETAIL_DEPTH:
                report_for(objects.objects[obj].file).add(
                    "master_detail.too_deep", ("fields", i, "target"),
                    f"{obj} would be level {len(chain) + 2} of the master-detail chain"
                    f" {_chain([(obj, name, target), *chain])}; at most"
                    f" {MAX_MASTER_DETAIL_DEPTH} levels are allowed",
                    f"make {obj}.{name} a lookup, or make {obj} a detail of an object higher up")


def _levels(masters: Masters) -> dict[str, list[tuple[str, str, str]]]:
    """Each object's longest chain of edges up to a top master; its level is the chain's
    length plus one. Objects on a cycle, or whose masters reach one, have none."""
    up: dict[str, list[tuple[str, str, str]]] = {}
    progress = True
    while progress:
        progress = False
        for obj, edges in masters.items():
            if obj in up or any(target not in up for _, _, target in edges):
                continue
            longest: list[tuple[str, str, str]] = []
            for _, name, target in edges:
                if not longest or len(up[target]) + 1 > len(longest):
                    longest = [(obj, name, target), *up[target]]
            up[obj] = longest
            progress = True
    return up


def _check_relationship_names(objects: PackObjects, report_for: ReportFor) -> None:
    """Relationship names are unique per target object, ignoring case (they name its related
    lists); a field without one is called ``<Object>.<field>``."""
    seen: dict[str, dict[str, str]] = {}
    for obj, doc, i, raw in objects.each_field():
        target, declared = raw.get("target"), raw.get("relationship_name")
        if not is_reference(raw) or not isinstance(target, str):
            continue
        name = declared if isinstance(declared, str) else f"{obj}.{raw['api_name']}"
        where = f"{doc.file}#{pointer('fields', i)}"
        first = seen.setdefault(target, {}).setdefault(name.lower(), where)
        if first != where and isinstance(declared, str):
            report_for(doc.file).add(
                "relationship.duplicate_name", ("fields", i, "relationship_name"),
                f"{target} already has a relationship named {name!r}, from {first}",
                f"the relationships to {target} need different names (they name its related"
                " lists); rename one, or leave relationship_name out to use"
                f" {obj}.{raw['api_name']}")
