"""Sorting and keyset pagination.

``order_by`` is a list of field names, ``-`` in front for descending. The record
id is always the last key, so the order is total. Blank values sort as the
largest (last ascending, first descending) on both databases. A page's ``next``
cursor holds the last row's sort values; the next page starts strictly after them,
so pages never skip or repeat rows that are inserted meanwhile. Cursors are signed
(:mod:`hulian.engine.records.cursors`) for the tenant and the object: a forged,
altered, truncated or foreign cursor is ``invalid_cursor``, and so is one whose values
no longer fit their fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import QueryError
from hulian.engine.formulas.select import RecordSelect
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.records.filters import parse_value, type_of
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.field_types import BY_NAME
from hulian.metadata.jsontext import dumps, loads

DEFAULT_ORDER = ("-created_at",)
MAX_CURSOR = 1024 * 1024
"""The longest cursor read: one holds the last row's sort values, and a textarea of 32,768
characters takes some 131,000 in a cursor (REST clients are held to 65,536 per parameter)."""


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool

    @property
    def spec(self) -> str:
        return ("-" if self.descending else "") + self.name


def parse_order(obj: CompiledObject, order_by: Sequence[str] | str | None) -> list[SortKey]:
    if order_by is None:
        order_by = DEFAULT_ORDER
    if isinstance(order_by, str):
        order_by = [part.strip() for part in order_by.split(",") if part.strip()]
    keys: list[SortKey] = []
    id_key: SortKey | None = None
    for item in order_by:
        if not isinstance(item, str) or not item.lstrip("-"):
            raise QueryError(f"{item!r} is not a sort key", code="invalid_sort",
                             hint="name a field, with '-' in front for descending")
        name = item.lstrip("-")
        kind = type_of(obj, name)
        if kind in BY_NAME and not BY_NAME[kind].sortable:
            raise QueryError(f"{name}: {kind.replace('_', '-')}s cannot be sorted",
                             code="invalid_sort", field=name)
        if name == "id":  # unique: the keys after it can never matter
            id_key = id_key or SortKey("id", item.startswith("-"))
        elif id_key is None and all(k.name != name for k in keys):
            keys.append(SortKey(name, item.startswith("-")))
    last_descending = keys[-1].descending if keys else False
    keys.append(id_key or SortKey("id", last_descending))
    return keys


def order_clauses(select: RecordSelect, keys: list[SortKey]) -> list:
    out = []
    for key in keys:
        column = select.sort_key(key.name)
        out.append(column.desc().nulls_first() if key.descending else column.asc().nulls_last())
    return out


def _after(select: RecordSelect, keys: list[SortKey], values: list[Any], i: int):
    key, value = keys[i], values[i]
    column = select.sort_key(key.name)
    value = select.sort_value(key.name, value)
    if isinstance(value, bool):  # SQLAlchemy takes bare True/False for IS, not for < and >
        value = sa.literal(value, column.type)
    if i == len(keys) - 1:
        return column < value if key.descending else column > value
    rest = _after(select, keys, values, i + 1)
    if value is None:  # blanks are largest
        tie = sa.and_(column.is_(None), rest)
        return sa.or_(column.is_not(None), tie) if key.descending else tie
    beyond = column < value if key.descending else sa.or_(column > value, column.is_(None))
    return sa.or_(beyond, sa.and_(column == value, rest))


def after_clause(select: RecordSelect, keys: list[SortKey], cursor: str,
                 signer: CursorSigner):
    values = decode_cursor(select.obj, keys, cursor, signer, select.schema.tenant)
    return _after(select, keys, values, 0)


def encode_cursor(keys: list[SortKey], record: dict[str, Any], signer: CursorSigner,
                  scope: tuple[str, str]) -> str:
    """The signed cursor after ``record`` for ``scope`` = (tenant, object api_name)."""
    payload = {"o": [k.spec for k in keys], "v": [record.get(k.name) for k in keys]}
    return signer.sign(scope, dumps(payload).encode("utf-8"))


def decode_cursor(obj: CompiledObject, keys: list[SortKey], cursor: str, signer: CursorSigner,
                  tenant: str) -> list[Any]:
    """The sort values of a cursor that ``signer`` made for ``tenant`` and ``obj`` with the
    same ``keys``; QueryError ``invalid_cursor`` for anything else."""
    bad = QueryError("the cursor is not valid for this query", code="invalid_cursor",
                     parameter="after",
                     hint="pass the 'next' value of the previous page with the same order_by")
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        raise bad
    raw = signer.verify((tenant, obj.api_name), cursor)
    if raw is None:
        raise bad
    try:
        payload = loads(raw)
    except (ValueError, RecursionError):  # signed by us: only a change of format gets here
        raise bad from None
    if not isinstance(payload, dict) or payload.get("o") != [k.spec for k in keys] \
            or not isinstance(payload.get("v"), list) or len(payload["v"]) != len(keys):
        raise bad
    values = []
    for key, raw_value in zip(keys, payload["v"], strict=True):
        if raw_value is None:
            values.append(None)
            continue
        try:
            values.append(parse_value(obj, key.name, raw_value))
        except QueryError:  # e.g. the field's precision shrank since the cursor was made
            raise bad from None
    return values
