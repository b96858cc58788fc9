"""Which layout document a user gets: resolution by kind, channel, role and business type.

The layouts of (object, kind, channel) are ranked for a user with roles R and a record of
business type T, most specific first:

1. an assignment to one of R **and** T;
2. an assignment to one of R (any type);
3. an assignment to T (any role);
4. the layout marked ``default``.

Several layouts at the same rank (assigned to two of the user's roles): the one whose
api_name sorts first. A ``mobile`` request tries the mobile layouts first and, when none
applies (the object has no mobile layout of that kind, or none for this user and no mobile
default), the web layouts the same way. No layout applies: None (the caller generates one).

>>> resolve(schema, "Order", "detail", "mobile", {"dealer_buyer"}, "sample")  # doctest: +SKIP
Layout(api_name='order_dealer_mobile', ...)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hulian.engine.schema.compiled import CompiledSchema
from hulian.metadata.kinds.layouts import Layout

__all__ = ["CHANNELS", "KINDS", "has_layouts", "resolve"]

CHANNELS = ("web", "mobile")
KINDS = ("detail", "list")
_DEFAULT_RANK = 3

Index = Mapping[str, Mapping[tuple[str, str], tuple[Layout, ...]]]


def _index(schema: CompiledSchema) -> Index:
    """object -> (kind, channel) -> its layouts by api_name (built once per schema)."""
    def build() -> Index:
        found: dict[str, dict[tuple[str, str], list[Layout]]] = {}
        for layout in schema.pack.part("layout"):
            found.setdefault(layout.object, {}).setdefault(
                (layout.kind, layout.channel), []).append(layout)
        return MappingProxyType({
            name: MappingProxyType({key: tuple(sorted(group, key=lambda lay: lay.api_name))
                                    for key, group in by_key.items()})
            for name, by_key in found.items()})

    return schema.memo.get(("layout_index",), build)


def has_layouts(schema: CompiledSchema, object_name: str) -> bool:
    return object_name in _index(schema)


def _rank(layout: Layout, roles: frozenset[str] | set[str], business_type: str) -> int | None:
    best: int | None = _DEFAULT_RANK if layout.default else None
    for assignment in layout.assignments:
        role_fits = assignment.role is None or assignment.role in roles
        type_fits = assignment.business_type is None or assignment.business_type == \
            business_type
        if not (role_fits and type_fits):
            continue
        rank = 0 if assignment.role and assignment.business_type else \
            1 if assignment.role else 2
        best = rank if best is None else min(best, rank)
    return best


def _best(layouts: tuple[Layout, ...], roles: Any, business_type: str) -> Layout | None:
    chosen: Layout | None = None
    chosen_rank = _DEFAULT_RANK + 1
    for layout in layouts:  # by api_name: the first of equal rank stays
        rank = _rank(layout, roles, business_type)
        if rank is not None and rank < chosen_rank:
            chosen, chosen_rank = layout, rank
    return chosen


def resolve(schema: CompiledSchema, object_name: str, kind: str, channel: str,
            roles: Any, business_type: str) -> Layout | None:
    """The layout a user with ``roles`` gets for a record of ``business_type`` (see the
    module's docstring); None: no layout applies."""
    by_key = _index(schema).get(object_name)
    if not by_key:
        return None
    for tried in (channel, "web") if channel == "mobile" else (channel,):
        found = _best(by_key.get((kind, tried), ()), roles, business_type)
        if found is not None:
            return found
    return None
