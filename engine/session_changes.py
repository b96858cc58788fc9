"""What changed, as methods of :class:`~hulian.engine.Session`: a record's history (audit
trail) and the change feed, both read from the outbox under the user's permissions.

>>> page = s.history("Order", order_id)                   # doctest: +SKIP
>>> [(e.kind, e.user_name, [(f.field, f.old, f.new) for f in e.fields]) for e in page]
[('update', 'Mei', [('status', 'draft', 'confirmed')]), ('create', 'Mei', [...])]
>>> feed = s.changes(after=cursor, objects=["Order"])     # doctest: +SKIP
>>> cursor = feed.next                                    # keep it for the next read

See docs/integration.md (Record history, Change feed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from hulian.engine.changes import outbox
from hulian.engine.changes.feed import (
    ChangesPage,
    FeedCursors,
    feed_access,
    read_feed,
    visible_fields,
)
from hulian.engine.changes.history import HistoryPage, HistoryQuery, read_history
from hulian.engine.changes.names import field_names, object_id
from hulian.engine.errors import NotFoundError, QueryError
from hulian.engine.memo import Memo
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.security.visibility import READ
from hulian.engine.session_parts import SessionParts
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.values import storable

if TYPE_CHECKING:
    pass

__all__ = ["ChangesMixin"]

DEFAULT_FEED_LIMIT = 100
DEFAULT_HISTORY_LIMIT = 50


class ChangesMixin(SessionParts):
    """The history and feed methods of Session, which provides what is declared here."""

    def history(self, object_name: str, record_id: str, *, limit: int = DEFAULT_HISTORY_LIMIT,
                after: str | None = None) -> HistoryPage:
        """The history of one record the user may read (a deleted one too), newest first:
        who changed which tracked field from what to what, and when it was created, deleted
        or restored. Fields the user may not see are left out. ``record_not_found`` when the
        user may not read the record (as :meth:`get`); ``history_not_tracked`` when the
        object keeps no history (``track_history`` in its metadata)."""
        obj = self.guard.object(object_name)
        tracked = obj.model.tracked_fields
        if tracked is None:
            raise NotFoundError(f"{obj.api_name} records keep no history",
                                code="history_not_tracked",
                                hint=f"an admin switches it on with \"track_history\" in the "
                                     f"{obj.api_name} object's metadata (true, or a list of "
                                     "fields)")
        hidden = self.guard.hidden(obj.api_name)
        query = HistoryQuery(self.schema.tenant, object_id(self.schema, obj.api_name),
                             record_id if isinstance(record_id, str) else "",
                             tuple(f for f in tracked if f not in hidden),
                             obj.model.history_retention_days)
        with self._read():
            self._readable(obj, record_id, query)
            return read_history(self._conn, query, field_names(self._conn, self.schema),
                                self._cursors, after, limit, dt.datetime.now(dt.UTC))

    def _readable(self, obj: CompiledObject, record_id: object, query: HistoryQuery) -> None:
        """NotFoundError (as for a missing record) unless the user may read the record,
        deleted or not. A record no longer stored (purged) is readable by those who read
        every record of the object, while its history lasts."""
        shown = repr(record_id)
        missing = NotFoundError(f"there is no {obj.api_name} record with id "
                                f"{shown if len(shown) <= 80 else shown[:60] + '...'}",
                                code="record_not_found")
        if not isinstance(record_id, str) or not storable(record_id):
            raise missing
        visible = self.visibility.predicate(obj, READ)
        statement = sa.select(obj.table.c.id).where(obj.table.c.id == record_id)
        if self._conn.scalar(statement if visible is None else statement.where(visible)):
            return
        changes = tables_of(self._conn, self.schema.tenant).changes
        if visible is None and self._conn.scalar(sa.select(changes.c.id).where(
                changes.c.object_id == query.object_id,
                changes.c.record_id == record_id).limit(1)) is not None:
            return
        raise missing

    def changes(self, after: str | None = None, objects: Sequence[str] | str | None = None,
                limit: int = DEFAULT_FEED_LIMIT) -> ChangesPage:
        """The change feed: changes after the cursor ``after`` (None: from the oldest the
        feed holds), oldest first, of the records of ``objects`` (None: every object the
        user may read) that the user may read now, deleted ones included; fields they may
        not see are left out. Read on from ``page.next``; ``page.more`` says whether more
        had been committed when the page was read. ``invalid_cursor`` for a cursor this
        tenant's feed did not make, ``cursor_expired`` for one older than the feed's
        retention."""
        chosen = self._feed_objects(objects)
        names = tuple(o.api_name for o in chosen)
        schema, visibility = self.schema, self.visibility
        access = visibility.statement(
            ("feed", names), lambda: feed_access(
                tables_of(self._conn, schema.tenant).changes, schema, visibility, chosen))
        fields = Memo()
        guard = self.guard

        def visible(name: str) -> frozenset[str]:
            return fields.get(name, lambda: visible_fields(schema.object(name),
                                                           guard.hidden(name)))

        with self._read():
            return read_feed(self._conn, schema, access, field_names(self._conn, schema),
                             visible, FeedCursors(self._cursors, schema.tenant), after, limit)

    def _feed_objects(self, objects: Sequence[str] | str | None) -> list[CompiledObject]:
        if objects is None:
            return [self.guard.object(name) for name in self.guard.readable()]
        if isinstance(objects, str):
            objects = [objects]
        if not isinstance(objects, Sequence) or not all(isinstance(o, str) for o in objects):
            raise QueryError("objects must be a list of object api_names",
                             code="invalid_parameter", parameter="objects")
        return [self.guard.object(name) for name in dict.fromkeys(objects)]

    def changes_cursor(self) -> str:
        """A feed cursor at the newest committed change: :meth:`changes` from it gives only
        what changes from now on."""
        with self._read():
            return FeedCursors(self._cursors, self.schema.tenant).sign(
                outbox.last_id(self._conn, self.schema.tenant))
