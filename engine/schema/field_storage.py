"""The SQL half of each field type, by type name: column, filter conditions, casts.

:mod:`hulian.metadata.field_types` says what a type is and does without SQL; this module
registers, under the same names, what needs it (:class:`FieldStorage`): the column type,
the server default of a column that is never blank, the SQL condition of a filter operator
on a stored column, and the PostgreSQL expressions a deploy uses to convert a column to
text and back. A unit test fails when a type of the metadata registry has no entry here.

>>> storage("currency").from_text, storage("textarea").from_text
(True, False)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import QueryError
from hulian.engine.schema.types import ExactDecimal, OptionSet, UTCDateTime, encode_options
from hulian.metadata.field_types.lookup import MAX_ID_LENGTH
from hulian.metadata.field_types.number import DEFAULT_PRECISION, NumberType
from hulian.metadata.model import Field
from hulian.metadata.values import ValueProblem

OPTION_LENGTH = 64
"""The longest option api_name (the object schema says so too)."""
AUTO_NUMBER_LENGTH = 80
PLAIN_NUMBER = re.compile(r"[ \t]*[+-]?(\d+\.?\d*|\.\d+)[ \t]*")
"""Text PostgreSQL's cast to numeric reads exactly as ``Decimal`` does."""

Condition = Callable[[Any, str, Any, "Field | None"], Any]
"""(column, operator, parsed operand, field) -> SQL; the operand of ``in`` is a list."""
Operator = Callable[[Any, str, str, Any, Callable[[Any], Any]], Any]
"""(column, field name, operator, raw operand, operand parser) -> SQL, for every operator
but ``is_null``: a type whose filter semantics are its own (a multi-picklist's set)."""


@dataclass(frozen=True)
class Cast:
    """``using`` is the SQL expression; ``plain`` (if any) every non-blank value must match."""

    using: str
    plain: re.Pattern[str] | None = None


@dataclass(frozen=True, kw_only=True)
class FieldStorage:
    """How one field type is stored and queried. Every entry declares every attribute."""

    column_type: Callable[[Field], Any]
    not_null_default: Callable[[], Any] | None
    """For a type that is never blank: the column is NOT NULL with this server default."""
    condition: Condition
    operator: Operator | None
    """Replaces :attr:`condition` (and the operand parsing) for every operator."""
    from_text: bool
    """A text field's values convert to this type, value by value (its coercer reads them)."""
    to_text: bool
    """This type's values convert to a text field's, value by value."""
    pg_from_text: Callable[[Field, str], Cast] | None
    """PostgreSQL expression converting a text column (its quoted name) for a field of this
    type exactly as the coercer would; None: hulian converts the values itself."""
    pg_to_text: Callable[[str], str] | None
    """PostgreSQL expression writing a column of this type as the text a text field gets."""


# -- conditions -----------------------------------------------------------------------------

def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def compare(column: Any, op: str, value: Any) -> Any:
    if op == "ne":  # as in SOQL, a blank value is "not equal" to any value
        return sa.or_(column != value, column.is_(None))
    return {"eq": column.__eq__, "ne": column.__ne__, "lt": column.__lt__, "le": column.__le__,
            "gt": column.__gt__, "ge": column.__ge__}[op](value)


def plain_condition(column: Any, op: str, value: Any, field: Field | None) -> Any:
    if op == "in":
        return column.in_(value) if value else sa.false()
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC)
    return compare(column, op, value)


def _representable(value: Decimal, scale: int) -> bool:
    """Whether a column of this scale holds ``value`` exactly (the filter's parser checked
    that its digits before the point fit)."""
    scaled = value.scaleb(scale)
    return scaled == scaled.to_integral_value()


def numeric_condition(column: Any, op: str, value: Any, field: Field | None) -> Any:
    """Compare an exact column with a value of more decimals than it holds, without rounding
    errors: ``amount > 10.005`` is ``amount >= 10.01`` at scale 2, ``= 10.005`` is false."""
    scale = (field.scale or 0) if field is not None else 0
    if op == "in":
        values = [v for v in value if _representable(v, scale)]
        return column.in_(values) if values else sa.false()
    scaled = value.scaleb(scale)
    if scaled == scaled.to_integral_value():
        return compare(column, op, value)
    low = Decimal(math.floor(scaled)).scaleb(-scale)
    high = Decimal(math.ceil(scaled)).scaleb(-scale)
    if op in ("eq", "ne"):
        return sa.true() if op == "ne" else sa.false()
    return compare(column, {"lt": "le", "le": "le", "gt": "ge", "ge": "ge"}[op],
                   low if op in ("lt", "le") else high)


