"""What a kind of pack document declares, in one module per kind (:mod:`hulian.metadata.kinds`).

Objects (``objects/``) are the core of a pack; every other kind of document (layouts,
scenes, home views...) is a :class:`DocumentKind`: where its files live and how they are
named, its JSON Schema, the model built from a valid document, the cross-checks a schema
cannot make, how a tenant's overlay changes it, the document written back by an export,
and the names it uses (objects, fields, business types, roles, scenes) so that renames
follow and removals are refused while something uses them. The loader, the checks, the
overlay merge, the snapshot writer, the deploy plan and its reference finder all loop over
:data:`~hulian.metadata.kinds.KINDS`: adding a kind adds a module, not an if-chain.

A kind's documents are kept as they were written (``Document.document``): the model adds
typed access, the export writes the document back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Protocol

from hulian.metadata.problems import pointer

__all__ = ["Document", "DocumentKind", "Formula", "FormulaTarget", "ObjectView", "PackView",
           "Report", "Use", "UseKind", "content", "items", "mapping", "texts"]


def items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, item) of the objects of a list; nothing when ``value`` is not a list.

    Checks run on documents that may be wrong in any way (the schema check reports
    that), so they read lists through this and :func:`texts`.
    """
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def texts(value: Any) -> Iterator[tuple[int, str]]:
    """(index, text) of the texts of a list; nothing when ``value`` is not a list."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def content(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """A document without ``$schema`` (where editors find the schema: no content)."""
    return MappingProxyType({k: v for k, v in doc.items() if k != "$schema"})


UseKind = Literal["object", "field", "business_type", "role", "scene", "relationship",
                  "action", "app"]


@dataclass(frozen=True)
class Use:
    """A name a document uses at ``path``: an object, a field or business type of ``object``,
    a role, a scene of ``object``, a relationship (child list) of ``object``..."""

    kind: UseKind
    name: str
    path: tuple[Any, ...]
    object: str | None = None
    key: bool = False
    """The name is the key at ``path`` (``values`` of a flow's create_record), not the
    value there."""

    @property
    def pointer(self) -> str:
        return pointer(*self.path)

    @property
    def target(self) -> str:
        """``Object.name`` for what belongs to an object, else the name."""
        return f"{self.object}.{self.name}" if self.object and self.kind != "object" \
            else self.name


@dataclass(frozen=True)
class FormulaTarget:
    """The field a formula's value is written to (a flow's field update): ``field`` of
    ``object`` (None: the formula's own object), or, when ``master``, of the master-detail
    parent of the formula's record through ``master_field`` (None: its only one)."""

    field: str
    object: str | None = None
    master: bool = False
    master_field: str | None = None


@dataclass(frozen=True)
class Formula:
    """A formula a document holds at ``path``: a ``boolean`` (or other ``returns``) formula
    over the records of ``object``, e.g. a scene's filter."""

    path: tuple[Any, ...]
    text: str
    object: str
    returns: str = "boolean"
    """``boolean`` or ``text``; ignored when ``target`` says which field it fits."""
    what: str = "formula"
    hint: str | None = None
    """What to write instead, when the formula gives another type than ``returns``."""
    context: str = "filter"
    """The formula context (:data:`hulian.formula.checker.CONTEXTS`): ``validation`` allows
    ISNEW, ISCHANGED and PRIORVALUE (an automation's condition)."""
    target: FormulaTarget | None = None
    """The field the value is written to: the formula must give a value that fits it."""
    reader: bool = True
    """Whether it runs for a reader and so may use ``$User`` (a scene's filter does; a
    webhook's filter runs in the worker, for nobody)."""


@dataclass(frozen=True)
class Document:
    """The model of one document of a kind: its api_name, the file it came from, and the
    document as written (what an export writes back), without ``$schema``."""

    api_name: str
    source: str
    document: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}),
                                        repr=False, compare=True)


class Report(Protocol):
    """Where a check puts problems (one per file, see :mod:`hulian.metadata.checks`)."""

    def add(self, code: str, path: tuple[Any, ...], message: str,
            hint: str | None = None) -> None: ...

    def labels(self, value: Any, path: tuple[Any, ...]) -> None: ...


