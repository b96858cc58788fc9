"""Value primitives every field type's coercer is built from.

:class:`ValueProblem` (a value that does not fit, with a stable code), text a database
can store (:func:`clean_text`) and exact numbers (:func:`to_decimal`,
:func:`check_magnitude`). The coercer of each field type is in its module of
:mod:`hulian.metadata.field_types` (``coercer(field)`` there builds one per field); it
returns the Python value (``str``, ``Decimal``, ``bool``, ``date``, ``datetime`` in UTC,
``time``, ``list[str]`` for multi-picklists) or None for blank.

>>> to_decimal("12.50"), to_decimal(7)
(Decimal('12.50'), Decimal('7'))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

Coercer = Callable[[Any], Any]
ColumnCoercer = Callable[[Sequence[Any]], list[Any]]
"""A whole column's coercer (``FieldType.column_coercer``): the values a field's coercer
gives one by one, or :class:`NotPlain` (or ValueProblem) when any value is not plainly
fine, and the column is then coerced value by value, which says which value is wrong."""

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


def wrong_type(expected: str, value: Any, hint: str | None = None) -> ValueProblem:
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


def to_decimal(value: Any) -> Decimal:
    """A JSON number or numeric string as an exact Decimal (floats via their shortest repr)."""
    if isinstance(value, bool):
        raise wrong_type("a number", value)
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
        raise wrong_type("a number", value)
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
        raise out_of_range(number, precision, scale)


def out_of_range(number: Decimal, precision: int, scale: int) -> ValueProblem:
    return ValueProblem(
        "out_of_range",
        f"{shown(number)} has more than {precision - scale} digits before the decimal point",
        f"the field holds {precision} digits, {scale} of them after the point",
    )


# -- whole columns ------------------------------------------------------------------------

class NotPlain(Exception):
    """A column coercer's answer for a column it does not take as a whole (a blank, a
    wrong value, an unusual form): coerce that column value by value instead."""


def kinds_of(values: Sequence[Any]) -> set[type]:
    """The Python types among ``values`` (one pass in C)."""
    return set(map(type, values))


def plain_texts(values: Sequence[Any], max_length: int) -> list[Any]:
    """``values`` with "" made None, when each is None or text a database can store of at
    most ``max_length`` characters; NotPlain otherwise.

    >>> plain_texts(["a", None, ""], 5)
    ['a', None, None]
    """
    if not kinds_of(values) <= {str, type(None)}:
        raise NotPlain
    present = [v for v in values if v]
    if present:
        if max(map(len, present)) > max_length:
            raise NotPlain
        joined = "".join(present)
        if "\x00" in joined or not (joined.isascii() or storable(joined)):
            raise NotPlain
    return [v or None for v in values]
