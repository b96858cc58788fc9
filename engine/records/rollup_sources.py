"""Roll-ups whose inputs live on other records: keeping them exact when those change.

A roll-up summarises a child field; when that field (or the roll-up's filter) is a
formula or quote that reads other records (``OrderLine.amount = quantity * unit_price``,
``unit_price`` quoting ``product.unit_price``), a write to such a record (a product's
price) changes the roll-up without touching any child. :func:`propagate` finds the
parents whose children read the written records (through the same joins the formulas
use) and refreshes them in the write's transaction.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.formulas.select import base_select
from hulian.engine.records.plan import Link, write_plan
from hulian.engine.records.rollups import CHUNK, refresh
from hulian.engine.schema.compiled import CompiledSchema


def _reads(schema: CompiledSchema, obj: str, name: str | None, prefix: tuple[str, ...],
           seen: set[tuple[str, str]]) -> set[tuple[str, ...]]:
    """The relationship paths (from the child) along which field ``name`` of ``obj`` reads
    other records: quotes and formula references, followed through the fields they use."""
    if name is None or (obj, name) in seen or obj not in schema.objects:
        return set()
    seen.add((obj, name))
    f = schema.object(obj).model.field(name)
    paths: set[tuple[str, ...]] = set()
    if f is not None and f.quote is not None:
        *hops, last = f.quote.split(".")
        target = _Paths(schema).reached(obj, tuple(hops))
        paths |= {(*prefix, *hops[:i]) for i in range(1, len(hops) + 1)}
        paths |= _reads(schema, target, last, (*prefix, *hops), seen) if target else set()
    formula = schema.formulas.get(obj)
    compiled = formula.fields.get(name) if formula and f is not None else None
    for ref in compiled.references if compiled else ():
        target = ref.target
        hops = getattr(target, "hops", ())
        paths |= {(*prefix, *hops[:i]) for i in range(1, len(hops) + 1)}
        paths |= _reads(schema, getattr(target, "object", ""), getattr(target, "field", None),
                        (*prefix, *hops), seen)
    return paths


class _Paths:
    """Which object a relationship path from an object reaches (pack objects only)."""

    def __init__(self, schema: CompiledSchema):
        self.schema = schema

    def reached(self, obj: str, hops: tuple[str, ...]) -> str | None:
        current = self.schema.pack.object(obj)
        for name in hops:
            f = current.field(name) if current is not None else None
            if f is None or not f.is_reference:
                return None
            current = self.schema.pack.object(f.target)
        return current.api_name if current is not None else None


def dependents(schema: CompiledSchema, changed: str) -> list[tuple[Link, tuple[str, ...]]]:
    """(roll-up, path from its child) for every roll-up whose summarised field or filter
    reads records of ``changed`` along that path (``OrderLine.amount`` reads
    ``product.unit_price``: a Product's change moves Order totals)."""
    paths = _Paths(schema)
    found = []
    for obj in schema.pack.objects:
        for f in obj.fields:
            if f.roll_up is None:
                continue
            link = Link(obj.api_name, f, f.roll_up.object, f.roll_up.relationship)
            reads = _reads(schema, link.child, f.roll_up.field, (), set())
            flt = schema.formulas[obj.api_name].roll_up_filters.get(f.api_name)
            for ref in flt.references if flt else ():
                hops = getattr(ref.target, "hops", ())
                reads |= {hops[:i] for i in range(1, len(hops) + 1)}
                reads |= _reads(schema, getattr(ref.target, "object", ""),
                                getattr(ref.target, "field", None), hops, set())
            found += [(link, path) for path in sorted(reads)
                      if paths.reached(link.child, path) == changed]
    return found


def _parents_reading(schema: CompiledSchema, link: Link, path: tuple[str, ...]) -> sa.Select:
    """The parents whose live children reach one of ``:ids`` along ``path``."""
    child = schema.object(link.child)
    select = base_select(schema, child)
    reached = select.table_at(path)
    relationship = child.table.c[link.relationship]
    return sa.select(relationship).distinct().select_from(select.from_clause()).where(
        reached.c.id.in_(sa.bindparam("ids", expanding=True)), relationship.is_not(None),
        child.table.c.is_deleted == sa.false())


def propagate(conn: sa.Connection, schema: CompiledSchema, changed: str,
              ids: list[str], *, journal: Any = None) -> None:
    """Records ``ids`` of ``changed`` were written: refresh the roll-ups whose children read
    them through a formula or a quote (``write_plan(schema, changed).read_by``)."""
    for link, path in write_plan(schema, changed).read_by:
        query = schema.memo.get(
            ("parents_reading", link.parent, link.field.api_name, path),
            lambda link=link, path=path: _parents_reading(schema, link, path))
        for start in range(0, len(ids), CHUNK):
            parents = set(conn.scalars(query, {"ids": ids[start:start + CHUNK]}))
            if parents:
                refresh(conn, schema, link.child, {link.relationship: parents},
                        journal=journal)
