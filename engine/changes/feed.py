"""The change feed: a reader's record changes in id order, resumable with signed cursors.

A page holds the changes with ids in ``(after, position]`` that the reader may see, oldest
first; its cursor carries ``position``, so the next page starts exactly where this one's
scan ended. The position is the id of the page's last change when the page is full, else
the end of the id range scanned: changes the reader may not see advance it too, and none
is ever read twice or skipped. The range never passes the newest committed change (read
first: ids are committed in order, see :mod:`hulian.engine.changes.outbox`), and spans at
most ``scan`` ids, so a reader who sees little of a busy tenant gets short (even empty)
pages quickly and reads on while ``more``.

What a reader sees is decided in SQL, per object they may read:
``object_id = :id AND record_id IN (SELECT id FROM <table> WHERE <read predicate>)``
(no subquery when they read every record; deleted records are in, since a delete must
reach an integration); the records of a pack of creates
(:mod:`~hulian.engine.changes.packs`) are checked with the same select. Fields they may
not see are taken out of ``before`` and ``after`` afterwards, and an update that changed
nothing they may see is left out.
Changes older than the feed retention are purged (:mod:`~hulian.engine.changes.retention`);
a cursor from before the last purge is ``cursor_expired``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from hulian.engine.changes import RecordChange
from hulian.engine.changes.names import FieldNames, object_id
from hulian.engine.changes.outbox import holding, last_id
from hulian.engine.changes.packs import unpack
from hulian.engine.changes.retention import purged_through
from hulian.engine.errors import GoneError, QueryError
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.schema.columns import SYSTEM_FIELDS
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.security.visibility import READ, Visibility
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.jsontext import dumps, loads

__all__ = ["MAX_LIMIT", "SCAN", "ChangesPage", "FeedAccess", "FeedCursors", "feed_access",
           "read_feed"]

MAX_LIMIT = 1000
SCAN = 10_000
"""The most change ids one page looks at."""
FEED = "~changes"
"""The cursor scope's second part (the first is the tenant)."""
MAX_CURSOR = 200


@dataclass(frozen=True)
class ChangesPage:
    """One page of the change feed: ``changes`` oldest first; ``next``, the cursor to read
    on from (never None: the feed goes on as records change); ``more``, whether changes
    after ``next`` were already committed when the page was read."""

    changes: list[RecordChange]
    next: str
    more: bool

    def __iter__(self) -> Any:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)


@dataclass(frozen=True)
class FeedCursors:
    """Signs and reads feed positions for one tenant."""

    signer: CursorSigner
    tenant: str

    def sign(self, position: int) -> str:
        return self.signer.sign((self.tenant, FEED), dumps({"p": position}).encode("utf-8"))

    def position(self, cursor: Any) -> int:
        """The position ``cursor`` carries; QueryError ``invalid_cursor`` unless this
        tenant's feed made it."""
        bad = QueryError("the cursor is not a change-feed cursor of this tenant",
                         code="invalid_cursor", parameter="after",
                         hint="pass the 'next' value of the previous page, or start from "
                              "GET /api/v1/changes/cursor (Session.changes_cursor())")
        if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
            raise bad
        raw = self.signer.verify((self.tenant, FEED), cursor)
        if raw is None:
            raise bad
        try:
            payload = loads(raw)
        except (ValueError, RecursionError):
            raise bad from None
        found = payload.get("p") if isinstance(payload, dict) else None
        if isinstance(found, bool) or not isinstance(found, int) or found < 0:
            raise bad
        return found


@dataclass(frozen=True)
class FeedAccess:
    """What a reader may see of the feed: ``condition``, on the changes table's rows, and
    per object (its stable id) the id column and select of the records they may read
    (None: every record), against which a pack's records are checked."""

    condition: sa.ColumnElement[bool]
    readable: Mapping[str, tuple[sa.ColumnElement[Any], sa.Select] | None]


