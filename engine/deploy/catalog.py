"""Stable ids of a tenant's objects and fields, and their archives.

Every object and field a tenant deploys gets an id that never changes: a rename
updates the api_name and the storage name, not the id. A removed stored field or
object is *archived*: its column or table is renamed to ``arch__<id>`` (so the
api_name is free again), hidden from the metadata and the API, and restorable until
``hulian purge`` drops it. Rows live in the tenant's own ``hulian_schema_items``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from hulian.engine.ids import new_id
from hulian.engine.schema.naming import table_name
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.jsontext import dumps, loads
from hulian.metadata.model import ObjectDef, Pack

ACTIVE = "active"
ARCHIVED = "archived"


@dataclass(frozen=True)
class Item:
    id: str
    object_id: str | None
    kind: str
    api_name: str
    storage: str
    state: str
    archived_version: int | None = None
    archived_at: dt.datetime | None = None
    definition: str | None = None

    @property
    def document(self) -> Any:
        return loads(self.definition) if self.definition else None


def archive_name(item_id: str) -> str:
    """The column (or table suffix) an archived field (or object) is renamed to."""
    return f"arch__{item_id.lower()}"


def archive_table(dialect: str, tenant: str, item_id: str) -> str:
    return table_name(dialect, tenant, archive_name(item_id))


class Catalog:
    """The tenant's items, loaded once per deploy; writes go through the same connection."""

    def __init__(self, conn: sa.Connection, tenant: str, *, new: bool = False):
        """``new``: the tenant does not exist yet (it has no items, nor tables to read)."""
        self.conn = conn
        self.tenant = tenant
        self.table = schema_items = tables_of(conn, tenant).schema_items
        rows = [] if new else conn.execute(sa.select(schema_items)).all()
        self.items = [Item(r.id, r.object_id, r.kind, r.api_name, r.storage, r.state,
                           r.archived_version, r.archived_at, r.definition) for r in rows]

    # -- lookups ------------------------------------------------------------------------------

    def object(self, api_name: str, state: str = ACTIVE) -> Item | None:
        return next((i for i in self.items if i.kind == "object" and i.api_name == api_name
                     and i.state == state), None)

    def field(self, obj: str, api_name: str, state: str = ACTIVE) -> Item | None:
        owner = self.object(obj)
        if owner is None:
            return None
        return next((i for i in self.items if i.kind == "field" and i.object_id == owner.id
                     and i.api_name == api_name and i.state == state), None)

    def archived(self) -> list[Item]:
        return [i for i in self.items if i.state == ARCHIVED]

    def archived_fields(self, obj: str) -> list[Item]:
        owner = self.object(obj)
        return [i for i in self.items if owner is not None and i.kind == "field"
                and i.object_id == owner.id and i.state == ARCHIVED]

    def ids(self, pack: Pack) -> dict[str, Any]:
        """``{object: {"id": ..., "fields": {field: id}}}`` for the active items of ``pack``."""
        result: dict[str, Any] = {}
        for obj in pack.objects:
            item = self.object(obj.api_name)
            if item is None:
                continue
            result[obj.api_name] = {"id": item.id, "fields": {
                f.api_name: found.id for f in obj.fields
                if (found := self.field(obj.api_name, f.api_name)) is not None}}
        return result

    # -- writes -------------------------------------------------------------------------------

    def _insert(self, *items: Item) -> None:
        """Add ``items`` to the catalogue, in one statement (executemany for several)."""
        if not items:
            return
        self.conn.execute(self.table.insert(), [
            {"id": i.id, "object_id": i.object_id, "kind": i.kind, "api_name": i.api_name,
             "storage": i.storage, "state": i.state} for i in items])
        self.items.extend(items)

    def _update(self, item: Item, **values: Any) -> Item:
        self.conn.execute(self.table.update().where(self.table.c.id == item.id)
                          .values(**values))
        changed = Item(**{**item.__dict__, **values})
        self.items[self.items.index(item)] = changed
        return changed

    def add_object(self, obj: ObjectDef, storage: str) -> Item:
        item = Item(new_id(), None, "object", obj.api_name, storage, ACTIVE)
        self._insert(item)
        self.add_fields(obj, obj.field_names)
        return item

    def add_fields(self, obj: ObjectDef, names: Iterable[str]) -> None:
        owner = self.object(obj.api_name)
        assert owner is not None, f"{obj.api_name} has no catalogue entry"
        new = [Item(new_id(), owner.id, "field", name, name, ACTIVE)
               for name in dict.fromkeys(names) if self.field(obj.api_name, name) is None]
        self._insert(*new)

    def rename(self, item: Item, api_name: str, storage: str) -> None:
        self._update(item, api_name=api_name, storage=storage)

    def archive(self, item: Item, storage: str, version: int, definition: Any,
                when: dt.datetime) -> None:
        self._update(item, state=ARCHIVED, storage=storage, archived_version=version,
                     archived_at=when, definition=dumps(definition))

    def restore(self, item: Item, storage: str) -> None:
        self._update(item, state=ACTIVE, storage=storage, archived_version=None,
                     archived_at=None, definition=None)

    def forget(self, item: Item) -> None:
        self.conn.execute(self.table.delete().where(
            sa.or_(self.table.c.id == item.id, self.table.c.object_id == item.id)))
        self.items = [i for i in self.items if item.id not in (i.id, i.object_id)]

    def ensure(self, pack: Pack, dialect: str) -> None:
        """Give every object and field of ``pack`` an id (tenants deployed before ids existed)."""
        for obj in pack.objects:
            if self.object(obj.api_name) is None:
                self.add_object(obj, table_name(dialect, self.tenant, obj.api_name))
            else:
                self.add_fields(obj, obj.field_names)


def follow_ids(pack: Pack, ids: dict[str, Any], catalog: Catalog) -> Pack:
    """``pack`` (an earlier version, whose items had ``ids``) with ``renamed_from`` set
    wherever an object or field has been renamed since, so the plan renames it back
    instead of archiving one and adding another."""
    active = {i.id: i for i in catalog.items if i.state == ACTIVE}
    objects = []
    for obj in pack.objects:
        known = ids.get(obj.api_name) or {}
        now_obj = active.get(known.get("id", ""))
        fields = []
        for f in obj.fields:
            now_field = active.get((known.get("fields") or {}).get(f.api_name, ""))
            if now_field is not None and now_field.api_name != f.api_name:
                f = replace(f, renamed_from=now_field.api_name)
            fields.append(f)
        renamed = now_obj.api_name if now_obj is not None \
            and now_obj.api_name != obj.api_name else obj.renamed_from
        objects.append(replace(obj, fields=tuple(fields), renamed_from=renamed))
    return replace(pack, objects=tuple(objects))
