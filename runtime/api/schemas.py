"""JSON Schemas (2020-12, as OpenAPI 3.1 uses them) for one object's records.

Built from ``Session.describe`` output, so the document always matches what the
engine accepts and returns:

- ``record_schema``: a record as the API returns it (every field, system fields readOnly);
- ``input_schema``: a create body (writable fields; ``required`` = required without default);
- ``update_schema``: a PATCH body (writable fields plus the required ``version``).
"""

from __future__ import annotations

from typing import Any

from hulian.metadata.field_types import field_type
from hulian.metadata.model import label_text

__all__ = ["input_schema", "record_schema", "update_schema"]

SYSTEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "string"},
    "reference": {"type": "string"},
    "text": {"type": "string"},
    "datetime": {"type": "string", "format": "date-time"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
}
NULLABLE_SYSTEM_FIELDS = frozenset({"department_id", "out_tenant_id", "out_owner_id"})
DERIVED = ("formula", "roll_up", "quote")
"""Keys of a described field that make it computed, and so possibly blank whatever its type
(a formula over a blank field, a roll-up of no records, a quote of no related record)."""
SYSTEM_DESCRIPTIONS = {
    "id": "The record's id (26 characters, time-ordered).",
    "owner_id": "The id of the user who owns the record (defaults to its creator).",
    "department_id": "The owner's department.",
    "business_type": "The record's business type.",
    "life_status": "Lifecycle status: ineffective, under_review, normal, in_change or invalid.",
    "created_by": "The id of the user who created the record.",
    "created_at": "When the record was created (ISO 8601, UTC).",
    "updated_by": "The id of the user who last changed the record.",
    "updated_at": "When the record was last changed (ISO 8601, UTC).",
    "version": "Incremented by every change; send it back when you update or delete.",
    "is_deleted": "True once the record is deleted (listed only with include_deleted=true).",
    "out_tenant_id": "The downstream enterprise the record belongs to, if any. Upstream users "
                     "assign the record to an active enterprise by its id (without an external "
                     "owner), or take it back with null.",
    "out_owner_id": "The interconnect user who owns the record, if any. Upstream users give "
                    "the record to an active interconnect user (out_tenant_id follows: the "
                    "user's enterprise), or take it back with null.",
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def field_schema(f: dict[str, Any], *, for_input: bool = False) -> dict[str, Any]:
    """The schema of a described field's value: its type's (a picklist's options, a
    number's bounds...), with title, description and whether it may be null."""
    kind = field_type(f["type"])
    schema, note = kind.json_schema(f, for_input)
    label = f.get("label") or {}
    out: dict[str, Any] = {"title": label_text(label)} if label else {}
    text = [t for t in (label_text(f["help"]) if f.get("help") else None,
                        f.get("description"), note) if t]
    if f.get("unique"):
        text.append("Unique: no two live records share a value.")
    if text:
        out["description"] = " ".join(text)
    out.update(schema)
    derived = any(f.get(key) for key in DERIVED)  # computed: blank when its inputs are
    never_null = not derived and (kind.never_blank or (f.get("required") and not kind.assigned))
    if schema and not never_null:
        _nullable(out)
    if label:
        out["x-hulian-label"] = label
    return out


def system_field_schema(f: dict[str, Any]) -> dict[str, Any]:
    out = {"description": SYSTEM_DESCRIPTIONS.get(f["api_name"], "A system field."),
           **SYSTEM_SCHEMAS.get(f["type"], {})}
    if f["api_name"] in NULLABLE_SYSTEM_FIELDS and "type" in out:
        _nullable(out)
    if f.get("read_only"):
        out["readOnly"] = True
    return out


def _object_head(obj: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    label = label_text(obj["label"])
    text = description.replace("{}", label)
    if obj.get("description"):
        text += " " + obj["description"]
    return {"title": title.replace("{}", label), "description": text, "type": "object",
            "x-hulian-label": obj["label"]}


def record_schema(obj: dict[str, Any]) -> dict[str, Any]:
    """A record as GET/POST/PATCH return it: id, the fields, then the other system fields."""
    system = {f["api_name"]: f for f in obj["system_fields"]}
    properties = {"id": system_field_schema(system["id"])}
    properties.update((f["api_name"], field_schema(f)) for f in obj["fields"])
    properties.update((name, system_field_schema(f)) for name, f in system.items()
                      if name != "id")
    return {**_object_head(obj, "{}", "A {} record."), "properties": properties,
            "required": list(properties), "additionalProperties": False}


def _writable(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    properties = {f["api_name"]: field_schema(f, for_input=True) for f in obj["fields"]
                  if not f.get("read_only")}
    properties.update((f["api_name"], system_field_schema(f)) for f in obj["system_fields"]
                      if not f.get("read_only"))
    return properties


def input_schema(obj: dict[str, Any]) -> dict[str, Any]:
    """A create body: writable fields; unknown and read-only fields are refused."""
    required = [f["api_name"] for f in obj["fields"] if f.get("required") and
                "default" not in f and not field_type(f["type"]).never_blank
                and not field_type(f["type"]).assigned]
    out = {**_object_head(obj, "New {}", "The fields of a new {} record."),
           "properties": _writable(obj),
           "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def update_schema(obj: dict[str, Any]) -> dict[str, Any]:
    """A PATCH body: the fields to change and the version the client last read."""
    properties = _writable(obj)
    properties["version"] = {"type": "integer", "minimum": 1,
                             "description": "The version of the record you last read; a stale "
                                            "version is refused with 409 version_conflict."}
    return {**_object_head(obj, "{} changes", "Fields to change in a {} record."),
            "properties": properties,
            "required": ["version"], "additionalProperties": False}
