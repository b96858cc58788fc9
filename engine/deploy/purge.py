"""``hulian purge``: drop archived columns and tables for good.

Archiving keeps a removed field's column (or a removed object's table) under
``arch__<id>``; purging drops it (an object with its rows of the tenant's recycle bin,
activities and related teams). It is the one irreversible schema change, so it
is its own command, names what it drops, and is recorded in the tenant's history
as a version with the same metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from hulian.engine.deploy import versions
from hulian.engine.deploy.catalog import Catalog, Item
from hulian.engine.deploy.step import DESTRUCTIVE, Step
from hulian.engine.errors import NotFoundError
from hulian.engine.schema.naming import table_name, tenant_schema
from hulian.engine.system.tenant_tables import tables_of


@dataclass(frozen=True)
class Archived:
    """One archived field or object: what it was, since when, where it is kept."""

    id: str
    object: str
    field: str | None
    storage: str
    archived_version: int | None
    type: str | None

    @property
    def name(self) -> str:
        return f"{self.object}.{self.field}" if self.field else self.object

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "object": self.object, "field": self.field,
                "storage": self.storage, "archived_version": self.archived_version,
                "type": self.type}


def archived(catalog: Catalog) -> list[Archived]:
    by_id = {i.id: i for i in catalog.items}
    found = []
    for item in catalog.archived():
        document = item.document or {}
        if item.kind == "object":
            found.append(Archived(item.id, item.api_name, None, item.storage,
                                  item.archived_version, None))
        else:
            owner = by_id.get(item.object_id or "")
            found.append(Archived(item.id, owner.api_name if owner else "?", item.api_name,
                                  item.storage, item.archived_version, document.get("type")))
    return sorted(found, key=lambda a: (a.archived_version or 0, a.name))


def _select(found: list[Archived], names: list[str] | None) -> list[Archived]:
    if names is None:
        return found
    chosen = []
    for name in names:
        hits = [a for a in found if name in (a.name, a.id)]
        if not hits:
            known = ", ".join(a.name for a in found) or "nothing is archived"
            raise NotFoundError(f"{name!r} is not archived", code="unknown_archive",
                                hint=f"archived: {known}")
        chosen += [h for h in hits if h not in chosen]
    return chosen


def purge(conn: sa.Connection, tenant: str, names: list[str] | None, *, dry_run: bool,
          user: str) -> list[Archived]:
    """Drop the archived items ``names`` (all when None); what was (or would be) dropped."""
    catalog = Catalog(conn, tenant)
    chosen = _select(archived(catalog), names)
    if dry_run or not chosen:
        return chosen
    dialect = conn.dialect.name
    schema = tenant_schema(dialect, tenant)
    ops = Operations(MigrationContext.configure(conn))
    by_id = {i.id: i for i in catalog.items}
    objects = {e.id for e in chosen if e.field is None}
    ordered = [e for e in chosen if e.field is not None
               and by_id[e.id].object_id not in objects] + \
        [e for e in chosen if e.field is None]
    own = tables_of(conn, tenant)
    steps = []
    for entry in ordered:
        item: Item = by_id[entry.id]
        if entry.field is None:
            ops.drop_table(item.storage, schema=schema)
            conn.execute(own.sequences.delete().where(own.sequences.c.object == entry.object))
            for rows in (own.recycle_bin, own.activities, own.record_teams):
                conn.execute(rows.delete().where(rows.c.object == item.id))
        else:
            owner = by_id[item.object_id or ""]
            table = owner.storage if owner.state != "active" else \
                table_name(dialect, tenant, owner.api_name)
            ops.drop_column(table, item.storage, schema=schema)
        catalog.forget(item)
        steps.append(Step(f"purge_{'object' if entry.field is None else 'field'}", entry.object,
                          entry.field, f"drop archived {entry.name} for good "
                          f"(archived in version {entry.archived_version})", DESTRUCTIVE))
    number = versions.newest(conn, tenant)
    assert number is not None
    current = versions.load(conn, tenant, number)
    versions.record(conn, tenant, number + 1, current.pack(), current.layers, steps, [], user,
                    catalog.ids(current.pack()))
    return chosen
