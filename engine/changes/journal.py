"""What one write operation changed, collected as it goes and written to the outbox at its end.

A write touches more records than the one it names: details deleted with their master,
lookups cleared by a delete, ownership pushed down to details, roll-ups recomputed on
parents. Each place that writes records notes what it changed in the operation's
:class:`Journal` (the user's own changes, and hulian's ``system`` changes such as
roll-ups); the operation's last step (:func:`flush`) writes them all to the outbox, in the
order they happened, in the operation's transaction.

>>> journal = Journal()
>>> journal.updated(order, "01J...", {"status": "draft"}, {"status": "open"})
>>> journal.updated(account, "01K...", {"total": 0}, {"total": 10}, system=True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from hulian.engine.changes import outbox, packs
from hulian.engine.changes.outbox import Origin, Pending
from hulian.engine.changes.packs import Packed
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema

__all__ = ["CREATED_KEYS", "Journal", "created_values"]

CREATED_KEYS = ("owner_id", "department_id", "business_type", "out_tenant_id", "out_owner_id")
"""The system columns a create change reports with the record's field values."""


def _created_keys(obj: CompiledObject) -> tuple[str, ...]:
    return obj.memo.get(("created_keys",), lambda: (*CREATED_KEYS, *(
        f.api_name for f in obj.model.fields if f.api_name in obj.table.c)))


def created_values(obj: CompiledObject, row: Mapping[str, Any]) -> dict[str, Any]:
    """What a create change says was stored: the record's stored fields and ownership
    columns that have a value."""
    return {name: row[name] for name in _created_keys(obj) if row.get(name) is not None}


class Journal:
    """The changes of one operation, in order, each marked as the user's or the system's."""

    def __init__(self, schema: CompiledSchema) -> None:
        self.schema = schema
        self.entries: list[tuple[bool, Pending | Packed]] = []

    def _object_id(self, obj: CompiledObject) -> str:
        return str(self.schema.ids.get(obj.api_name, {}).get("id") or obj.api_name)

    def add(self, obj: CompiledObject, kind: str, record_id: str,
            before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, *,
            system: bool = False) -> None:
        self.entries.append((system, Pending(kind, obj.api_name, self._object_id(obj),
                                             record_id, before, after)))

    def created(self, obj: CompiledObject, rows: Sequence[Mapping[str, Any]]) -> None:
        """New records, as stored: many at once are noted as packs
        (:mod:`~hulian.engine.changes.packs`)."""
        object_id, name = self._object_id(obj), obj.api_name
        keys = _created_keys(obj)
        self.entries.extend(
            (False, entry if isinstance(entry, Packed) else Pending(
                "create", name, object_id, entry["id"], None,
                {k: entry[k] for k in keys if entry.get(k) is not None}))
            for entry in packs.pack(name, object_id, rows, keys))

    def updated(self, obj: CompiledObject, record_id: str, before: Mapping[str, Any],
                after: Mapping[str, Any], *, system: bool = False) -> None:
        """A change of some fields; nothing when no value differs."""
        changed = [k for k, v in after.items() if before.get(k) != v]
        if changed:
            self.add(obj, "update", record_id, {k: before.get(k) for k in changed},
                     {k: after[k] for k in changed}, system=system)

    def deleted(self, obj: CompiledObject, ids: Iterable[str], *, restored: bool = False
                ) -> None:
        kind = "restore" if restored else "delete"
        for record_id in ids:
            self.add(obj, kind, record_id, {"is_deleted": restored},
                     {"is_deleted": not restored})

    def flush(self, conn: sa.Connection, user: Origin, system: Origin) -> None:
        """Write the collected changes to the outbox (runs of the same origin together,
        in order) and forget them."""
        entries, self.entries = self.entries, []
        start = 0
        while start < len(entries):
            is_system = entries[start][0]
            end = start
            while end < len(entries) and entries[end][0] == is_system:
                end += 1
            outbox.append(conn, self.schema.tenant, system if is_system else user,
                          [pending for _, pending in entries[start:end]])
            start = end
