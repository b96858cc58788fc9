"""In-app notifications as methods of :class:`~hulian.engine.Session`: a user reads and
marks read their own, and no one else's.

>>> page = s.notifications(unread=True)                   # doctest: +SKIP
>>> [(n["title"], n["object"], n["read"]) for n in page]
[('Order 42 awaits your approval', 'Order', False)]
>>> s.mark_notifications_read([page.records[0]["id"]])
1

See :mod:`hulian.engine.notifications` and docs/flows.md#notifications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from hulian.engine import notifications
from hulian.engine.errors import QueryError
from hulian.engine.records import time_cursors
from hulian.engine.session_bin import check_limit
from hulian.engine.session_parts import SessionParts
from hulian.engine.session_reads import Page
from hulian.metadata.values import storable

if TYPE_CHECKING:
    from hulian.engine.schema.compiled import CompiledSchema

__all__ = ["NotificationsMixin"]

MAX_IDS = 1000
"""The most ids one call marks read."""


def object_names(schema: CompiledSchema) -> dict[str, str]:
    """Object stable id -> its api_name now."""
    return schema.memo.get(("object_names",), lambda: {
        str(ids.get("id") or name): name for name, ids in
        ((n, schema.ids.get(n, {})) for n in schema.objects)})


class NotificationsMixin(SessionParts):
    """The notification methods of Session, which provides what is declared here."""

    def notifications(self, *, unread: bool = False, limit: int = 50,
                      after: str | None = None) -> Page:
        """One page of the user's notifications, newest first: dicts of ``id``, ``title``,
        ``body``, ``object`` (the api_name of the record's object, or None), ``record_id``,
        ``source``, ``created_at``, ``read_at`` and ``read``. ``unread``: only those not
        yet read; ``after``: the previous page's ``next``."""
        check_limit(limit)
        if not isinstance(unread, bool):
            raise QueryError("unread must be true or false", code="invalid_parameter",
                             parameter="unread")
        scope = (self.schema.tenant, f"~notifications:{self.user.id}:{int(unread)}")
        position = time_cursors.decode(self._cursors, scope, after) if after else None
        query = notifications.listing(self.schema.dialect, self.schema.tenant, self.user.id,
                                      unread=unread, after=position, limit=limit)
        names = object_names(self.schema)
        with self._read():
            rows = [notifications.to_notification(
                r._mapping, names.get(r.object_id) if r.object_id else None)
                for r in self._conn.execute(query)]
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, time_cursors.encode(self._cursors, scope, rows[-1]["created_at"],
                                              rows[-1]["id"]) if more else None)

    def mark_notifications_read(self, ids: Iterable[str] | None = None) -> int:
        """Mark the user's notifications read: those of ``ids`` (at most
        :data:`MAX_IDS`; ids of notifications that are not the user's are passed over),
        or all when None. How many were unread."""
        chosen: list[str] | None = None
        if ids is not None:
            if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
                raise QueryError("ids must be a list of notification ids",
                                 code="invalid_parameter", parameter="ids")
            chosen = list(ids)
            if len(chosen) > MAX_IDS or not all(isinstance(i, str) and len(i) <= 26
                                                 for i in chosen):
                raise QueryError(f"ids must be at most {MAX_IDS} notification ids",
                                 code="invalid_parameter", parameter="ids",
                                 hint="pass the ids of GET /notifications, or none for all")
            chosen = [i for i in chosen if storable(i)]  # no notification has another id
        with self._write():
            return notifications.mark_read(self._conn, self.schema.tenant, self.user.id,
                                           chosen, dt.datetime.now(dt.UTC))
