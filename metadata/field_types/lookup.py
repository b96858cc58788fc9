"""``lookup``: the id of a record of the ``target`` object; the base of master_detail too.

A lookup may name an object of its pack (or, in a tenant pack, of an installed pack) or a
system object (User, Department). ``on_delete`` says what deleting the target does:
``set_null`` (default) or ``restrict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hulian.metadata.field_types.base import (
    COMPARABLE,
    FieldContext,
    FieldType,
    Parser,
    Path,
    Raw,
    Report,
    described_settings,
)
from hulian.metadata.field_types.text import filter_text
from hulian.metadata.hints import choices_hint
from hulian.metadata.model import ON_DELETE, SYSTEM_TARGETS, Field
from hulian.metadata.values import (
    Coercer,
    ColumnCoercer,
    NotPlain,
    ValueProblem,
    kinds_of,
    wrong_type,
)

MAX_ID_LENGTH = 64
"""The longest record id a reference holds."""


class ReferenceType(FieldType):
    system_targets: bool
    """Whether it may point at a system object (:data:`~hulian.metadata.model.SYSTEM_TARGETS`)."""
    json_note_end: str

    widget = "lookup"
    formula_type = default_formula_type = "text"
    textual = numeric = choice = False
    reference = True
    stored = True
    derived = frozenset()
    assigned = always_unique = names_records = False
    implied_default = None
    indexable = sortable = True
    operators = COMPARABLE
    quoted_as = None
    summarised_by = frozenset()
    default_json = None

    def check_settings(self, raw: Raw, path: Path, report: Report, context: FieldContext
                       ) -> bool:
        """The target is an object of the pack (or a system object, for a lookup)."""
        target = raw.get("target")
        if isinstance(target, str) and not context.known(target) \
                and not (self.system_targets and target in SYSTEM_TARGETS):
            report.add("lookup.unknown_target", (*path, "target"),
                       f"{target!r} is not an object of this pack"
                       + (" (a master-detail field's master is an object of the pack)"
                          if target in SYSTEM_TARGETS else ""),
                       choices_hint(target, [*context.targets, *SYSTEM_TARGETS],
                                    "objects of the pack", none="the pack has no objects"))
        return True

    def coercer(self, field: Field) -> Coercer:
        def coerce(value: Any) -> str | None:
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise wrong_type("a record id (text)", value)  # names no object: see Disclosure
            if len(value) > MAX_ID_LENGTH or not value.isascii() or not value.isalnum():
                raise ValueProblem("invalid_reference", f"{value!r} is not a record id")
            return value

        return coerce

    def column_coercer(self, field: Field) -> ColumnCoercer:
        def column(values: Sequence[Any]) -> list[Any]:
            if not kinds_of(values) <= {str, type(None)}:
                raise NotPlain
            present = [v for v in values if v is not None]
            if present:
                joined = "".join(present)
                if not (all(present) and max(map(len, present)) <= MAX_ID_LENGTH
                        and joined.isascii() and joined.isalnum()):
                    raise NotPlain
            return list(values)

        return column

    def filter_parser(self, field: Field | None) -> Parser:
        return filter_text

    def describe(self, field: Field) -> dict[str, Any]:
        return described_settings(field, ("target", "on_delete", "lookup_filter",
                                          "relationship_name"))

    def json_schema(self, described: Mapping[str, Any], for_input: bool
                    ) -> tuple[dict[str, Any], str | None]:
        target = described.get("target")
        return ({"type": "string", "maxLength": MAX_ID_LENGTH},
                (f"The id of a {target} record" if target else
                 "The id of a record of an object not open to you") + self.json_note_end)


class Lookup(ReferenceType):
    name = "lookup"
    settings = ("target", "on_delete", "lookup_filter", "relationship_name")
    system_targets = True
    always_required = False
    json_note_end = "."

    def settings_of(self, raw: Raw) -> dict[str, Any]:
        target, on_delete = raw.get("target"), raw.get("on_delete")
        return {"target": target if isinstance(target, str) else None,
                "on_delete": on_delete if on_delete in ON_DELETE else "set_null"}


LOOKUP = Lookup()
