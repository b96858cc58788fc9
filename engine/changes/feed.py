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
reach an integration). Fields they may not see are taken out of ``before`` and
``after`` afterwards, and an update that changed nothing they may see is left out.
Changes older than the feed retention are purged (:mod:`~hulian.engine.changes.retention`);
a cursor from before the last purge is ``cursor_expired``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from hulian.engine.changes import RecordChange
from hulian.engine.changes.names import FieldNames, object_id
from hulian.engine.changes.outbox import last_id
from hulian.engine.changes.retention import purged_through
from hulian.engine.errors import GoneError, QueryError
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.schema.columns import SYSTEM_FIELDS
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.security.visibility import READ, Visibility
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.jsontext import dumps, loads

__all__ = ["MAX_LIMIT", "SCAN", "ChangesPage", "FeedCursors", "read_feed"]

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


def feed_condition(changes: sa.Table, schema: CompiledSchema, visibility: Visibility,
                   objects: Sequence[CompiledObject]) -> sa.ColumnElement[bool]:
    """The changes of ``objects``' records the reader may read now, deleted ones included."""
    terms = []
    for obj in objects:
        term = changes.c.object_id == object_id(schema, obj.api_name)
        visible = visibility.predicate(obj, READ)
        if visible is not None:
            term = sa.and_(term, changes.c.record_id.in_(
                sa.select(obj.table.c.id).where(visible)))
        terms.append(term)
    return sa.or_(*terms) if terms else sa.false()


def shown(values: dict[str, Any] | None, visible: frozenset[str]) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v for k, v in values.items() if k in visible}


def read_feed(conn: sa.Connection, schema: CompiledSchema, condition: sa.ColumnElement[bool],
              names: FieldNames, visible: Callable[[str], frozenset[str]],
              cursors: FeedCursors, after: str | None, limit: int, *, scan: int = SCAN
              ) -> ChangesPage:
    """One page of the feed. ``condition``: which changes the reader may see
    (:func:`feed_condition`); ``visible``: an object's field names the reader may see."""
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
            changes.c.id > begin, changes.c.id <= upper, condition)
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
    position = rows[-1].id if len(rows) == limit else upper
    names_now = {object_id(schema, name): name for name in schema.objects}
    found = []
    for row in rows:
        change = decode(row)
        current = names_now[row.object_id]
        if change.kind == "event":  # no field values: shown whole to the record's readers
            found.append(replace(change, object=current))
            continue
        fields = visible(current)
        before = shown(names.now(row.object_id, change.at, change.before), fields)
        after_values = shown(names.now(row.object_id, change.at, change.after), fields)
        if change.kind == "update" and not before and not after_values:
            continue  # it changed only fields the reader may not see
        found.append(replace(change, object=current, before=before, after=after_values))
    return ChangesPage(found, cursors.sign(position), position < high)


def decode(row: Any) -> RecordChange:
    """A row of the changes table as a :class:`RecordChange` (values decoded)."""
    return RecordChange(row.id, row.kind, row.object, row.record_id,
                        loads(row.before) if row.before is not None else None,
                        loads(row.after) if row.after is not None else None,
                        row.user_id, row.enterprise_id, row.channel, row.request_id, row.at)


def visible_fields(obj: CompiledObject, hidden: frozenset[str]) -> frozenset[str]:
    """The field names of ``obj`` a reader who may not see ``hidden`` sees in a change."""
    return frozenset(n for n in (*obj.model.field_names, *SYSTEM_FIELDS) if n not in hidden)
