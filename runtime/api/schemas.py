"""JSON Schemas (2020-12, as OpenAPI 3.1 uses them) for one object's records.

Built from ``Session.describe`` output, so the document always matches what the
engine accepts and returns:

- ``record_schema``: a record as the API returns it (every field, system fields readOnly);
- ``input_schema``: a create body (writable fields; ``required`` = required without default);
- ``update_schema``: a PATCH body (writable fields plus the required ``version``).
"""

from __future__ import annotations

from typing import Any

from hulian.metadata.model import label_text
from hulian.metadata.values import DEFAULT_MAX_LENGTH, DEFAULT_PRECISION, DEFAULT_SCALE

__all__ = ["input_schema", "record_schema", "update_schema"]

TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"
REFERENCE_MAX_LENGTH = 64

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
    "out_tenant_id": "The downstream enterprise the record belongs to, if any.",
    "out_owner_id": "The interconnect user who owns the record, if any.",
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _numeric_note(f: dict[str, Any]) -> str:
    precision = f.get("precision") or DEFAULT_PRECISION
    scale = f.get("scale") if f.get("scale") is not None else DEFAULT_SCALE[f["type"]]
    return (f"An exact decimal: at most {precision - scale} digits before the point and "
            f"{scale} after (more are rounded half up). Written as a JSON number with exactly "
            "these digits; read it as a decimal, not a float.")


def _options(f: dict[str, Any], for_input: bool) -> list[str]:
    return [o["api_name"] for o in f.get("options", []) if o["active"] or not for_input]


def _type_schema(f: dict[str, Any], for_input: bool) -> tuple[dict[str, Any], str | None]:
    """The JSON Schema of one field's non-null value, and a note for its description."""
    kind = f["type"]
    if kind in DEFAULT_MAX_LENGTH:
        schema: dict[str, Any] = {"type": "string",
                                  "maxLength": f.get("max_length") or DEFAULT_MAX_LENGTH[kind]}
        if kind == "email":
            schema["format"] = "email"
        if f.get("pattern"):
            schema["pattern"] = f"^(?:{f['pattern']})$"
        if kind == "url":  # not format: uri, which needs a scheme that hulian does not
            return schema, ("A web address as entered: https://example.com/path, or a bare "
                            "host name such as example.com.")
        return schema, None
    if kind in DEFAULT_SCALE:
        schema = {"type": "number"}
        for bound in ("minimum", "maximum"):
            if f.get(bound) is not None:
                schema[bound] = f[bound]
        return schema, _numeric_note(f)
    if kind == "boolean":
        return {"type": "boolean"}, None
    if kind == "date":
        return {"type": "string", "format": "date"}, "A calendar date, YYYY-MM-DD."
    if kind == "datetime":
        return ({"type": "string", "format": "date-time"},
                "ISO 8601 with a time zone offset; returned in UTC.")
    if kind == "time":
        return ({"type": "string", "pattern": TIME_PATTERN},
                "A time of day without a time zone, HH:MM[:SS[.ffffff]].")
    if kind == "picklist":
        return ({"type": "string", "enum": _options(f, for_input)},
                "The api_name of one option." if for_input else
                "The api_name of one option (possibly one no longer active).")
    if kind == "multi_picklist":
        return ({"type": "array", "uniqueItems": True,
                 "items": {"type": "string", "enum": _options(f, for_input)}},
                "The api_names of the chosen options, returned in definition order; "
                "an empty choice is null.")
    if kind in ("lookup", "master_detail"):
        return ({"type": "string", "maxLength": REFERENCE_MAX_LENGTH},
                (f"The id of a {f['target']} record" if f.get("target") else
                 "The id of a record of an object not open to you")
                + (" (its master: required)." if kind == "master_detail" else "."))
    if kind == "auto_number":
        return ({"type": "string", "readOnly": True},
                f"Assigned by hulian when the record is created ({f.get('format', '')}).")
    return {}, None


def field_schema(f: dict[str, Any], *, for_input: bool = False) -> dict[str, Any]:
    schema, note = _type_schema(f, for_input)
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
    never_null = not derived and (f["type"] == "boolean"
                                  or (f.get("required") and f["type"] != "auto_number"))
    if schema and not never_null:
        _nullable(out)
    if for_input and f["type"] in ("picklist", "multi_picklist"):
        out["x-hulian-options"] = f.get("options", [])
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
                "default" not in f and f["type"] not in ("boolean", "auto_number")]
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
