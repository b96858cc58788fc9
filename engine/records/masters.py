"""Master-detail relationships: a detail record lives and dies with its master.

- **Ownership follows the master.** A detail's owner, department and interconnect
  columns are its (first) master's; they are copied on create and re-parenting, and
  pushed down to every detail (at every level) when a master's owner changes.
- **Cascade delete.** Deleting a master soft-deletes its live details, level by
  level, stamped with the master's deletion time.
- **Cascade undelete.** Restoring a master restores the details deleted *with* it
  (same deletion time); details deleted on their own before stay deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import FieldError
from hulian.engine.records.checks import disclosure
from hulian.engine.records.context import Context
from hulian.engine.records.plan import write_plan
from hulian.engine.schema.compiled import CompiledObject

OWNERSHIP = ("owner_id", "department_id", "out_tenant_id", "out_owner_id")
CHUNK = 500


def follow_masters(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]],
                   errors: list[FieldError]) -> None:
    """Give each row that names its master the master's ownership columns."""
    f = write_plan(ctx.schema, obj.api_name).master
    if f is None:
        return
    shown = disclosure(ctx)
    master = f.target if shown is None or shown.nameable(f.target) else "master"
    for i, row in enumerate(rows):
        if "owner_id" in row and f.api_name not in row:
            errors.append(FieldError("owner_id", "read_only",
                                     f"a {obj.api_name} record is owned by its {master}",
                                     f"change the owner of the {master} record", row=i))
        for key in ("out_tenant_id", "out_owner_id"):
            if key in row:
                errors.append(FieldError(key, "read_only",
                                         f"a {obj.api_name} record is assigned with its"
                                         f" {master}", f"assign the {master} record", row=i))
    wanted = sorted({r[f.api_name] for r in rows if isinstance(r.get(f.api_name), str)})
    if not wanted:
        return
    master = ctx.object(f.target).table
    owners: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), CHUNK):
        query = sa.select(master.c.id, *(master.c[c] for c in OWNERSHIP)).where(
            master.c.id.in_(wanted[start:start + CHUNK]))
        owners.update({r.id: {c: r._mapping[c] for c in OWNERSHIP}
                       for r in ctx.conn.execute(query)})
    for row in rows:
        found = owners.get(row.get(f.api_name))
        if found is not None:
            row.update(found)


def push_ownership(ctx: Context, obj: CompiledObject, ids: list[str],
                   values: dict[str, Any]) -> None:
    """``ids`` of ``obj`` changed ownership columns: their details (all levels) follow."""
    for ref in obj.references_in:
        if ref.field.type != "master_detail":
            continue
        detail = ctx.object(ref.source)
        decides = write_plan(ctx.schema, detail.api_name).master
        if decides is None or decides.api_name != ref.field.api_name:
            continue
        column = detail.table.c[ref.field.api_name]
        table = detail.table
        children: list[str] = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            found = ctx.conn.execute(sa.select(table.c.id, *(table.c[k] for k in values))
                                     .where(column.in_(chunk))).all()
            children += [row.id for row in found]
            ctx.conn.execute(table.update().where(column.in_(chunk)).values(values))
            if ctx.journal is not None:
                for row in found:
                    ctx.journal.updated(detail, row.id, {k: row._mapping[k] for k in values},
                                        values)
        if children:
            push_ownership(ctx, detail, children, values)


def cascade_delete(ctx: Context, obj: CompiledObject, ids: list[str],
                   on_deleted: Any) -> None:
    """Soft-delete the live details of ``ids`` (all levels), stamped ``ctx.now``.

    ``on_deleted(detail_obj, detail_ids)`` runs for each level before it is marked
    (the session releases their own references and refreshes roll-ups there).
    """
    for ref in obj.references_in:
        if ref.field.type != "master_detail":
            continue
        detail = ctx.object(ref.source)
        table = detail.table
        column = table.c[ref.field.api_name]
        deleting = set(ids)  # a detail that is its own master's master is deleted already
        children = [child for start in range(0, len(ids), CHUNK)
                    for child in ctx.conn.scalars(sa.select(table.c.id).where(
                        column.in_(ids[start:start + CHUNK]), table.c.is_deleted == sa.false()))
                    if child not in deleting]
        if not children:
            continue
        cascade_delete(ctx, detail, children, on_deleted)
        on_deleted(detail, children)
        _mark(ctx, detail, children, deleted=True)


def cascade_restore(ctx: Context, obj: CompiledObject, ids: list[str],
                    deleted_at: dt.datetime, on_restored: Any) -> None:
    """Restore the details of ``ids`` deleted at ``deleted_at`` (with their master)."""
    for ref in obj.references_in:
        if ref.field.type != "master_detail":
            continue
        detail = ctx.object(ref.source)
        table = detail.table
        column = table.c[ref.field.api_name]
        children = [child for start in range(0, len(ids), CHUNK)
                    for child in ctx.conn.scalars(sa.select(table.c.id).where(
                        column.in_(ids[start:start + CHUNK]), table.c.is_deleted == sa.true(),
                        table.c.updated_at == deleted_at))]
        if not children:
            continue
        _mark(ctx, detail, children, deleted=False)
        on_restored(detail, children)
        cascade_restore(ctx, detail, children, deleted_at, on_restored)


def _mark(ctx: Context, obj: CompiledObject, ids: Iterable[str], *, deleted: bool) -> None:
    table = obj.table
    listed = list(ids)
    for start in range(0, len(listed), CHUNK):
        ctx.conn.execute(table.update().where(table.c.id.in_(listed[start:start + CHUNK]))
                         .values(is_deleted=deleted, version=table.c.version + 1,
                                 updated_by=ctx.user.id, updated_at=ctx.now))
