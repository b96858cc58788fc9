"""An object's description as plain data: fields, types, labels, options, system fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hulian.engine.relationships import child_relationships
from hulian.engine.schema.columns import SYSTEM_FIELD_TYPES, SYSTEM_FIELDS
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema, field_index
from hulian.metadata.model import Field

DERIVED_SETTINGS = ("formula", "default_formula", "quote")


def describe_field(f: Field, item_id: str | None = None, *, indexed: bool = False
                   ) -> dict[str, Any]:
    """``indexed``: the field has an index (declared, or as a unique, reference or name
    field), so sorting and filtering on it stay fast on large tables. ``widget`` is the
    form widget of the field's type; the type adds its own settings (options...)."""
    kind = f.kind
    out: dict[str, Any] = {
        "id": item_id,
        "api_name": f.api_name,
        "type": f.type,
        "widget": kind.widget,
        "label": dict(f.label),
        "required": f.required,
        "unique": f.unique,
        "indexed": indexed,
        "read_only": f.read_only,
        "system": False,
        "hidden": f.hidden,
    }
    out.update(kind.describe(f))
    for name in DERIVED_SETTINGS:
        value = getattr(f, name)
        if value is not None:
            out[name] = value
    if f.roll_up is not None:
        out["roll_up"] = {k: v for k, v in vars(f.roll_up).items() if v is not None}
    if f.default is not None:
        out["default"] = f.default
    if f.help:
        out["help"] = dict(f.help)
    if f.description:
        out["description"] = f.description
    return out


def describe_system_field(name: str) -> dict[str, Any]:
    return {"api_name": name, "type": SYSTEM_FIELD_TYPES[name], "system": True,
            "read_only": name not in ("owner_id", "out_tenant_id", "out_owner_id")}


def describe_child_relationships(schema: CompiledSchema, obj: CompiledObject
                                 ) -> list[dict[str, Any]]:
    """The related lists of ``obj``: each lookup or master-detail field pointing at it."""
    out = []
    for r in child_relationships(obj):
        child = schema.objects[r.object].model
        out.append({"name": r.name, "object": r.object, "field": r.field, "type": r.type,
                    "label": dict(child.plural_label or child.label)})
    return out


def describe_object(obj: CompiledObject, ids: Mapping[str, Any] | None = None,
                    schema: CompiledSchema | None = None) -> dict[str, Any]:
    """``ids``: the object's stable ids, ``{"id": ..., "fields": {api_name: id}}``;
    ``schema``: the schema holding ``obj``; given, the description lists its
    ``child_relationships``."""
    model = obj.model
    ids = ids or {}
    field_ids = ids.get("fields") or {}
    out: dict[str, Any] = {
        "id": ids.get("id"),
        "api_name": model.api_name,
        "label": dict(model.label),
        "plural_label": dict(model.plural_label or model.label),
        "name_field": model.name_field,
        "fields": [describe_field(f, field_ids.get(f.api_name),
                                  indexed=field_index(model, f) is not None)
                   for f in model.fields],
        "system_fields": [describe_system_field(n) for n in SYSTEM_FIELDS],
    }
    if schema is not None:
        out["child_relationships"] = describe_child_relationships(schema, obj)
    if model.description:
        out["description"] = model.description
    tracked = model.tracked_fields
    out["track_history"] = tracked is not None
    if tracked is not None:
        out["history_fields"] = list(tracked)
        out["history_retention_days"] = model.history_retention_days
    out["validation_rules"] = [
        {"api_name": r.api_name, "condition": r.condition, "message": dict(r.message),
         "error_field": r.error_field, "active": r.active}
        for r in model.validation_rules]
    return out
