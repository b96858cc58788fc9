"""Packed changes: the creates of one bulk write, stored as few outbox rows.

A bulk create of n records makes n record changes with n consecutive ids. Written one row
each, the outbox would cost a bulk write about as much again as the records themselves (a
row, its JSON and three index entries per record). So the creates of one object in one
write are stored in packs of up to :data:`MAX_SPAN`, one row each: its ``id`` is the
first change's id, ``span`` says how many ids it holds, and ``after`` holds the values
column by column::

    {"ids": ["01J...A", "01J...B"], "fields": {"title": ["A", "B"], "amount": [1.50, null]}}

A pack's records share the first 10 characters of their ids (the millisecond they were
made: a bulk write makes a batch's ids with one clock read, :func:`hulian.engine.ids.new_ids`);
the row's ``record_id`` is that prefix and a ``~`` (:func:`key`), never a record's id. So
one index probe finds a record's packed create: ``record_id IN (id, key(id))``.

Readers never see a pack: :func:`unpack` gives back its :class:`RecordChange` values,
each with its own id (``id``, ``id + 1``, ...), record and values (a blank value left out
of ``after``, as in a single create). Only the outbox's own readers know ``span``.

>>> text = encode(["r1", "r2"], {"title": ["A", "B"], "amount": [Decimal("1.50"), None]})
>>> text
'{"ids":["r1","r2"],"fields":{"title":["A","B"],"amount":[1.50,null]}}'
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
from hulian.metadata.jsontext import flat_value, loads, number_text

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


def _column(column: Sequence[Any]) -> str:
    """A column's values as a JSON array, the fast way its types allow."""
    kinds = set(map(type, column))
    if kinds <= _PLAIN:
        return _C_ENCODER.encode(column)
    if kinds <= {Decimal, type(None)}:
        return "[" + ",".join("null" if v is None else number_text(v) for v in column) + "]"
    if kinds <= {dt.date, dt.datetime, dt.time, type(None)}:
        return _C_ENCODER.encode([None if v is None else v.isoformat() for v in column])
    return "[" + ",".join(map(flat_value, column)) + "]"


def encode(ids: Sequence[str], fields: Mapping[str, Sequence[Any]]) -> str:
    """The ``after`` text of a pack: the records' ids and, per field, their values in the
    same order (``None``: blank)."""
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
            {k: column for k, column in columns.items() if column.count(None) < len(column)})))
    return out


def unpack(row: Any) -> list[RecordChange]:
    """The changes one row of the outbox holds (one, or a pack's), in id order."""
    before = loads(row.before) if row.before is not None else None
    after = loads(row.after) if row.after is not None else None
    if row.span == 1:
        return [RecordChange(row.id, row.kind, row.object, row.record_id, before, after,
                             row.user_id, row.enterprise_id, row.channel, row.request_id,
                             row.at)]
    columns = list(after["fields"].items())
    return [RecordChange(row.id + i, row.kind, row.object, record_id, None,
                         {name: column[i] for name, column in columns
                          if column[i] is not None},
                         row.user_id, row.enterprise_id, row.channel, row.request_id, row.at)
            for i, record_id in enumerate(after["ids"])]
