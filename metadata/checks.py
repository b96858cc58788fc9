"""Cross-checks: what the JSON schemas cannot say.

Names, duplicates, references between fields and objects, defaults, number
settings, patterns and auto-number formats. They run after the schema check on
documents that may still be wrong in any way, so each check looks only at values
of the right JSON type and skips the rest (the schema check reports those).

:func:`type_settings` is shared with the loader, so a default is checked against
exactly the settings the model will have.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from decimal import Decimal
from typing import Any

from hulian.metadata.documents import MANIFEST, SUPPORTED, document_kind
from hulian.metadata.extension_checks import check_extension
from hulian.metadata.model import (
    AUTO_NUMBER_RESETS,
    CHOICE_TYPES,
    FIELD_TYPES,
    NUMERIC_TYPES,
    ON_DELETE,
    PACK_KINDS,
    TEXT_TYPES,
    Field,
    PicklistOption,
    frozen_map,
)
from hulian.metadata.names import CUSTOM_SUFFIX, NameKind, closest, name_issues
from hulian.metadata.problems import Problem, pointer
from hulian.metadata.rule_checks import check_formula_keys, check_rules
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
    **dict.fromkeys(("target", "on_delete"), ("lookup",)),
    **dict.fromkeys(("format", "start", "reset"), ("auto_number",)),
}
NO_DEFAULT = ("lookup", "auto_number")
NAME_FIELD_TYPES = ("text", "auto_number")
LANGUAGES = ("zh", "en")
DATE_TOKENS = ("yyyy", "yy", "mm", "dd")
_RESET_NEEDS = {"yearly": ("year",), "monthly": ("year", "mm"), "daily": ("year", "mm", "dd")}
_TOKEN = re.compile(r"\{([^{}]*)\}")
_DEFAULT_JSON = {**{t: (str,) for t in TEXT_TYPES}, **{t: (int, Decimal) for t in NUMERIC_TYPES},
                 "boolean": (bool,), "date": (str,), "datetime": (str,), "time": (str,),
                 "picklist": (str,), "multi_picklist": (list,)}


def _a(kind: str) -> str:
    """ "a number field", "an email field"."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} field"


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
    if kind == "auto_number":
        fmt, start, reset = raw.get("format"), _int(raw.get("start")), raw.get("reset")
        return {"format": fmt if isinstance(fmt, str) else None,
                "start": start if start is not None and start >= 0 else 1,
                "reset": reset if reset in AUTO_NUMBER_RESETS else "never"}
    return {}


class _Report:
    """Collects the problems of one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, code: str, path: tuple[Any, ...], message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(code, self.file, pointer(*path), message, hint))

    def name(self, kind: NameKind, name: Any, path: tuple[Any, ...],
             pack_kind: str | None = None) -> None:
        if isinstance(name, str):
            for issue in name_issues(kind, name, pack_kind):
                self.add(issue.code, path, issue.message, issue.hint)

    def labels(self, value: Any, path: tuple[Any, ...]) -> None:
        if not isinstance(value, dict):
            return
        missing = [lang for lang in LANGUAGES if lang not in value]
        if missing:
            names = " and ".join({"zh": "Chinese (zh)", "en": "English (en)"}[m] for m in missing)
            self.add("label.missing_language", path, f"{path[-1]} lacks {names}",
                     "add " + ", ".join(f'"{m}": "..."' for m in missing)
                     + "; every label has zh and en at least")


def _choices_hint(word: str, choices: Collection[str], what: str) -> str:
    close = closest(word, choices)
    if close:
        return f"did you mean {close!r}?"
    if not choices:
        return f"the pack has no {what}"
    shown = sorted(choices)
    return f"the {what}: " + ", ".join(shown[:20]) + (", ..." if len(shown) > 20 else "")


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


def _check_auto_number(raw: Mapping[str, Any], path: tuple[Any, ...], report: _Report) -> None:
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


def _check_numbers(raw: Mapping[str, Any], path: tuple[Any, ...], report: _Report) -> bool:
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
                       f" {_a(kind)}", "raise precision or set scale")
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


def _check_default(raw: Mapping[str, Any], path: tuple[Any, ...], report: _Report,
                   key: str = "default") -> None:
    """Check ``raw[key]`` (the ``default`` or the ``backfill``) against the field's type."""
    kind, value = raw["type"], raw[key]
    if kind in NO_DEFAULT:
        report.add(f"{key}.not_allowed", (*path, key),
                   f"{_a(kind)} takes no {key}",
                   f"remove {key}" + ("; hulian assigns the numbers" if kind == "auto_number"
                                      else ""))
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
                   f"the {key} of {_a(kind)} must be {wanted}", hint)
        return
    field = Field(key, kind, frozen_map({}), **type_settings(raw))
    try:
        coercer(field)(value)
    except ValueProblem as problem:
        report.add(f"{key}.type", (*path, key),
                   f"the {key} does not fit the field: {problem.message}", problem.hint)


