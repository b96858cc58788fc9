"""Every field type, by name: the one list to extend when a type is added.

>>> field_type("currency").numeric, field_type("currency").widget
(True, 'money')
>>> TEXT_TYPES == frozenset({"text", "textarea", "email", "phone", "url"})
True
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hulian.metadata.field_types.auto_number import AUTO_NUMBER
from hulian.metadata.field_types.base import FieldType
from hulian.metadata.field_types.boolean import BOOLEAN
from hulian.metadata.field_types.currency import CURRENCY
from hulian.metadata.field_types.dates import DATE, DATETIME, TIME
from hulian.metadata.field_types.email import EMAIL
from hulian.metadata.field_types.lookup import LOOKUP
from hulian.metadata.field_types.master_detail import MASTER_DETAIL
from hulian.metadata.field_types.multi_picklist import MULTI_PICKLIST
from hulian.metadata.field_types.number import NUMBER
from hulian.metadata.field_types.percent import PERCENT
from hulian.metadata.field_types.phone import PHONE
from hulian.metadata.field_types.picklist import PICKLIST
from hulian.metadata.field_types.text import TEXT
from hulian.metadata.field_types.textarea import TEXTAREA
from hulian.metadata.field_types.url import URL
from hulian.metadata.model import Field
from hulian.metadata.values import Coercer

REGISTERED: tuple[FieldType, ...] = (
    TEXT, TEXTAREA, NUMBER, CURRENCY, PERCENT, BOOLEAN, DATE, DATETIME, TIME, PICKLIST,
    MULTI_PICKLIST, EMAIL, PHONE, URL, LOOKUP, MASTER_DETAIL, AUTO_NUMBER,
)
"""In the order documents, messages and the object schema list them."""

BY_NAME: Mapping[str, FieldType] = MappingProxyType({t.name: t for t in REGISTERED})
FIELD_TYPES: tuple[str, ...] = tuple(BY_NAME)


def field_type(name: str) -> FieldType:
    """The type called ``name`` (KeyError for a name that is not one)."""
    return BY_NAME[name]


def is_field_type(name: Any) -> bool:
    """Whether ``name`` (any JSON value) names a field type."""
    return isinstance(name, str) and name in BY_NAME


def _names(**flags: bool) -> tuple[str, ...]:
    return tuple(t.name for t in REGISTERED
                 if all(getattr(t, flag) == wanted for flag, wanted in flags.items()))


TEXT_TYPES = frozenset(_names(textual=True))
NUMERIC_TYPES = frozenset(_names(numeric=True))
CHOICE_TYPES = frozenset(_names(choice=True))
REFERENCE_TYPES = frozenset(_names(reference=True))
"""Fields holding the id of another record (``target`` names its object)."""
INDEXABLE_TYPES: tuple[str, ...] = _names(indexable=True)
"""Types a stored field may ask an index for (``"indexed": true``)."""
TYPE_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    key: tuple(t.name for t in REGISTERED if key in t.settings)
    for key in dict.fromkeys(key for t in REGISTERED for key in t.settings)})
"""Type-specific key -> the field types that take it."""


def derivable(kind: str) -> tuple[str, ...]:
    """The types a derived field of ``kind`` (formula, roll_up, quote) may have."""
    return tuple(t.name for t in REGISTERED if kind in t.derived)


def coercer(field: Field) -> Coercer:
    """Build the coercer for ``field`` (once); call it per value.

    >>> from hulian.metadata.model import Field
    >>> coercer(Field("amount", "currency", {"en": "Amount"}, precision=18, scale=2))("12.345")
    Decimal('12.35')
    """
    return BY_NAME[field.type].coercer(field)


def inactive_options(field: Field, value: Any) -> list[str]:
    """The option api_names in ``value`` that are no longer active."""
    if not BY_NAME[field.type].choice or value is None:
        return []
    chosen = value if isinstance(value, list) else [value]
    return [name for name in chosen if (o := field.option(name)) is not None and not o.active]
