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

__all__ = ["SCHEMAS", "approval_paths", "flow_paths", "pending_paths"]

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
    """The paths of the caller's notifications and pending approvals."""
    return {**pending_paths(),
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


_STAMP = {"type": ["string", "null"], "format": "date-time"}
APPROVAL_SCHEMAS: dict[str, dict[str, Any]] = {
    "ApprovalState": {
        "type": "object", "required": ["object", "record_id", "locked", "approval", "history"],
        "additionalProperties": False,
        "properties": {
            "object": {"type": "string"}, "record_id": {"type": "string"},
            "locked": {"type": "boolean", "description": "Pending: edits are refused with "
                                                         "409 record_locked."},
            "approval": {"oneOf": [{"type": "null"}, {
                "type": "object", "additionalProperties": False,
                "required": ["id", "process", "status", "step", "submitted_by",
                             "submitted_at", "decided_at", "approvers"],
                "properties": {
                    "id": {"type": "string"}, "process": {"type": "string"},
                    "status": {"enum": ["pending", "approved", "rejected", "recalled"]},
                    "step": {**_NULLABLE_TEXT, "description": "The current step (null once "
                                                               "decided)."},
                    "submitted_by": {"type": "string"}, "submitted_at": DATETIME,
                    "decided_at": _STAMP,
                    "approvers": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["user", "step", "state", "comment", "decided_at"],
                        "properties": {
                            "user": {"type": "string"}, "step": {"type": "string"},
                            "state": {"enum": ["waiting", "approved", "rejected",
                                               "skipped"]},
                            "comment": _NULLABLE_TEXT, "decided_at": _STAMP}}}}}],
                "description": "The newest submission (null: never submitted)."},
            "history": {"type": "array", "description": "Every submission's actions, oldest "
                        "first.", "items": {
                            "type": "object", "additionalProperties": False,
                            "required": ["approval_id", "action", "step", "actor",
                                         "actor_name", "comment", "at"],
                            "properties": {
                                "approval_id": {"type": "string"},
                                "action": {"enum": ["submit", "approve", "reject",
                                                    "recall"]},
                                "step": _NULLABLE_TEXT, "actor": _NULLABLE_TEXT,
                                "actor_name": _NULLABLE_TEXT, "comment": _NULLABLE_TEXT,
                                "at": DATETIME}}}}},
    "ApprovalInput": {
        "type": "object", "additionalProperties": False,
        "properties": {"comment": {"type": "string", "maxLength": 4000},
                       "process": {"type": "string", "description": "submit only: which "
                                   "process, when the object has several."}}},
    "PendingApprovals": {
        "type": "object", "required": ["approvals"], "additionalProperties": False,
        "properties": {"approvals": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["approval_id", "process", "object", "record_id", "step",
                         "submitted_by", "submitted_at"],
            "properties": {"approval_id": {"type": "string"}, "process": {"type": "string"},
                           "object": {"type": "string"}, "record_id": {"type": "string"},
                           "step": {"type": "string"}, "submitted_by": {"type": "string"},
                           "submitted_at": DATETIME}}}}},
}
SCHEMAS.update(APPROVAL_SCHEMAS)

_ACTED = {"submit": "Submit for approval (needs the right to edit it)",
          "approve": "Approve the current step (its approvers)",
          "reject": "Reject (an approver of the current step)",
          "recall": "Recall a pending approval (its submitter or an administrator)"}


def pending_paths() -> dict[str, dict[str, Any]]:
    return {f"{PREFIX}/approvals/pending": {"get": {
        "operationId": "pendingApprovals", "tags": ["flows"],
        "summary": "My approvals: the approvals whose current step waits for the caller",
        "parameters": [_ref("parameters", "limit")],
        "responses": _responses({"200": {"description": "Oldest first.", "content": _json(
            _ref("schemas", "PendingApprovals"))}}, BAD)}}}


def approval_paths(name: str) -> dict[str, dict[str, Any]]:
    """The approval paths of an object that has an approval process."""
    base = f"{PREFIX}/objects/{name}/records/{{record_id}}/approval"
    state = _json(_ref("schemas", "ApprovalState"))
    paths: dict[str, dict[str, Any]] = {base: {
        "parameters": [_ref("parameters", "record_id")],
        "get": {"operationId": f"get{name}Approval", "tags": [name],
                "summary": "The record's approval: status, approvers, history",
                "responses": _responses({"200": {"description": "Its approval.",
                                                 "content": state}},
                                        BAD, ("404", "NotFound"))}}}
    for action, summary in _ACTED.items():
        paths[f"{base}/{action}"] = {
            "parameters": [_ref("parameters", "record_id")],
            "post": {"operationId": f"{action}{name}Approval", "tags": [name],
                     "summary": summary,
                     "requestBody": {"required": True, "content": _json(
                         _ref("schemas", "ApprovalInput"))},
                     "responses": _responses(
                         {"200": {"description": "The record's approval.", "content": state}},
                         BAD, ("404", "NotFound"), ("409", "Conflict"),
                         ("422", "Unprocessable"))}}
    return paths
