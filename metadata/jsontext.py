"""JSON text that keeps numbers exact: Decimals in, Decimals out.

``loads`` parses every non-integer number as ``Decimal``; ``dumps`` writes a
Decimal as a JSON number with exactly its digits (``12.50`` stays ``12.50``),
dates and times as ISO 8601 strings, tuples and read-only maps as arrays and
objects.

>>> from decimal import Decimal
>>> dumps({"amount": Decimal("12.50"), "ok": True})
'{"amount": 12.50, "ok": true}'
>>> loads('{"amount": 12.50}')["amount"]
Decimal('12.50')
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_encode_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """Parse JSON; non-integers become Decimal; NaN and Infinity are refused (ValueError)."""
    return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)


def number_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} cannot be written as JSON")
    text = str(value)
    if "E" in text or "e" in text:
        text = format(value, "f")
    return text


def _write(value: Any, out: list[str], indent: str | None, level: int) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        out.append(number_text(value))
    elif isinstance(value, float):
        out.append(json.dumps(value, allow_nan=False))
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        out.append('"' + value.isoformat() + '"')
    elif isinstance(value, Mapping):
        _container(list(value.items()), out, indent, level, "{", "}", True)
    elif isinstance(value, list | tuple):
        _container(list(value), out, indent, level, "[", "]", False)
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _container(items: list, out: list[str], indent: str | None, level: int,
               start: str, end: str, mapping: bool) -> None:
    if not items:
        out.append(start + end)
        return
    out.append(start)
    inner = "" if indent is None else "\n" + indent * (level + 1)
    for i, item in enumerate(items):
        out.append(("," if i else "") + (inner if indent is not None else ("" if not i else " ")))
        if mapping:
            key, val = item
            out.append(_encode_string(str(key)) + ": ")
            _write(val, out, indent, level + 1)
        else:
            _write(item, out, indent, level + 1)
    out.append(("" if indent is None else "\n" + indent * level) + end)


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Serialise ``value`` (non-ASCII text stays readable); ``indent`` pretty-prints."""
    out: list[str] = []
    _write(value, out, None if indent is None else " " * indent, 0)
    return "".join(out)


def _scalar_writers() -> dict[type, Any]:
    def iso(value: Any) -> str:
        return '"' + value.isoformat() + '"'

    def items(value: Any) -> str:
        return "[" + ",".join(flat_value(v) for v in value) + "]"

    return {str: _encode_string, int: str, bool: lambda v: "true" if v else "false",
            type(None): lambda v: "null", Decimal: number_text, dt.date: iso, dt.datetime: iso,
            dt.time: iso, list: items, tuple: items}


_SCALARS = _scalar_writers()


def flat_value(value: Any) -> str:
    write = _SCALARS.get(type(value))
    return write(value) if write is not None else dumps(value)


def dumps_flat(values: Mapping[str, Any]) -> str:
    """:func:`dumps` of a map of field values, compact and faster (a record's values: text,
    numbers, decimals, booleans, dates and times, lists of text); anything else goes through
    :func:`dumps`. ``loads`` reads it back the same.

    >>> dumps_flat({"amount": Decimal("12.50"), "tags": ["a"], "due": dt.date(2026, 1, 2)})
    '{"amount":12.50,"tags":["a"],"due":"2026-01-02"}'
    """
    return "{" + ",".join(_encode_string(key) + ":" + flat_value(value)
                          for key, value in values.items()) + "}"
