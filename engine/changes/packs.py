"""Packed changes: the creates of one bulk write, stored as few outbox rows.

A bulk create of n records makes n record changes with n consecutive ids. Written one row
each, the outbox would cost a bulk write about as much again as the records themselves (a
row, its JSON and three index entries per record). So the creates of one object in one
write are stored in packs of up to :data:`MAX_SPAN`, one row each: its ``id`` is the
first change's id, ``span`` says how many ids it holds, and ``after`` holds the values
column by column::

    {"ids": ["01J...A", "01J...B"],
     "fields": {"title": ["A", "B"], "amount": [1.50, null], "owner_id": {"=": "01H..."}}}

(a value every record of the pack has is written once, as ``{"=": value}``).

A pack's records share the first 10 characters of their ids (the millisecond they were
made: a bulk write makes a batch's ids with one clock read, :func:`hulian.engine.ids.new_ids`);
the row's ``record_id`` is that prefix and a ``~`` (:func:`key`), never a record's id. So
one index probe finds a record's packed create: ``record_id IN (id, key(id))``.

Readers never see a pack: :func:`unpack` gives back its :class:`RecordChange` values,
each with its own id (``id``, ``id + 1``, ...), record and values (a blank value left out
of ``after``, as in a single create). Only the outbox's own readers know ``span``.

>>> encode(["r1", "r2"], {"title": ["A", "B"], "amount": [Decimal("1.50"), None],
...                        "stage": ["new", "new"]})
'{"ids":["r1","r2"],"fields":{"title":["A","B"],"amount":[1.50,null],"stage":{"=":"new"}}}'
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import operator
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from hulian.engine.changes import RecordChange
from hulian.metadata.jsontext import flat_value, loads

__all__ = ["MAX_SPAN", "Packed", "encode", "key", "pack", "unpack"]

MAX_SPAN = 500
"""The most changes one row holds. Readers of a range of ids find the row holding its
first change as the last row at or below it; a page of the feed decodes at most one pack
it does not show whole."""

PREFIX = 10
"""The characters of a record id shared by the records of one pack (the millisecond)."""

_C_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_PLAIN = frozenset({str, int, bool, type(None)})
"""Types the C encoder writes exactly as :mod:`hulian.metadata.jsontext` does."""


class Packed(NamedTuple):
    """The creates of ``span`` records of one object, about to be written as one row."""

    object: str
    object_id: str
    record_key: str
    """:func:`key` of its records' ids."""
    span: int
    after: str
    """:func:`encode` of the records' ids and values."""


def key(record_id: str) -> str:
    """The ``record_id`` of the pack a record's create is in, if it is in one."""
    return record_id[:PREFIX] + "~"


_NOT_PLAIN_DECIMAL = ("E", "N", "I")
"""In ``str(Decimal)``: an exponent, NaN or Infinity, which
:func:`hulian.metadata.jsontext.number_text` writes otherwise or refuses."""
_SAME_BY_EQUALITY = frozenset({str, int, bool, type(None), dt.date, list})
"""Types whose equal values are written alike (unlike Decimals 1.5 and 1.50)."""


def _all_same(column: Sequence[Any]) -> bool:
    """Whether every value equals the first (the last one is compared first: a column of
    different values is told in one comparison, not one per value)."""
    return column[-1] == column[0] and column.count(column[0]) == len(column)


def _column(column: Sequence[Any]) -> str:
    """A column's values as JSON, the fast way its types allow: ``{"=": value}`` when every
    record has the same value (an owner, a business type), else an array."""
    kinds = set(map(type, column))
    if len(kinds) == 1:
        (kind,) = kinds
        if kind is Decimal:
            texts = list(map(str, column))
            joined = ",".join(texts)
            if not any(mark in joined for mark in _NOT_PLAIN_DECIMAL):
                return '{"=":' + texts[0] + "}" if _all_same(texts) else "[" + joined + "]"
        elif kind in _SAME_BY_EQUALITY and _all_same(column):
            return '{"=":' + flat_value(column[0]) + "}"
        elif kind in (dt.date, dt.datetime, dt.time):
            return _C_ENCODER.encode(list(map(kind.isoformat, column)))
    if kinds <= _PLAIN:
        return _C_ENCODER.encode(column)
    return "[" + ",".join(map(flat_value, column)) + "]"


def encode(ids: Sequence[str], fields: Mapping[str, Sequence[Any]]) -> str:
    """The ``after`` text of a pack: the records' ids and, per field, their values in the
    same order (``None``: blank), or the one value they all have."""
    return '{"ids":' + _C_ENCODER.encode(list(ids)) + ',"fields":{' + ",".join(
        _C_ENCODER.encode(name) + ":" + _column(column)
        for name, column in fields.items()) + "}}"


_prefix = operator.itemgetter(slice(0, PREFIX))


def _runs(ids: Sequence[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of ``ids`` sharing their prefix, cut every MAX_SPAN."""
    start = 0
    for _, group in itertools.groupby(map(_prefix, ids)):
        end = start + len(list(group))
        for low in range(start, end, MAX_SPAN):
            yield low, min(low + MAX_SPAN, end)
        start = end


def pack(name: str, object_id: str, rows: Sequence[dict[str, Any]],
         keys: Sequence[str]) -> list[Packed | dict[str, Any]]:
    """The creates of ``rows`` (stored records of object ``name``; ``keys``: the values a
    create change reports), in order: a :class:`Packed` for each run of records sharing
    their id's prefix, and the row itself where a run is one record."""
    ids = [row["id"] for row in rows]
    out: list[Packed | dict[str, Any]] = []
    for start, end in _runs(ids):
        if end - start == 1:
            out.append(rows[start])
            continue
        run = rows[start:end]
        columns = {k: list(map(dict.get, run, itertools.repeat(k))) for k in keys}
        out.append(Packed(name, object_id, key(ids[start]), end - start, encode(
            ids[start:end],
            {k: column for k, column in columns.items()
             if column[0] is not None or column[-1] is not None or not _all_same(column)})))
    return out


def unpack(row: Any) -> list[RecordChange]:
    """The changes one row of the outbox holds (one, or a pack's), in id order."""
    before = loads(row.before) if row.before is not None else None
    after = loads(row.after) if row.after is not None else None
    if row.span == 1:
        return [RecordChange(row.id, row.kind, row.object, row.record_id, before, after,
                             row.user_id, row.enterprise_id, row.channel, row.request_id,
                             row.at)]
    ids = after["ids"]
    columns = [(name, column if isinstance(column, list) else [column["="]] * len(ids))
               for name, column in after["fields"].items()]
    return [RecordChange(row.id + i, row.kind, row.object, record_id, None,
                         {name: column[i] for name, column in columns
                          if column[i] is not None},
                         row.user_id, row.enterprise_id, row.channel, row.request_id, row.at)
            for i, record_id in enumerate(ids)]
