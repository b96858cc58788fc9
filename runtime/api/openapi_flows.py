"""OpenAPI paths and schemas of flows: the caller's notifications (and approvals).
:mod:`hulian.runtime.api.openapi` puts them, and :data:`SCHEMAS`, into the document."""

from __future__ import annotations

from typing import Any

from hulian.engine.notifications import MAX_BODY, MAX_TITLE
from hulian.engine.session_notifications import MAX_IDS
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses

__all__ = ["SCHEMAS", "flow_paths"]

BAD = ("400", "BadRequest")
DATETIME = {"type": "string", "format": "date-time"}
_NULLABLE_TEXT = {"type": ["string", "null"]}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Notification": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "body", "object", "record_id", "source", "created_at",
                     "read_at", "read"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string", "maxLength": MAX_TITLE},
            "body": {"type": "string", "maxLength": MAX_BODY},
            "object": {**_NULLABLE_TEXT, "description": "The api_name of the object of the "
                       "record it is about (null: none)."},
            "record_id": _NULLABLE_TEXT,
            "source": {"type": "string", "description": "What sent it, e.g. "
                       "approval:order_approval or automation:<api_name>."},
            "created_at": DATETIME,
            "read_at": {"type": ["string", "null"], "format": "date-time"},
            "read": {"type": "boolean"}}},
    "NotificationPage": {
        "type": "object", "required": ["notifications", "next"],
        "additionalProperties": False,
        "properties": {
            "notifications": {"type": "array", "items": _ref("schemas", "Notification"),
                              "description": "Newest first."},
            "next": {"type": ["string", "null"], "description": "Pass as 'after' for the "
                     "next page; null on the last page."}}},
    "NotificationsRead": {
        "type": "object", "additionalProperties": False,
        "properties": {"ids": {"type": "array", "maxItems": MAX_IDS,
                               "items": {"type": "string"},
                               "description": "The notifications to mark read; leave out "
                                              "to mark every one."}}},
    "NotificationsMarked": {
        "type": "object", "required": ["marked"], "additionalProperties": False,
        "properties": {"marked": {"type": "integer", "minimum": 0,
                                  "description": "How many were unread."}}},
}


def flow_paths() -> dict[str, dict[str, Any]]:
    """The paths of the caller's notifications."""
    return {
        f"{PREFIX}/notifications": {"get": {
            "operationId": "listNotifications", "tags": ["flows"],
            "summary": "The caller's in-app notifications, newest first",
            "description": "Only the caller's own. See docs/flows.md#notifications.",
            "parameters": [
                {"name": "unread", "in": "query",
                 "schema": {"type": "string", "enum": ["true", "false"],
                            "default": "false"},
                 "description": "true: only those not yet read."},
                _ref("parameters", "limit"), _ref("parameters", "after")],
            "responses": _responses({"200": {"description": "One page.", "content": _json(
                _ref("schemas", "NotificationPage"))}}, BAD)}},
        f"{PREFIX}/notifications/read": {"post": {
            "operationId": "markNotificationsRead", "tags": ["flows"],
            "summary": "Mark some or all of the caller's notifications read",
            "requestBody": {"required": True, "content": _json(
                _ref("schemas", "NotificationsRead"))},
            "responses": _responses({"200": {"description": "How many were unread.",
                                             "content": _json(_ref(
                                                 "schemas", "NotificationsMarked"))}},
                                    BAD)}},
    }
