"""``date``, ``datetime`` and ``time``: ISO 8601 values, one type each.

A date is a calendar day (years 1 to 9999); a datetime an instant, given with its time zone
and kept in UTC; a time a time of day without a zone. Lists sort and filter on all three
in time order.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

from hulian.metadata.field_types.base import (
    COMPARABLE,
    FieldContext,
    FieldType,
    Parser,
    Path,
    Raw,
    Report,
)
from hulian.metadata.model import Field
from hulian.metadata.values import (
    Coercer,
    ColumnCoercer,
    NotPlain,
    ValueProblem,
    kinds_of,
    wrong_type,
)

TIME_RE = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"
""":data:`TIME_RE` as a JSON Schema pattern (anchored)."""


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise wrong_type("a date", value, "pass a date without a time, e.g. 2024-03-31")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise ValueProblem("invalid_date", f"{value!r} is not a calendar date")
    if isinstance(value, str):
        raise ValueProblem("invalid_date", f"{value!r} is not a date", "write it as YYYY-MM-DD")
    raise wrong_type("a date (YYYY-MM-DD)", value)


def parse_datetime(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueProblem("invalid_datetime", f"{value!r} is not a date and time",
                               "write it as ISO 8601, e.g. 2024-03-31T09:30:00+08:00") from None
    else:
        raise wrong_type("a date and time (ISO 8601)", value)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueProblem("missing_timezone", "a date and time needs its time zone",
                           "end it with Z for UTC or an offset such as +08:00")
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # 9999-12-31T23:59-01:00 is in the year 10000 in UTC
        raise ValueProblem("invalid_datetime", f"{value!r} is out of the supported range",
                           "use a year between 1 and 9999 in UTC") from None


DATES_RE = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}\n)*")


def date_column(values: Sequence[Any]) -> list[Any]:
    """A column of ISO dates (or of dates) as :func:`parse_date` gives each; NotPlain
    for anything else (blanks, other forms, impossible days)."""
    kinds = kinds_of(values)
    if kinds == {dt.date}:
        return list(values)
    if kinds != {str} or not DATES_RE.fullmatch("\n".join(values) + "\n"):
        raise NotPlain
    try:
        return list(map(dt.date.fromisoformat, values))
    except ValueError:
        raise NotPlain from None


_ZONE = operator.attrgetter("tzinfo")


def datetime_column(values: Sequence[Any]) -> list[Any]:
    """A column of ISO 8601 instants with their offsets (or of aware datetimes) in UTC, as
    :func:`parse_datetime` gives each; NotPlain for anything else."""
    kinds = kinds_of(values)
    try:
        if kinds == {str}:
            moments = list(map(dt.datetime.fromisoformat, values))
            # the zones ISO text gives are fixed offsets: only a missing one is a problem
            if None in set(map(_ZONE, moments)):
                raise NotPlain
        elif kinds == {dt.datetime}:
            moments = values
            if any(m.tzinfo is None or m.utcoffset() is None for m in moments):
                raise NotPlain
        else:
            raise NotPlain
        return list(map(dt.datetime.astimezone, moments, repeat(dt.UTC)))
    except (ValueError, OverflowError):
        raise NotPlain from None


def parse_time(value: Any) -> dt.time | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        moment = value
    elif isinstance(value, str) and TIME_RE.fullmatch(value.strip()):
        try:
            moment = dt.time.fromisoformat(value.strip())
        except ValueError:
            raise ValueProblem("invalid_time", f"{value!r} is not a time of day") from None
    elif isinstance(value, str):
        raise ValueProblem("invalid_time", f"{value!r} is not a time", "write it as HH:MM[:SS]")
    else:
        raise wrong_type("a time (HH:MM:SS)", value)
    if moment.tzinfo is not None:
        raise ValueProblem("invalid_time", "a time field holds a time of day without a time zone")
    return moment


class TemporalType(FieldType):
    """What dates, datetimes and times share: no settings, ISO text in JSON."""

    parse: Any
    """The coercer, also the filter operands' parser (a staticmethod)."""
    json_type: dict[str, Any]
    json_note: str

    textual = numeric = choice = reference = False
    stored = True
    assigned = always_required = always_unique = names_records = False
    implied_default = None
    indexable = sortable = True
    operators = COMPARABLE
    settings = ()
    default_json = (str,)

    def settings_of(self, raw: Raw) -> dict[str, Any]:
        return {}

    def check_settings(self, raw: Raw, path: Path, report: Report, context: FieldContext
                       ) -> bool:
        return True

    def coercer(self, field: Field) -> Coercer:
        return self.parse

    def filter_parser(self, field: Field | None) -> Parser:
        return self.parse

    def describe(self, field: Field) -> dict[str, Any]:
        return {}

    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        return dict(self.json_type), self.json_note


class Date(TemporalType):
    name = "date"
    widget = "date"
    formula_type = default_formula_type = "date"
    derived = frozenset({"formula", "roll_up", "quote"})
    quoted_as = "date"
    summarised_by = frozenset({"MIN", "MAX"})
    parse = staticmethod(parse_date)

    def column_coercer(self, field: Field) -> ColumnCoercer:
        return date_column
    json_type = {"type": "string", "format": "date"}
    json_note = "A calendar date, YYYY-MM-DD."


class DateTime(TemporalType):
    name = "datetime"
    widget = "datetime-local"
    formula_type = default_formula_type = "datetime"
    derived = frozenset({"formula", "roll_up", "quote"})
    quoted_as = "datetime"
    summarised_by = frozenset({"MIN", "MAX"})
    parse = staticmethod(parse_datetime)

    def column_coercer(self, field: Field) -> ColumnCoercer:
        return datetime_column
    json_type = {"type": "string", "format": "date-time"}
    json_note = "ISO 8601 with a time zone offset; returned in UTC."


class Time(TemporalType):
    name = "time"
    widget = "time"
    formula_type = default_formula_type = "time"
    derived = frozenset({"formula", "quote"})
    quoted_as = "time"
    summarised_by = frozenset()
    parse = staticmethod(parse_time)
    json_type = {"type": "string", "pattern": TIME_PATTERN}
    json_note = "A time of day without a time zone, HH:MM[:SS[.ffffff]]."


DATE = Date()
DATETIME = DateTime()
TIME = Time()
