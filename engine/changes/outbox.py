"""The outbox: record changes written with the data, read back in commit order.

Ids come from the tenant's change counter, a row of its counter table
(``hulian_sequences``, object ``~changes``). On PostgreSQL a write adds its changes' count
to it and takes the ids below (one change: in the same statement as the change); the
counter's row stays locked until the transaction ends, so the writers of one tenant take
their ids one transaction after the other, in the order they commit. On SQLite, where
``BEGIN IMMEDIATE`` already makes writers take turns, a write takes the ids after the
table's highest, and the counter is only a floor that :func:`keep_floor` raises before
retention deletes changes, so that an id is never given twice. Either way ids increase in
commit order and, since a rolled-back transaction leaves nothing, have no gaps. A reader
that has seen every change up to ``n`` has missed none below it.

To keep two writers from waiting on each other in a cycle (one holding the counter and
waiting for a record the other changed), a write transaction takes the counter before it
touches any record (:func:`claim`, called by :meth:`hulian.engine.Session._write` and by
deploys): writers of one tenant then queue at the counter, never in a cycle.

Values are JSON text (:mod:`hulian.metadata.jsontext`: decimals stay exact, dates and times
ISO 8601). A bulk write's creates are stored in packs, one row holding many consecutive ids
(:mod:`~hulian.engine.changes.packs`); :func:`read_after` gives them back one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.changes import RecordChange
from hulian.engine.changes.packs import Packed, unpack
from hulian.engine.memo import per_table
from hulian.engine.records.bulk import insert_into
from hulian.engine.system.tenant_tables import TenantTables, tables_of
from hulian.metadata.jsontext import dumps_flat

__all__ = ["Origin", "Pending", "append", "claim", "counter_lock", "held", "holding",
           "keep_floor", "last_id", "read_after"]

COUNTER = {"object": "~changes", "field": "~", "period": "~"}
"""The counter row's key in the tenant's counter table."""


@dataclass(frozen=True)
class Origin:
    """Who made a batch of changes, through what, when."""

    user_id: str | None
    enterprise_id: str | None
    channel: str
    request_id: str | None
    at: dt.datetime


class Pending(NamedTuple):
    """A change about to be written: the record and what changed (fields -> values)."""

    kind: str
    object: str
    object_id: str
    record_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@per_table
def _bump_statement(counter: sa.Table, dialect: str) -> sa.Executable:
    """Add ``:by`` to the counter (creating it at ``:by``), returning its new value."""
    by = sa.bindparam("by", type_=sa.BigInteger)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(counter).values(**COUNTER, value=by).on_conflict_do_update(
        index_elements=[counter.c.object, counter.c.field, counter.c.period],
        set_={"value": counter.c.value + by}).returning(counter.c.value)


def _at_counter(counter: sa.Table) -> tuple[sa.ColumnElement[bool], ...]:
    """The condition naming the change counter's row."""
    return tuple(counter.c[key] == value for key, value in COUNTER.items())


def _insert_one(changes: sa.Table, new_id: Any) -> sa.Executable:
    """Insert one change (its values bound by column name) under the id ``new_id`` (an SQL
    expression), returning the id."""
    others = [c for c in changes.columns if c.name != "id"]
    values = sa.select(new_id, *(sa.bindparam(c.name, type_=c.type) for c in others))
    return changes.insert().from_select(["id", *(c.name for c in others)], values) \
        .returning(changes.c.id)


@per_table
def _append_one_statement(changes: sa.Table, counter: sa.Table) -> sa.Executable:
    """PostgreSQL: add 1 to the counter and insert the one change under the new value, in
    ONE statement (a data-modifying ``WITH``), returning the change's id. A single write
    records one change: this saves it a round trip."""
    bumped = postgresql.insert(counter).values(**COUNTER, value=1).on_conflict_do_update(
        index_elements=[counter.c.object, counter.c.field, counter.c.period],
        set_={"value": counter.c.value + 1}).returning(counter.c.value).cte("bumped")
    return _insert_one(changes, bumped.c.value)


def _bump(conn: sa.Connection, tables: TenantTables, by: int) -> int:
    """Add ``by`` to the counter and lock it; its new value."""
    statement = _bump_statement(tables.sequences, conn.dialect.name)
    return int(conn.execute(statement, {"by": by}).scalar_one())


