"""Roll-up summaries (统计字段), kept exact in the transaction of every child write.

A roll-up field on a parent object holds COUNT, SUM, MIN, MAX or AVG of a field of
its live child records (those whose relationship field points at the parent and that
pass the roll-up's filter formula). After any write that can change a child's
contribution (create, update, re-parent, delete, undelete, cascades), the writer calls
:func:`refresh` with the parents touched, old and new.

``refresh`` first locks those parent rows (``SELECT ... FOR UPDATE`` in id order on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), then aggregates
the children in a new statement (so, under READ COMMITTED, it sees every child another
transaction committed while it waited): ``GROUP BY`` in the database where that is
exact (PostgreSQL ``numeric``; SQLite's scaled integers for stored fields), in Python
with exact decimals for formula fields on SQLite (computed there as text). Recomputing,
rather than adding deltas, keeps MIN, MAX and AVG exact and never drifts. Parents that are
themselves children of a roll-up are refreshed in turn. Roll-ups fed by formulas that
read other records are kept by :mod:`~hulian.engine.records.rollup_sources`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import FieldError, RecordValidationError
from hulian.engine.formulas.select import base_select
from hulian.engine.records.filters import compiled_filter
from hulian.engine.records.plan import Link, write_plan
from hulian.engine.schema.compiled import CompiledSchema
from hulian.metadata.field_types import coercer
from hulian.metadata.values import Coercer, ValueProblem

__all__ = ["CHUNK", "Link", "parents_of", "recalc", "refresh", "relationships"]

CHUNK = 500


def relationships(schema: CompiledSchema, child: str) -> frozenset[str]:
    """The relationship fields of ``child`` that roll-ups depend on."""
    return write_plan(schema, child).feeds_through


def parents_of(schema: CompiledSchema, child: str,
               records: Iterable[Mapping[str, Any] | None]) -> dict[str, set[str]]:
    """relationship field -> the parent ids ``records`` (old or new versions) point at."""
    found: dict[str, set[str]] = defaultdict(set)
    for name in relationships(schema, child):
        for record in records:
            value = (record or {}).get(name)
            if isinstance(value, str):
                found[name].add(value)
    return found


def _lock(conn: sa.Connection, table: sa.Table, ids: list[str], names: list[str]
          ) -> dict[str, dict[str, Any]]:
    """The parents' stored roll-up values, their rows locked (``SELECT ... FOR UPDATE`` in
    id order on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers)."""
    query = sa.select(table.c.id, *(table.c[n] for n in names)).where(
        table.c.id.in_(ids)).order_by(table.c.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return {row.id: {n: row._mapping[n] for n in names} for row in conn.execute(query)}


def _aggregate(function: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if function == "COUNT":
        return Decimal(len(values))
    if function == "SUM":
        return sum(present, Decimal(0))
    if not present:
        return None
    if function == "MIN":
        return min(present)
    if function == "MAX":
        return max(present)
    return sum(present, Decimal(0)) / Decimal(len(present))  # AVG


def _group(links: tuple[Link, ...]) -> tuple[str, str, str]:
    """What names a group of links (one child, parent and relationship)."""
    return links[0].child, links[0].parent, links[0].relationship


def _children_statement(schema: CompiledSchema, links: tuple[Link, ...]) -> sa.Select:
    """The live children of ``:ids`` parents: relationship, roll-up inputs, filter results."""
    child = schema.object(links[0].child)
    select = base_select(schema, child)
    relationship = child.table.c[links[0].relationship]
    columns = [relationship.label("_parent")]
    for i, link in enumerate(links):
        spec = link.field.roll_up
        assert spec is not None
        if spec.field is not None:
            columns.append(select.column(spec.field).label(f"v{i}"))
        formula = schema.formulas[link.parent].roll_up_filters.get(link.field.api_name)
        if formula is not None:
            columns.append(compiled_filter(select, formula).label(f"f{i}"))
    query = sa.select(*columns).where(relationship.in_(sa.bindparam("ids", expanding=True)),
                                      child.table.c.is_deleted == sa.false())
    return query.select_from(select.from_clause())


def _children(conn: sa.Connection, schema: CompiledSchema, links: tuple[Link, ...],
              ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """parent id -> the live children's relationship, roll-up inputs and filter results."""
    query = schema.memo.get(("roll_up_children", *_group(links)),
                            lambda: _children_statement(schema, links))
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(query, {"ids": ids}):
        rows[row._mapping["_parent"]].append(dict(row._mapping))
    return rows


