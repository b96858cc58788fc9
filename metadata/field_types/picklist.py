"""``picklist``: one option; :class:`ChoiceType` is the base of picklist and multi_picklist.

Options are declared with an ``api_name`` (what is stored, never the label), an i18n
``label`` and ``active`` (an inactive option stays valid in the records holding it but
cannot be chosen again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hulian.metadata.field_types.base import (
    ALL_OPERATORS,
    FieldContext,
    FieldType,
    Parser,
    Path,
    Raw,
    Report,
)
from hulian.metadata.field_types.text import filter_text
from hulian.metadata.model import Field, PicklistOption, frozen_map
from hulian.metadata.problems import pointer
from hulian.metadata.values import (
    Coercer,
    ColumnCoercer,
    NotPlain,
    ValueProblem,
    kinds_of,
    wrong_type,
)


def options_of(raw: Any) -> tuple[PicklistOption, ...]:
    """The options of a field document (entries that are not options are skipped)."""
    return tuple(
        PicklistOption(o["api_name"], frozen_map(o["label"] if isinstance(o.get("label"), dict)
                                                 else {}), o.get("active") is not False)
        for o in (raw if isinstance(raw, list) else [])
        if isinstance(o, dict) and isinstance(o.get("api_name"), str))


def options_hint(field: Field) -> str:
    names = [o.api_name for o in field.options if o.active]
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return f"use an option's api_name: {shown}"


def check_options(options: Any, path: Path, report: Report) -> None:
    """Option names and labels; no two options with the same api_name, ignoring case."""
    if not isinstance(options, list):
        return
    seen: dict[str, str] = {}
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        name = option.get("api_name")
        report.name("option", name, (*path, i, "api_name"))
        report.labels(option.get("label"), (*path, i, "label"))
        if not isinstance(name, str):
            continue
        if name.lower() in seen:
            report.add("picklist.duplicate_option", (*path, i, "api_name"),
                       f"the option {name!r} is already defined at {seen[name.lower()]}",
                       "give each option its own api_name, or remove this one")
        else:
            seen[name.lower()] = pointer(*path, i, "api_name")


def enum(described: Mapping[str, Any], for_input: bool) -> list[str]:
    """The option api_names a client may send (active ones) or may read (all)."""
    return [o["api_name"] for o in described.get("options", []) if o["active"] or not for_input]


class ChoiceType(FieldType):
    textual = numeric = reference = False
    choice = True
    stored = True
    derived = frozenset({"quote"})
    assigned = always_required = always_unique = names_records = False
    implied_default = None
    summarised_by = frozenset()
    settings = ("options",)
    default_formula_type = "text"

    def settings_of(self, raw: Raw) -> dict[str, Any]:
        return {"options": options_of(raw.get("options"))}

    def check_settings(self, raw: Raw, path: Path, report: Report, context: FieldContext
                       ) -> bool:
        """Options are checked; a default can be checked only against a list of them."""
        options = raw.get("options")
        check_options(options, (*path, "options"), report)
        return isinstance(options, list) and bool(options)

    def describe(self, field: Field) -> dict[str, Any]:
        if not field.options:
            return {}
        return {"options": [{"api_name": o.api_name, "label": dict(o.label), "active": o.active}
                            for o in field.options]}

    def input_extras(self, described: Mapping[str, Any]) -> dict[str, Any]:
        return {"x-hulian-options": described.get("options", [])}


class Picklist(ChoiceType):
    name = "picklist"
    widget = "select"
    formula_type = "picklist"
    indexable = sortable = True
    operators = ALL_OPERATORS
    quoted_as = "picklist"
    default_json = (str,)

    def coercer(self, field: Field) -> Coercer:
        names = {o.api_name for o in field.options}

        def coerce(value: Any) -> str | None:
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise wrong_type("an option api_name", value)
            if value not in names:
                raise ValueProblem("invalid_option", f"{value!r} is not an option of this field",
                                   options_hint(field))
            return value

        return coerce

    def column_coercer(self, field: Field) -> ColumnCoercer:
        names = {o.api_name for o in field.options} | {None}

        def column(values: Sequence[Any]) -> list[Any]:
            if not kinds_of(values) <= {str, type(None)} or not set(values) <= names:
                raise NotPlain
            return list(values)

        return column

    def filter_parser(self, field: Field | None) -> Parser:
        return filter_text

    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        schema = {"type": "string", "enum": enum(described, for_input)}
        if for_input:
            return {**schema, **self.input_extras(described)}, "The api_name of one option."
        return schema, "The api_name of one option (possibly one no longer active)."


PICKLIST = Picklist()
