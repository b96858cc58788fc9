"""Activities (跟进记录): calls, visits and notes logged on any record.

An activity belongs to one record (its object's stable id and the record's id, so a
renamed object keeps them) and lives in the tenant's ``hulian_activities``. Whoever may
read the record sees its activities, downstream (interconnect) users included, and no one
else: :func:`listing` joins the record's table and adds the reader's read predicate, so
the database decides. Activities of a deleted record are hidden while it is in the
recycle bin (the join wants a live record), come back when it is restored, and are
deleted when it is purged (:mod:`~hulian.engine.records.purge`).

An activity is ``kind`` (one of :data:`KINDS`), ``text``, ``at`` (when it happened;
default: when it was logged), ``created_by``, ``created_at`` and ``updated_at``. Input is
checked with the field types' own coercers, so a mistake is the field error a record's
field of that type would give (``invalid_option``, ``too_long``, ``missing_timezone``...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import FieldError
from hulian.engine.ids import new_id
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.system.tenant_tables import tables_of, tenant_tables
from hulian.metadata.field_types import coercer
from hulian.metadata.model import Field, PicklistOption
from hulian.metadata.values import ValueProblem

__all__ = ["INPUT", "KINDS", "MAX_TEXT", "check", "insert", "listing", "to_activity",
           "unknown"]

KINDS: Mapping[str, Mapping[str, str]] = {
    "call": {"zh": "电话", "en": "Call"},
    "visit": {"zh": "拜访", "en": "Visit"},
    "note": {"zh": "备注", "en": "Note"},
}
"""The kinds of activity and their labels."""
MAX_TEXT = 32768
"""The longest text (a textarea's default length)."""
INPUT = ("kind", "text", "at")
"""What a new activity is given."""

_FIELDS = {
    "kind": Field("kind", "picklist", {"zh": "类型", "en": "Kind"}, required=True,
                  options=tuple(PicklistOption(k, dict(label)) for k, label in KINDS.items())),
    "text": Field("text", "textarea", {"zh": "内容", "en": "Text"}, required=True,
                  max_length=MAX_TEXT),
    "at": Field("at", "datetime", {"zh": "时间", "en": "When"}),
}
_COERCERS = {name: coercer(f) for name, f in _FIELDS.items()}


def unknown(data: Mapping[Any, Any]) -> list[FieldError]:
    """An ``unknown_field`` error for each key of ``data`` (e.g. a REST body) that is not
    one of :data:`INPUT`."""
    errors = []
    for key in data:
        if key not in INPUT:
            shown = (key if isinstance(key, str) else repr(key))[:100]
            errors.append(FieldError(shown, "unknown_field",
                                     f"an activity has no field {shown!r}",
                                     f"give {', '.join(INPUT)}"))
    return errors


def check(data: Mapping[str, Any], now: dt.datetime, errors: list[FieldError]
          ) -> dict[str, Any]:
    """The values of a new activity from ``data`` (:data:`INPUT`); what is wrong is added
    to ``errors``, each as the field error of the key at fault."""
    values: dict[str, Any] = {}
    for name, convert in _COERCERS.items():
        try:
            values[name] = convert(data.get(name))
        except ValueProblem as problem:
            errors.append(FieldError(name, problem.code, problem.message, problem.hint))
            continue
        if name != "at" and (values[name] is None or not values[name].strip()):
            hint = f"one of {', '.join(KINDS)}" if name == "kind" else "say what happened"
            errors.append(FieldError(name, "required", f"an activity needs its {name}", hint))
    if values.get("at") is None:
        values["at"] = now
    return values


def insert(conn: sa.Connection, tenant: str, object_id: str, record_id: str,
           values: Mapping[str, Any], user_id: str, now: dt.datetime) -> dict[str, Any]:
    """Store a checked activity of the record; returns its row."""
    row = {"id": new_id(), "object": object_id, "record_id": record_id,
           "kind": values["kind"], "text": values["text"], "at": values["at"],
           "created_by": user_id, "created_at": now, "updated_at": now}
    conn.execute(tables_of(conn, tenant).activities.insert().values(row))
    return row


def listing(schema: CompiledSchema, obj: CompiledObject, object_id: str, record_id: str,
            conditions: Sequence[Any], after: tuple[dt.datetime, str] | None,
            limit: int) -> sa.Select:
    """One page (one more than ``limit``) of the activities of the live record
    ``record_id`` of ``obj`` whose table meets ``conditions`` (the reader's read
    predicate), newest ``at`` first; ``after``: the (at, id) of the previous page's last."""
    activities = tenant_tables(schema.dialect, schema.tenant).activities
    parent = obj.table
    query = sa.select(activities).select_from(activities.join(
        parent, sa.and_(parent.c.id == activities.c.record_id,
                        parent.c.is_deleted == sa.false(), *conditions)))
    query = query.where(activities.c.object == object_id, activities.c.record_id == record_id)
    if after is not None:
        at, last_id = after
        query = query.where(sa.or_(activities.c.at < at, sa.and_(activities.c.at == at,
                                                                 activities.c.id < last_id)))
    return query.order_by(activities.c.at.desc(), activities.c.id.desc()).limit(limit + 1)


def to_activity(values: Mapping[str, Any], object_name: str) -> dict[str, Any]:
    """An activity (a row of the table) as the API gives it (``object``: the api_name the
    object has now)."""
    return {"id": values["id"], "object": object_name, "record_id": values["record_id"],
            "kind": values["kind"], "text": values["text"], "at": values["at"],
            "created_by": values["created_by"], "created_at": values["created_at"],
            "updated_at": values["updated_at"]}
