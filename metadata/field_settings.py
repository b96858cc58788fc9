"""A field's type-specific settings: their defaults filled in, and their checks.

:func:`type_settings` is shared with the loader, so a default is checked against
exactly the settings the model will have. The checks here look at one field
document at a time (numbers, auto-number formats, defaults and backfills).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hulian.metadata.extension_checks import Report
from hulian.metadata.hints import a_field
from hulian.metadata.model import (
    AUTO_NUMBER_RESETS,
    CHOICE_TYPES,
    INDEXABLE_TYPES,
    NUMERIC_TYPES,
    ON_DELETE,
    TEXT_TYPES,
    Field,
    PicklistOption,
    frozen_map,
)
from hulian.metadata.values import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_PRECISION,
    DEFAULT_SCALE,
    ValueProblem,
    coercer,
)

# type-specific key -> the field types that take it
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "max_length": ("text", "textarea", "email", "phone", "url"),
    "pattern": ("text", "textarea"),
    **dict.fromkeys(("precision", "scale", "minimum", "maximum"),
                    ("number", "currency", "percent")),
    "options": ("picklist", "multi_picklist"),
    "target": ("lookup", "master_detail"),
    "relationship_name": ("lookup", "master_detail"),
    **dict.fromkeys(("on_delete", "lookup_filter"), ("lookup",)),
    **dict.fromkeys(("format", "start", "reset"), ("auto_number",)),
}
NO_DEFAULT = ("lookup", "master_detail", "auto_number")
_NO_DEFAULT_WHY = {"auto_number": "; hulian assigns the numbers",
                   "master_detail": "; each detail record names its master when it is created"}
DATE_TOKENS = ("yyyy", "yy", "mm", "dd")
_RESET_NEEDS = {"yearly": ("year",), "monthly": ("year", "mm"), "daily": ("year", "mm", "dd")}
_TOKEN = re.compile(r"\{([^{}]*)\}")
_DEFAULT_JSON = {**{t: (str,) for t in TEXT_TYPES}, **{t: (int, Decimal) for t in NUMERIC_TYPES},
                 "boolean": (bool,), "date": (str,), "datetime": (str,), "time": (str,),
                 "picklist": (str,), "multi_picklist": (list,)}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def _number(value: Any) -> Decimal | None:
    ok = isinstance(value, int | Decimal) and not isinstance(value, bool)
    return Decimal(value) if ok and Decimal(value).is_finite() else None


def _options(raw: Any) -> tuple[PicklistOption, ...]:
    return tuple(
        PicklistOption(o["api_name"], frozen_map(o["label"] if isinstance(o.get("label"), dict)
                                                 else {}), o.get("active") is not False)
        for o in (raw if isinstance(raw, list) else [])
        if isinstance(o, dict) and isinstance(o.get("api_name"), str))


def type_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The type-specific ``Field`` arguments of a field document, defaults filled in.

    Values of the wrong JSON type or out of range are replaced by the defaults.
    """
    kind = raw.get("type")
    if kind in TEXT_TYPES:
        max_length = _int(raw.get("max_length"))
        pattern = raw.get("pattern") if kind in ("text", "textarea") else None
        return {"max_length": max_length if max_length and max_length > 0
                else DEFAULT_MAX_LENGTH[kind],
                "pattern": pattern if isinstance(pattern, str) else None}
    if kind in NUMERIC_TYPES:
        precision, scale = _int(raw.get("precision")), _int(raw.get("scale"))
        return {"precision": precision if precision is not None and 1 <= precision <= 18
                else DEFAULT_PRECISION,
                "scale": scale if scale is not None and 0 <= scale <= 18 else DEFAULT_SCALE[kind],
                "minimum": _number(raw.get("minimum")), "maximum": _number(raw.get("maximum"))}
    if kind in CHOICE_TYPES:
        return {"options": _options(raw.get("options"))}
    if kind == "lookup":
        target, on_delete = raw.get("target"), raw.get("on_delete")
        return {"target": target if isinstance(target, str) else None,
                "on_delete": on_delete if on_delete in ON_DELETE else "set_null"}
    if kind == "master_detail":  # deleting the master deletes its details
        target = raw.get("target")
        return {"target": target if isinstance(target, str) else None, "on_delete": "cascade"}
    if kind == "auto_number":
        fmt, start, reset = raw.get("format"), _int(raw.get("start")), raw.get("reset")
        return {"format": fmt if isinstance(fmt, str) else None,
                "start": start if start is not None and start >= 0 else 1,
                "reset": reset if reset in AUTO_NUMBER_RESETS else "never"}
    return {}


