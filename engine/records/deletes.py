"""Soft delete and undelete, with what they do to other records.

Deleting a record first deals with the records pointing at it: a ``restrict`` lookup
that a live record still uses refuses the delete; master-detail children are deleted
with it (all levels, see :mod:`~hulian.engine.records.masters`); ``set_null`` lookups
are cleared. Roll-ups fed by every deleted or restored record are then recomputed.
Every record deleted goes into the recycle bin, and out again when it is restored
(:mod:`~hulian.engine.records.recycle_bin`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import ConflictError
from hulian.engine.records import masters, recycle_bin, rollups
from hulian.engine.records.context import Context
from hulian.engine.schema.compiled import CompiledObject

Mark = Callable[[], None]


def release_references(ctx: Context, obj: CompiledObject, ids: list[str],
                       deleting: dict[str, set[str]]) -> None:
    """Refuse while a ``restrict`` lookup of a live record (not being deleted too) uses
    one of ``ids``; clear ``set_null`` lookups to them."""
    blocked = []
    for ref in obj.references_in:
        if ref.field.on_delete != "restrict":
            continue
        source = ctx.object(ref.source)
        column = source.column(ref.field.api_name)
        live = sa.and_(column.in_(ids), source.table.c.is_deleted == sa.false(),
                       source.table.c.id.not_in(sorted(deleting.get(ref.source, ()))))
        count = ctx.conn.execute(sa.select(sa.func.count()).select_from(source.table)
                                 .where(live)).scalar_one()
        if count:
            blocked.append((ref.source, ref.field.api_name, count))
    if blocked:
        source, field, count = blocked[0]
        raise ConflictError(
            f"{obj.api_name} record {ids[0]} is still used by {count} {source} record(s) "
            f"through {field}", code="delete_restricted",
            hint="delete or re-point those records first") from None
    for ref in obj.references_in:
        if ref.field.on_delete != "set_null":
            continue
        source = ctx.object(ref.source)
        column = source.column(ref.field.api_name)
        changed = list(ctx.conn.scalars(sa.select(source.table.c.id).where(
            column.in_(ids), source.table.c.id.not_in(ids))))
        if not changed:
            continue
        before = _rows(ctx, source, changed)
        ctx.conn.execute(source.table.update().where(source.table.c.id.in_(changed)).values(
            {column.name: None, "version": source.table.c.version + 1,
             "updated_by": ctx.user.id, "updated_at": ctx.now}))
        if ctx.journal is not None:
            name = ref.field.api_name
            for row in before:
                ctx.journal.updated(source, row["id"], {name: row[column.name]}, {name: None})
        rollups.refresh(ctx.conn, ctx.schema, source.api_name,
                        rollups.parents_of(ctx.schema, source.api_name, before),
                        journal=ctx.journal)


def _rows(ctx: Context, obj: CompiledObject, ids: list[str]) -> list[dict[str, Any]]:
    rows = ctx.conn.execute(sa.select(obj.table).where(obj.table.c.id.in_(ids))).all()
    return [dict(r._mapping) for r in rows]


def delete_tree(ctx: Context, obj: CompiledObject, record_id: str, mark: Mark) -> None:
    """Delete one record (``mark`` does it, with its optimistic-lock check), its details
    at every level, and release what points at each; then refresh the roll-ups."""
    levels: list[tuple[CompiledObject, list[str]]] = [(obj, [record_id])]
    masters.cascade_delete(ctx, obj, [record_id], lambda d, ids: levels.append((d, ids)))
    deleting: dict[str, set[str]] = {}
    for level_obj, ids in levels:
        deleting.setdefault(level_obj.api_name, set()).update(ids)
    _note(ctx, levels, restored=False)  # what the user deleted, before what follows from it
    for level_obj, ids in levels:
        release_references(ctx, level_obj, ids, deleting)
    mark()
    recycle_bin.put(ctx, levels)
    _refresh(ctx, levels)


def restore_tree(ctx: Context, obj: CompiledObject, current: dict[str, Any],
                 mark: Mark) -> None:
    """Undelete one record and the details deleted with it; then refresh the roll-ups."""
    mark()
    levels: list[tuple[CompiledObject, list[str]]] = [(obj, [current["id"]])]
    masters.cascade_restore(ctx, obj, [current["id"]], current["updated_at"],
                            lambda d, ids: levels.append((d, ids)))
    recycle_bin.take(ctx, levels)
    _note(ctx, levels, restored=True)
    _refresh(ctx, levels)


def _note(ctx: Context, levels: list[tuple[CompiledObject, list[str]]], *,
          restored: bool) -> None:
    """The record and its details, deleted or restored, in the operation's journal (the
    record first, then its details level by level)."""
    if ctx.journal is not None:
        for level_obj, ids in levels:
            ctx.journal.deleted(level_obj, ids, restored=restored)


def _refresh(ctx: Context, levels: list[tuple[CompiledObject, list[str]]]) -> None:
    for level_obj, ids in levels:
        if rollups.relationships(ctx.schema, level_obj.api_name):
            rollups.refresh(ctx.conn, ctx.schema, level_obj.api_name,
                            rollups.parents_of(ctx.schema, level_obj.api_name,
                                               _rows(ctx, level_obj, ids)),
                            journal=ctx.journal)
