"""Field types: one module per type, each declaring all its behaviour in one place.

``field_type(name)`` gives the :class:`FieldType` of a type name; :data:`FIELD_TYPES` lists
the names. See :mod:`~hulian.metadata.field_types.base` for what a type declares and
``docs/development.md`` for adding one.
"""

from hulian.metadata.field_types.base import (
    ASPECTS,
    DERIVED_KINDS,
    OPERATORS,
    ORDERED,
    WIDGETS,
    FieldContext,
    FieldType,
    Report,
)
from hulian.metadata.field_types.registry import (
    BY_NAME,
    CHOICE_TYPES,
    FIELD_TYPES,
    INDEXABLE_TYPES,
    NUMERIC_TYPES,
    REFERENCE_TYPES,
    REGISTERED,
    TEXT_TYPES,
    TYPE_KEYS,
    coercer,
    derivable,
    field_type,
    inactive_options,
    is_field_type,
)

__all__ = [
    "ASPECTS",
    "BY_NAME",
    "CHOICE_TYPES",
    "DERIVED_KINDS",
    "FIELD_TYPES",
    "INDEXABLE_TYPES",
    "NUMERIC_TYPES",
    "OPERATORS",
    "ORDERED",
    "REFERENCE_TYPES",
    "REGISTERED",
    "TEXT_TYPES",
    "TYPE_KEYS",
    "WIDGETS",
    "FieldContext",
    "FieldType",
    "Report",
    "coercer",
    "derivable",
    "field_type",
    "inactive_options",
    "is_field_type",
]