def format_issue(fmt: str) -> str | None:
    """What is wrong with an auto-number format, or None.

    >>> format_issue("SO-{yyyy}-{0000}") is None, format_issue("SO-{n}")
    (True, "unknown token '{n}'")
    """
    counters, end = 0, 0
    for match in [*_TOKEN.finditer(fmt), None]:
        literal = fmt[end: match.start() if match else len(fmt)]
        if "{" in literal or "}" in literal:
            return "a '{' or '}' is not part of a token"
        if match is None:
            break
        token, end = match.group(1), match.end()
        if re.fullmatch("0+", token):
            counters += 1
        elif token not in DATE_TOKENS:
            return f"unknown token {match.group(0)!r}"
    if counters != 1:
        return f"the format has {counters} counter tokens; it needs exactly one"
    return None


def check_auto_number(raw: Mapping[str, Any], path: tuple[Any, ...], report: Report) -> None:
    fmt, reset = raw.get("format"), raw.get("reset")
    if not isinstance(fmt, str):
        return
    issue = format_issue(fmt)
    if issue:
        report.add("auto_number.format", (*path, "format"), f"{fmt!r}: {issue}",
                   "use literal text, {yyyy} {yy} {mm} {dd} and one counter of zeros such as"
                   " {0000}, e.g. 'SO-{yyyy}{mm}-{0000}'")
        return
    tokens = set(_TOKEN.findall(fmt))
    have = {"year": bool(tokens & {"yyyy", "yy"}), "mm": "mm" in tokens, "dd": "dd" in tokens}
    missing = [t for t in _RESET_NEEDS.get(reset, ()) if not have[t]]
    if missing and isinstance(reset, str):
        shown = ", ".join("{yyyy} or {yy}" if t == "year" else "{" + t + "}" for t in missing)
        report.add("auto_number.reset", (*path, "reset"),
                   f"the counter resets {reset} but the format lacks {shown},"
                   " so numbers would repeat",
                   f"add {shown} to the format, or set reset to 'never'")


_NOT_INDEXED = {
    "formula": ("a formula field cannot be indexed: its value is computed whenever records "
                "are read, nothing is stored",
                "remove indexed; to speed up lists, index the stored fields its formula reads"),
    "roll_up": ("a roll-up field cannot be indexed: hulian rewrites its value whenever the "
                "records it summarises change",
                "remove indexed; lists still filter and sort on it, without an index"),
    "quote": ("a quote field cannot be indexed: it shows a field of another record, nothing "
              "is stored here", "remove indexed; index the quoted field on its own object"),
    "textarea": ("a textarea field cannot be indexed: its long values do not fit an index",
                 "remove indexed, or make it a text field (at most 1000 characters) if its "
                 "values are short"),
    "multi_picklist": ("a multi_picklist field cannot be indexed: it stores a set of options "
                       "in one value",
                       "remove indexed, or make it a picklist if a record needs one option only"),
}