def feed_access(changes: sa.Table, schema: CompiledSchema, visibility: Visibility,
                objects: Sequence[CompiledObject]) -> FeedAccess:
    """The changes of ``objects``' records the reader may read now, deleted ones included."""
    terms, readable = [], {}
    for obj in objects:
        stable = object_id(schema, obj.api_name)
        term = changes.c.object_id == stable
        visible = visibility.predicate(obj, READ)
        readable[stable] = None
        if visible is not None:
            ids = sa.select(obj.table.c.id).where(visible)
            term = sa.and_(term, sa.or_(changes.c.record_id.in_(ids), changes.c.span > 1))
            readable[stable] = (obj.table.c.id, ids)
        terms.append(term)
    return FeedAccess(sa.or_(*terms) if terms else sa.false(), readable)


def shown(values: dict[str, Any] | None, visible: frozenset[str]) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v for k, v in values.items() if k in visible}


def _window(conn: sa.Connection, access: FeedAccess, rows: Sequence[Any], begin: int,
            upper: int) -> tuple[list[tuple[str, RecordChange]], int | None]:
    """(object id, change) of the changes ``rows`` hold in ``(begin, upper]`` that the
    reader may see, and the last id in that range they hold. A pack's records are checked
    against the reader's records in SQL, as single changes are by the row condition."""
    found: list[tuple[str, RecordChange]] = []
    last = None
    for row in rows:
        held = [c for c in unpack(row) if begin < c.id <= upper]
        if not held:
            continue
        last = held[-1].id
        readable = access.readable.get(row.object_id) if row.span > 1 else None
        if readable is not None:
            column, ids = readable
            allowed = set(conn.scalars(ids.where(column.in_([c.record_id for c in held]))))
            held = [c for c in held if c.record_id in allowed]
        found.extend((row.object_id, c) for c in held)
    return found, last


def read_feed(conn: sa.Connection, schema: CompiledSchema, access: FeedAccess,
              names: FieldNames, visible: Callable[[str], frozenset[str]],
              cursors: FeedCursors, after: str | None, limit: int, *, scan: int = SCAN
              ) -> ChangesPage:
    """One page of the feed. ``access``: which changes the reader may see
    (:func:`feed_access`); ``visible``: an object's field names the reader may see."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}",
                         code="invalid_limit", parameter="limit")
    tenant = schema.tenant
    start = cursors.position(after) if after is not None else None
    high = last_id(conn, tenant)  # first: every id up to it is committed (and visible)
    changes = tables_of(conn, tenant).changes
    while True:
        begin = start if start is not None else purged_through(conn, tenant)
        upper = max(begin, min(high, begin + scan))  # a cursor ahead (a lagging replica) stays
        rows = conn.execute(sa.select(changes).where(
            *holding(changes, begin), changes.c.id <= upper, access.condition)
            .order_by(changes.c.id).limit(limit)).all()
        purged = purged_through(conn, tenant)  # after: a purge meanwhile shows here
        if purged <= begin:
            break
        if start is not None:
            raise GoneError("the cursor points before the oldest change the feed still "
                            "holds: changes after it have been purged",
                            code="cursor_expired",
                            hint="read the records again to catch up, then follow the feed "
                                 "from GET /api/v1/changes/cursor (Session.changes_cursor())")
    held, last = _window(conn, access, rows, begin, upper)
    if len(held) > limit:  # a pack held more
        held = held[:limit]
        position = held[-1][1].id
    else:
        position = last if len(rows) == limit and last is not None else upper
    names_now = {object_id(schema, name): name for name in schema.objects}
    found = []
    for stable, change in held:
        current = names_now[stable]
        if change.kind == "event":  # no field values: shown whole to the record's readers
            found.append(replace(change, object=current))
            continue
        fields = visible(current)
        before = shown(names.now(stable, change.at, change.before), fields)
        after_values = shown(names.now(stable, change.at, change.after), fields)
        if change.kind == "update" and not before and not after_values:
            continue  # it changed only fields the reader may not see
        found.append(replace(change, object=current, before=before, after=after_values))
    return ChangesPage(found, cursors.sign(position), position < high)


def visible_fields(obj: CompiledObject, hidden: frozenset[str]) -> frozenset[str]:
    """The field names of ``obj`` a reader who may not see ``hidden`` sees in a change."""
    return frozenset(n for n in (*obj.model.field_names, *SYSTEM_FIELDS) if n not in hidden)
