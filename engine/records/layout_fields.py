"""The fields of an effective layout: what a form or a list column needs of each field.

A field entry is built from the field's description as the user may see it (the
guard's: an opaque lookup names no target) and says how to show it::

    {"api_name": "status", "label": {"zh": "状态", "en": "Status"}, "type": "picklist",
     "widget": "select", "required": true, "read_only": false,
     "options": [{"api_name": "draft", "label": {...}}], "default": "draft"}

- ``widget``: the form control for the type (:data:`WIDGETS`);
- ``read_only``: the field permission says so, the field is computed (formula, roll-up,
  quote, auto-number, system field) or the layout says so; ``required``: the object or the
  layout says so, and never for a read-only field;
- ``options``: a picklist's active options narrowed to the business type's subset;
  ``default``: the type's default option, else the field's default when it is allowed.

Columns (list columns, card fields, related list columns) only display values: their
entries carry no options, required or read-only flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hulian.engine.schema.columns import SYSTEM_FIELD_TYPES
from hulian.metadata.model import BusinessType, FieldDependency, frozen_map

__all__ = ["STANDARD_LABELS", "WIDGETS", "column_entry", "dependency_entry", "field_entry",
           "frozen", "system_description"]

WIDGETS: Mapping[str, str] = MappingProxyType({
    "text": "text", "textarea": "textarea", "email": "email", "phone": "tel", "url": "url",
    "number": "number", "currency": "money", "percent": "percent", "boolean": "checkbox",
    "date": "date", "datetime": "datetime-local", "time": "time", "picklist": "select",
    "multi_picklist": "multi-select", "lookup": "lookup", "master_detail": "lookup",
    "auto_number": "read-only",
    # system fields
    "id": "read-only", "reference": "lookup", "integer": "number",
})
"""Field type -> the form widget a UI uses for it, for descriptions that do not say
(``widget`` in describe, from the field-type registry, wins; a type not listed: ``text``)."""

SYSTEM_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    name: frozen_map({"zh": zh, "en": en}) for name, zh, en in (
        ("id", "编号", "ID"), ("owner_id", "负责人", "Owner"),
        ("department_id", "归属部门", "Department"), ("business_type", "业务类型",
                                                     "Business type"),
        ("life_status", "生命状态", "Life status"), ("created_by", "创建人", "Created by"),
        ("created_at", "创建时间", "Created at"), ("updated_by", "最后修改人",
                                                  "Last modified by"),
        ("updated_at", "最后修改时间", "Last modified at"), ("version", "版本", "Version"),
        ("out_tenant_id", "外部企业", "Partner enterprise"),
        ("out_owner_id", "外部负责人", "External owner"))})
SYSTEM_TARGETS: Mapping[str, str] = MappingProxyType({
    "owner_id": "User", "created_by": "User", "updated_by": "User", "out_owner_id": "User",
    "department_id": "Department"})
STANDARD_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    name: frozen_map({"zh": zh, "en": en}) for name, zh, en in (
        ("new", "新建", "New"), ("edit", "编辑", "Edit"), ("delete", "删除", "Delete"),
        ("clone", "复制", "Clone"), ("export", "导出", "Export"),
        ("restore", "恢复", "Restore"), ("share", "共享", "Share"))})
"""Labels of the standard buttons."""

_SETTINGS = ("max_length", "pattern", "precision", "scale", "minimum", "maximum", "format",
             "target", "opaque")
"""What of a field's description a form needs besides the entry's own keys."""


def frozen(value: Any) -> Any:
    """``value`` made read-only all the way down (maps -> read-only maps, lists ->
    tuples): an effective layout is shared by the user's sessions and threads."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    return value


def system_description(name: str, *, writable: bool) -> dict[str, Any]:
    """A system field described like a field (``writable``: the user may set it, as an
    internal user may set ``owner_id``)."""
    out: dict[str, Any] = {"api_name": name, "label": dict(SYSTEM_LABELS[name]),
                           "type": SYSTEM_FIELD_TYPES[name], "read_only": not writable}
    if name in SYSTEM_TARGETS:
        out["target"] = SYSTEM_TARGETS[name]
    return out


def _widget(described: Mapping[str, Any]) -> str:
    return described.get("widget") or WIDGETS.get(described["type"], "text")


def column_entry(described: Mapping[str, Any]) -> dict[str, Any]:
    """A column: how to display the field's values."""
    out = {"api_name": described["api_name"], "label": described["label"],
           "type": described["type"], "widget": _widget(described)}
    for key in ("target", "opaque", "scale", "format"):
        if key in described:
            out[key] = described[key]
    return out


def allowed_options(described: Mapping[str, Any], btype: BusinessType) -> list[str]:
    """The options a form offers for a picklist: active, within the type's subset."""
    subset = btype.options.get(described["api_name"])
    return [o["api_name"] for o in described.get("options", ())
            if o["active"] and (subset is None or o["api_name"] in subset.values)]


def field_entry(described: Mapping[str, Any], btype: BusinessType, *, read_only: bool,
                required: bool, coerce: Any = None) -> dict[str, Any]:
    """A form field (see the module's docstring). ``read_only`` and ``required``: what the
    field permission and the layout add to the description; ``coerce``: the field's
    coercer, for the type's default value."""
    name = described["api_name"]
    locked = read_only or bool(described.get("read_only"))
    out = {"api_name": name, "label": described["label"], "type": described["type"],
           "widget": _widget(described), "read_only": locked,
           "required": not locked and (required or bool(described.get("required")))}
    if "help" in described:
        out["help"] = described["help"]
    for key in _SETTINGS:
        if key in described:
            out[key] = described[key]
    if "options" in described:
        allowed = allowed_options(described, btype)
        labels = {o["api_name"]: o["label"] for o in described["options"]}
        out["options"] = [{"api_name": a, "label": labels[a]} for a in allowed]
        default = _option_default(described, btype, allowed)
        if default is not None:
            out["default"] = default
    elif name in btype.defaults and coerce is not None:
        out["default"] = coerce(btype.defaults[name])
    elif described.get("default") is not None:
        out["default"] = described["default"]
    return out


def _option_default(described: Mapping[str, Any], btype: BusinessType,
                    allowed: list[str]) -> Any:
    """The default choice of a picklist under ``btype`` (a list for a multi-picklist), as
    a new record gets it: the type's default value, else its subset's default option,
    else the field's default."""
    multi = described["type"] == "multi_picklist"
    subset = btype.options.get(described["api_name"])
    given = btype.defaults.get(described["api_name"])
    if given is None and subset is not None and subset.default is not None:
        given = [subset.default] if multi else subset.default
    if given is None:
        given = described.get("default")
    if given is None:
        return None
    if multi:
        kept = [v for v in (given if isinstance(given, list | tuple) else [given])
                if v in allowed]
        return kept or None
    return given if given in allowed else None


def dependency_entry(dependency: FieldDependency, controlling: Mapping[str, Any],
                     dependent: Mapping[str, Any], btype: BusinessType
                     ) -> dict[str, Any]:
    """A field dependency as a form uses it: controlling value -> the dependent options it
    allows, both narrowed to what the business type offers."""
    offered = set(allowed_options(dependent, btype))
    keys = None if controlling["type"] == "boolean" else \
        set(allowed_options(controlling, btype))
    return {"controlling": dependency.controlling, "dependent": dependency.dependent,
            "values": {key: [v for v in values if v in offered]
                       for key, values in dependency.values.items()
                       if keys is None or key in keys}}
