"""OpenAPI paths and schemas of the activity routes (跟进记录) of an object's records.
:mod:`hulian.runtime.api.openapi` puts them, and :data:`SCHEMAS`, into the document."""

from __future__ import annotations

from typing import Any

from hulian.engine.records.activities import KINDS, MAX_TEXT
from hulian.metadata.model import label_text
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses

__all__ = ["SCHEMAS", "activity_paths"]

BAD, NOT_FOUND = ("400", "BadRequest"), ("404", "NotFound")
UNPROCESSABLE = ("422", "Unprocessable")
DATETIME = {"type": "string", "format": "date-time"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Activity": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "object", "record_id", "kind", "text", "at", "created_by",
                     "created_at", "updated_at"],
        "properties": {
            "id": {"type": "string"}, "object": {"type": "string"},
            "record_id": {"type": "string"}, "kind": {"enum": list(KINDS)},
            "text": {"type": "string"},
            "at": {**DATETIME, "description": "When it happened."},
            "created_by": {"type": "string", "description": "The id of the user who logged "
                                                           "it."},
            "created_at": DATETIME, "updated_at": DATETIME}},
    "ActivityInput": {
        "type": "object", "additionalProperties": False, "required": ["kind", "text"],
        "properties": {
            "kind": {"enum": list(KINDS), "description": ", ".join(
                f"{k}: {label_text(v)}" for k, v in KINDS.items())},
            "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT,
                     "pattern": r"\S", "description": "What happened."},
            "at": {**DATETIME, "description": "When it happened, with its offset; default "
                                              "now."}}},
    "ActivityPage": {
        "type": "object", "required": ["activities", "next"], "additionalProperties": False,
        "properties": {"activities": {"type": "array", "items": _ref("schemas", "Activity")},
                       "next": {"type": ["string", "null"],
                                "description": "Pass as 'after' for the next page; null on "
                                               "the last page."}}},
}


def activity_paths(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The activity paths of one object (``Session.describe`` output)."""
    name, label = obj["api_name"], label_text(obj["label"])
    return {f"{PREFIX}/objects/{name}/records/{{record_id}}/activities": {
        "parameters": [_ref("parameters", "record_id")],
        "get": {"operationId": f"list{name}Activities", "tags": [name],
                "summary": f"The activities of one {label}, latest first",
                "description": "Whoever may read the record sees them.",
                "parameters": [_ref("parameters", "limit"), _ref("parameters", "after")],
                "responses": _responses({"200": {"description": "One page.", "content": _json(
                    _ref("schemas", "ActivityPage"))}}, BAD, NOT_FOUND)},
        "post": {"operationId": f"add{name}Activity", "tags": [name],
                 "summary": f"Log a call, visit or note on one {label}",
                 "description": "Needs the right to read the record.",
                 "requestBody": {"required": True, "content": _json(
                     _ref("schemas", "ActivityInput"))},
                 "responses": _responses({"201": {"description": "The activity.",
                                                  "content": _json(_ref("schemas",
                                                                        "Activity"))}},
                                         BAD, NOT_FOUND, UNPROCESSABLE)}}}