def option_set_operator(column: Any, name: str, op: str, operand: Any,
                        parse: Callable[[Any], Any]) -> Any:
    """A multi-picklist: ``contains`` every given option, ``eq`` / ``ne`` the exact set."""
    try:
        chosen = parse(operand)
    except ValueProblem as problem:
        raise QueryError(f"{name}: {problem.message}", code="invalid_filter_value",
                         hint=problem.hint, field=name) from None
    if op == "contains":
        return sa.and_(*(sa.func.coalesce(column, "").like(f"%;{like_escape(v)};%",
                                                          escape="\\") for v in chosen))
    if op in ("eq", "ne"):
        encoded = encode_options(chosen) if chosen else None
        if encoded is None:
            return column.is_(None) if op == "eq" else column.is_not(None)
        return column == encoded if op == "eq" else sa.or_(column != encoded, column.is_(None))
    raise QueryError(f"{name}: multi-picklists take eq, ne, contains and is_null",
                     code="invalid_operator", field=name)


# -- families -------------------------------------------------------------------------------

def _same(quoted: str) -> str:
    return quoted


def _text_cast(new: Field, quoted: str) -> Cast:
    return Cast(quoted)


def _numeric_cast(new: Field, quoted: str) -> Cast:
    """Only for plain decimal literals (``-12.50``, ``7``): PostgreSQL reads ``1e3`` or
    ``1_000`` otherwise than ``Decimal``, so such columns take the Python path."""
    kind = new.kind
    assert isinstance(kind, NumberType), "a numeric field"
    precision, scale = kind.digits(new)
    return Cast(f"trim({quoted})::numeric({precision},{scale})", PLAIN_NUMBER)


def _texts(column_type: Callable[[Field], Any]) -> FieldStorage:
    return FieldStorage(column_type=column_type, not_null_default=None,
                        condition=plain_condition, operator=None, from_text=False,
                        to_text=False, pg_from_text=_text_cast, pg_to_text=_same)


def _plain(column_type: Callable[[Field], Any]) -> FieldStorage:
    """Stored as is, compared as is, never converted to or from text."""
    return FieldStorage(column_type=column_type, not_null_default=None,
                        condition=plain_condition, operator=None, from_text=False,
                        to_text=False, pg_from_text=None, pg_to_text=None)


NUMBERS = FieldStorage(
    column_type=lambda f: ExactDecimal(f.precision or DEFAULT_PRECISION, f.scale or 0),
    not_null_default=None, condition=numeric_condition, operator=None, from_text=True,
    to_text=True, pg_from_text=_numeric_cast, pg_to_text=lambda quoted: f"{quoted}::text")
_REFERENCE = _plain(lambda f: sa.String(MAX_ID_LENGTH))

STORAGE: Mapping[str, FieldStorage] = MappingProxyType({
    "text": _texts(lambda f: sa.String(f.max_length)),
    "textarea": _texts(lambda f: sa.Text()),
    "email": _texts(lambda f: sa.String(f.max_length)),
    "phone": _texts(lambda f: sa.String(f.max_length)),
    "url": _texts(lambda f: sa.String(f.max_length)),
    "number": NUMBERS,
    "currency": NUMBERS,
    "percent": NUMBERS,
    "boolean": FieldStorage(
        column_type=lambda f: sa.Boolean(create_constraint=False), not_null_default=sa.false,
        condition=plain_condition, operator=None, from_text=False, to_text=False,
        pg_from_text=None, pg_to_text=None),
    "date": FieldStorage(
        column_type=lambda f: sa.Date(), not_null_default=None, condition=plain_condition,
        operator=None, from_text=True, to_text=True, pg_from_text=None,
        pg_to_text=lambda quoted: f"to_char({quoted}, 'YYYY-MM-DD')"),
    "datetime": FieldStorage(
        column_type=lambda f: UTCDateTime(), not_null_default=None, condition=plain_condition,
        operator=None, from_text=True, to_text=True, pg_from_text=None, pg_to_text=None),
    "time": _plain(lambda f: sa.Time()),
    "picklist": FieldStorage(
        column_type=lambda f: sa.String(OPTION_LENGTH), not_null_default=None,
        condition=plain_condition, operator=None, from_text=True, to_text=True,
        pg_from_text=_text_cast, pg_to_text=_same),
    "multi_picklist": FieldStorage(
        column_type=lambda f: OptionSet(), not_null_default=None, condition=plain_condition,
        operator=option_set_operator, from_text=False, to_text=False, pg_from_text=None,
        pg_to_text=None),
    "lookup": _REFERENCE,
    "master_detail": _REFERENCE,
    "auto_number": _plain(lambda f: sa.String(AUTO_NUMBER_LENGTH)),
})
"""Field type name -> its storage; the same names as ``hulian.metadata.field_types``."""

_SYSTEM = _plain(lambda f: sa.String(MAX_ID_LENGTH))
"""What system columns of no field type (``id``, ``reference``, ``integer``) compare like."""


def storage(kind: str) -> FieldStorage:
    """The storage of field type ``kind`` (KeyError for a name that is not one)."""
    return STORAGE[kind]


def condition_of(kind: str) -> Condition:
    """The SQL condition of a filter on a column of ``kind`` (a field type, or a system
    column's kind such as ``integer``)."""
    return STORAGE.get(kind, _SYSTEM).condition
