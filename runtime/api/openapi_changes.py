"""OpenAPI paths and schemas of the change feed (``/changes``, ``/changes/cursor``) and of
record histories (``/objects/<Object>/records/{record_id}/history``, for the objects that
keep one); :mod:`hulian.runtime.api.openapi` puts them into the document."""

from __future__ import annotations

from typing import Any

from hulian.engine.changes import CHANNELS, KINDS
from hulian.engine.changes import feed as feed_limits
from hulian.engine.changes import history as history_limits
from hulian.engine.session_changes import DEFAULT_FEED_LIMIT, DEFAULT_HISTORY_LIMIT
from hulian.metadata.model import label_text
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses

__all__ = ["CHANGE_SCHEMAS", "change_paths", "history_paths"]

_ID = {"type": ["string", "null"]}
_VALUES = {"type": ["object", "null"], "description": "Field -> value, only the fields that "
           "changed and the caller may see (a create: every stored value); exact decimals, "
           "ISO 8601 dates and times."}

CHANGE_SCHEMAS: dict[str, dict[str, Any]] = {
    "RecordChange": {
        "type": "object",
        "required": ["id", "kind", "object", "record_id", "before", "after", "user",
                     "enterprise", "channel", "request_id", "at"],
        "properties": {
            "id": {"type": "integer", "minimum": 1, "description": "Increases in commit "
                   "order within the tenant, without gaps: an idempotency key."},
            "kind": {"enum": list(KINDS)},
            "object": {"type": "string", "description": "The object's api_name now."},
            "record_id": {"type": "string"}, "before": _VALUES, "after": _VALUES,
            "user": {**_ID, "description": "Who made the change (null: hulian itself)."},
            "enterprise": {**_ID, "description": "Their downstream enterprise, if any."},
            "channel": {"enum": list(CHANNELS)},
            "request_id": _ID,
            "at": {"type": "string", "format": "date-time"}}},
    "ChangesPage": {
        "type": "object", "required": ["changes", "next", "more"],
        "additionalProperties": False,
        "properties": {
            "changes": {"type": "array", "items": _ref("schemas", "RecordChange")},
            "next": {"type": "string", "description": "Pass as 'after' to read on; never "
                     "null: keep it to read what changes later."},
            "more": {"type": "boolean", "description": "More changes had been committed "
                     "after 'next' when the page was read: read on now."}}},
    "ChangesCursor": {
        "type": "object", "required": ["cursor"], "additionalProperties": False,
        "properties": {"cursor": {"type": "string", "description": "A feed cursor at the "
                                  "newest change: GET /changes?after= it gives what "
                                  "changes from now on."}}},
    "HistoryEntry": {
        "type": "object",
        "required": ["id", "kind", "at", "user", "enterprise", "channel", "request_id",
                     "fields"],
        "properties": {
            "id": {"type": "integer"}, "kind": {"enum": list(KINDS)},
            "at": {"type": "string", "format": "date-time"},
            "user": {"type": ["object", "null"], "required": ["id", "name"],
                     "properties": {"id": {"type": "string"},
                                    "name": {"type": ["string", "null"]}},
                     "description": "Who (null: hulian itself, e.g. a roll-up)."},
            "enterprise": _ID, "channel": {"enum": list(CHANNELS)}, "request_id": _ID,
            "fields": {"type": "array", "description": "The tracked fields it changed that "
                       "the caller may see (a create: the values it gave them).",
                       "items": {"type": "object", "required": ["field", "old", "new"],
                                 "properties": {"field": {"type": "string"}, "old": {},
                                                "new": {}}}}}},
    "HistoryPage": {
        "type": "object", "required": ["entries", "next"], "additionalProperties": False,
        "properties": {
            "entries": {"type": "array", "items": _ref("schemas", "HistoryEntry"),
                        "description": "Newest first."},
            "next": {"type": ["string", "null"], "description": "Pass as 'after' for older "
                     "entries; null on the last page."}}},
}


def _limit(default: int, maximum: int) -> dict[str, Any]:
    return {"name": "limit", "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": maximum,
                       "default": default}}


def change_paths() -> dict[str, dict[str, Any]]:
    return {
        f"{PREFIX}/changes": {"get": {
            "operationId": "listChanges", "tags": ["changes"],
            "summary": "The change feed: record changes the caller may see, oldest first",
            "description": "Changes after the cursor 'after' of the records the caller may "
                           "read now (deleted ones included), without the fields they may "
                           "not see. Resumable: read on from 'next'; no change is lost or "
                           "repeated. See docs/integration.md#change-feed.",
            "parameters": [
                {"name": "after", "in": "query", "schema": {"type": "string"},
                 "description": "A cursor ('next' of a page, or GET /changes/cursor); "
                                "absent: from the oldest change the feed holds."},
                {"name": "objects", "in": "query", "schema": {"type": "string"},
                 "description": "Comma-separated api_names of objects the caller may read "
                                "(default: every one).", "example": "Order,OrderLine"},
                _limit(DEFAULT_FEED_LIMIT, feed_limits.MAX_LIMIT)],
            "responses": _responses(
                {"200": {"description": "One page.",
                         "content": _json(_ref("schemas", "ChangesPage"))}},
                ("400", "BadRequest"), ("404", "NotFound"), ("410", "Gone"))}},
        f"{PREFIX}/changes/cursor": {"get": {
            "operationId": "changesCursor", "tags": ["changes"],
            "summary": "A feed cursor at the newest change (read on from now)",
            "responses": _responses({"200": {
                "description": "The cursor.",
                "content": _json(_ref("schemas", "ChangesCursor"))}})}},
    }


def history_paths(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The history path of one object that keeps history (``Session.describe`` output)."""
    if not obj.get("track_history"):
        return {}
    name, label = obj["api_name"], label_text(obj["label"])
    return {f"{PREFIX}/objects/{name}/records/{{record_id}}/history": {
        "parameters": [_ref("parameters", "record_id")],
        "get": {"operationId": f"get{name}History", "tags": [name],
                "summary": f"The history of one {label}, newest first",
                "description": "Who changed which tracked field from what to what, and when "
                               "the record was created, deleted or restored; for those who "
                               "may read the record (404 otherwise), without the fields "
                               "they may not see.",
                "parameters": [
                    _limit(DEFAULT_HISTORY_LIMIT, history_limits.MAX_LIMIT),
                    {"name": "after", "in": "query", "schema": {"type": "string"},
                     "description": "The 'next' cursor of the previous page."}],
                "responses": _responses(
                    {"200": {"description": "One page of entries.",
                             "content": _json(_ref("schemas", "HistoryPage"))}},
                    ("400", "BadRequest"), ("404", "NotFound"))},
    }}
