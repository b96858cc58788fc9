"""Date and time functions: building, reading and shifting dates, datetimes and times.

A date is a calendar day, a time a clock time of day (to the microsecond), a
datetime an instant. Every function that reads the calendar or clock parts of a
datetime reads them in UTC, whatever the database session's time zone, so
``YEAR(NOW())`` is the UTC year. Years run from 1 to 9999: a value that would fall
outside them, a text that is not a real date, and DATE(2023, 2, 29) are blank
(Salesforce shows #Error!). SQL never raises for any input: PostgreSQL reads every
timestamp ``AT TIME ZONE 'UTC'`` and checks ranges in CASE before it builds a date.

Accepted texts (anything else is blank):

- DATEVALUE: ``YYYY-MM-DD``
- DATETIMEVALUE: ``YYYY-MM-DD``, optionally followed by a space or ``T``, ``HH:MM``,
  optionally ``:SS`` and ``.`` plus 1 to 6 digits, and an optional ``Z``; read as UTC
- TIMEVALUE: ``HH:MM``, optionally ``:SS`` and ``.`` plus 1 to 6 digits
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from hulian.formula.functions.base import NUM, Function, expect, register, signature
from hulian.formula.python import typed_impl
from hulian.formula.sql import sql_type
from hulian.formula.types import T

UTC = dt.UTC
MAX_YEAR = 9999
MONTHS_MIN = 12  # January of year 1, counted in months from year 0
MONTHS_MAX = MAX_YEAR * 12 + 11
DATES = frozenset({T.DATE, T.DATETIME})
CLOCKS = frozenset({T.TIME, T.DATETIME})

LEAP_YEAR_TEXT = (r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])"
                  r"|(?:0[48]|[2468][048]|[13579][26])00)")
DATE_TEXT = (r"(?:(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
             r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
             r"|" + LEAP_YEAR_TEXT + r"-02-29)")
"""``YYYY-MM-DD`` of a day that exists (leap years included), years 0001 to 9999.

