"""OpenAPI paths and schemas of the authentication routes (``/auth/...``: log in and out,
change one's password, who am I, API tokens)."""

from __future__ import annotations

from typing import Any

from hulian.engine.system import passwords
from hulian.runtime.api.auth import CSRF_HEADER, SESSION_COOKIE
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses

__all__ = ["AUTH_SCHEMAS", "auth_paths"]

AUTH_SCHEMAS: dict[str, dict[str, Any]] = {
    "LoginRequest": {
        "type": "object", "required": ["tenant", "username", "password"],
        "additionalProperties": False,
        "properties": {"tenant": {"type": "string"}, "username": {"type": "string"},
                       "password": {"type": "string", "format": "password",
                                    "maxLength": passwords.MAX_LENGTH}}},
    "PasswordChange": {
        "type": "object", "required": ["current_password", "new_password"],
        "additionalProperties": False,
        "properties": {"current_password": {"type": "string", "format": "password"},
                       "new_password": {"type": "string", "format": "password",
                                        "minLength": passwords.MIN_LENGTH,
                                        "maxLength": passwords.MAX_LENGTH}}},
    "Caller": {
        "type": "object", "required": ["user", "auth", "csrf_token", "expires_at"],
        "properties": {"user": {"$ref": "#/components/schemas/User"},
                       "auth": {"enum": ["session", "token"]},
                       "csrf_token": {"type": ["string", "null"], "description":
                                      f"Send it as {CSRF_HEADER} on POST, PATCH, PUT and "
                                      "DELETE (session only)."},
                       "expires_at": {"type": ["string", "null"], "format": "date-time",
                                      "description": "When the session ends (session only)."}}},
    "Token": {
        "type": "object", "required": ["id", "label", "created_at", "expires_at", "revoked_at"],
        "properties": {"id": {"type": "string"}, "label": {"type": ["string", "null"]},
                       "created_at": {"type": "string", "format": "date-time"},
                       "expires_at": {"type": ["string", "null"], "format": "date-time"},
                       "revoked_at": {"type": ["string", "null"], "format": "date-time"}}},
    "TokenRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"label": {"type": ["string", "null"], "maxLength": 200},
                       "expires_in_days": {"type": ["integer", "null"], "minimum": 1,
                                           "maximum": 3650,
                                           "description": "Null or absent: never expires."}}},
    "NewToken": {"allOf": [{"$ref": "#/components/schemas/Token"}, {
        "type": "object", "required": ["token"],
        "properties": {"token": {"type": "string", "description": "The bearer token, shown "
                                                                  "only this once."}}}]},
    "TokenList": {"type": "object", "required": ["tokens"],
                  "properties": {"tokens": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/Token"}}}},
}


def auth_paths() -> dict[str, dict[str, Any]]:
    no_store = {"Cache-Control": {"schema": {"type": "string"}, "description": "no-store"}}
    return {
        f"{PREFIX}/auth/login": {"post": {
            "operationId": "login", "tags": ["auth"], "summary": "Log in with a password",
            "description": f"Sets the {SESSION_COOKIE} cookie (HttpOnly, SameSite=Lax; Secure "
                           "when the server is configured so) for 12 hours. Internal and "
                           "interconnect users alike. A request whose Origin is not this "
                           "host is refused (origin_refused); the body must be "
                           "application/json.",
            "security": [],
            "requestBody": {"required": True, "content": _json(_ref("schemas",
                                                                    "LoginRequest"))},
            "responses": {
                "200": {"description": "Logged in.", "content": _json(_ref("schemas", "Caller")),
                        "headers": {"Set-Cookie": {"schema": {"type": "string"},
                                                   "description": f"{SESSION_COOKIE}=..."},
                                    **no_store}},
                "400": _ref("responses", "BadRequest"),
                "401": _ref("responses", "Unauthenticated"),
                "403": _ref("responses", "Forbidden"),
                "429": _ref("responses", "TooManyRequests"),
                "500": _ref("responses", "ServerError")}}},
        f"{PREFIX}/auth/logout": {"post": {
            "operationId": "logout", "tags": ["auth"], "summary": "End the login session",
            "responses": _responses({"204": {"description": "Logged out; the cookie is "
                                                            "cleared."}})}},
        f"{PREFIX}/auth/me": {"get": {
            "operationId": "me", "tags": ["auth"], "summary": "Who is calling",
            "responses": _responses({"200": {"description": "The caller (and, for a session, "
                                                            "its CSRF token).",
                                             "content": _json(_ref("schemas", "Caller"))}})}},
        f"{PREFIX}/auth/password": {"post": {
            "operationId": "changePassword", "tags": ["auth"],
            "summary": "Change the caller's own password",
            "description": "Give the current password and a new one. A wrong current password "
                           "is 403 wrong_current_password and counts as a failed login "
                           "(throttled like logins: 429); a new password the policy refuses "
                           "is 422. Every other login session of the user ends; a session "
                           "caller gets a new cookie and CSRF token. API tokens stay.",
            "requestBody": {"required": True, "content": _json(_ref("schemas",
                                                                    "PasswordChange"))},
            "responses": _responses(
                {"200": {"description": "Changed; the caller as /auth/me shows it.",
                         "content": _json(_ref("schemas", "Caller")),
                         "headers": no_store}},
                ("400", "BadRequest"), ("422", "Unprocessable"),
                ("429", "TooManyRequests"))}},
        f"{PREFIX}/auth/tokens": {
            "get": {"operationId": "listTokens", "tags": ["auth"],
                    "summary": "The caller's API tokens (never their secrets)",
                    "responses": _responses({"200": {"description": "Newest first.",
                                                     "content": _json(_ref("schemas",
                                                                           "TokenList"))}})},
            "post": {"operationId": "createToken", "tags": ["auth"],
                     "summary": "A new API token for the caller, shown once",
                     "requestBody": {"required": True, "content": _json(
                         _ref("schemas", "TokenRequest"))},
                     "responses": _responses(
                         {"201": {"description": "The token.",
                                  "content": _json(_ref("schemas", "NewToken"))}},
                         ("400", "BadRequest"))}},
        f"{PREFIX}/auth/tokens/{{token_id}}": {
            "parameters": [{"name": "token_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "delete": {"operationId": "revokeToken", "tags": ["auth"],
                       "summary": "Revoke one of the caller's tokens",
                       "responses": _responses({"204": {"description": "Revoked."}},
                                               ("404", "NotFound"))}},
    }
