"""The recycle bin (回收站): who deleted which record when, kept beside the soft delete.

Deleting a record (:func:`~hulian.engine.records.deletes.delete_tree`) sets its
``is_deleted`` and puts one row per deleted record into the tenant's
``hulian_recycle_bin``: the record deleted on its own (``root_id`` NULL) and every detail
deleted with it (its ``root_object`` and ``root_id`` name that record). Restoring takes the
rows of the records restored out again; a detail its master's restore left deleted (it was
deleted on its own before) becomes a record deleted on its own. :func:`purge` in
:mod:`~hulian.engine.records.purge` drops what stayed longer than the retention.

As in Salesforce, the bin lists records deleted on their own: a detail deleted with its
master comes back with the master and cannot be restored alone (``restore_blocked``
while the master is deleted).

>>> statement = listing(schema, obj, select, visibility)      # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from hulian.engine.records.context import Context
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.system.tenant_tables import tables_of, tenant_tables

__all__ = ["CHUNK", "DELETED_AT", "DELETED_BY", "listing", "object_id", "put", "take"]

CHUNK = 500
DELETED_AT = "_deleted_at"
DELETED_BY = "_deleted_by"
"""The labels of the bin's columns in a listing (no field is named with a leading ``_``)."""


def object_id(schema: CompiledSchema, api_name: str) -> str:
    """The object's stable id (its api_name before its first deploy recorded one)."""
    return str(schema.ids.get(api_name, {}).get("id") or api_name)


def put(ctx: Context, levels: Sequence[tuple[CompiledObject, list[str]]]) -> None:
    """Put the records of ``levels`` in the bin: the first level's one record deleted on
    its own, the others deleted with it."""
    bin_table = tables_of(ctx.conn, ctx.schema.tenant).recycle_bin
    root_obj, (root_id,) = levels[0]
    root_object = object_id(ctx.schema, root_obj.api_name)
    rows = [{"object": root_object, "record_id": root_id, "root_object": None, "root_id": None}]
    for level_obj, ids in levels[1:]:
        oid = object_id(ctx.schema, level_obj.api_name)
        rows += [{"object": oid, "record_id": i, "root_object": root_object,
                  "root_id": root_id} for i in ids]
    common = {"deleted_at": ctx.now, "deleted_by": ctx.user.id}
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        _drop(ctx.conn, bin_table, [(r["object"], r["record_id"]) for r in chunk])
        ctx.conn.execute(bin_table.insert(), [{**r, **common} for r in chunk])


def take(ctx: Context, levels: Sequence[tuple[CompiledObject, list[str]]]) -> None:
    """Take the records of ``levels`` (restored: the first level's record, then the details
    restored with it) out of the bin; what was deleted with the first record and stays
    deleted is deleted on its own from now on."""
    bin_table = tables_of(ctx.conn, ctx.schema.tenant).recycle_bin
    keys = [(object_id(ctx.schema, o.api_name), i) for o, ids in levels for i in ids]
    for start in range(0, len(keys), CHUNK):
        _drop(ctx.conn, bin_table, keys[start:start + CHUNK])
    root_obj, (root_id,) = levels[0]
    ctx.conn.execute(bin_table.update().where(
        bin_table.c.root_id == root_id,
        bin_table.c.root_object == object_id(ctx.schema, root_obj.api_name))
        .values(root_object=None, root_id=None))


def _drop(conn: sa.Connection, bin_table: sa.Table, keys: list[tuple[str, str]]) -> None:
    by_object: dict[str, list[str]] = {}
    for oid, record_id in keys:
        by_object.setdefault(oid, []).append(record_id)
    for oid, ids in by_object.items():
        conn.execute(bin_table.delete().where(bin_table.c.object == oid,
                                              bin_table.c.record_id.in_(ids)))


def listing(schema: CompiledSchema, obj: CompiledObject, select: Any,
            conditions: Sequence[Any], after: tuple[dt.datetime, str] | None,
            limit: int) -> sa.Select:
    """The statement of one page of ``obj``'s bin, newest deletion first: the record
    columns of ``select`` (a record select), :data:`DELETED_AT` and :data:`DELETED_BY`;
    ``conditions`` (the reader's permission predicates) hold for each record, ``after`` is
    the (deleted_at, id) of the last entry of the previous page."""
    bin_table = tenant_tables(schema.dialect, schema.tenant).recycle_bin
    table = obj.table
    query = select.select().add_columns(bin_table.c.deleted_at.label(DELETED_AT),
                                        bin_table.c.deleted_by.label(DELETED_BY))
    query = query.where(bin_table.c.object == object_id(schema, obj.api_name),
                        bin_table.c.root_id.is_(None), table.c.is_deleted == sa.true(),
                        *conditions)
    if after is not None:
        at, record_id = after
        query = query.where(sa.or_(bin_table.c.deleted_at < at, sa.and_(
            bin_table.c.deleted_at == at, bin_table.c.record_id < record_id)))
    joined = select.from_clause().join(bin_table, bin_table.c.record_id == table.c.id)
    return query.select_from(joined).order_by(bin_table.c.deleted_at.desc(),
                                              bin_table.c.record_id.desc()).limit(limit + 1)