The same pattern runs in Python and in PostgreSQL (whose regular expressions read it the
same way), so that PostgreSQL can cast every text it accepts without ever raising.
"""
TIME_TEXT = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
DATETIME_TEXT = DATE_TEXT + r"(?:[ T]" + TIME_TEXT + r"Z?)?"
_DATE_RE = re.compile(DATE_TEXT)
_TIME_RE = re.compile(TIME_TEXT)
_DATETIME_RE = re.compile(DATETIME_TEXT)
_FRACTION_RE = re.compile(r"\.([0-9]+)")


# -- Python side -------------------------------------------------------------------------------

def _date_of(text: str) -> dt.date:
    """The date at the start of ``text``, which matched DATE_TEXT (so it exists)."""
    return dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))


def _time_of(text: str) -> dt.time:
    """The time at the start of ``text``, which matched TIME_TEXT: ``HH:MM[:SS[.ffffff]]``."""
    fraction = _FRACTION_RE.search(text)
    return dt.time(int(text[0:2]), int(text[3:5]), int(text[6:8] or 0),
                   int(fraction.group(1).ljust(6, "0")) if fraction else 0)


def make_date(year: Decimal, month: Decimal, day: Decimal) -> dt.date | None:
    """DATE: fractions are dropped; an impossible date is blank."""
    try:
        return dt.date(int(year), int(month), int(day))
    except (ValueError, OverflowError):
        return None


@typed_impl
def date_value(types: Sequence[T], value: Any) -> dt.date | None:
    if types[0] is T.DATETIME:
        return value.astimezone(UTC).date()
    if types[0] is T.DATE:
        return value
    return _date_of(value) if _DATE_RE.fullmatch(value) else None


@typed_impl
def datetime_value(types: Sequence[T], value: Any) -> dt.datetime | None:
    if types[0] is T.DATETIME:
        return value
    if types[0] is T.DATE:
        return dt.datetime.combine(value, dt.time(0), tzinfo=UTC)
    if not _DATETIME_RE.fullmatch(value):
        return None
    clock = _time_of(value[11:]) if len(value) > 10 else dt.time(0)
    return dt.datetime.combine(_date_of(value), clock, tzinfo=UTC)


@typed_impl
def time_value(types: Sequence[T], value: Any) -> dt.time | None:
    if types[0] is T.DATETIME:
        return value.astimezone(UTC).time()
    if types[0] is T.TIME:
        return value
    return _time_of(value) if _TIME_RE.fullmatch(value) else None


def _calendar(types: Sequence[T], value: Any) -> Any:
    """The date, or the datetime in UTC, whose calendar parts are read."""
    return value.astimezone(UTC) if types[0] is T.DATETIME else value


def _clock(types: Sequence[T], value: Any) -> dt.time:
    return value.astimezone(UTC).time() if types[0] is T.DATETIME else value


def _part(read: Callable[[Any], int], of: Callable[[Sequence[T], Any], Any]):
    @typed_impl
    def python(types: Sequence[T], value: Any) -> Decimal:
        return Decimal(read(of(types, value)))
    return python


@typed_impl
def add_months(types: Sequence[T], value: Any, months: Decimal) -> Any:
    """ADDMONTHS: the last day of a month goes to the last day of the target month."""
    moment = _calendar(types, value)
    if months.copy_abs() > MONTHS_MAX:  # past any date (and int() of 1e99999 takes long)
        return None
    index = moment.year * 12 + moment.month - 1 + int(months)
    if not MONTHS_MIN <= index <= MONTHS_MAX:
        return None
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if moment.day == calendar.monthrange(moment.year, moment.month)[1]:
        day = last
    else:
        day = min(moment.day, last)
    return moment.replace(year=year, month=month, day=day)


def today() -> dt.date:
    return dt.datetime.now(UTC).date()


def now() -> dt.datetime:
    return dt.datetime.now(UTC)


def time_now() -> dt.time:
    return dt.datetime.now(UTC).time()


# -- PostgreSQL side ---------------------------------------------------------------------------

def _typed_null(builder):
    """A strict builder: a NULL-typed argument gives a NULL of the result type."""
    def build(c, args, types, result):
        if T.NULL in types:
            return sa.cast(sa.null(), sql_type(result))
        return builder(c, args, types, result)
    return build


def _pg_int(value: Any) -> Any:
    return sa.cast(value, sa.Integer)


def _pg_trunc(number: Any) -> Any:
    """A formula number without its fraction, as numeric (a bare literal 5 would be int)."""
    return sa.func.trunc(sa.cast(number, sa.Numeric()), type_=sa.Numeric())


def pg_utc(value: Any) -> Any:
    """A timestamptz as the UTC wall-clock timestamp (whatever the session time zone)."""
    return sa.func.timezone(sa.literal("UTC", sa.Text()), value, type_=sa.DateTime())


def pg_from_utc(value: Any) -> Any:
    """A UTC wall-clock timestamp as a timestamptz."""
    return sa.func.timezone(sa.literal("UTC", sa.Text()), value,
                            type_=sa.DateTime(timezone=True))


def pg_month_days(year: Any, month: Any) -> Any:
    """Days in ``month`` (1 to 12) of ``year`` (whole numbers); plain arithmetic, never raises."""
    leap = sa.or_(sa.and_(sa.func.mod(year, 4) == 0, sa.func.mod(year, 100) != 0),
                  sa.func.mod(year, 400) == 0)
    return sa.case((month == 2, sa.case((leap, 29), else_=28)),
                   else_=30 + sa.func.mod(month + sa.func.div(month, 8), 2))


def pg_within(value: Any, low: int, high: int) -> Any:
    """``low <= value <= high`` naming ``value`` once (BETWEEN would evaluate it twice)."""
    return sa.func.abs(value * 2 - (low + high)) <= high - low


def _pg_matches(text: Any, pattern: str) -> Any:
    return text.op("~", is_comparison=True)(sa.literal(f"^{pattern}$", sa.Text()))


def _pg_parse(text: Any, kind: Any) -> Any:
    """Text -> date, timestamp or time at run time: the cast goes through text, else
    PostgreSQL would convert a literal while parsing the statement, before CASE guards it."""
    return sa.cast(sa.cast(text, sa.Text()), kind)


def _pg_text_date(text: Any) -> Any:
    # The pattern admits only real days, so the cast cannot fail.
    return sa.case((_pg_matches(text, DATE_TEXT), _pg_parse(text, sa.Date())))


def _pg_text_datetime(text: Any) -> Any:
    # ISO input: PostgreSQL reads it whatever DateStyle; a 'Z' is ignored by timestamp.
    return sa.case((_pg_matches(text, DATETIME_TEXT),
                    pg_from_utc(_pg_parse(text, sa.DateTime()))))


def _pg_text_time(text: Any) -> Any:
    return sa.case((_pg_matches(text, TIME_TEXT), _pg_parse(text, sa.Time())))


def _pg_date(c, args, types, result):
    year, month, day = (_pg_trunc(a) for a in args)
    valid = sa.and_(pg_within(year, 1, MAX_YEAR), pg_within(month, 1, 12),
                    day >= 1, day <= pg_month_days(year, month))
    make = sa.func.make_date(_pg_int(year), _pg_int(month), _pg_int(day), type_=sa.Date())
    return sa.case((valid, make))


def _pg_datevalue(c, args, types, result):
    (value,) = args
    if types[0] is T.DATETIME:
        return sa.cast(pg_utc(value), sa.Date)
    if types[0] is T.DATE:
        return value
    return _pg_text_date(value)


def _pg_datetimevalue(c, args, types, result):
    (value,) = args
    if types[0] is T.DATE:
        return pg_from_utc(sa.cast(value, sa.DateTime))
    if types[0] is T.DATETIME:
        return value
    return _pg_text_datetime(value)


def _pg_timevalue(c, args, types, result):
    (value,) = args
    if types[0] is T.DATETIME:
        return sa.cast(pg_utc(value), sa.Time)
    if types[0] is T.TIME:
        return value
    return _pg_text_time(value)


def _pg_source(value: Any, kind: T) -> Any:
    return pg_utc(value) if kind is T.DATETIME else value


def _pg_extract(field: str):
    def build(c, args, types, result):
        return sa.cast(sa.extract(field, _pg_source(args[0], types[0])), sa.Numeric())
    return build


def _pg_weekday(c, args, types, result):
    return sa.cast(sa.extract("dow", _pg_source(args[0], types[0])), sa.Numeric()) + 1


def _pg_second(c, args, types, result):
    return sa.func.floor(sa.cast(sa.extract("second", _pg_source(args[0], types[0])),
                                 sa.Numeric()))


def _pg_millisecond(c, args, types, result):
    millis = sa.cast(sa.extract("milliseconds", _pg_source(args[0], types[0])), sa.Numeric())
    return sa.func.mod(sa.func.floor(millis), 1000)


def _pg_addmonths(c, args, types, result):
    value, months = args
    moment = _pg_source(value, types[0])
    whole = _pg_trunc(months)
    index = (sa.cast(sa.extract("year", moment), sa.Numeric()) * 12
             + sa.cast(sa.extract("month", moment), sa.Numeric()) - 1 + whole)
    # PostgreSQL's "+ n months" already clamps to the target month's length; a month's last
    # day goes to the next month's first day and back, so it lands on the last day too.
    day = sa.text("interval '1 day'")
    # Clamped before the cast: PostgreSQL folds constants in the guarded branch too, and an
    # integer overflow there would raise although the guard gives blank.
    bounded = sa.func.least(sa.func.greatest(whole, -MONTHS_MAX), MONTHS_MAX)
    months = _pg_int(bounded) * sa.text("interval '1 month'")
    is_last = sa.cast(sa.extract("day", moment + day), sa.Numeric()) == 1
    moved = sa.case((is_last, moment + day + months - day), else_=moment + months)
    moved = pg_from_utc(moved) if types[0] is T.DATETIME else sa.cast(moved, sa.Date)
    return sa.case((pg_within(index, MONTHS_MIN, MONTHS_MAX), moved))


def _pg_today(c, args, types, result):
    return sa.cast(pg_utc(sa.func.now()), sa.Date)


def _pg_now(c, args, types, result):
    return sa.func.now(type_=sa.DateTime(timezone=True))


def _pg_timenow(c, args, types, result):
    return sa.cast(pg_utc(sa.func.now()), sa.Time)


# -- registration ------------------------------------------------------------------------------

def _converter(result: T, *others: T) -> Callable[[Sequence[T]], T]:
    """DATEVALUE, DATETIMEVALUE, TIMEVALUE: text, a datetime, or a value of the result type."""
    return signature([{T.TEXT, T.DATETIME, result, *others}], result)


def _addmonths_type(types: Sequence[T]) -> T:
    expect(types, 0, DATES)
    expect(types, 1, NUM)
    return T.DATETIME if types[0] is T.DATETIME else T.DATE


def _fn(name: str, arity: int, typer, python, pg, summary: str, *examples: str,
        volatile: bool = False) -> None:
    register(Function(name, arity, arity, typer, python, pg=_typed_null(pg), volatile=volatile,
                      summary=summary, examples=examples))


_fn("DATE", 3, signature([NUM, NUM, NUM], T.DATE), make_date, _pg_date,
    "the date of a year, month and day (blank when there is no such day)",
    "DATE(2024, 2, 29)")
_fn("DATEVALUE", 1, _converter(T.DATE), date_value, _pg_datevalue,
    "a date from 'YYYY-MM-DD' text, or the UTC date of a datetime",
    "DATEVALUE('2024-02-29')", "DATEVALUE(created_at)")
_fn("DATETIMEVALUE", 1, _converter(T.DATETIME, T.DATE), datetime_value, _pg_datetimevalue,
    "a datetime from 'YYYY-MM-DD HH:MM:SS' text read as UTC, or a date's midnight UTC",
    "DATETIMEVALUE('2024-02-29 13:45:00')", "DATETIMEVALUE('2024-02-29T13:45:00Z')")
_fn("TIMEVALUE", 1, _converter(T.TIME), time_value, _pg_timevalue,
    "a time from 'HH:MM:SS.fff' text, or the UTC time of day of a datetime",
    "TIMEVALUE('17:30:45.125')")
_fn("TODAY", 0, signature([], T.DATE), today, _pg_today, "the current date in UTC",
    "TODAY() - close_date", volatile=True)
_fn("NOW", 0, signature([], T.DATETIME), now, _pg_now, "the current date and time",
    "NOW() - created_at", volatile=True)
_fn("TIMENOW", 0, signature([], T.TIME), time_now, _pg_timenow,
    "the current time of day in UTC", "TIMENOW()", volatile=True)
_fn("YEAR", 1, signature([DATES], T.NUMBER), _part(lambda d: d.year, _calendar),
    _pg_extract("year"), "the year of a date (of a datetime: in UTC)", "YEAR(close_date)")
_fn("MONTH", 1, signature([DATES], T.NUMBER), _part(lambda d: d.month, _calendar),
    _pg_extract("month"), "the month (1 to 12) of a date (of a datetime: in UTC)",
    "MONTH(close_date)")
_fn("DAY", 1, signature([DATES], T.NUMBER), _part(lambda d: d.day, _calendar),
    _pg_extract("day"), "the day of the month (1 to 31) of a date (of a datetime: in UTC)",
    "DAY(close_date)")
_fn("WEEKDAY", 1, signature([DATES], T.NUMBER),
    _part(lambda d: d.isoweekday() % 7 + 1, _calendar), _pg_weekday,
    "the day of the week: 1 for Sunday to 7 for Saturday", "WEEKDAY(close_date)")
_fn("DAYOFYEAR", 1, signature([DATES], T.NUMBER),
    _part(lambda d: d.timetuple().tm_yday, _calendar), _pg_extract("doy"),
    "the day of the year, 1 to 366", "DAYOFYEAR(close_date)")
_fn("ISOWEEK", 1, signature([DATES], T.NUMBER),
    _part(lambda d: d.isocalendar().week, _calendar), _pg_extract("week"),
    "the ISO 8601 week number (1 to 53; weeks start on Monday)", "ISOWEEK(close_date)")
_fn("ISOYEAR", 1, signature([DATES], T.NUMBER),
    _part(lambda d: d.isocalendar().year, _calendar), _pg_extract("isoyear"),
    "the ISO 8601 week-numbering year", "ISOYEAR(close_date)")
_fn("ADDMONTHS", 2, _addmonths_type, add_months, _pg_addmonths,
    "the date some months later (a month's last day stays the last day)",
    "ADDMONTHS(start_date, 5)")
_fn("HOUR", 1, signature([CLOCKS], T.NUMBER), _part(lambda t: t.hour, _clock),
    _pg_extract("hour"), "the hour (0 to 23) of a time (of a datetime: in UTC)",
    "HOUR(TIMEVALUE('17:30:45'))")
_fn("MINUTE", 1, signature([CLOCKS], T.NUMBER), _part(lambda t: t.minute, _clock),
    _pg_extract("minute"), "the minute (0 to 59) of a time (of a datetime: in UTC)",
    "MINUTE(TIMEVALUE('17:30:45'))")
_fn("SECOND", 1, signature([CLOCKS], T.NUMBER), _part(lambda t: t.second, _clock),
    _pg_second, "the whole seconds (0 to 59) of a time or datetime",
    "SECOND(TIMEVALUE('17:30:45.125'))")
_fn("MILLISECOND", 1, signature([CLOCKS], T.NUMBER),
    _part(lambda t: t.microsecond // 1000, _clock), _pg_millisecond,
    "the milliseconds (0 to 999) of a time or datetime",
    "MILLISECOND(TIMEVALUE('17:30:45.125'))")


__all__ = ["add_months", "date_value", "datetime_value", "make_date", "now", "pg_from_utc",
           "pg_month_days", "pg_utc", "time_now", "time_value", "today"]