def counter_lock(counter: sa.Table) -> sa.Select:
    """The select that locks the change counter's row (in the tenant's counter table) until
    the transaction ends; PostgreSQL."""
    return sa.select(counter.c.value).where(*_at_counter(counter)).with_for_update()


@per_table
def _newest_statement(changes: sa.Table, counter: sa.Table) -> sa.Select:
    """SQLite: the newest change id, the larger of the last id of the table's last row and
    the counter (the floor kept across purges, :func:`keep_floor`)."""
    last_row = sa.select(changes.c.id + changes.c.span - 1).order_by(changes.c.id.desc()) \
        .limit(1).scalar_subquery()
    return sa.select(sa.func.max(
        sa.func.coalesce(last_row, 0),
        sa.func.coalesce(sa.select(counter.c.value).where(*_at_counter(counter))
                         .scalar_subquery(), 0)))


@per_table
def _append_one_sqlite(changes: sa.Table, counter: sa.Table) -> sa.Executable:
    """SQLite: insert one change under the next id, returning it: one statement."""
    return _insert_one(changes, _newest_statement(changes, counter).scalar_subquery() + 1)


class _Driver(NamedTuple):
    """A statement compiled once for one dialect, run through the driver directly."""

    sql: str
    names: tuple[str, ...] | None
    """The parameters' order (positional paramstyles); None: by name."""
    fixed: dict[str, Any]
    """The statement's own values (constants it binds), by name."""
    converters: tuple[tuple[str, Any], ...]
    """(name, conversion) of the parameters the driver cannot take as they are."""


@per_table
def _append_one_driver(changes: sa.Table, counter: sa.Table, dialect: sa.Dialect) -> _Driver:
    """:func:`_append_one_statement` or :func:`_append_one_sqlite`, compiled: a single write
    records its change without SQLAlchemy compiling, caching and binding the statement
    each time."""
    statement = (_append_one_statement if dialect.name == "postgresql" else
                 _append_one_sqlite)(changes, counter)
    compiled = statement.compile(dialect=dialect)
    converters = []
    for bind, name in compiled.bind_names.items():
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            converters.append((name, convert))
    return _Driver(compiled.string,
                   tuple(compiled.positiontup) if compiled.positiontup is not None else None,
                   compiled.construct_params(_check=False), tuple(converters))


def _append_one(conn: sa.Connection, tables: TenantTables, values: dict[str, Any]) -> int:
    """Number and insert one change (its column values by name); its id."""
    driver = _append_one_driver(tables.changes, tables.sequences, conn.dialect)
    params = {**driver.fixed, **values}
    for name, convert in driver.converters:
        params[name] = convert(params[name])
    bound: Any = params if driver.names is None else tuple(params[n] for n in driver.names)
    return int(conn.exec_driver_sql(driver.sql, bound).scalar_one())


def keep_floor(conn: sa.Connection, tenant: str) -> None:
    """Before changes are deleted (retention): raise the counter to the newest id, so that
    on SQLite, where ids follow the table's highest, no id is ever given twice."""
    if conn.dialect.name == "postgresql":
        return  # the counter is always the newest id there
    tables = tables_of(conn, tenant)
    newest = int(conn.scalar(_newest_statement(tables.changes, tables.sequences)) or 0)
    if newest:
        counter = tables.sequences
        conn.execute(sqlite.insert(counter).values(**COUNTER, value=newest)
                     .on_conflict_do_update(
                         index_elements=[counter.c.object, counter.c.field, counter.c.period],
                         set_={"value": newest}))


