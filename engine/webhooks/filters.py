"""A subscription's filter: compiled like a scene's filter, run on the record as it stood
right after each change.

The filter is a boolean formula over the object (fields, formula fields, lookups:
``account.owner.name``), type-checked against the metadata, without ``$User`` (the worker
runs it for nobody). A change is delivered when it gives TRUE; blank and FALSE leave it
out. A formula that fails while it runs (a limit of :mod:`hulian.formula`) delivers the
change: at-least-once prefers a change too many to one lost.

"As it stood right after the change": the record's stored values now, with the ``before``
values of its later changes put back, newest first (a change keeps exactly the fields it
changed, so this is exact); formula and quote fields are computed from those values and
related records read as they are now. A record no longer stored (purged from the recycle
bin) is judged on what its change holds.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from hulian.engine.changes import RecordChange
from hulian.engine.errors import WebhookError
from hulian.engine.formulas.records import evaluate_on
from hulian.engine.formulas.scope import ObjectScope
from hulian.engine.records.context import Context
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.schema.types import UTCDateTime
from hulian.engine.system.people import User
from hulian.engine.system.tenant_tables import tables_of
from hulian.formula import CompiledFormula, FormulaError, Options, T, compile_formula
from hulian.metadata.jsontext import loads
from hulian.metadata.model import Pack
from hulian.metadata.values import ValueProblem, clean_text

__all__ = ["compile_filter", "matching"]

log = logging.getLogger("hulian.webhooks")
MAX_FILTER = 10_000


def compile_filter(pack: Pack, object_name: str, text: str) -> CompiledFormula:
    """``text`` as a webhook filter of ``object_name``; WebhookError with the formula's
    code (``formula.unknown_field``...), line, column and caret excerpt otherwise."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_FILTER:
        raise WebhookError(f"filter must be a formula of 1 to {MAX_FILTER:,} characters",
                           parameter="filter",
                           hint="e.g. total_amount > 10000; null for every change")
    try:
        clean_text(text)
    except ValueProblem as problem:
        raise WebhookError(f"filter: {problem.message}", code="invalid_character",
                           parameter="filter", hint="remove the character") from None
    obj = pack.object(object_name)
    assert obj is not None, object_name
    try:
        return compile_formula(text, ObjectScope(pack, obj, reader=False), Options("filter"),
                               T.BOOLEAN)
    except FormulaError as exc:
        position = exc.details()[0] if exc.span else None
        raise WebhookError(exc.message, code=exc.code, hint=exc.hint, parameter="filter",
                           position=position) from None


def _system_user(tenant: str) -> User:
    """Who a filter runs as: nobody (it may not use ``$User``; related records are read
    without a reader's permissions)."""
    return User("", tenant, "", "hulian", True)


def _value(obj: CompiledObject, name: str, value: Any) -> Any:
    """One JSON value of a change as the table holds it; as written when the field no
    longer takes it."""
    coerce = obj.coercers.get(name)
    try:
        if coerce is not None and value is not None:
            return coerce(value)
        if isinstance(value, str) and name in obj.table.c \
                and isinstance(obj.table.c[name].type, UTCDateTime):
            return dt.datetime.fromisoformat(value)
    except (ValueProblem, ValueError):
        return value
    return value


def _stored(obj: CompiledObject, values: Any) -> dict[str, Any]:
    """A change's JSON values (``before``/``after``) as the table holds them."""
    return {name: _value(obj, name, value) for name, value in (values or {}).items()}


def _states(conn: sa.Connection, schema: CompiledSchema, obj: CompiledObject,
            object_id: str, changes: Sequence[RecordChange]) -> list[dict[str, Any]]:
    """Each change's record as it stood right after it (see the module's docstring)."""
    ids = sorted({c.record_id for c in changes})
    table = obj.table
    rows = {row.id: dict(row._mapping) for row in conn.execute(
        sa.select(table).where(table.c.id.in_(ids)))}
    outbox = tables_of(conn, schema.tenant).changes
    later: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for row in conn.execute(
            sa.select(outbox.c.id, outbox.c.record_id, outbox.c.before)
            .where(outbox.c.object_id == object_id, outbox.c.record_id.in_(ids),
                   outbox.c.id > min(c.id for c in changes))
            .order_by(outbox.c.id.desc())):
        later[row.record_id].append((row.id, row.before))
    states: dict[int, dict[str, Any]] = {}
    by_record: dict[str, list[RecordChange]] = defaultdict(list)
    for change in changes:
        by_record[change.record_id].append(change)
    for record_id, own in by_record.items():
        current = rows.get(record_id)
        if current is None:
            for change in own:
                states[change.id] = _stored(obj, {**(change.before or {}),
                                                  **(change.after or {})})
            continue
        state = dict(current)
        undo = iter(later[record_id])
        pending = next(undo, None)
        for change in sorted(own, key=lambda c: -c.id):
            while pending is not None and pending[0] > change.id:
                if pending[1] is not None:
                    state.update(_stored(obj, loads(pending[1])))
                pending = next(undo, None)
            states[change.id] = dict(state)
    return [states[c.id] for c in changes]


def matching(conn: sa.Connection, schema: CompiledSchema, object_name: str, object_id: str,
             formula: CompiledFormula, changes: Sequence[RecordChange]) -> list[bool]:
    """Whether ``formula`` is TRUE for each of ``changes`` (of one object)."""
    if not changes:
        return []
    obj = schema.object(object_name)
    records = _states(conn, schema, obj, object_id, changes)
    ctx = Context(conn, schema, _system_user(schema.tenant), dt.datetime.now(dt.UTC))
    try:
        return [value is True for value in evaluate_on(ctx, obj, formula, records)]
    except FormulaError as exc:
        log.warning("the filter %r failed while it ran (%s): delivering its changes one by "
                    "one", formula.text, exc.code)
    found = []
    for record in records:
        try:
            found.append(evaluate_on(ctx, obj, formula, [record])[0] is True)
        except FormulaError:
            found.append(True)
    return found
