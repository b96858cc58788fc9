"""Checks of an object's business types (业务类型) and field dependencies (字段依赖): what
their JSON Schema cannot see.

Business types: exactly one active default among the declared ones; ``defaults`` name
fields and hold values the field can take; ``options`` name picklists and options they
have, with a default among the allowed ones; ``roles`` are roles of the pack. Field
dependencies: a picklist or checkbox controls a picklist or multi-picklist, with options
they have; one controlling field per dependent; no cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hulian.metadata.hints import choices_hint
from hulian.metadata.kinds import PackView, Report, pack_view

__all__ = ["check_business_types"]

CHOICES = ("picklist", "multi_picklist")


def _options(f: Mapping[str, Any]) -> list[str]:
    return [o["api_name"] for o in f.get("options", []) if isinstance(o, dict)
            and isinstance(o.get("api_name"), str)]


def check_business_types(documents: Mapping[str, Any], report_for: Callable[[str], Report],
                         pack_kind: str | None,
                         value_problem: Callable[[Mapping[str, Any], Any], str | None]) -> None:
    """``value_problem(field_document, value)``: why ``value`` cannot be the field's value
    (None: it can), the check a field's own default gets."""
    view = pack_view(documents, pack_kind)
    for file, doc in documents.items():
        if not file.startswith("objects/") or not isinstance(doc, dict):
            continue
        fields = {f["api_name"]: f for f in doc.get("fields", []) if isinstance(f, dict)
                  and isinstance(f.get("api_name"), str)} \
            if isinstance(doc.get("fields"), list) else {}
        report = report_for(file)
        if isinstance(doc.get("business_types"), list):
            _types(doc["business_types"], fields, report, view, value_problem,
                   str(doc.get("api_name")))
        if isinstance(doc.get("field_dependencies"), list):
            _dependencies(doc["field_dependencies"], fields, report, str(doc.get("api_name")))


def _types(types: list[Any], fields: Mapping[str, Any], report: Report, view: PackView,
           value_problem: Callable[[Mapping[str, Any], Any], str | None], obj: str) -> None:
    valid = [t for t in types if isinstance(t, dict)]
    defaults = [i for i, t in enumerate(types) if isinstance(t, dict) and t.get("default")
                and t.get("active", True)]
    if valid and len(defaults) != 1:
        report.add("business_type.default", ("business_types",),
                   f"{obj} declares {len(defaults)} active default business types",
                   "mark exactly one active type \"default\": true (new records get it)")
    seen: dict[str, int] = {}
    for i, raw in enumerate(types):
        if not isinstance(raw, dict):
            continue
        name = raw.get("api_name")
        if isinstance(name, str):
            if name in seen:
                report.add("name.duplicate", ("business_types", i, "api_name"),
                           f"{obj} has another business type {name!r} "
                           f"(/business_types/{seen[name]})", "give each type its own api_name")
            seen.setdefault(name, i)
        report.labels(raw.get("label"), ("business_types", i, "label"))
        for key, value in (raw.get("defaults") or {}).items():
            at = ("business_types", i, "defaults", key)
            f = fields.get(key)
            if f is None:
                report.add("business_type.unknown_field", at, f"{obj} has no field {key!r}",
                           choices_hint(key, list(fields), f"fields of {obj}"))
            elif (why := value_problem(f, value)) is not None:
                report.add("business_type.invalid_default", at,
                           f"the default of {key} for this type cannot be a value of the "
                           f"field: {why}", "give a value the field takes")
        for j, role in enumerate(raw.get("roles") or ()):
            if isinstance(role, str) and role not in view.roles and not view.partial:
                report.add("business_type.unknown_role", ("business_types", i, "roles", j),
                           f"{role!r} is neither a built-in role nor a role of the pack",
                           choices_hint(role, list(view.roles), "roles"))
        for key, subset in (raw.get("options") or {}).items():
            _subset(key, subset, fields, report, ("business_types", i, "options", key), obj)


