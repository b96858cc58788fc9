"""Child relationships: the lookup and master-detail fields pointing at an object.

Seen from its target, a reference field of a child object is a relationship (a
related list). It is called by the field's ``relationship_name``, else
``<ChildObject>.<field>``:

>>> [r.name for r in child_relationships(schema.object("Account"))]  # doctest: +SKIP
['Account.parent', 'Contact.account', 'opportunities']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hulian.engine.errors import NotFoundError
from hulian.engine.schema.compiled import CompiledObject, Reference
from hulian.metadata.hints import choices_hint

__all__ = ["ChildRelationship", "child_relationship", "child_relationships",
           "relationship_name"]


@dataclass(frozen=True)
class ChildRelationship:
    """The records of ``object`` whose reference ``field`` points at a parent record."""

    name: str
    object: str
    field: str
    type: str
    """``lookup`` or ``master_detail``"""


def relationship_name(reference: Reference) -> str:
    return reference.field.relationship_name or f"{reference.source}.{reference.field.api_name}"


def child_relationships(parent: CompiledObject) -> tuple[ChildRelationship, ...]:
    """Every relationship of ``parent`` (the fields pointing at it), by name."""
    found = (ChildRelationship(relationship_name(ref), ref.source, ref.field.api_name,
                               ref.field.type) for ref in parent.references_in)
    return tuple(sorted(found, key=lambda r: r.name))


def child_relationship(parent: CompiledObject, name: str,
                       shown: Callable[[ChildRelationship], bool] | None = None
                       ) -> ChildRelationship:
    """The relationship of ``parent`` called ``name``; NotFoundError when it has none
    (``shown``: the relationships that count, e.g. those the reader may see)."""
    known = tuple(r for r in child_relationships(parent) if shown is None or shown(r))
    found = next((r for r in known if r.name == name), None)
    if found is None:
        raise NotFoundError(
            f"{parent.api_name} has no relationship {name!r}", code="unknown_relationship",
            hint=choices_hint(str(name), [r.name for r in known],
                              f"relationships of {parent.api_name}",
                              none=f"no lookup or master-detail field points at "
                                   f"{parent.api_name}"))
    return found
