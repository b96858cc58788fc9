"""OpenAPI paths and schemas of the recycle bin routes: an object's bin and restoring one
of its records. :mod:`hulian.runtime.api.openapi` puts them, and :data:`SCHEMAS`, into the
document."""

from __future__ import annotations

from typing import Any

from hulian.metadata.model import label_text
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses

__all__ = ["bin_paths", "bin_schemas"]

BAD, NOT_FOUND, CONFLICT = ("400", "BadRequest"), ("404", "NotFound"), ("409", "Conflict")
PAGE_PARAMETERS = [_ref("parameters", "limit"), _ref("parameters", "after")]


def bin_schemas(name: str) -> dict[str, dict[str, Any]]:
    """``<Object>BinEntry`` and ``<Object>BinPage`` of one object."""
    entry = {
        "type": "object", "additionalProperties": False,
        "required": ["id", "object", "name", "deleted_at", "deleted_by", "record"],
        "properties": {
            "id": {"type": "string", "description": "The deleted record's id."},
            "object": {"const": name},
            "name": {"type": ["string", "null"],
                     "description": "The value of the record's name field (null when it is "
                                    "blank or hidden from the caller)."},
            "deleted_at": {"type": "string", "format": "date-time"},
            "deleted_by": {"type": ["string", "null"],
                           "description": "The id of the user who deleted it."},
            "record": _ref("schemas", name)}}
    page = {"type": "object", "required": ["entries", "next"], "additionalProperties": False,
            "properties": {"entries": {"type": "array",
                                       "items": _ref("schemas", f"{name}BinEntry")},
                           "next": {"type": ["string", "null"],
                                    "description": "Pass as 'after' for the next page; null "
                                                   "on the last page."}}}
    return {f"{name}BinEntry": entry, f"{name}BinPage": page}


def bin_paths(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The recycle bin and restore paths of one object (``Session.describe`` output)."""
    name, label = obj["api_name"], label_text(obj["plural_label"])
    return {
        f"{PREFIX}/objects/{name}/recycle-bin": {"get": {
            "operationId": f"list{name}RecycleBin", "tags": [name],
            "summary": f"Deleted {label} the caller may restore",
            "description": "Newest deletion first. Needs the delete right; lists the records "
                           "deleted on their own that the caller may edit (a detail deleted "
                           "with its master comes back with the master).",
            "parameters": PAGE_PARAMETERS,
            "responses": _responses({"200": {"description": "One page.", "content": _json(
                _ref("schemas", f"{name}BinPage"))}}, BAD, NOT_FOUND)}},
        f"{PREFIX}/objects/{name}/records/{{record_id}}/restore": {
            "parameters": [_ref("parameters", "record_id")],
            "post": {"operationId": f"restore{name}", "tags": [name],
                     "summary": "Restore a deleted record (and what was deleted with it)",
                     "description": "Needs the delete right and the right to edit the record; "
                                    "a live record is returned as it is. 409 "
                                    "restore_blocked while it points at deleted records "
                                    "(a detail whose master is deleted).",
                     "responses": _responses({"200": {"description": "The record, live.",
                                                      "content": _json(_ref("schemas", name))}},
                                             NOT_FOUND, CONFLICT)}},
    }
