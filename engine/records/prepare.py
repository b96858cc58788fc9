"""The first steps of the write pipeline: coerce input, apply defaults, stamp system columns."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hulian.engine.errors import FieldError
from hulian.engine.ids import new_ids
from hulian.engine.records.context import Context
from hulian.engine.records.sequences import take_numbers
from hulian.engine.schema.columns import DEFAULT_BUSINESS_TYPE, SYSTEM_FIELDS
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.values import ValueProblem, storable

WRITABLE_SYSTEM_FIELDS = frozenset({"owner_id"})


def coerce(obj: CompiledObject, data: Any, row: int,
           errors: list[FieldError]) -> dict[str, Any] | None:
    """JSON-ish input -> typed values; unknown, read-only and ill-typed keys become errors.

    Returns None when ``data`` is not a record at all (the error says so).
    """
    if not isinstance(data, Mapping):
        errors.append(FieldError(None, "invalid_record",
                                 f"a record must be an object of field values, not "
                                 f"{type(data).__name__}", row=row))
        return None
    values: dict[str, Any] = {}
    for key, value in data.items():
        convert = obj.coercers.get(key)
        if convert is None:
            if key in WRITABLE_SYSTEM_FIELDS:
                if value is not None and not isinstance(value, str):
                    errors.append(FieldError(key, "invalid_type", "expected a user id", row=row))
                elif value is not None and not storable(value):
                    errors.append(FieldError(key, "invalid_character", "a user id holds no NUL "
                                             "and no lone surrogate", row=row))
                else:
                    values[key] = value
            elif obj.field(key) is not None:  # a formula, quote or roll-up field
                errors.append(FieldError(key, "read_only", _computed(obj, key), row=row))
            elif key in SYSTEM_FIELDS:
                errors.append(FieldError(key, "read_only",
                                         f"{key} is maintained by hulian and cannot be set",
                                         row=row))
            else:
                errors.append(FieldError(key if isinstance(key, str) else repr(key),
                                         "unknown_field",
                                         f"{obj.api_name} has no field {key!r}",
                                         obj.unknown_field_hint(str(key)), row=row))
            continue
        try:
            converted = convert(value)
        except ValueProblem as problem:
            errors.append(FieldError(key, problem.code, problem.message, problem.hint, row=row))
            continue
        kind = obj.kinds[key]
        if kind == "boolean" and converted is None:  # a blank checkbox is unchecked
            converted = False
        if kind != "auto_number":
            values[key] = converted
    return values


def _computed(obj: CompiledObject, key: str) -> str:
    f = obj.field(key)
    if f is not None and f.roll_up is not None:
        return f"{key} is a roll-up of {f.roll_up.object} records: hulian keeps it up to date"
    if f is not None and f.quote is not None:
        return f"{key} shows {f.quote} of the related record: change it there"
    return f"{key} is a formula field: its value is computed"


def apply_defaults(obj: CompiledObject, values: dict[str, Any]) -> None:
    for f in obj.model.fields:
        if f.api_name not in values and f.default is not None:
            default = f.default
            values[f.api_name] = list(default) if isinstance(default, tuple) else default


def stamp_new(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]]) -> None:
    """System columns and auto-numbers for records about to be inserted."""
    user = ctx.user
    for row, record_id in zip(rows, new_ids(len(rows)), strict=True):
        row["id"] = record_id
        for column, value in (ctx.owner or {"owner_id": user.id,
                                             "department_id": user.department_id}).items():
            row.setdefault(column, value)  # a detail has its master's
        row["business_type"] = DEFAULT_BUSINESS_TYPE
        row["life_status"] = "normal"
        row["created_by"] = row["updated_by"] = user.id
        row["created_at"] = row["updated_at"] = ctx.now
        row["version"] = 1
        row["is_deleted"] = False
        row.setdefault("out_tenant_id", None)
        row.setdefault("out_owner_id", None)
    for f in obj.model.fields:
        if f.roll_up is not None:  # no children yet: a count or sum of nothing is 0
            start = Decimal(0) if f.roll_up.function in ("COUNT", "SUM") else None
            for row in rows:
                row[f.api_name] = start
        if f.type == "auto_number":
            numbers = take_numbers(ctx.conn, ctx.schema.tenant, obj.api_name, f, len(rows),
                                   ctx.now)
            for row, number in zip(rows, numbers, strict=True):
                row[f.api_name] = number