def claim(conn: sa.Connection, tenant: str) -> None:
    """Lock the tenant's change counter until the transaction ends (see the module's
    docstring). On SQLite a write transaction already excludes every other writer
    (``BEGIN IMMEDIATE``): nothing to do. A session that arrives to write takes it in its
    arrival statement instead (:mod:`hulian.engine.system.arrival`)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(counter_lock(tables_of(conn, tenant).sequences))


def _json(values: Mapping[str, Any] | None) -> str | None:
    return None if values is None else dumps_flat(values)


def append(conn: sa.Connection, tenant: str, origin: Origin,
           changes: Sequence[Pending | Packed]) -> range:
    """Write ``changes`` (single changes, and packs of creates) to the outbox in the
    caller's transaction; their ids."""
    if not changes:
        return range(0)
    tables = tables_of(conn, tenant)
    common = {"user_id": origin.user_id, "enterprise_id": origin.enterprise_id,
              "channel": origin.channel, "request_id": origin.request_id, "at": origin.at}
    postgres = conn.dialect.name == "postgresql"
    if len(changes) == 1 and isinstance(changes[0], Pending):
        c = changes[0]
        one = _append_one(conn, tables, {
            "kind": c.kind, "object": c.object, "object_id": c.object_id,
            "record_id": c.record_id, "before": _json(c.before), "after": _json(c.after),
            "span": 1, **common})
        return range(one, one + 1)
    total = sum(c.span if isinstance(c, Packed) else 1 for c in changes)
    last = _bump(conn, tables, total) if postgres else \
        int(conn.scalar(_newest_statement(tables.changes, tables.sequences))) + total
    change_id, rows = last - total + 1, []
    for c in changes:
        if isinstance(c, Packed):
            rows.append({"id": change_id, "kind": "create", "object": c.object,
                         "object_id": c.object_id, "record_id": c.record_key, "before": None,
                         "after": c.after, "span": c.span, **common})
            change_id += c.span
        else:
            rows.append({"id": change_id, "kind": c.kind, "object": c.object,
                         "object_id": c.object_id, "record_id": c.record_id,
                         "before": _json(c.before), "after": _json(c.after), "span": 1,
                         **common})
            change_id += 1
    insert_into(conn, tables.changes, rows)
    return range(last - total + 1, last + 1)


def last_id(conn: sa.Connection, tenant: str) -> int:
    """The id of the tenant's newest committed change (0: none yet)."""
    if conn.dialect.name != "postgresql":
        tables = tables_of(conn, tenant)
        return int(conn.scalar(_newest_statement(tables.changes, tables.sequences)) or 0)
    counter = tables_of(conn, tenant).sequences
    return int(conn.scalar(sa.select(counter.c.value).where(*_at_counter(counter))) or 0)


def holding(changes: sa.Table, after: int | sa.ColumnElement[int]
            ) -> tuple[sa.ColumnElement[bool], ...]:
    """The condition on the changes table's rows that hold a change above ``after``: from
    the last row at or below it (a pack may hold ids on both sides) on, as a range of the
    id index."""
    below = sa.select(sa.func.max(changes.c.id)).where(changes.c.id <= after) \
        .scalar_subquery()
    return (changes.c.id >= sa.func.coalesce(below, after + 1),
            changes.c.id + changes.c.span > after + 1)


def read_after(conn: sa.Connection, tenant: str, after: int, *, limit: int,
               where: sa.ColumnElement[bool] | None = None) -> list[RecordChange]:
    """The first ``limit`` changes with ids above ``after``, oldest first (``where``: a
    further condition on the changes table, e.g. some objects)."""
    changes = tables_of(conn, tenant).changes
    query = sa.select(changes).where(*holding(changes, after))
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query.order_by(changes.c.id).limit(limit))
    return [change for row in rows for change in unpack(row) if change.id > after][:limit]


def held(conn: sa.Connection, changes: sa.Table, ids: Iterable[int]) -> dict[int, RecordChange]:
    """Id -> change, for those of ``ids`` the outbox ``changes`` still holds (packed or
    not); one query per row that holds some."""
    chosen = set(ids)
    wanted = sorted(chosen)
    out: dict[int, RecordChange] = {}
    i = 0
    while i < len(wanted):
        below = sa.select(sa.func.max(changes.c.id)).where(changes.c.id <= wanted[i])
        row = conn.execute(sa.select(changes).where(
            changes.c.id == below.scalar_subquery())).first()
        end = wanted[i] + 1 if row is None else max(row.id + row.span, wanted[i] + 1)
        if row is not None:
            out.update((c.id, c) for c in unpack(row) if c.id in chosen)
        while i < len(wanted) and wanted[i] < end:
            i += 1
    return out