def _subset(key: str, subset: Any, fields: Mapping[str, Any], report: Report,
            at: tuple[Any, ...], obj: str) -> None:
    f = fields.get(key)
    if f is None:
        report.add("business_type.unknown_field", at, f"{obj} has no field {key!r}",
                   choices_hint(key, list(fields), f"fields of {obj}"))
        return
    if f.get("type") not in CHOICES:
        report.add("business_type.not_a_picklist", at,
                   f"{key} is a {f.get('type')} field: only picklists have options to choose",
                   "list option subsets of picklist and multi-picklist fields only")
        return
    if not isinstance(subset, dict):
        return
    known = _options(f)
    values = subset.get("values") if isinstance(subset.get("values"), list) else []
    for j, value in enumerate(values):
        if isinstance(value, str) and value not in known:
            report.add("business_type.unknown_option", (*at, "values", j),
                       f"{value!r} is not an option of {obj}.{key}",
                       choices_hint(value, known, f"options of {key}"))
    default = subset.get("default")
    if isinstance(default, str) and default not in values:
        report.add("business_type.default_not_allowed", (*at, "default"),
                   f"the default option {default!r} is not one of the type's options "
                   f"for {key}", "choose the default among values")


def _dependencies(dependencies: list[Any], fields: Mapping[str, Any], report: Report,
                  obj: str) -> None:
    controls: dict[str, str] = {}
    for i, raw in enumerate(dependencies):
        if not isinstance(raw, dict):
            continue
        at = ("field_dependencies", i)
        controlling = fields.get(raw.get("controlling"))
        dependent = fields.get(raw.get("dependent"))
        for key, f in (("controlling", controlling), ("dependent", dependent)):
            if f is None and isinstance(raw.get(key), str):
                report.add("dependency.unknown_field", (*at, key),
                           f"{obj} has no field {raw[key]!r}",
                           choices_hint(raw[key], list(fields), f"fields of {obj}"))
        if controlling is not None and controlling.get("type") not in ("picklist", "boolean"):
            report.add("dependency.controlling_type", (*at, "controlling"),
                       f"{raw['controlling']} is a {controlling.get('type')} field: a "
                       "controlling field is a picklist or a checkbox",
                       "control with a picklist or checkbox field; for other conditions use a "
                       "validation rule")
            controlling = None
        if dependent is not None and dependent.get("type") not in CHOICES:
            report.add("dependency.dependent_type", (*at, "dependent"),
                       f"{raw['dependent']} is a {dependent.get('type')} field: a dependent "
                       "field is a picklist or multi-picklist",
                       "name a picklist or multi-picklist as the dependent field")
            dependent = None
        name = raw.get("dependent")
        if isinstance(name, str):
            if name in controls:
                report.add("dependency.duplicate", (*at, "dependent"),
                           f"{name} already depends on {controls[name]}",
                           "a field depends on one controlling field")
            controls.setdefault(name, str(raw.get("controlling")))
        _dependency_values(raw.get("values"), controlling, dependent, report, at, obj)
    _cycles(controls, report, obj)


def _dependency_values(values: Any, controlling: Mapping[str, Any] | None,
                       dependent: Mapping[str, Any] | None, report: Report,
                       at: tuple[Any, ...], obj: str) -> None:
    if not isinstance(values, dict):
        return
    keys = (["true", "false"] if controlling is not None and controlling.get("type") ==
            "boolean" else _options(controlling) if controlling is not None else None)
    allowed = _options(dependent) if dependent is not None else None
    for key, options in values.items():
        if keys is not None and key not in keys:
            report.add("dependency.unknown_option", (*at, "values", key),
                       f"{key!r} is not a value of the controlling field",
                       choices_hint(key, keys, "values"))
        for j, option in enumerate(options if isinstance(options, list) else ()):
            if allowed is not None and isinstance(option, str) and option not in allowed:
                report.add("dependency.unknown_option", (*at, "values", key, j),
                           f"{option!r} is not an option of the dependent field",
                           choices_hint(option, allowed, "options"))


def _cycles(controls: Mapping[str, str], report: Report, obj: str) -> None:
    for start in controls:
        seen = [start]
        current = controls.get(start)
        while current is not None and current not in seen:
            seen.append(current)
            current = controls.get(current)
        if current == start:
            report.add("dependency.cycle", ("field_dependencies",),
                       f"fields of {obj} control each other in a cycle: "
                       + " -> ".join([*seen, start]), "break the cycle")
            return
