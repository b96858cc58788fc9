"""Field values: JSON input -> typed Python value, per field type, with its checks.

``coercer(field)`` is built once per field and then called per value; it returns
the Python value (``str``, ``Decimal``, ``bool``, ``date``, ``datetime`` in UTC,
``time``, ``list[str]`` for multi-picklists) or None for blank, and raises
:class:`ValueProblem` with a stable code when the value does not fit.

>>> from hulian.metadata.model import Field
>>> c = coercer(Field("amount", "currency", {"en": "Amount"}, precision=18, scale=2))
>>> c("12.345")
Decimal('12.35')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from hulian.metadata.model import Field

Coercer = Callable[[Any], Any]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
TIME_RE = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
PHONE_RE = re.compile(r"^\+?[0-9(][0-9 ()\-.]*(?:\s*(?:x|ext\.?|#)\s*[0-9]+)?$", re.IGNORECASE)

DEFAULT_MAX_LENGTH = {"text": 255, "textarea": 32768, "email": 254, "phone": 40, "url": 2048}
DEFAULT_PRECISION = 18
DEFAULT_SCALE = {"number": 0, "currency": 2, "percent": 2}
MAX_DIGITS = 40
"""The most significant digits a number from outside may have (a field holds at most 18;
a filter may compare with a few more). Checked before any arithmetic, as is
:data:`MAX_EXPONENT`, so ``1e999999999`` costs nothing."""
MAX_EXPONENT = 40
"""The largest power of ten (either way) a number from outside may reach: 1e-40 to 1e40."""


class ValueProblem(ValueError):
    """A value that does not fit its field: ``code``, ``message``, optional ``hint``."""

    def __init__(self, code: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "text", list: "list",
            dict: "object"}.get(type(value), type(value).__name__)


def _wrong_type(expected: str, value: Any, hint: str | None = None) -> ValueProblem:
    return ValueProblem("invalid_type", f"expected {expected}, got {_type_name(value)}", hint)


def clean_text(value: str) -> str:
    """``value`` if a database can store it; ValueProblem for NUL or lone surrogates."""
    if "\x00" in value:
        raise ValueProblem("invalid_character", "text may not contain the NUL character (\\u0000)")
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueProblem("invalid_character",
                           "text is not valid Unicode (lone surrogate)") from exc
    return value


def storable(value: str) -> bool:
    """Whether both databases can store ``value``: no NUL, no lone surrogate.

    >>> storable("Acme 互联"), storable("a\\x00b"), storable("\\ud800")
    (True, False, False)
    """
    try:
        clean_text(value)
    except ValueProblem:
        return False
    return True


def _text(field: Field, check: Callable[[str], None] | None = None) -> Coercer:
    max_length = field.max_length or DEFAULT_MAX_LENGTH[field.type]
    pattern = re.compile(field.pattern) if field.pattern else None

    def coerce(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise _wrong_type("text", value)
        if value == "":
            return None
        clean_text(value)
        if len(value) > max_length:
            raise ValueProblem(
                "too_long", f"text is {len(value)} characters long; at most {max_length} allowed"
            )
        if pattern is not None and not pattern.fullmatch(value):
            raise ValueProblem("pattern_mismatch", f"does not match the pattern {field.pattern!r}")
        if check is not None:
            check(value)
        return value

    return coerce


def _check_email(value: str) -> None:
    if not EMAIL_RE.fullmatch(value):
        raise ValueProblem("invalid_email", f"{value!r} is not an email address",
                           "write it as name@example.com")


def _check_phone(value: str) -> None:
    if not PHONE_RE.fullmatch(value) or sum(c.isdigit() for c in value) < 3:
        raise ValueProblem("invalid_phone", f"{value!r} is not a phone number",
                           "use digits, spaces, + ( ) - . and an optional extension")


def _check_url(value: str) -> None:
    problem = ValueProblem("invalid_url", f"{value!r} is not a web address",
                           "write it as https://example.com/path")
    try:
        parts = urlsplit(value if "://" in value else "http://" + value)
        hostname = parts.hostname
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 address)
        raise problem from None
    if parts.scheme not in ("http", "https") or not hostname or any(c.isspace() for c in value) \
            or ("." not in hostname and hostname != "localhost"):
        raise problem


def to_decimal(value: Any) -> Decimal:
    """A JSON number or numeric string as an exact Decimal (floats via their shortest repr)."""
    if isinstance(value, bool):
        raise _wrong_type("a number", value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueProblem("invalid_number", f"{value!r} is not a number",
                               "write digits with an optional '.' and sign, e.g. 1234.50") from None
    else:
        raise _wrong_type("a number", value)
    if not number.is_finite():
        raise ValueProblem("invalid_number", "NaN and Infinity are not numbers a field can hold")
    # adjusted() is the power of ten of the first digit: cheap even for 1e999999999
    exponent = number.adjusted()
    if abs(exponent) > MAX_EXPONENT or exponent - number.as_tuple().exponent >= MAX_DIGITS:
        raise ValueProblem("out_of_range", f"{shown(number)} is beyond the numbers hulian holds",
                           f"use at most {MAX_DIGITS} digits, between 1e-{MAX_EXPONENT} and "
                           f"1e{MAX_EXPONENT}")
    return number


def shown(number: Decimal) -> str:
    """``number`` for a message: short, whatever its size."""
    text = str(number)
    return text if len(text) <= 30 else f"{text[:12]}...{text[-12:]} ({len(text)} characters)"


def check_magnitude(number: Decimal, precision: int, scale: int) -> None:
    """ValueProblem ``out_of_range`` unless a field of ``precision`` and ``scale`` can hold
    ``number``'s digits before the point (checked on the exponent, before any rounding)."""
    if number and number.adjusted() >= precision - scale:
        raise _out_of_range(number, precision, scale)


