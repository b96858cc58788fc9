"""Exports and imports, as methods of :class:`~hulian.engine.Session`: the same reads and
writes as ``query`` and ``create_many``, behind their own rights (``export``,
``import``), so a role can list records without being able to take them all away.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from hulian.engine.session_parts import SessionParts

MAX_PAGE = 1000


class TransferMixin(SessionParts):
    def export(self, object_name: str, where: Any = None, *,
               order_by: Sequence[str] | str | None = None, filter: str | None = None
               ) -> Iterator[dict[str, Any]]:
        """Every record matching, page by page; the records and fields are those the user
        may read. Needs the ``export`` right, checked (PermissionDenied) before this returns."""
        self.guard.object(object_name, "export")  # type: ignore[attr-defined]

        def pages() -> Iterator[dict[str, Any]]:
            after = None
            while True:
                page = self.query(object_name, where,  # type: ignore[attr-defined]
                                  order_by=order_by, limit=MAX_PAGE, after=after,
                                  filter=filter)
                yield from page.records
                if page.next is None:
                    return
                after = page.next

        return pages()

    def import_records(self, object_name: str, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """:meth:`create_many` for a data import: needs the ``import`` right as well; its
        record changes say channel ``import``."""
        self.guard.object(object_name, "import")  # type: ignore[attr-defined]
        channel = self.channel  # type: ignore[has-type]
        self.channel = "import"
        try:
            return self.create_many(object_name, rows)  # type: ignore[attr-defined]
        finally:
            self.channel = channel
