"""A field's type-specific settings: their defaults filled in, and the checks all types share.

:func:`type_settings` is shared with the loader, so a default is checked against exactly
the settings the model will have. What each type takes and checks is declared by the type
(:mod:`hulian.metadata.field_types`); here are the checks that ask every type the same
question: may the field be indexed, does its default (or backfill) fit it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hulian.metadata.field_types import Report, field_type, is_field_type
from hulian.metadata.hints import a_field
from hulian.metadata.model import Field, frozen_map
from hulian.metadata.values import ValueProblem


def type_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The type-specific ``Field`` arguments of a field document, defaults filled in.

    Values of the wrong JSON type or out of range are replaced by the defaults; a type that
    is not one gives none.

    >>> type_settings({"type": "currency", "precision": 10})
    {'precision': 10, 'scale': 2, 'minimum': None, 'maximum': None}
    """
    kind = raw.get("type")
    return field_type(kind).settings_of(raw) if is_field_type(kind) else {}


_NOT_INDEXED = {
    "formula": ("a formula field cannot be indexed: its value is computed whenever records "
                "are read, nothing is stored",
                "remove indexed; to speed up lists, index the stored fields its formula reads"),
    "roll_up": ("a roll-up field cannot be indexed: hulian rewrites its value whenever the "
                "records it summarises change",
                "remove indexed; lists still filter and sort on it, without an index"),
    "quote": ("a quote field cannot be indexed: it shows a field of another record, nothing "
              "is stored here", "remove indexed; index the quoted field on its own object"),
}


def check_indexed(raw: Mapping[str, Any], path: tuple[Any, ...], report: Report) -> None:
    """``"indexed": true`` only on stored fields of an ``indexable`` type.

    Derived fields (formula, roll-up, quote) have no column of their own to index.
    ``false`` asks for nothing and is never reported.
    """
    if raw.get("indexed") is not True:
        return
    why = next((key for key in ("formula", "roll_up", "quote") if key in raw), None)
    if why is not None:
        message, hint = _NOT_INDEXED[why]
    else:
        kind = field_type(raw["type"])
        if kind.indexable or kind.not_indexed is None:
            return
        message, hint = kind.not_indexed
    report.add("indexed.not_allowed", (*path, "indexed"), message, hint)


_WANTED = {
    str: ("a text", "write the {key} in double quotes"),
    bool: ("true or false", "write true or false without quotes"),
    list: ("a list of option api_names", 'write a list, e.g. ["new"]'),
    int: ("a number", "write the number without quotes"),
}


def check_default(raw: Mapping[str, Any], path: tuple[Any, ...], report: Report,
                  key: str = "default") -> None:
    """Check ``raw[key]`` (the ``default`` or the ``backfill``) against the field's type."""
    name, value = raw["type"], raw[key]
    kind = field_type(name)
    expected = kind.default_json
    if expected is None:
        report.add(f"{key}.not_allowed", (*path, key),
                   f"{a_field(name)} takes no {key}", f"remove {key}" + kind.no_default_why)
        return
    if value is None:
        return
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        wanted, hint = _WANTED[expected[0]]
        report.add(f"{key}.type", (*path, key),
                   f"the {key} of {a_field(name)} must be {wanted}", hint.format(key=key))
        return
    field = Field(key, name, frozen_map({}), **kind.settings_of(raw))
    try:
        kind.coercer(field)(value)
    except ValueProblem as problem:
        report.add(f"{key}.type", (*path, key),
                   f"the {key} does not fit the field: {problem.message}", problem.hint)


def value_problem(raw: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` (JSON) cannot be a value of the field documented by ``raw`` (None: it
    can); for values given elsewhere than the field, such as a business type's defaults."""
    name = raw.get("type")
    if not is_field_type(name) or not isinstance(raw.get("api_name"), str):
        return None  # the field's own checks report it
    kind = field_type(name)
    expected = kind.default_json
    if expected is None:
        return f"{a_field(name)} takes no default"
    if value is None:
        return None
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        return f"{a_field(name)} does not take {type(value).__name__} values"
    try:
        field = Field(raw["api_name"], name, frozen_map({}), **kind.settings_of(raw))
        kind.coercer(field)(value)
    except ValueProblem as problem:
        return problem.message
    except (KeyError, TypeError, ValueError):  # settings the field checks report
        return None
    return None
