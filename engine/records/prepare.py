"""The first steps of the write pipeline: coerce input, apply defaults, stamp system columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from types import MappingProxyType
from typing import Any

from hulian.engine.errors import FieldError
from hulian.engine.ids import new_ids
from hulian.engine.records.context import Context
from hulian.engine.records.plan import WritePlan, write_plan
from hulian.engine.records.sequences import take_numbers
from hulian.engine.schema.columns import DEFAULT_BUSINESS_TYPE, SYSTEM_FIELDS
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.field_types import field_type
from hulian.metadata.values import NotPlain, ValueProblem, kinds_of, storable

WRITABLE_SYSTEM_FIELDS = frozenset({"owner_id", "business_type", "out_tenant_id",
                                    "out_owner_id"})
"""System fields input may set: the owner, the business type (checked against the
object's types by :mod:`hulian.engine.records.business_types`) and, for upstream users,
the downstream enterprise and external owner a record is assigned to
(:func:`hulian.engine.records.checks.check_owners`)."""


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
    converters = input_converters(obj)
    values: dict[str, Any] = {}
    for key, value in data.items():
        convert = converters.get(key)
        if convert is None:
            _not_an_input(obj, key, value, values, row, errors)
            continue
        try:
            converted = convert(value)
        except ValueProblem as problem:
            errors.append(FieldError(key, problem.code, problem.message, problem.hint, row=row))
            continue
        if converted is not _CHECKED_ONLY:
            values[key] = converted
    return values


_CHECKED_ONLY = object()
"""What an auto-number's converter returns: the value is checked, never stored."""

COLUMN_ROWS = 64
"""From this many rows a bulk create coerces its input column by column (one call per
field, checks in C over the whole column); fewer go record by record."""


def coerce_many(obj: CompiledObject, inputs: list[Any],
                errors: list[FieldError]) -> list[dict[str, Any]]:
    """:func:`coerce` of each input (rows numbered from 0): the same values and the same
    errors, row by row, faster for many rows. The records with the first one's keys are
    coerced column by column (:func:`input_columns`; a column with a value that is not
    plainly fine goes value by value, and says which); any other record on its own."""
    first = inputs[0] if inputs else None
    if len(inputs) < COLUMN_ROWS or type(first) is not dict or not first:
        return [row if (row := coerce(obj, data, i, errors)) is not None else {}
                for i, data in enumerate(inputs)]
    keys = list(first)
    found: list[tuple[int, int, FieldError]] = []  # (row, place in the row, error)
    given = _alike_columns(inputs, keys)
    if given is not None:
        out = _coerce_columns(obj, keys, given, range(len(inputs)), found)
    else:
        out = [{}] * len(inputs)  # every slot is replaced below
        alike = [i for i, data in enumerate(inputs)
                 if type(data) is dict and data.keys() == first.keys()]
        given = [[inputs[i][key] for i in alike] for key in keys]
        for i, row in zip(alike, _coerce_columns(obj, keys, given, alike, found), strict=True):
            out[i] = row
        taken = set(alike)
        for i, data in enumerate(inputs):
            if i not in taken:
                own: list[FieldError] = []
                row = coerce(obj, data, i, own)
                out[i] = row if row is not None else {}
                found.extend((i, place, e) for place, e in enumerate(own))
    found.sort(key=lambda t: (t[0], t[1]))
    errors.extend(e for _, _, e in found)
    return out


def _alike_columns(inputs: list[Any], keys: list[str]) -> list[Sequence[Any]] | None:
    """The columns of ``inputs`` by ``keys`` when every input is a dict of exactly these
    keys (checked and transposed in C); None otherwise."""
    if kinds_of(inputs) != {dict} or set(map(len, inputs)) != {len(keys)}:
        return None
    try:
        if len(keys) == 1:
            return [list(map(itemgetter(keys[0]), inputs))]
        return list(zip(*map(itemgetter(*keys), inputs), strict=True))
    except KeyError:
        return None


def _coerce_columns(obj: CompiledObject, keys: list[str], given: list[Sequence[Any]],
                    numbers: Sequence[int], found: list[tuple[int, int, FieldError]]
                    ) -> list[dict[str, Any]]:
    """Records given as columns of the values of ``keys``, coerced a column at a time;
    ``numbers`` are their rows."""
    columns, singles = input_columns(obj), input_converters(obj)
    stored: list[str] = []
    values: list[Sequence[Any]] = []
    wrong: list[tuple[int, str]] = []  # (index, key) of values that did not fit
    others: list[tuple[int, str, Sequence[Any]]] = []  # keys without a converter
    for place, (key, column) in enumerate(zip(keys, given, strict=True)):
        coerce_column = columns.get(key)
        if coerce_column is None:
            others.append((place, key, column))
            continue
        try:
            converted = coerce_column(column)
        except (NotPlain, ValueProblem):
            converted = []
            convert = singles[key]
            for index, value in enumerate(column):
                try:
                    converted.append(convert(value))
                except ValueProblem as problem:
                    found.append((numbers[index], place, FieldError(
                        key, problem.code, problem.message, problem.hint, row=numbers[index])))
                    wrong.append((index, key))
                    converted.append(None)
        if not field_type(obj.kinds[key]).assigned:  # an auto-number's value is only checked
            stored.append(key)
            values.append(converted)
    rows = [dict(zip(stored, row, strict=True)) for row in zip(*values, strict=True)] \
        if values else [{} for _ in numbers]
    for index, key in wrong:
        rows[index].pop(key, None)
    for place, key, column in others:
        for index, value in enumerate(column):
            own: list[FieldError] = []
            _not_an_input(obj, key, value, rows[index], numbers[index], own)
            found.extend((numbers[index], place, e) for e in own)
    return rows


def input_converters(obj: CompiledObject) -> Mapping[str, Any]:
    """Field -> the function turning its input into the value to store (built once per
    object): the field's coercer, a blank made its type's implied value (a checkbox
    unchecked), a value hulian assigns (an auto-number) only checked."""
    def build() -> Mapping[str, Any]:
        out: dict[str, Any] = {}
        for name, convert in obj.coercers.items():
            kind = field_type(obj.kinds[name])
            if kind.never_blank:
                out[name] = lambda value, convert=convert, blank=kind.implied_default: \
                    blank if (converted := convert(value)) is None else converted
            elif kind.assigned:
                out[name] = lambda value, convert=convert: (convert(value), _CHECKED_ONLY)[1]
            else:
                out[name] = convert
        return MappingProxyType(out)

    return obj.memo.get("input_converters", build)


def input_columns(obj: CompiledObject) -> Mapping[str, Any]:
    """Field -> the function turning a column of its input into the values to store, as
    :func:`input_converters` does value by value (an auto-number's column is only checked:
    the caller does not store it); NotPlain or ValueProblem when that column must go value
    by value."""
    def build() -> Mapping[str, Any]:
        out: dict[str, Any] = {}
        for name in obj.coercers:
            kind = field_type(obj.kinds[name])
            column = kind.column_coercer(obj.field(name))
            out[name] = column if not kind.never_blank else \
                lambda values, column=column, blank=kind.implied_default: [
                    blank if v is None else v for v in column(values)]
        return MappingProxyType(out)

    return obj.memo.get("input_columns", build)


def _not_an_input(obj: CompiledObject, key: Any, value: Any, values: dict[str, Any],
                  row: int, errors: list[FieldError]) -> None:
    """A key without a coercer: ``owner_id`` (kept), or an error saying why it is refused."""
    if key in WRITABLE_SYSTEM_FIELDS:
        if value is not None and not isinstance(value, str):
            expected = {"business_type": "an api_name", "out_tenant_id": "an enterprise id"}
            errors.append(FieldError(key, "invalid_type",
                                     f"expected {expected.get(key, 'a user id')}", row=row))
        elif value is not None and not storable(value):
            errors.append(FieldError(key, "invalid_character", "an id holds no NUL "
                                     "and no lone surrogate", row=row))
        else:
            values[key] = value
    elif obj.field(key) is not None:  # a formula, quote or roll-up field
        errors.append(FieldError(key, "read_only", _computed(obj, key), row=row))
    elif key in SYSTEM_FIELDS:
        errors.append(FieldError(key, "read_only",
                                 f"{key} is maintained by hulian and cannot be set", row=row))
    else:
        errors.append(FieldError(key if isinstance(key, str) else repr(key), "unknown_field",
                                 f"{obj.api_name} has no field {key!r}",
                                 obj.unknown_field_hint(str(key)), row=row))


def _computed(obj: CompiledObject, key: str) -> str:
    f = obj.field(key)
    # neutral words: the summarised object and the quoted path may be hidden from the user
    if f is not None and f.roll_up is not None:
        return f"{key} is a roll-up of related records: hulian keeps it up to date"
    if f is not None and f.quote is not None:
        return f"{key} quotes a field of a related record: change it there"
    return f"{key} is a formula field: its value is computed"


def apply_defaults(plan: WritePlan, values: dict[str, Any]) -> None:
    for name, default in plan.defaults:
        if name not in values:
            values[name] = list(default) if isinstance(default, tuple) else default


def stamp_new(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]]) -> None:
    """System columns and auto-numbers for records about to be inserted."""
    user = ctx.user
    owner = {"out_tenant_id": None, "out_owner_id": None,
             **(ctx.owner or {"owner_id": user.id, "department_id": user.department_id})}
    stamped = {"life_status": "normal",
               "created_by": user.id, "updated_by": user.id, "created_at": ctx.now,
               "updated_at": ctx.now, "version": 1, "is_deleted": False}
    given = {"business_type": DEFAULT_BUSINESS_TYPE, **owner}  # a detail has its master's
    both = {**owner, **stamped}  # a row that names no owner (most): one update
    owner_keys = owner.keys()
    for row, record_id in zip(rows, new_ids(len(rows)), strict=True):
        row["id"] = record_id
        if "business_type" in row and owner_keys.isdisjoint(row):
            row.update(both)
            continue
        row.update({k: v for k, v in given.items() if k not in row})
        row.update(stamped)
    plan = write_plan(ctx.schema, obj.api_name)
    for name, start in plan.roll_up_starts:  # no children yet: a count or sum of nothing is 0
        for row in rows:
            row[name] = start
    for f in plan.auto_numbers:
        numbers = take_numbers(ctx.conn, ctx.schema.tenant, obj.api_name, f, len(rows), ctx.now)
        for row, number in zip(rows, numbers, strict=True):
            row[f.api_name] = number
