"""``boolean``: true or false, never blank (a record that gives none holds false)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hulian.metadata.field_types.base import (
    ALL_OPERATORS,
    LIKE,
    ORDERED,
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

WORDS = {"true": True, "false": False}


def filter_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in WORDS:
        return WORDS[value.lower()]
    raise ValueProblem("invalid_type", "expected true or false")


class Boolean(FieldType):
    name = "boolean"
    widget = "checkbox"
    formula_type = default_formula_type = "boolean"
    textual = numeric = choice = reference = False
    stored = True
    derived = frozenset({"formula", "quote"})
    assigned = always_required = always_unique = names_records = False
    implied_default = False
    indexable = sortable = True
    operators = ALL_OPERATORS - LIKE - ORDERED
    quoted_as = "boolean"
    summarised_by = frozenset()
    settings = ()
    default_json = (bool,)

    def settings_of(self, raw: Raw) -> dict[str, Any]:
        return {}

    def check_settings(self, raw: Raw, path: Path, report: Report, context: FieldContext
                       ) -> bool:
        return True

    def coercer(self, field: Field) -> Coercer:
        def coerce(value: Any) -> bool | None:
            if value is None or isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in WORDS:
                return WORDS[value.lower()]
            raise wrong_type("true or false", value)

        return coerce

    def column_coercer(self, field: Field) -> ColumnCoercer:
        def column(values: Sequence[Any]) -> list[Any]:
            if not kinds_of(values) <= {bool, type(None)}:
                raise NotPlain
            return list(values)

        return column

    def filter_parser(self, field: Field | None) -> Parser:
        return filter_boolean

    def describe(self, field: Field) -> dict[str, Any]:
        return {}

    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        return {"type": "boolean"}, None


BOOLEAN = Boolean()