def _in_sql(schema: CompiledSchema, dialect: str, links: tuple[Link, ...]) -> bool:
    """Whether the database can aggregate exactly: always on PostgreSQL (numeric); on SQLite
    only stored child fields (scaled integers), not formula values."""
    if dialect == "postgresql":
        return True
    child = schema.object(links[0].child)
    for link in links:
        name = link.field.roll_up.field  # type: ignore[union-attr]
        f = child.model.field(name) if name else None
        if f is not None and f.computed:
            return False
    return True


def _aggregates_statement(schema: CompiledSchema, links: tuple[Link, ...]) -> sa.Select:
    child = schema.object(links[0].child)
    select = base_select(schema, child)
    relationship = child.table.c[links[0].relationship]
    columns: list[Any] = [relationship.label("_parent")]
    for i, link in enumerate(links):
        spec = link.field.roll_up
        assert spec is not None
        formula = schema.formulas[link.parent].roll_up_filters.get(link.field.api_name)
        chosen = compiled_filter(select, formula) if formula is not None else None
        value = select.column(spec.field) if spec.field else sa.literal(1)
        if chosen is not None:
            value = sa.case((chosen, value), else_=None)
        if spec.function in ("COUNT", "AVG"):
            columns.append(sa.func.count(value).label(f"c{i}"))
        if spec.function in ("SUM", "AVG", "MIN", "MAX"):
            function = {"AVG": sa.func.sum, "SUM": sa.func.sum, "MIN": sa.func.min,
                        "MAX": sa.func.max}[spec.function]
            columns.append(function(value).label(f"v{i}"))
    query = sa.select(*columns).where(relationship.in_(sa.bindparam("ids", expanding=True)),
                                      child.table.c.is_deleted == sa.false())
    return query.select_from(select.from_clause()).group_by(relationship)


def _aggregates(conn: sa.Connection, schema: CompiledSchema, links: tuple[Link, ...],
                ids: list[str]) -> dict[str, dict[str, Any]]:
    """parent id -> roll-up field -> its value, aggregated by the database (GROUP BY)."""
    query = schema.memo.get(("roll_up_aggregates", *_group(links)),
                            lambda: _aggregates_statement(schema, links))
    found: dict[str, dict[str, Any]] = {}
    for row in conn.execute(query, {"ids": ids}):
        values = row._mapping
        found[values["_parent"]] = {link.field.api_name: _from_sql(link, i, values)
                                    for i, link in enumerate(links)}
    return found


def _from_sql(link: Link, i: int, values: Mapping[str, Any]) -> Any:
    function = link.field.roll_up.function  # type: ignore[union-attr]
    if function == "COUNT":
        return Decimal(values[f"c{i}"])
    total = values[f"v{i}"]
    if function == "AVG":
        count = values[f"c{i}"]
        result = Decimal(str(total)) / Decimal(count) if count else None
    elif function == "SUM":
        result = Decimal(str(total)) if total is not None else Decimal(0)
    else:
        result = total
    if isinstance(result, Decimal) and link.field.scale is not None:
        result = result.quantize(Decimal(1).scaleb(-link.field.scale), ROUND_HALF_UP)
    return result


def _empty(link: Link) -> Any:
    """The value of a roll-up over no children."""
    return Decimal(0) if link.field.roll_up.function in ("COUNT", "SUM") else None  # type: ignore[union-attr]


def _value(link: Link, i: int, children: list[dict[str, Any]]) -> Any:
    spec = link.field.roll_up
    assert spec is not None
    chosen = [c for c in children if c.get(f"f{i}", True)]
    result = _aggregate(spec.function, [c.get(f"v{i}") for c in chosen])
    if isinstance(result, Decimal) and link.field.scale is not None:
        result = result.quantize(Decimal(1).scaleb(-link.field.scale), ROUND_HALF_UP)
    return result


