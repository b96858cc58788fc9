"""Cross-checks of fields derived from related records: roll-ups and quotes.

A roll-up (统计字段) summarises child records that point at the record through
a lookup or master-detail field; a quote (引用字段) shows a field of the record
a lookup points at. Like formula fields they take no input: a field is a
formula, a roll-up or a quote, at most one of them, and takes none of the
input rules (:data:`NOT_WITH_DERIVED`).

:func:`check_derived_keys` looks at one field document; :func:`check_derived`
follows the names a roll-up or quote gives through the pack's objects (see
:mod:`hulian.metadata.relationship_checks` for what is left to the merge). The
roll-up filter is a formula over the child object, type-checked by the engine.

>>> roll_up_result("SUM", "currency"), roll_up_result("MAX", "date")
(('currency', 'number', 'percent'), ('date',))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hulian.metadata.extension_checks import Report
from hulian.metadata.field_types import FIELD_TYPES, REGISTERED, derivable, field_type
from hulian.metadata.hints import a_field, choices_hint
from hulian.metadata.model import ROLL_UP_FUNCTIONS
from hulian.metadata.relationship_checks import PackObjects, ReportFor, is_reference

DERIVED = {"formula": "formula", "roll_up": "roll-up", "quote": "quote"}
"""The keys that make a field derived, in the order that decides which one a field is."""
NOT_WITH_DERIVED = ("required", "unique", "default", "default_formula", "backfill", "minimum",
                    "maximum", "pattern")
ROLL_UP_TYPES = derivable("roll_up")
QUOTE_TYPES = derivable("quote")
"""The types a quote field may have (not references: it shows a value of the record)."""
_NUMERIC = tuple(t.name for t in REGISTERED if t.numeric)
_SOURCES: Mapping[str, tuple[str, ...]] = {
    function: tuple(t.name for t in REGISTERED if function in t.summarised_by)
    for function in ROLL_UP_FUNCTIONS if function != "COUNT"}
"""function -> the types of child fields it summarises (COUNT takes none)"""

Add = Callable[..., None]
Raw = Mapping[str, Any]


def derived_key(raw: Raw) -> str | None:
    """Which of formula, roll_up and quote makes the field derived (the first set)."""
    return next((key for key in DERIVED if key in raw), None)


def roll_up_result(function: str, source: str | None) -> tuple[str, ...]:
    """The types a roll-up field may have: ``function`` of a child field of type ``source``."""
    if function == "COUNT":
        return ("number",)
    if source in _NUMERIC:
        return (source, *(t for t in _NUMERIC if t != source))
    if function == "AVG":
        return _NUMERIC
    return (source,) if source else ()


def _unquotable(kind: Any) -> bool:
    """A field type no quote field may have."""
    return kind in FIELD_TYPES and kind not in QUOTE_TYPES


def _either(kinds: tuple[str, ...]) -> str:
    """ "a number", "a currency, number or percent"."""
    words = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]
    return a_field(words).removesuffix(" field")


def check_derived_keys(raw: Raw, path: tuple[Any, ...], add: Add) -> None:
    """A derived field's keys: one of formula/roll_up/quote, no input rules, a fitting type."""
    keys = [key for key in DERIVED if key in raw]
    if not keys:
        return
    first, kind = keys[0], raw.get("type")
    for key in keys[1:]:
        add("field.key_not_applicable", (*path, key),
            f"{key} does not apply to a {DERIVED[first]} field",
            f"a field is a formula, a roll-up or a quote; remove {key}, or add a field for it")
    if first == "formula":  # hulian.metadata.rule_checks checks the rest
        return
    for key in NOT_WITH_DERIVED:
        if key in raw:
            add("field.key_not_applicable", (*path, key),
                f"{key} does not apply to a {DERIVED[first]} field (hulian computes its value)",
                f"remove {key}")
    if first == "roll_up" and kind in FIELD_TYPES and kind not in ROLL_UP_TYPES:
        add("roll_up.field_type", (*path, "type"), f"a roll-up field cannot be {a_field(kind)}",
            "give the roll-up's result type: number for COUNT; number, currency or percent"
            " for SUM and AVG; for MIN and MAX the type of the field summarised (date and"
            " datetime too)")
    if first == "quote" and _unquotable(kind):
        add("field.key_not_applicable", (*path, "quote"),
            f"quote does not apply to {a_field(kind)}",
            "declare the type of the field it shows (an auto-number shows as text); to show"
            " a related record, follow the path to one of its fields")


