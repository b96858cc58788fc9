"""Reading records, as methods of :class:`~hulian.engine.Session`: one record, pages of a
list (filters, formula filters, sorts, cursors), counts and related lists.

>>> page = s.query("Order", {"status": "confirmed"}, order_by="-created_at")  # doctest: +SKIP
>>> s.related("Account", acme_id, "orders", limit=20)                          # doctest: +SKIP

Every read adds the user's visibility predicate to its SQL
(:mod:`hulian.engine.security.visibility`), so limits, cursors and counts are always
right. A list's first page (no filter, no cursor) reuses the statement built for the user
the first time (:meth:`~hulian.engine.security.visibility.Visibility.statement`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.errors import QueryError
from hulian.engine.formulas.select import RecordSelect, base_select
from hulian.engine.records import aggregates
from hulian.engine.records.filters import build_filter, formula_condition
from hulian.engine.records.paging import (
    SortKey,
    after_clause,
    encode_cursor,
    order_clauses,
    parse_order,
)
from hulian.engine.records.rows import fetch, to_records
from hulian.engine.records.scenes import SceneDef
from hulian.engine.relationships import child_relationship
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.security.visibility import READ
from hulian.engine.session_parts import SessionParts

if TYPE_CHECKING:
    pass

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    """One page of a list query; ``next`` is the cursor of the following page, or None."""

    records: list[dict[str, Any]]
    next: str | None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


class ReadsMixin(SessionParts):
    """The read methods of Session, which provides what is declared here."""

    if TYPE_CHECKING:
        def _resolve_scene(self, obj: CompiledObject, name: Any) -> SceneDef: ...

        def _scene_sql(self, obj: CompiledObject, scene: SceneDef
                       ) -> tuple[RecordSelect | None, Any | None]: ...

    def get(self, object_name: str, record_id: str, *,
            include_deleted: bool = False) -> dict[str, Any]:
        obj = self.guard.object(object_name)
        with self._read():
            return self.guard.strip(obj, fetch(
                self._context(), obj, record_id, include_deleted=include_deleted,
                visible=self.visibility.predicate(obj, READ)))

    def _filtered(self, obj: CompiledObject, where: Any, include_deleted: bool,
                  filter_text: str | None = None, scene: SceneDef | None = None
                  ) -> tuple[sa.Select, RecordSelect]:
        shared, condition = self._scene_sql(obj, scene) if scene is not None else (None, None)
        select = shared.fork() if shared is not None else \
            base_select(self.schema, obj, self.user.id, self.visibility)
        self.guard.check_names(obj, where, None)
        query = select.select().where(build_filter(select, where))
        if condition is not None:
            query = query.where(condition)
        if filter_text is not None:
            query = query.where(formula_condition(select, filter_text, self.guard.pack,
                                                  self.guard.opaque))
        if not include_deleted:
            query = query.where(obj.table.c.is_deleted == sa.false())
        visible = self.visibility.predicate(obj, READ)
        if visible is not None:
            query = query.where(visible)
        return query, select

    def query(self, object_name: str, where: Any = None, *,
              order_by: Sequence[str] | str | None = None, limit: int = 50,
              after: str | None = None, include_deleted: bool = False,
              filter: str | None = None, scene: str | None = None) -> Page:
        """One page of records matching ``where`` and the formula ``filter``.

        ``where`` is a JSON filter (``hulian.engine.records.filters``); ``filter`` a boolean
        formula such as ``"amount > 1000 && ISPICKVAL(stage, 'won')"``. Both may be given.
        ``scene``: the records of one of the user's scenes (:meth:`scenes`), combined with
        ``where`` and ``filter``; its sort is the order when ``order_by`` is not given.
        """
        obj = self.guard.object(object_name)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}",
                             code="invalid_limit")
        chosen = self._resolve_scene(obj, scene) if scene is not None else None
        if order_by is None and chosen is not None and chosen.sort:
            order_by = list(chosen.sort)
        self.guard.check_names(obj, None, order_by)
        if where is None and filter is None and not after:  # a list's first page
            order = tuple(order_by) if isinstance(order_by, list) else order_by
            query, keys = self.visibility.statement(
                ("page", obj.api_name, order, limit, include_deleted,
                 chosen.key if chosen is not None else None),
                lambda: self._page(obj, None, order_by, limit, None, include_deleted, None,
                                   chosen))
        else:
            query, keys = self._page(obj, where, order_by, limit, after, include_deleted, filter,
                                     chosen)
        with self._read():
            records = to_records(self._conn.execute(query), self.guard.hidden(obj.api_name))
        more = len(records) > limit
        records = records[:limit]
        scope = (self.schema.tenant, obj.api_name)
        return Page(records, encode_cursor(keys, records[-1], self._cursors, scope)
                    if more else None)

    def _page(self, obj: CompiledObject, where: Any, order_by: Sequence[str] | str | None,
              limit: int, after: str | None, include_deleted: bool, filter: str | None,
              scene: SceneDef | None = None) -> tuple[sa.Select, list[SortKey]]:
        """The statement of a :meth:`query` page (one more record than ``limit``), and its
        sort keys."""
        keys = parse_order(obj, order_by)
        query, select = self._filtered(obj, where, include_deleted, filter, scene)
        if after:
            query = query.where(after_clause(select, keys, after, self._cursors))
        query = query.order_by(*order_clauses(select, keys)).limit(limit + 1)
        return query.select_from(select.from_clause()), keys

    def count(self, object_name: str, where: Any = None, *, include_deleted: bool = False,
              filter: str | None = None, scene: str | None = None) -> int:
        """How many records :meth:`query` would list with the same arguments."""
        obj = self.guard.object(object_name)
        chosen = self._resolve_scene(obj, scene) if scene is not None else None
        return self._count(obj, where, include_deleted, filter, chosen)

    def _count(self, obj: CompiledObject, where: Any, include_deleted: bool,
               filter: str | None, scene: SceneDef | None) -> int:
        query, select = self._filtered(obj, where, include_deleted, filter, scene)
        inner = query.select_from(select.from_clause()).subquery()
        with self._read():
            return self._conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one()

    def aggregate(self, object_name: str, function: str, field: str | None = None, *,
                  scene: str | None = None, where: Any = None, filter: str | None = None
                  ) -> Any:
        """COUNT, SUM, AVG, MIN or MAX of ``field`` over the records :meth:`query` would
        list with the same ``scene``, ``where`` and ``filter``, computed by the database
        (:mod:`hulian.engine.records.aggregates`). COUNT without a field counts records
        (an int, as :meth:`count`), with one its non-blank values; SUM and AVG take number,
        currency and percent fields and give a Decimal (SUM of nothing is 0, AVG of
        nothing None); MIN and MAX also take dates, times and auto-numbers. A field the
        user may not see is ``unknown_field``, as a field that does not exist.

        >>> s.aggregate("Order", "SUM", "total_amount", scene="mine")   # doctest: +SKIP
        Decimal('1234.50')
        """
        obj = self.guard.object(object_name)
        if field is not None:
            if not isinstance(field, str) or field.startswith("-"):
                raise QueryError(f"{str(field)[:80]!r} is not a field name",
                                 code="unknown_field", field=str(field)[:80])
            self.guard.check_names(obj, None, [field])
        chosen_function = aggregates.check(obj, function, field)
        chosen = self._resolve_scene(obj, scene) if scene is not None else None

        def build() -> tuple[sa.Select, aggregates.Summary]:
            query, select = self._filtered(obj, where, False, filter, chosen)
            return aggregates.statement(select, query, chosen_function, field)

        if where is None and filter is None:
            statement, summary = self.visibility.statement(
                ("aggregate", obj.api_name, chosen_function, field,
                 chosen.key if chosen is not None else None), build)
        else:
            statement, summary = build()
        with self._read():
            if not summary.in_sql:
                return aggregates.from_values(summary, (r[0] for r in
                                                        self._conn.execute(statement)))
            try:
                return aggregates.from_row(summary, self._conn.execute(statement).one())
            except sa.exc.OperationalError as exc:
                if "integer overflow" not in str(exc.orig):
                    raise
        assert field is not None  # only a sum of scaled integers overflows (SQLite)
        query, select = self._filtered(obj, where, False, filter, chosen)
        with self._read():
            return aggregates.from_values(summary, (r[0] for r in self._conn.execute(
                aggregates.values_statement(select, query, field))))

    def related(self, object_name: str, record_id: str, relationship: str, where: Any = None, *,
                order_by: Sequence[str] | str | None = None, limit: int = 50,
                after: str | None = None, filter: str | None = None,
                include_deleted: bool = False, scene: str | None = None) -> Page:
        """One page of a record's related list: the child records of ``relationship``
        (``describe(object)["child_relationships"]``) that point at the live record.

        Takes what :meth:`query` takes, applied to the child object:

        >>> s.related("Account", acme_id, "Contact.account", order_by="name")  # doctest: +SKIP
        """
        parent = self.guard.object(object_name)
        guard = self.guard
        child = child_relationship(parent, relationship, lambda r: guard.can(r.object, "read")
                                   and r.field not in guard.hidden(r.object))
        with self._read():
            fetch(self._context(), parent, record_id,
                  visible=self.visibility.predicate(parent, READ))
        condition = {child.field: {"eq": record_id}}
        if where is None:
            where = condition
        elif isinstance(where, Mapping) and child.field not in where:
            where = {**where, **condition}
        else:
            where = {"and": [where, condition]}
        return self.query(child.object, where, order_by=order_by, limit=limit, after=after,
                          include_deleted=include_deleted, filter=filter, scene=scene)

