"""Field values as a page shows them, and as a form's inputs hold them.

Pure functions over a field entry of an effective layout or of ``describe`` (its ``type``,
``widget``, ``scale``, ``options``...):

>>> display(Decimal("1234.5"), {"type": "currency", "scale": 2}, "en")
'1,234.50'
>>> input_text(dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.timezone.utc), {"type": "datetime"})
'2024-03-01T09:30'

A ``datetime-local`` input has no zone: it is filled in the user's zone when it is known
(else UTC), and :func:`hulian.layouts.forms.read_form` reads it back in the same zone;
moments a page only shows (a history entry's time) are in the user's zone too:

>>> display(dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC), {"type": "datetime"}, "en",
...         zone=time_zone("Asia/Shanghai"))
'2024-03-01 17:30 UTC+08:00'
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["YES_NO", "display", "displayer", "input_text", "label_text", "option_labels",
           "time_zone"]

YES_NO = {"zh": ("是", "否"), "en": ("Yes", "No")}


def label_text(label: Any, lang: str) -> str:
    """A zh/en label in ``lang`` (else the other language, else the text itself)."""
    if label is None:
        return ""
    if isinstance(label, Mapping):
        return str(label.get(lang) or label.get("en") or label.get("zh") or
                   next(iter(label.values()), ""))
    return str(label)


def option_labels(field: Mapping[str, Any], lang: str) -> dict[str, str]:
    """``api_name -> label`` of a (multi-)picklist field's options, inactive ones too."""
    return {o["api_name"]: label_text(o.get("label"), lang) for o in field.get("options") or ()}


def time_zone(name: str | None) -> dt.tzinfo:
    """The IANA time zone ``name`` (``Asia/Shanghai``), else UTC (none, or not a zone)."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _moment(value: dt.datetime, zone: dt.tzinfo | None) -> str:
    """A moment in ``zone`` (UTC when None), with the zone: ``2024-03-01 17:30 UTC+08:00``."""
    if zone is None or zone is dt.UTC:
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    local = value.astimezone(zone)
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    shown = "UTC" if minutes == 0 else f"UTC{sign}{hours:02d}:{rest:02d}"
    return f"{local.strftime('%Y-%m-%d %H:%M')} {shown}"


def _scaled(value: Any, scale: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if isinstance(scale, int) and not isinstance(scale, bool) and 0 <= scale <= 18:
        return number.quantize(Decimal(1).scaleb(-scale))
    return number


def display(value: Any, field: Mapping[str, Any], lang: str, *,
            options: Mapping[str, str] | None = None,
            names: Mapping[str, str] | None = None, zone: dt.tzinfo | None = None) -> str:
    """``value`` of ``field`` as text for a list cell or a record page: option labels for
    picklists (``options``: api_name -> label), the record's name for lookups (``names``:
    id -> name), numbers at their scale (money with thousands separators, percent with
    ``%``), dates in ISO form, moments in ``zone`` with the zone (UTC when None),
    booleans as yes/no in ``lang``; blank is ``""``."""
    return displayer(field, lang, options=options, names=names, zone=zone)(value)


def displayer(field: Mapping[str, Any], lang: str, *,
              options: Mapping[str, str] | None = None,
              names: Mapping[str, str] | None = None,
              zone: dt.tzinfo | None = None) -> Callable[[Any], str]:
    """:func:`display` for the values of one field, its choices made once (a list column)."""
    kind = field.get("type")
    widget = field.get("widget")
    yes, no = YES_NO.get(lang, YES_NO["en"])
    scale = field.get("scale")
    shown: Callable[[Any], str]
    if kind in ("picklist", "multi_picklist") or widget in ("select", "multi-select"):
        labels = options if options is not None else option_labels(field, lang)

        def shown(value: Any) -> str:
            chosen = value if isinstance(value, (list, tuple)) else [value]
            return ", ".join(labels.get(str(v), str(v)) for v in chosen)
    elif kind in ("lookup", "master_detail", "reference") or widget == "lookup":
        known = names or {}

        def shown(value: Any) -> str:
            return known.get(str(value), str(value))
    elif kind in ("currency", "number", "percent"):
        def shown(value: Any) -> str:
            return _number(value, kind, scale)
    else:
        def shown(value: Any) -> str:
            if isinstance(value, Decimal):
                return _number(value, kind, scale)
            if kind == "datetime" and isinstance(value, str):  # as a change holds it (JSON)
                try:
                    value = dt.datetime.fromisoformat(value)
                except ValueError:
                    return value
            if isinstance(value, dt.datetime):
                return _moment(value, zone)
            if isinstance(value, (dt.date, dt.time)):
                return value.isoformat()
            if isinstance(value, (list, tuple)):
                return ", ".join(map(str, value))
            return str(value)

    def show(value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            return yes if value else no
        return shown(value)

    return show


def _number(value: Any, kind: Any, scale: Any) -> str:
    number = _scaled(value, scale)
    if number is None:
        return str(value)
    text = f"{number:,}" if kind == "currency" else str(number)
    return f"{text}%" if kind == "percent" else text


def input_text(value: Any, field: Mapping[str, Any], zone: dt.tzinfo | None = None) -> str:
    """``value`` as the text an ``<input>`` of ``field``'s widget holds (``""`` for blank):
    numbers at their scale without separators, ``datetime-local`` as ``YYYY-MM-DDTHH:MM``
    in ``zone`` (the user's; None: UTC), times as ``HH:MM[:SS]``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, dt.datetime):
        moment = value.astimezone(zone or dt.UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal) or field.get("type") in ("currency", "number", "percent"):
        number = _scaled(value, field.get("scale"))
        return str(value) if number is None else str(number)
    return str(value)