def check_derived(objects: PackObjects, report_for: ReportFor) -> None:
    """The objects, relationships and fields that roll-ups and quotes name."""
    quotes: dict[tuple[str, str], tuple[str, str]] = {}
    for obj, doc, i, raw in objects.each_field():
        key = derived_key(raw)
        report = report_for(doc.file)
        if key == "roll_up":
            _check_roll_up(objects, obj, raw, ("fields", i), report)
        elif key == "quote" and not _unquotable(raw.get("type")):
            shown = _check_quote(objects, obj, raw, ("fields", i), report)
            if shown is not None:
                quotes[(obj, raw["api_name"])] = shown
    _check_quote_cycles(objects, quotes, report_for)


def _check_roll_up(objects: PackObjects, obj: str, raw: Raw, path: tuple[Any, ...],
                   report: Report) -> None:
    spec = raw.get("roll_up")
    child = spec.get("object") if isinstance(spec, dict) else None
    if not isinstance(spec, dict) or not isinstance(child, str):
        return
    at = (*path, "roll_up")
    if child == obj or (child not in objects.objects and not objects.unseen(child)):
        pointing = [name for name in objects.objects if name != obj
                    and objects.references(name, obj)]
        hint = choices_hint(child, [name for name in objects.present if name != obj],
                            "other objects of the pack") if child != obj else \
            choices_hint("", pointing, f"objects that point at {obj}",
                         none=f"no other object points at {obj}; give the child object a lookup"
                         f" or master-detail field to {obj}")
        report.add("roll_up.unknown_object", (*at, "object"),
                   f"{child!r} is {'this object' if child == obj else 'not an object of the pack'}:"
                   " a roll-up summarises the records of another object that point at this one",
                   hint)
        return
    if child not in objects.objects:
        return
    _check_relationship(objects, obj, child, spec.get("relationship"), at, report)
    function, source = spec.get("function"), None
    if function not in ROLL_UP_FUNCTIONS:
        return
    field = spec.get("field")
    if function == "COUNT" and "field" in spec:
        report.add("roll_up.field", (*at, "field"), "COUNT counts the child records; it takes"
                   " no field", "remove field, or use SUM, MIN, MAX or AVG of it")
    elif function != "COUNT" and "field" not in spec:
        report.add("roll_up.field", at, f"{function} needs the field of {child} it summarises",
                   f'add "field": the api_name of a field of {child}')
    elif isinstance(field, str):
        source = _roll_up_source(objects, child, function, field, at, report)
        if source is None:
            return
    own = raw.get("type")
    allowed = roll_up_result(function, source)
    if own in ROLL_UP_TYPES and allowed and own not in allowed:
        what = f"{function}({child}.{field})" if source else f"{function}({child})"
        report.add("roll_up.type_mismatch", (*path, "type"),
                   f"{what} needs {_either(allowed)} field, but this one is {a_field(own)}",
                   f"declare type {allowed[0]!r}"
                   + (f" (or {', '.join(repr(t) for t in allowed[1:])})" if allowed[1:] else ""))


def _check_relationship(objects: PackObjects, obj: str, child: str, name: Any,
                        at: tuple[Any, ...], report: Report) -> None:
    if not isinstance(name, str):
        return
    f = objects.field(child, name)
    if f is not None and is_reference(f) and f.get("target") == obj:
        return
    if f is None:
        what = f"{name!r} is not a field of {child}"
    elif not is_reference(f):
        what = f"{child}.{name} is {a_field(str(f.get('type')))}, not a lookup or master-detail"
    else:
        what = f"{child}.{name} points at {f.get('target')}, not at {obj}"
    report.add("roll_up.unknown_relationship", (*at, "relationship"), what,
               choices_hint(name, objects.references(child, obj),
                            f"fields of {child} that point at {obj}",
                            none=f"{child} has no lookup or master-detail field to {obj};"
                            " add one"))


