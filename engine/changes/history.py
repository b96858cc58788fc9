"""A record's history (audit trail): who changed which tracked field, from what to what.

Read from the outbox (:mod:`hulian.engine.changes.outbox`), newest first, as a record
page shows it. Every create, delete and restore is an entry (a create with the values it
gave the tracked fields, as Salesforce's "Created."); an update is one only when it
changed a tracked field the reader may see, and shows just those fields. Only changes
within the object's ``history_retention_days`` are shown.

Entries are paged with signed cursors bound to the tenant, the object and the record. A
page looks at no more than ``scan`` changes (a record changed often by roll-ups on
untracked fields), so it may hold fewer than ``limit`` entries and still have a ``next``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.changes import RecordChange, packs
from hulian.engine.changes.names import FieldNames
from hulian.engine.errors import QueryError
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.jsontext import dumps, loads

__all__ = ["MAX_LIMIT", "SCAN", "FieldChange", "HistoryEntry", "HistoryPage", "read_history"]

MAX_LIMIT = 200
SCAN = 2000
"""The most changes one page of a history looks at."""
MAX_CURSOR = 200


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class HistoryEntry:
    """One change of the record: ``kind`` (create, update, delete, restore), who made it
    (``user`` id and ``user_name``; None: hulian itself, e.g. a roll-up), when, through
    what (``channel``, ``request_id``) and the tracked ``fields`` it changed, in the
    object's field order. Values are as the outbox keeps them: JSON values, decimals
    exact, dates and times ISO 8601 text."""

    id: int
    kind: str
    at: dt.datetime
    user: str | None
    user_name: str | None
    enterprise: str | None
    channel: str
    request_id: str | None
    fields: tuple[FieldChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "at": self.at,
                "user": None if self.user is None else {"id": self.user,
                                                        "name": self.user_name},
                "enterprise": self.enterprise, "channel": self.channel,
                "request_id": self.request_id,
                "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class HistoryPage:
    """One page of a record's history, newest first; ``next`` reads on (None: the end)."""

    entries: list[HistoryEntry]
    next: str | None

    def __iter__(self) -> Any:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class HistoryQuery:
    """Which record's history, as whom: the object's stable id, the record, the tracked
    fields the reader may see (in display order) and the object's retention."""

    tenant: str
    object_id: str
    record_id: str
    fields: tuple[str, ...]
    retention_days: int

    @property
    def scope(self) -> tuple[str, str]:
        return self.tenant, f"~history/{self.object_id}/{self.record_id}"


def _position(signer: CursorSigner, query: HistoryQuery, cursor: Any) -> int:
    bad = QueryError("the cursor is not a cursor of this record's history",
                     code="invalid_cursor", parameter="after",
                     hint="pass the 'next' value of the previous page of the same record")
    raw = signer.verify(query.scope, cursor) \
        if isinstance(cursor, str) and len(cursor) <= MAX_CURSOR else None
    if raw is None:
        raise bad
    try:
        payload = loads(raw)
    except (ValueError, RecursionError):
        raise bad from None
    found = payload.get("p") if isinstance(payload, dict) else None
    if isinstance(found, bool) or not isinstance(found, int):
        raise bad
    return found


def _fields(kind: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
            shown: Sequence[str]) -> tuple[FieldChange, ...] | None:
    """The entry's field changes; None when the change is no entry of the history."""
    if kind == "event":  # a flow's event changes no field: the approval history shows it
        return None
    before, after = before or {}, after or {}
    if kind == "create":
        return tuple(FieldChange(f, None, after[f]) for f in shown
                     if after.get(f) is not None)
    if kind != "update":
        return ()
    changed = tuple(FieldChange(f, before.get(f), after.get(f)) for f in shown
                    if f in before or f in after)
    return changed or None


def _own(row: Any, record_id: str) -> RecordChange | None:
    """The record's change a row of the outbox holds: the row's, or the record's create in
    a pack of creates (:mod:`~hulian.engine.changes.packs`; None: a pack of others'). A
    create is a record's oldest entry, so no page's cursor falls inside its pack."""
    if row.span == 1:
        return packs.unpack(row)[0]
    return next((c for c in packs.unpack(row) if c.record_id == record_id), None)


def read_history(conn: sa.Connection, query: HistoryQuery, names: FieldNames,
                 signer: CursorSigner, after: str | None, limit: int, now: dt.datetime,
                 *, scan: int = SCAN) -> HistoryPage:
    """One page of the history ``query`` names (the caller has checked that the reader
    may read the record)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}",
                         code="invalid_limit", parameter="limit")
    position = _position(signer, query, after) if after is not None else None
    changes = tables_of(conn, query.tenant).changes
    base = sa.select(changes).where(
        changes.c.object_id == query.object_id,
        changes.c.record_id.in_([query.record_id, packs.key(query.record_id)]),
        changes.c.at >= now - dt.timedelta(days=query.retention_days))
    found: list[tuple[Any, tuple[FieldChange, ...]]] = []
    scanned, exhausted = 0, False
    while len(found) <= limit and scanned < scan:
        batch = min(scan - scanned, max(2 * limit, 50))
        statement = base if position is None else base.where(changes.c.id < position)
        rows = conn.execute(statement.order_by(changes.c.id.desc()).limit(batch)).all()
        for row in rows:
            scanned += 1
            position = row.id
            change = _own(row, query.record_id)
            if change is None:  # a pack of others' creates
                continue
            fields = _fields(change.kind, names.now(query.object_id, change.at, change.before),
                             names.now(query.object_id, change.at, change.after),
                             query.fields)
            if fields is not None:
                found.append((change, fields))
                if len(found) > limit:
                    break
        if len(rows) < batch:
            exhausted = True
            break
    if len(found) > limit:
        found = found[:limit]
        next_position: int | None = found[-1][0].id
    else:
        next_position = None if exhausted else position
    people = _names(conn, query.tenant, {c.user for c, _ in found if c.user is not None})
    entries = [HistoryEntry(c.id, c.kind, c.at, c.user, people.get(c.user or ""),
                            c.enterprise, c.channel, c.request_id, fields)
               for c, fields in found]
    cursor = None if next_position is None else signer.sign(
        query.scope, dumps({"p": next_position}).encode("utf-8"))
    return HistoryPage(entries, cursor)


def _names(conn: sa.Connection, tenant: str, ids: set[str]) -> dict[str, str]:
    """User id -> display name, for the given ids of the tenant."""
    if not ids:
        return {}
    users = tables_of(conn, tenant).users
    return {row.id: row.display_name for row in conn.execute(
        sa.select(users.c.id, users.c.display_name).where(users.c.id.in_(sorted(ids))))}
