"""Activities (跟进记录) of records, as methods of :class:`~hulian.engine.Session`.

>>> s.add_activity("Account", acme_id, kind="visit", text="Met the buyer")  # doctest: +SKIP
>>> page = s.activities("Account", acme_id, limit=20)
>>> [(a["kind"], a["text"]) for a in page]
[('visit', 'Met the buyer')]

Reading a record's activities and logging one both need to read the record, nothing
more (as logging a call in Salesforce): an object the user may not read is
``unknown_object`` (interconnect users) or ``action_denied``, a record they may not read
``record_not_found``, exactly as :meth:`get` answers. See
:mod:`hulian.engine.records.activities`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hulian.engine.errors import FieldError, RecordValidationError
from hulian.engine.records import activities, time_cursors
from hulian.engine.records.recycle_bin import object_id
from hulian.engine.records.rows import fetch
from hulian.engine.security.visibility import READ
from hulian.engine.session_bin import check_limit
from hulian.engine.session_parts import SessionParts
from hulian.engine.session_reads import Page

if TYPE_CHECKING:
    from hulian.engine.schema.compiled import CompiledObject

ACTIVITY = "Activity"
"""What validation errors of an activity name as their object."""


class ActivitiesMixin(SessionParts):
    """The activity methods of Session, which provides what is declared here."""

    def _parent(self, object_name: str, record_id: str) -> CompiledObject:
        """The object of a record the user may read (else the errors :meth:`get` gives)."""
        obj = self.guard.object(object_name, "read")
        with self._read():
            fetch(self._context(), obj, record_id, visible=self.visibility.predicate(obj, READ))
        return obj

    def activities(self, object_name: str, record_id: str, *, limit: int = 50,
                   after: str | None = None) -> Page:
        """One page of the record's activities, latest ``at`` first: dicts of ``id``,
        ``object``, ``record_id``, ``kind``, ``text``, ``at``, ``created_by``,
        ``created_at``, ``updated_at``. ``after``: the previous page's ``next``."""
        check_limit(limit)
        obj = self._parent(object_name, record_id)
        scope = (self.schema.tenant, f"{obj.api_name}#activities:{record_id}")
        position = time_cursors.decode(self._cursors, scope, after) if after else None
        visible = self.visibility.predicate(obj, READ)
        query = activities.listing(self.schema, obj, object_id(self.schema, obj.api_name),
                                   record_id, [] if visible is None else [visible],
                                   position, limit)
        with self._read():
            rows = [activities.to_activity(r._mapping, obj.api_name)
                    for r in self._conn.execute(query)]
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, time_cursors.encode(self._cursors, scope, rows[-1]["at"],
                                              rows[-1]["id"]) if more else None)

    def add_activity(self, object_name: str, record_id: str, *, kind: Any, text: Any,
                     at: Any = None) -> dict[str, Any]:
        """Log an activity on a record the user may read; returns it. ``kind``: ``call``,
        ``visit`` or ``note``; ``text``: what happened (at most 32,768 characters); ``at``:
        when it happened (an aware datetime or ISO 8601 text with its offset; default now).
        Mistakes raise RecordValidationError (``Activity``) with a field error per key at
        fault, all at once."""
        obj = self._parent(object_name, record_id)
        now = dt.datetime.now(dt.UTC)
        errors: list[FieldError] = []
        values = activities.check({"kind": kind, "text": text, "at": at}, now, errors)
        if errors:
            raise RecordValidationError(ACTIVITY, errors)
        with self._write():
            row = activities.insert(self._conn, self.schema.tenant,
                                    object_id(self.schema, obj.api_name), record_id, values,
                                    self.user.id, now)
        return activities.to_activity(row, obj.api_name)
