"""Cross-checks for formula fields, default formulas and validation rules.

These check the *shape* only (which keys go together, what names exist); the
formulas themselves are parsed and type-checked by the engine at deploy time and
by ``hulian validate``, which report problems with line, column and excerpt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hulian.metadata.field_types import derivable, field_type, is_field_type
from hulian.metadata.hints import a_field
from hulian.metadata.named_lists import named_items

FORMULA_RESULT_TYPES = derivable("formula")
NOT_WITH_FORMULA = ("required", "unique", "default", "default_formula", "backfill", "minimum",
                    "maximum", "pattern")

Add = Callable[..., None]


def check_formula_keys(raw: dict[str, Any], path: tuple[Any, ...], add: Add) -> None:
    """A field's formula-related keys: a formula field computes, so it takes no input rules."""
    kind = raw.get("type")
    if "formula" in raw:
        if kind not in FORMULA_RESULT_TYPES:
            add("formula.field_type", (*path, "type"),
                f"a formula field cannot be of type {kind!r}",
                f"give the formula's result type: {', '.join(FORMULA_RESULT_TYPES)}")
        for key in NOT_WITH_FORMULA:
            if key in raw:
                add("field.key_not_applicable", (*path, key),
                    f"{key} does not apply to a formula field (its value is computed)",
                    f"remove {key}")
    elif "blank_as" in raw:
        add("field.key_not_applicable", (*path, "blank_as"),
            "blank_as applies only to formula fields", "remove blank_as, or add a formula")
    if "default_formula" in raw and not any(k in raw for k in ("formula", "roll_up", "quote")):
        if "default" in raw:
            add("field.key_not_applicable", (*path, "default_formula"),
                "a field has either a default or a default_formula, not both",
                "keep one of them")
        if is_field_type(kind) and field_type(kind).default_json is None:
            add("default.not_allowed", (*path, "default_formula"),
                f"{a_field(kind)} takes no default", "remove default_formula")


def check_rules(rules: Any, field_names: set[str], add: Add, name: Callable[..., None],
                labels: Callable[..., None]) -> None:
    """Validation rules: names, messages, and that the error field exists."""
    for _i, rule, path in named_items(rules, "validation_rules", "rule", add, name):
        labels(rule.get("message"), (*path, "message"))
        error_field = rule.get("error_field")
        if isinstance(error_field, str) and error_field not in field_names:
            add("rule.unknown_field", (*path, "error_field"),
                f"{error_field!r} is not a field of this object",
                "name a field of this object, or leave error_field out to put the error "
                "on the record")