def refresh(conn: sa.Connection, schema: CompiledSchema, child: str,
            parents: Mapping[str, set[str]], depth: int = 0, *, journal: Any = None) -> None:
    """Recompute every roll-up that ``child`` records feed, for the given parents
    (relationship field -> parent ids); then the roll-ups those parents feed. Only parents
    whose values change are written; each is noted in ``journal`` (a
    :class:`~hulian.engine.changes.journal.Journal`) as a system change."""
    for parent_name, relationship, links in write_plan(schema, child).feeds:
        ids = sorted(parents.get(relationship, ()))
        parent = schema.object(parent_name)
        in_sql = _in_sql(schema, conn.dialect.name, links)
        names = [link.field.api_name for link in links]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            stored = _lock(conn, parent.table, chunk, names)
            updates = []
            if in_sql:
                found = _aggregates(conn, schema, links, chunk)
                empty = {link.field.api_name: _empty(link) for link in links}
                rows = [found.get(parent_id, empty) for parent_id in chunk]
            else:
                children = _children(conn, schema, links, chunk)
                rows = [{link.field.api_name: _value(link, i, children.get(parent_id, []))
                         for i, link in enumerate(links)} for parent_id in chunk]
            for parent_id, values in zip(chunk, rows, strict=True):
                after = _checked(schema, parent_name, links, values)
                before = stored.get(parent_id)
                if before is None or before == after:
                    continue  # gone (deleted for good), or unchanged
                updates.append({"_id": parent_id, **after})
                if journal is not None:
                    journal.updated(parent, parent_id, before, after, system=True)
            if updates:
                statement = parent.table.update().where(
                    parent.table.c.id == sa.bindparam("_id"))
                conn.execute(statement.values({k: sa.bindparam(k) for k in names}), updates)
        if ids and depth < 10 and write_plan(schema, parent_name).feeds:
            rows = [dict(r._mapping) for start in range(0, len(ids), CHUNK)
                    for r in conn.execute(sa.select(parent.table).where(
                        parent.table.c.id.in_(ids[start:start + CHUNK])))]
            refresh(conn, schema, parent_name, parents_of(schema, parent_name, rows),
                    depth + 1, journal=journal)


def _coercer(schema: CompiledSchema, link: Link) -> Coercer:
    return schema.memo.get(("roll_up_coercer", link.parent, link.field.api_name),
                           lambda: coercer(link.field))


def _checked(schema: CompiledSchema, parent: str, links: tuple[Link, ...],
             values: dict[str, Any]) -> dict[str, Any]:
    """The values as the roll-up fields store them; RecordValidationError when one does not
    fit (e.g. a SUM larger than the field's precision)."""
    out = {}
    for link in links:
        name = link.field.api_name
        try:
            out[name] = _coercer(schema, link)(values[name])
        except ValueProblem as problem:
            raise RecordValidationError(link.child, [FieldError(
                link.relationship, "roll_up_overflow",
                f"the roll-up {parent}.{name} would be {values[name]}: {problem.message}",
                "widen the roll-up field's precision")]) from None
    return out


def recalc(conn: sa.Connection, schema: CompiledSchema, parent: str,
           field: str | None = None, *, journal: Any = None) -> int:
    """Rebuild the roll-ups of every live ``parent`` record (only ``field`` if given);
    the number of parent records recomputed."""
    obj = schema.object(parent)
    children = {f.roll_up.object for f in obj.model.fields
                if f.roll_up is not None and field in (None, f.api_name)}
    ids = list(conn.scalars(sa.select(obj.table.c.id).where(obj.table.c.is_deleted ==
                                                                 sa.false())))
    for child in sorted(children):
        wanted = {relationship: set(ids) for name, relationship, links
                  in write_plan(schema, child).feeds
                  if name == parent and any(field in (None, link.field.api_name)
                                            for link in links)}
        refresh(conn, schema, child, wanted, journal=journal)
    return len(ids)