@dataclass(frozen=True)
class ObjectView:
    """What checks may know of one object of the pack being checked (read from its
    document, which the object checks validate on their own)."""

    api_name: str
    fields: Mapping[str, Mapping[str, Any]]
    """Field api_name -> its document."""
    business_types: tuple[str, ...] = ("default",)
    children: tuple[str, ...] = ()
    """The names of the relationships (related lists) other objects give it."""
    actions: tuple[str, ...] = ()

    def field_type(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.get("type") if isinstance(found, Mapping) else None


@dataclass(frozen=True)
class PackView:
    """What a kind's checks may know of the pack: its objects, roles and scenes (from its
    documents). In a tenant's overlay, objects and roles of the installed packs are not
    known: ``partial`` is then True and names it does not know are left to the check of
    the merged metadata."""

    objects: Mapping[str, ObjectView]
    roles: Mapping[str, str]
    """Role api_name -> kind (``internal`` / ``interconnect``), the built-in ones included."""
    apps: tuple[str, ...] = ()
    scenes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Object -> its scenes' api_names (built-in and declared)."""
    partial: bool = False
    unreadable: frozenset[str] = frozenset()
    """Objects whose files exist but could not be read: present, but not known."""

    def relationship(self, parent: str, name: str) -> tuple[ObjectView, str] | None:
        """(child object, its lookup field) of the relationship ``name`` of ``parent``: a
        lookup's ``relationship_name``, or ``<ChildObject>.<field>`` without one."""
        for child in self.objects.values():
            for field_name, f in child.fields.items():
                if f.get("type") in ("lookup", "master_detail") \
                        and f.get("target") == parent and \
                        (f.get("relationship_name") or f"{child.api_name}.{field_name}") == name:
                    return child, field_name
        return None


class DocumentKind:
    """One kind of pack document. Subclasses set the class attributes and override
    :meth:`build`, :meth:`check` and :meth:`uses`; the rest has working defaults."""

    name: str = ""
    """The kind's name: ``layout``."""
    folder: str = ""
    """Where its files live in a pack: ``layouts`` (``layouts/<api_name>.json``)."""
    schema: str = ""
    """Its JSON Schema file in ``hulian/metadata/schemas/``."""
    what: str = ""
    """How messages name one: ``a layout``."""
    overridable: bool = True
    """Whether a tenant's overlay may replace a pack's document of the same api_name (in a
    file of the same name); a pack locks one with ``"customizable": {"document":
    "locked"}`` in it."""

    def file(self, api_name: str) -> str:
        return f"{self.folder}/{api_name}.json"

    def build(self, doc: Mapping[str, Any], source: str) -> Document:
        """The model of a valid document read from ``source``."""
        return Document(doc["api_name"], source, content(doc))

    def check(self, doc: Mapping[str, Any], file: str, report: Report,
              pack: PackView) -> None:
        """Report what the schema cannot see (unknown names, duplicates, types)."""

    def check_together(self, documents: list[tuple[str, Mapping[str, Any]]],
                       report_for: Callable[[str], Report], pack: PackView) -> None:
        """Report what is wrong across the kind's documents (two claims of one key)."""

    def uses(self, doc: Mapping[str, Any], pack: PackView) -> Iterator[Use]:
        """Every name the document uses (only well-formed parts)."""
        return iter(())

    def formulas(self, doc: Mapping[str, Any]) -> Iterator[Formula]:
        """Every formula of the document, for the engine to type-check when it compiles
        the pack (and to find the fields it names)."""
        return iter(())

    def snapshot(self, model: Document) -> dict[str, Any]:
        """The document an export writes for ``model``."""
        return dict(model.document)

    def switches(self, doc: Mapping[str, Any]) -> bool:
        """Whether ``doc`` (an overlay's) only switches a pack's document off or on."""
        return False

    def locked(self, doc: Mapping[str, Any]) -> bool:
        """Whether a tenant's overlay may not replace ``doc`` (a pack's document)."""
        return not self.overridable or mapping(doc.get("customizable")).get("document") \
            == "locked"