def check_indexed(raw: Mapping[str, Any], path: tuple[Any, ...], report: Report) -> None:
    """``"indexed": true`` only on stored fields of :data:`INDEXABLE_TYPES`.

    Derived fields (formula, roll-up, quote) have no column of their own to index.
    ``false`` asks for nothing and is never reported.
    """
    if raw.get("indexed") is not True:
        return
    why = next((key for key in ("formula", "roll_up", "quote") if key in raw), None)
    if why is None and raw["type"] not in INDEXABLE_TYPES:
        why = raw["type"]
    if why is not None:
        message, hint = _NOT_INDEXED[why]
        report.add("indexed.not_allowed", (*path, "indexed"), message, hint)


def check_numbers(raw: Mapping[str, Any], path: tuple[Any, ...], report: Report) -> bool:
    """Number settings; True when they are consistent."""
    kind = raw["type"]
    settings = type_settings(raw)
    precision, scale = settings["precision"], settings["scale"]
    if scale > precision:
        if _int(raw.get("scale")) is not None:
            report.add("number.scale", (*path, "scale"),
                       f"scale {scale} is greater than precision {precision}",
                       "scale counts the digits after the point among the precision's digits;"
                       " lower scale or raise precision")
        else:
            report.add("number.scale", (*path, "precision"),
                       f"precision {precision} is less than the default scale {scale} of"
                       f" {a_field(kind)}", "raise precision or set scale")
        return False
    ok = True
    limit = Decimal(10) ** (precision - scale)
    for key in ("minimum", "maximum"):
        bound = settings[key]
        if bound is not None and abs(bound) >= limit:
            report.add("number.range", (*path, key),
                       f"{key} {bound} does not fit {precision} digits,"
                       f" {scale} of them after the point",
                       "raise precision or change the bound")
            ok = False
    low, high = settings["minimum"], settings["maximum"]
    if low is not None and high is not None and low > high:
        report.add("number.range", (*path, "minimum"),
                   f"minimum {low} is greater than maximum {high}", "swap the two")
        ok = False
    return ok


def check_default(raw: Mapping[str, Any], path: tuple[Any, ...], report: Report,
                  key: str = "default") -> None:
    """Check ``raw[key]`` (the ``default`` or the ``backfill``) against the field's type."""
    kind, value = raw["type"], raw[key]
    if kind in NO_DEFAULT:
        report.add(f"{key}.not_allowed", (*path, key),
                   f"{a_field(kind)} takes no {key}",
                   f"remove {key}" + _NO_DEFAULT_WHY.get(kind, ""))
        return
    if value is None:
        return
    expected = _DEFAULT_JSON[kind]
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        wanted, hint = {
            str: ("a text", f"write the {key} in double quotes"),
            bool: ("true or false", "write true or false without quotes"),
            list: ("a list of option api_names", 'write a list, e.g. ["new"]'),
            int: ("a number", "write the number without quotes"),
        }[expected[0]]
        report.add(f"{key}.type", (*path, key),
                   f"the {key} of {a_field(kind)} must be {wanted}", hint)
        return
    field = Field(key, kind, frozen_map({}), **type_settings(raw))
    try:
        coercer(field)(value)
    except ValueProblem as problem:
        report.add(f"{key}.type", (*path, key),
                   f"the {key} does not fit the field: {problem.message}", problem.hint)


def value_problem(raw: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` (JSON) cannot be a value of the field documented by ``raw`` (None: it
    can); for values given elsewhere than the field, such as a business type's defaults."""
    kind = raw.get("type")
    if kind not in _DEFAULT_JSON or not isinstance(raw.get("api_name"), str):
        return None if kind not in NO_DEFAULT else f"{a_field(str(kind))} takes no default"
    if value is None:
        return None
    expected = _DEFAULT_JSON[kind]
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        return f"{a_field(kind)} does not take {type(value).__name__} values"
    try:
        field = Field(raw["api_name"], kind, frozen_map({}), **type_settings(raw))
        coercer(field)(value)
    except ValueProblem as problem:
        return problem.message
    except (KeyError, TypeError, ValueError):  # settings the field checks report
        return None
    return None
