"""``multi_picklist``: a set of options, kept in the options' declared order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hulian.metadata.field_types.base import Parser
from hulian.metadata.field_types.picklist import ChoiceType, enum, options_hint
from hulian.metadata.model import Field
from hulian.metadata.values import Coercer, ValueProblem, wrong_type


class MultiPicklist(ChoiceType):
    name = "multi_picklist"
    widget = "multi-select"
    formula_type = "multi_picklist"
    indexable = sortable = False
    not_indexed = ("a multi_picklist field cannot be indexed: it stores a set of options "
                   "in one value",
                   "remove indexed, or make it a picklist if a record needs one option only")
    operators = frozenset({"eq", "ne", "contains", "is_null"})
    quoted_as = "multi_picklist"
    default_json = (list,)

    def coercer(self, field: Field) -> Coercer:
        order = {o.api_name: i for i, o in enumerate(field.options)}

        def coerce(value: Any) -> list[str] | None:
            if value is None:
                return None
            if not isinstance(value, list | tuple):
                raise wrong_type("a list of option api_names", value)
            for item in value:
                if not isinstance(item, str) or item not in order:
                    raise ValueProblem("invalid_option",
                                       f"{item!r} is not an option of this field",
                                       options_hint(field))
            return sorted(set(value), key=order.__getitem__) or None

        return coerce

    def filter_parser(self, field: Field | None) -> Parser:
        """An option or a list of options -> the options in declared order ([] for none)."""
        assert field is not None, "a multi-picklist is a metadata field"
        coerce = self.coercer(field)
        return lambda value: coerce(value if isinstance(value, list) else [value]) or []

    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        schema: dict[str, Any] = {"type": "array", "uniqueItems": True,
                                  "items": {"type": "string", "enum": enum(described, for_input)}}
        if for_input:
            schema.update(self.input_extras(described))
        return schema, ("The api_names of the chosen options, returned in definition order; "
                        "an empty choice is null.")


MULTI_PICKLIST = MultiPicklist()