def _roll_up_source(objects: PackObjects, child: str, function: str, name: str,
                    at: tuple[Any, ...], report: Report) -> str | None:
    """The type of the summarised field, or None when it is reported or unknown."""
    suits = _SOURCES[function]
    f = objects.field(child, name)
    if f is None:
        usable = [n for n, g in objects.objects[child].by_name.items() if g.get("type") in suits]
        report.add("roll_up.unknown_field", (*at, "field"), f"{name!r} is not a field of {child}",
                   choices_hint(name, usable, f"fields of {child} {function} can summarise",
                                none=f"{child} has no field {function} can summarise"))
        return None
    kind = f.get("type")
    if kind not in FIELD_TYPES:
        return None
    if kind not in suits:
        report.add("roll_up.type_mismatch", (*at, "field"),
                   f"{function} cannot summarise {child}.{name}, {a_field(kind)}",
                   f"{function} summarises {', '.join(suits)} fields"
                   + ("; COUNT counts records" if function != "COUNT" else ""))
        return None
    return str(kind)


def _check_quote(objects: PackObjects, obj: str, raw: Raw, path: tuple[Any, ...],
                 report: Report) -> tuple[str, str] | None:
    """Walk the quote's path; the (object, field) it shows, or None."""
    quote = raw.get("quote")
    parts = quote.split(".") if isinstance(quote, str) else []
    if len(parts) < 2 or not all(parts):  # the schema reports the form
        return None
    at, current = (*path, "quote"), obj
    for hop in parts[:-1]:
        f = objects.field(current, hop)
        if f is None or not is_reference(f):
            what = (f"{hop!r} is not a field of {current}" if f is None else
                    f"{current}.{hop} is {a_field(str(f.get('type')))}, not a lookup or"
                    " master-detail")
            report.add("quote.unknown_path", at,
                       f"{what}: a quote follows lookup or master-detail fields",
                       choices_hint(hop, objects.references(current),
                                    f"lookup and master-detail fields of {current}",
                                    none=f"{current} has no lookup or master-detail fields"))
            return None
        target = f.get("target")
        if not isinstance(target, str) or target not in objects.objects:
            return None  # an unknown target is reported at its field; an unseen one later
        current = target
    name = parts[-1]
    f = objects.field(current, name)
    if f is None:
        report.add("quote.unknown_field", at, f"{name!r} is not a field of {current}",
                   choices_hint(name, list(objects.objects[current].by_name),
                                f"fields of {current}"))
        return None
    _check_quote_type(objects, raw, current, name, f, path, report)
    return current, name


def _check_quote_type(objects: PackObjects, raw: Raw, obj: str, name: str, shown: Raw,
                      path: tuple[Any, ...], report: Report) -> None:
    kind, own = shown.get("type"), raw.get("type")
    if kind not in FIELD_TYPES or own not in FIELD_TYPES:
        return
    if field_type(kind).reference:
        target = shown.get("target")
        found = objects.objects.get(target) if isinstance(target, str) else None
        name_field = found.name_field if found else None
        example = f"{raw['quote']}.{name_field}" \
            if isinstance(name_field, str) and raw["quote"].count(".") < 2 else None
        report.add("quote.type_mismatch", (*path, "quote"),
                   f"{obj}.{name} is {a_field(str(kind))}: a quote shows a value, not a"
                   " reference", f"follow it to a field of {target}"
                   + (f", e.g. {example!r}" if example else ""))
        return
    expected = field_type(kind).quoted_as or kind
    if own != expected:
        report.add("quote.type_mismatch", (*path, "type"),
                   f"the quote shows {obj}.{name}, {a_field(str(kind))}, but this field is"
                   f" {a_field(str(own))}", f"declare type {expected!r}"
                   + (" (an auto-number shows as text)" if expected != kind else ""))


def _check_quote_cycles(objects: PackObjects, quotes: Mapping[tuple[str, str], tuple[str, str]],
                        report_for: ReportFor) -> None:
    """A quote may show a quote, but not one that comes back to it."""
    for start in quotes:
        chain, at = [start], quotes[start]
        while at in quotes and at not in chain:
            chain.append(at)
            at = quotes[at]
        if at != start:
            continue
        obj, name = start
        doc = objects.objects[obj]
        i = next(i for i, f in doc.fields if f is doc.by_name[name])
        shown = " -> ".join(f"{o}.{n}" for o, n in [*chain, start])
        report_for(doc.file).add("quote.cycle", ("fields", i, "quote"),
                                 f"the quotes {shown} show each other in a circle",
                                 "one of them must show a stored field or a formula")
