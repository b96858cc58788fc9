"""The recycle bin (回收站) of one object, as a method of :class:`~hulian.engine.Session`.

>>> page = s.recycle_bin("Order", limit=20)                        # doctest: +SKIP
>>> [(e["name"], e["deleted_by"], e["deleted_at"]) for e in page]
>>> s.restore("Order", page.records[0]["id"])

The bin lists the deleted records of the object that the user may restore: they need the
``delete`` right on the object and the right to edit the record (as :meth:`restore`
does), decided by the permission predicates in the listing's SQL. Records a detail's
master took along when it was deleted are not listed: they come back with the master
(:mod:`hulian.engine.records.recycle_bin`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hulian.engine.errors import QueryError
from hulian.engine.formulas.select import base_select
from hulian.engine.records import recycle_bin, time_cursors
from hulian.engine.records.rows import to_records
from hulian.engine.security.visibility import EDIT, READ
from hulian.engine.session_parts import SessionParts
from hulian.engine.session_reads import MAX_LIMIT, Page

if TYPE_CHECKING:
    from hulian.engine.schema.compiled import CompiledObject


def check_limit(limit: Any) -> int:
    """``limit`` if it is a whole number from 1 to :data:`MAX_LIMIT`; else ``invalid_limit``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}",
                         code="invalid_limit")
    return limit


class RecycleBinMixin(SessionParts):
    """The recycle bin method of Session, which provides what is declared here."""

    def recycle_bin(self, object_name: str, *, limit: int = 50, after: str | None = None
                    ) -> Page:
        """One page of the deleted ``object_name`` records the user may restore, newest
        deletion first. Each entry: ``id``, ``object``, ``name`` (the record's name field),
        ``deleted_at``, ``deleted_by`` (a user id) and ``record`` (the record as
        :meth:`get` with ``include_deleted`` gives it). ``after``: the previous page's
        ``next``. Needs the ``delete`` right (``action_denied``)."""
        obj = self.guard.object(object_name, "delete")
        check_limit(limit)
        scope = (self.schema.tenant, f"{obj.api_name}#recycle-bin")
        position = time_cursors.decode(self._cursors, scope, after) if after else None
        conditions = [c for c in (self.visibility.predicate(obj, READ),
                                  self.visibility.predicate(obj, EDIT)) if c is not None]
        select = base_select(self.schema, obj, self.user.id, self.visibility)
        query = recycle_bin.listing(self.schema, obj, select, conditions, position, limit)
        with self._read():
            rows = to_records(self._conn.execute(query), self.guard.hidden(obj.api_name))
        more = len(rows) > limit
        entries = [self._entry(obj, row) for row in rows[:limit]]
        last = entries[-1] if entries else None
        return Page(entries, time_cursors.encode(self._cursors, scope, last["deleted_at"],
                                                 last["id"]) if more and last else None)

    def _entry(self, obj: CompiledObject, row: dict[str, Any]) -> dict[str, Any]:
        deleted_at = row.pop(recycle_bin.DELETED_AT)
        deleted_by = row.pop(recycle_bin.DELETED_BY)
        return {"id": row["id"], "object": obj.api_name, "name": row.get(obj.model.name_field),
                "deleted_at": deleted_at, "deleted_by": deleted_by, "record": row}
