"""``text``: single-line text; :class:`TextType` is the base of every textual type.

Textual types (text, textarea, email, phone, url) share their storage, coercion and
settings: ``max_length`` (a default per type) and, for text and textarea, a ``pattern``
the whole value must match. email, phone and url add a check of the value's shape
(:attr:`TextType.content_check`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from hulian.metadata.field_types.base import (
    ALL_OPERATORS,
    FieldContext,
    FieldType,
    Parser,
    Path,
    Raw,
    Report,
    described_settings,
    whole,
)
from hulian.metadata.model import Field
from hulian.metadata.values import (
    Coercer,
    ColumnCoercer,
    NotPlain,
    ValueProblem,
    clean_text,
    plain_texts,
    wrong_type,
)


def filter_text(value: Any) -> str:
    """A filter operand compared with text: text, or a number written as text."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueProblem("invalid_type", "expected text")
    # as for stored text: PostgreSQL refuses NUL, SQLite's LIKE would stop at it
    return clean_text(str(value))


class TextType(FieldType):
    """Text of at most ``max_length`` characters (``default_max_length`` when not given,
    at most ``max_length_limit``, which the object schema states too)."""

    default_max_length: int
    max_length_limit: int
    content_check: Callable[[str], None] | None = None
    """Checks a non-blank value's shape (email, phone, url); ValueProblem when wrong."""
    content_pattern: re.Pattern[str] | None = None
    """A pattern every value :attr:`content_check` accepts fully matches, so that a
    whole column is checked in one call per value to C (None: the check is called)."""
    json_format: str | None = None
    """The JSON Schema ``format`` of a value, if one fits exactly."""
    json_note: str | None = None

    formula_type = default_formula_type = "text"
    textual = True
    numeric = choice = reference = False
    stored = True
    assigned = always_required = always_unique = False
    implied_default = None
    sortable = True
    operators = ALL_OPERATORS
    summarised_by = frozenset()
    default_json = (str,)

    def settings_of(self, raw: Raw) -> dict[str, Any]:
        max_length = whole(raw.get("max_length"))
        pattern = raw.get("pattern") if "pattern" in self.settings else None
        return {"max_length": max_length if max_length and max_length > 0
                else self.default_max_length,
                "pattern": pattern if isinstance(pattern, str) else None}

    def check_settings(self, raw: Raw, path: Path, report: Report, context: FieldContext
                       ) -> bool:
        pattern = raw.get("pattern")
        if "pattern" not in self.settings or not isinstance(pattern, str):
            return True
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError, ValueError) as exc:
            report.add("pattern.invalid", (*path, "pattern"),
                       f"the pattern is not a regular expression: {exc}",
                       "write a Python regular expression; backslashes are doubled in JSON")
            return False
        return True

    def max_length(self, field: Field) -> int:
        return field.max_length or self.default_max_length

    def coercer(self, field: Field) -> Coercer:
        max_length = self.max_length(field)
        pattern = re.compile(field.pattern) if field.pattern else None
        check = self.content_check

        def coerce(value: Any) -> str | None:
            if value is None:
                return None
            if not isinstance(value, str):
                raise wrong_type("text", value)
            if value == "":
                return None
            clean_text(value)
            if len(value) > max_length:
                raise ValueProblem(
                    "too_long",
                    f"text is {len(value)} characters long; at most {max_length} allowed")
            if pattern is not None and not pattern.fullmatch(value):
                raise ValueProblem("pattern_mismatch",
                                   f"does not match the pattern {field.pattern!r}")
            if check is not None:
                check(value)
            return value

        return coerce

    def column_coercer(self, field: Field) -> ColumnCoercer:
        max_length = self.max_length(field)
        pattern = re.compile(field.pattern) if field.pattern else None
        check, content = self.content_check, self.content_pattern

        def column(values: Sequence[Any]) -> list[Any]:
            texts = plain_texts(values, max_length)
            present = [v for v in texts if v is not None]
            if pattern is not None and not all(map(pattern.fullmatch, present)):
                raise NotPlain
            if content is not None:
                if not all(map(content.fullmatch, present)):
                    raise NotPlain
            elif check is not None:
                for value in present:
                    check(value)
            return texts

        return column

    def filter_parser(self, field: Field | None) -> Parser:
        return filter_text

    def describe(self, field: Field) -> dict[str, Any]:
        return described_settings(field, ("max_length", "pattern"))

    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        schema: dict[str, Any] = {"type": "string", "maxLength": described.get("max_length")
                                  or self.default_max_length}
        if self.json_format:
            schema["format"] = self.json_format
        if described.get("pattern"):
            schema["pattern"] = f"^(?:{described['pattern']})$"
        return schema, self.json_note


class Text(TextType):
    name = "text"
    widget = "text"
    default_max_length = 255
    max_length_limit = 1000
    settings = ("max_length", "pattern")
    derived = frozenset({"formula", "quote"})
    quoted_as = "text"
    names_records = True
    indexable = True


TEXT = Text()
