"""Emptying the recycle bin: records deleted before a cutoff are deleted for good.

For each record in the bin since before the cutoff (those deleted with a master go with
it), :func:`purge_batch` deletes its row, its activities, its related team rows and its
bin row. Nothing else can point at it by then: a ``restrict`` lookup of a live record
refused its delete, ``set_null`` lookups were cleared when it was deleted, a live record
cannot be pointed at a deleted one, and records deleted before it that point at it are
older still, so they go in the same purge or an earlier one. Roll-ups count live records
only, so none changes. The record changes of the outbox (``hulian_changes``) are history
and stay.

Rows are deleted in this order: a record deleted on its own, the records deleted with
it, then the tenant's own rows about them. A restore locks the record first, then the
details, then the bin: the same order, so a purge and a restore never wait on each other
in a cycle; a record restored while the purge waited for it is left alone (each delete
asks again that the record be deleted).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hulian.engine.records.recycle_bin import CHUNK, object_id
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.system.tenant_tables import TenantTables, tables_of

__all__ = ["BATCH", "PurgeReport", "count", "purge_batch"]

BATCH = 1000
"""Records deleted on their own purged per batch (with what was deleted with them)."""


@dataclass
class PurgeReport:
    """What a purge deleted (or, with ``dry_run``, would delete): records by object,
    activities and related team rows."""

    tenant: str
    cutoff: dt.datetime
    dry_run: bool = False
    records: dict[str, int] = field(default_factory=dict)
    activities: int = 0
    team_rows: int = 0

    @property
    def total(self) -> int:
        return sum(self.records.values())

    def add(self, other: PurgeReport) -> None:
        for name, n in other.records.items():
            self.records[name] = self.records.get(name, 0) + n
        self.activities += other.activities
        self.team_rows += other.team_rows

    def to_dict(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "cutoff": self.cutoff, "dry_run": self.dry_run,
                "records": dict(sorted(self.records.items())), "total": self.total,
                "activities": self.activities, "team_rows": self.team_rows}


def _objects(schema: CompiledSchema) -> dict[str, CompiledObject]:
    """Stable id -> compiled object, for the tenant's objects (archived ones are left in
    the bin: their tables are kept as they are until ``hulian purge``)."""
    return {object_id(schema, name): obj for name, obj in schema.objects.items()}


def count(conn: sa.Connection, schema: CompiledSchema, cutoff: dt.datetime) -> PurgeReport:
    """What :func:`purge_batch` would delete, in all, for ``cutoff``."""
    tables = tables_of(conn, schema.tenant)
    bin_table, report = tables.recycle_bin, PurgeReport(schema.tenant, cutoff, dry_run=True)
    objects = _objects(schema)
    query = sa.select(bin_table.c.object, sa.func.count()).where(
        bin_table.c.deleted_at < cutoff, bin_table.c.object.in_(sorted(objects))
    ).group_by(bin_table.c.object)
    for oid, n in conn.execute(query):
        report.records[objects[oid].api_name] = n
    for table in (tables.activities, tables.record_teams):
        joined = table.join(bin_table, sa.and_(bin_table.c.object == table.c.object,
                                               bin_table.c.record_id == table.c.record_id))
        n = conn.execute(sa.select(sa.func.count()).select_from(joined).where(
            bin_table.c.deleted_at < cutoff, bin_table.c.object.in_(sorted(objects)))
        ).scalar_one()
        if table is tables.activities:
            report.activities = n
        else:
            report.team_rows = n
    return report


def purge_batch(conn: sa.Connection, schema: CompiledSchema, cutoff: dt.datetime,
                batch: int = BATCH) -> tuple[PurgeReport, int]:
    """Purge up to ``batch`` records deleted on their own before ``cutoff`` (the oldest
    deletions first) with those deleted with them; the report and how many records
    deleted on their own were taken (fewer than ``batch``: the bin holds no more)."""
    tables = tables_of(conn, schema.tenant)
    bin_table, report = tables.recycle_bin, PurgeReport(schema.tenant, cutoff)
    objects = _objects(schema)
    roots = conn.execute(sa.select(bin_table.c.object, bin_table.c.record_id).where(
        bin_table.c.root_id.is_(None), bin_table.c.deleted_at < cutoff,
        bin_table.c.object.in_(sorted(objects))).order_by(
        bin_table.c.deleted_at, bin_table.c.object, bin_table.c.record_id).limit(batch)).all()
    own: list[tuple[str, str]] = [(r.object, r.record_id) for r in roots]
    by_root: dict[str, list[str]] = defaultdict(list)
    for oid, record_id in own:
        by_root[oid].append(record_id)
    swept: list[tuple[str, str]] = []
    for oid, ids in by_root.items():
        for start in range(0, len(ids), CHUNK):
            swept += [(r.object, r.record_id) for r in conn.execute(sa.select(
                bin_table.c.object, bin_table.c.record_id).where(
                bin_table.c.root_object == oid,
                bin_table.c.root_id.in_(ids[start:start + CHUNK])))]
    gone = _delete_records(conn, objects, own, report)
    for oid, ids in _delete_records(conn, objects, swept, report).items():
        gone[oid] += ids
    _delete_rows(conn, tables, own + swept, gone, report)
    return report, len(roots)


def _delete_records(conn: sa.Connection, objects: dict[str, CompiledObject],
                    entries: list[tuple[str, str]], report: PurgeReport
                    ) -> dict[str, list[str]]:
    """Delete the rows of ``entries`` that are still deleted records; the ids deleted, by
    object id."""
    gone: dict[str, list[str]] = defaultdict(list)
    pending: dict[str, list[str]] = defaultdict(list)

    def flush(oid: str) -> None:
        ids, table = pending.pop(oid), objects[oid].table
        gone[oid] += conn.scalars(table.delete().where(
            table.c.id.in_(ids), table.c.is_deleted == sa.true()).returning(table.c.id))

    for oid, record_id in entries:
        if oid in objects:
            pending[oid].append(record_id)
            if len(pending[oid]) == CHUNK:
                flush(oid)
    for oid in list(pending):
        flush(oid)
    for oid, ids in gone.items():
        name = objects[oid].api_name
        report.records[name] = report.records.get(name, 0) + len(ids)
    return gone


def _delete_rows(conn: sa.Connection, tables: TenantTables, entries: list[tuple[str, str]],
                 gone: dict[str, list[str]], report: PurgeReport) -> None:
    """Delete the bin rows of ``entries``, and the activities and team rows of the records
    ``gone``."""
    listed: dict[str, list[str]] = defaultdict(list)
    for oid, record_id in entries:
        listed[oid].append(record_id)
    for oid, ids in listed.items():
        for start in range(0, len(ids), CHUNK):
            conn.execute(tables.recycle_bin.delete().where(
                tables.recycle_bin.c.object == oid,
                tables.recycle_bin.c.record_id.in_(ids[start:start + CHUNK])))
    for oid, ids in gone.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            report.activities += conn.execute(tables.activities.delete().where(
                tables.activities.c.object == oid,
                tables.activities.c.record_id.in_(chunk))).rowcount
            report.team_rows += conn.execute(tables.record_teams.delete().where(
                tables.record_teams.c.object == oid,
                tables.record_teams.c.record_id.in_(chunk))).rowcount