def _out_of_range(number: Decimal, precision: int, scale: int) -> ValueProblem:
    return ValueProblem(
        "out_of_range",
        f"{shown(number)} has more than {precision - scale} digits before the decimal point",
        f"the field holds {precision} digits, {scale} of them after the point",
    )


def _number(field: Field) -> Coercer:
    scale = field.scale if field.scale is not None else DEFAULT_SCALE[field.type]
    precision = field.precision or DEFAULT_PRECISION
    quantum = Decimal(1).scaleb(-scale)
    limit = Decimal(10) ** (precision - scale)
    minimum, maximum = field.minimum, field.maximum

    def coerce(value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        number = to_decimal(value)
        # Check the size before rounding: quantize() fails on numbers wider than
        # the decimal context (1e30 at scale 2), and checking after it catches 99.995.
        check_magnitude(number, precision, scale)
        number = number.quantize(quantum, rounding=ROUND_HALF_UP)
        if abs(number) >= limit:
            raise _out_of_range(number, precision, scale)
        if minimum is not None and number < minimum:
            raise ValueProblem("too_small", f"{number} is less than the minimum {minimum}")
        if maximum is not None and number > maximum:
            raise ValueProblem("too_large", f"{number} is greater than the maximum {maximum}")
        return number

    return coerce


def _boolean(field: Field) -> Coercer:
    words = {"true": True, "false": False}

    def coerce(value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in words:
            return words[value.lower()]
        raise _wrong_type("true or false", value)

    return coerce


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise _wrong_type("a date", value, "pass a date without a time, e.g. 2024-03-31")
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
    raise _wrong_type("a date (YYYY-MM-DD)", value)


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
        raise _wrong_type("a date and time (ISO 8601)", value)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueProblem("missing_timezone", "a date and time needs its time zone",
                           "end it with Z for UTC or an offset such as +08:00")
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # 9999-12-31T23:59-01:00 is in the year 10000 in UTC
        raise ValueProblem("invalid_datetime", f"{value!r} is out of the supported range",
                           "use a year between 1 and 9999 in UTC") from None


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
        raise _wrong_type("a time (HH:MM:SS)", value)
    if moment.tzinfo is not None:
        raise ValueProblem("invalid_time", "a time field holds a time of day without a time zone")
    return moment


def _options_hint(field: Field) -> str:
    names = [o.api_name for o in field.options if o.active]
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return f"use an option's api_name: {shown}"


def _picklist(field: Field) -> Coercer:
    names = {o.api_name for o in field.options}

    def coerce(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise _wrong_type("an option api_name", value)
        if value not in names:
            raise ValueProblem("invalid_option", f"{value!r} is not an option of this field",
                               _options_hint(field))
        return value

    return coerce


def _multi_picklist(field: Field) -> Coercer:
    order = {o.api_name: i for i, o in enumerate(field.options)}

    def coerce(value: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            raise _wrong_type("a list of option api_names", value)
        for item in value:
            if not isinstance(item, str) or item not in order:
                raise ValueProblem("invalid_option", f"{item!r} is not an option of this field",
                                   _options_hint(field))
        return sorted(set(value), key=order.__getitem__) or None

    return coerce


def _lookup(field: Field) -> Coercer:
    def coerce(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise _wrong_type("a record id (text)", value)  # names no object: see Disclosure
        if len(value) > 64 or not value.isascii() or not value.isalnum():
            raise ValueProblem("invalid_reference", f"{value!r} is not a record id")
        return value

    return coerce


def _auto_number(field: Field) -> Coercer:
    def coerce(value: Any) -> str | None:
        if value is None:
            return None
        raise ValueProblem("read_only", "an auto-number is assigned by hulian and cannot be set")

    return coerce


_BUILDERS: dict[str, Callable[[Field], Coercer]] = {
    "text": _text,
    "textarea": _text,
    "email": lambda f: _text(f, _check_email),
    "phone": lambda f: _text(f, _check_phone),
    "url": lambda f: _text(f, _check_url),
    "number": _number,
    "currency": _number,
    "percent": _number,
    "boolean": _boolean,
    "date": lambda f: parse_date,
    "datetime": lambda f: parse_datetime,
    "time": lambda f: parse_time,
    "picklist": _picklist,
    "multi_picklist": _multi_picklist,
    "lookup": _lookup,
    "master_detail": _lookup,
    "auto_number": _auto_number,
}


def coercer(field: Field) -> Coercer:
    """Build the coercer for ``field`` (once); call it per value."""
    return _BUILDERS[field.type](field)


def inactive_options(field: Field, value: Any) -> list[str]:
    """The option api_names in ``value`` that are no longer active."""
    if field.type not in ("picklist", "multi_picklist") or value is None:
        return []
    chosen = value if isinstance(value, list) else [value]
    return [name for name in chosen if (o := field.option(name)) is not None and not o.active]