def _check_field(raw: Any, path: tuple[Any, ...], report: _Report, targets: Collection[str],
                 pack_kind: str | None) -> None:
    if not isinstance(raw, dict):
        return
    report.name("field", raw.get("api_name"), (*path, "api_name"), pack_kind)
    report.labels(raw.get("label"), (*path, "label"))
    report.labels(raw.get("help"), (*path, "help"))
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in FIELD_TYPES:
        return
    for key in raw:
        if key in TYPE_KEYS and kind not in TYPE_KEYS[key]:
            report.add("field.key_not_applicable", (*path, key),
                       f"{key} does not apply to {_a(kind)}",
                       f"{key} is for {', '.join(TYPE_KEYS[key])} fields;"
                       " remove it or change the type")
    sound = True
    pattern = raw.get("pattern")
    if kind in ("text", "textarea") and isinstance(pattern, str):
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError, ValueError) as exc:
            report.add("pattern.invalid", (*path, "pattern"),
                       f"the pattern is not a regular expression: {exc}",
                       "write a Python regular expression; backslashes are doubled in JSON")
            sound = False
    if kind in NUMERIC_TYPES:
        sound = _check_numbers(raw, path, report) and sound
    if kind in CHOICE_TYPES:
        options = raw.get("options")
        _check_options(options, (*path, "options"), report)
        sound = sound and isinstance(options, list) and bool(options)
    if kind == "lookup":
        target = raw.get("target")
        # a tenant pack's lookups to installed packs' objects are checked when it is merged
        installed = pack_kind == "tenant" and isinstance(target, str) \
            and not target.endswith(CUSTOM_SUFFIX)
        if isinstance(target, str) and target not in targets and not installed:
            report.add("lookup.unknown_target", (*path, "target"),
                       f"{target!r} is not an object of this pack",
                       _choices_hint(target, targets, "objects of the pack"))
    if kind == "auto_number":
        _check_auto_number(raw, path, report)
    for key in ("default", "backfill"):
        if key in raw and sound:
            _check_default(raw, path, report, key)
    check_formula_keys(raw, path, report.add)


def _check_options(options: Any, path: tuple[Any, ...], report: _Report) -> None:
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


def _duplicates(items: Iterator[tuple[Any, str, str]], report_for: Any, what: str) -> None:
    """Report the second and later of case-insensitively equal names."""
    seen: dict[str, str] = {}
    for name, file, where in items:
        if not isinstance(name, str):
            continue
        first = seen.setdefault(name.lower(), f"{file}#{where}" if file else where)
        if first != (f"{file}#{where}" if file else where):
            report_for(file).add("name.duplicate", tuple(where.split("/")[1:]),
                                 f"{name!r} is already the api_name of {what} at {first}",
                                 "api_names must differ, ignoring case; rename one")


def _check_object(doc: Any, file: str, report: _Report, targets: Collection[str],
                  pack_kind: str | None) -> None:
    if not isinstance(doc, dict):
        return
    api_name = doc.get("api_name")
    report.name("object", api_name, ("api_name",), pack_kind)
    expected = file.removeprefix("objects/").removesuffix(".json")
    if isinstance(api_name, str) and api_name != expected:
        report.add("object.file_name_mismatch", ("api_name",),
                   f"the file {file} holds the object {api_name!r}",
                   f"rename the file to objects/{api_name}.json, or set api_name to {expected!r}")
    for key in ("label", "plural_label"):
        report.labels(doc.get(key), (key,))
    fields = doc.get("fields")
    if not isinstance(fields, list):
        return
    for i, raw in enumerate(fields):
        _check_field(raw, ("fields", i), report, targets, pack_kind)
    named = [(f.get("api_name"), "", pointer("fields", i, "api_name"))
             for i, f in enumerate(fields) if isinstance(f, dict)]
    _duplicates(iter(named), lambda _file: report, "another field")
    _check_name_field(doc.get("name_field"), fields, report)
    check_rules(doc.get("validation_rules"),
                {f["api_name"] for f in fields if isinstance(f, dict)
                 and isinstance(f.get("api_name"), str)},
                report.add, report.name, report.labels)


def _check_name_field(name_field: Any, fields: list[Any], report: _Report) -> None:
    if not isinstance(name_field, str):
        return
    types = {f["api_name"]: f.get("type") for f in fields
             if isinstance(f, dict) and isinstance(f.get("api_name"), str)}
    if name_field not in types:
        usable = [n for n, t in types.items() if t in NAME_FIELD_TYPES]
        report.add("name_field.unknown", ("name_field",),
                   f"{name_field!r} is not a field of this object",
                   _choices_hint(name_field, usable, "text and auto_number fields")
                   if usable else "add a text field to name the records by")
    elif isinstance(types[name_field], str) and types[name_field] in FIELD_TYPES \
            and types[name_field] not in NAME_FIELD_TYPES:
        report.add("name_field.type", ("name_field",),
                   f"the name field {name_field!r} is {_a(types[name_field])}",
                   "records are named by a text field or an auto_number")


def check_documents(documents: Mapping[str, Any], broken: Collection[str] = ()) -> list[Problem]:
    """Cross-check a pack's documents (JSON values only); problem files are relative.

    ``broken`` lists files that exist but could not be read: their objects count
    as present, so lookups to them are not reported again.
    """
    reports = {name: _Report(name) for name in documents}
    manifest = documents.get(MANIFEST)
    pack_kind: str | None = None
    if isinstance(manifest, dict):
        kind = manifest.get("kind", "preset")
        pack_kind = kind if kind in PACK_KINDS else None
        reports[MANIFEST].name("pack", manifest.get("name"), ("name",))
        reports[MANIFEST].labels(manifest.get("label"), ("label",))
    objects = sorted(name for name in documents if document_kind(name) == "object")
    targets = {doc["api_name"] for name in objects
               if isinstance(doc := documents[name], dict) and isinstance(doc.get("api_name"), str)}
    targets |= {name.removeprefix("objects/").removesuffix(".json") for name in broken
                if document_kind(name) == "object"}
    for name in objects:
        _check_object(documents[name], name, reports[name], targets, pack_kind)
    for name in sorted(name for name in documents if document_kind(name) == "extension"):
        if pack_kind == "tenant":
            check_extension(documents[name], name, reports[name], _check_field, targets)
        elif pack_kind is not None:
            reports[name].add("pack.unexpected_file", (),
                              f"a {pack_kind} pack has no extension files", SUPPORTED)
    _duplicates(((documents[name].get("api_name"), name, "/api_name") for name in objects
                 if isinstance(documents[name], dict)), reports.__getitem__, "another object")
    return [p for report in reports.values() for p in report.problems]
