"""OpenAPI paths and schemas of the record team, export/import and administration routes.

:func:`object_paths` gives an object's typed export, import and (unless it is a detail
object, whose records follow their master's team) team paths; :func:`admin_paths` the
``/admin`` routes, listed only in an administrator's document.
:mod:`hulian.runtime.api.openapi` puts them, and :data:`SCHEMAS`, into the document.
"""

from __future__ import annotations

from typing import Any

from hulian.metadata.model import EXTERNAL_DATA_PERMISSIONS, label_text
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses
from hulian.runtime.api.records import MAX_BATCH

__all__ = ["ADMIN_TAG", "SCHEMAS", "admin_paths", "object_paths"]

ADMIN_TAG = {"name": "admin", "description": "Downstream enterprises, users, roles and "
                                             "departments (administrators only)"}


def _ok(status: str, description: str, schema: str) -> dict[str, Any]:
    return {status: {"description": description, "content": _json(_ref("schemas", schema))}}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": _json(_ref("schemas", schema))}


def _string(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def _nullable(**extra: Any) -> dict[str, Any]:
    return {"type": ["string", "null"], **extra}


def _listing(key: str, item: str) -> dict[str, Any]:
    return {"type": "object", "required": [key],
            "properties": {key: {"type": "array", "items": _ref("schemas", item)}}}


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _string(),
            "description": description}


BAD, NOT_FOUND = ("400", "BadRequest"), ("404", "NotFound")
CONFLICT, UNPROCESSABLE = ("409", "Conflict"), ("422", "Unprocessable")
LEVEL = {"enum": list(EXTERNAL_DATA_PERMISSIONS)}
USER_PARAMETER = _path("user", "A user's id or username.")
ENTERPRISE_PARAMETER = _path("enterprise", "A downstream enterprise's id or name.")
DEPARTMENT_PARAMETER = _path("department", "A department's id or name.")
INCLUDE_INACTIVE = {"name": "include_inactive", "in": "query",
                    "schema": {"type": "boolean", "default": False},
                    "description": "Deactivated ones too (their is_active is false)."}
ACTIVE = {"type": "boolean", "description": "False deactivates, true reactivates."}

RENAME_WARNINGS: dict[str, Any] = {
    "type": "array", "description": "Only after a rename that leaves sharing rules naming the "
                                    "old name (they share nothing until they name the new one).",
    "items": {"type": "object", "required": ["code", "message", "hint"],
              "properties": {"code": {"const": "sharing_rules_name_old_name"},
                             "message": {"type": "string"}, "hint": {"type": "string"}}}}

SCHEMAS: dict[str, dict[str, Any]] = {
    "TeamMember": {
        "type": "object", "required": ["user_id", "username", "access", "external", "added_at"],
        "properties": {"user_id": _string(), "username": _string(),
                       "access": {"enum": ["read", "edit"]},
                       "external": {"type": "boolean", "description": "An interconnect user "
                                                                      "(external team)."},
                       "added_at": _string(format="date-time")}},
    "Team": _listing("team", "TeamMember"),
    "TeamAccess": {"type": "object", "additionalProperties": False,
                   "properties": {"access": {"enum": ["read", "edit"], "default": "read"}}},
    "Enterprise": {
        "type": "object", "required": ["id", "name", "is_active", "partner_manager_id"],
        "properties": {"id": _string(), "name": _string(), "is_active": {"type": "boolean"},
                       "partner_manager_id": _string(description="The internal user (对接人) "
                                                                 "who owns, upstream, what the "
                                                                 "enterprise's users create."),
                       "warnings": RENAME_WARNINGS}},
    "EnterpriseUpdate": {
        "type": "object", "minProperties": 1, "additionalProperties": False,
        "properties": {"name": _string(minLength=1, maxLength=200),
                       "active": {**ACTIVE, "description": "False deactivates: its users are "
                                                           "locked out of every record and "
                                                           "their login sessions end."},
                       "partner_manager": _string(description="Another internal user's id or "
                                                              "username (active).")}},
    "EnterpriseInput": {
        "type": "object", "required": ["name", "partner_manager"], "additionalProperties": False,
        "properties": {"name": _string(minLength=1, maxLength=200),
                       "partner_manager": _string(description="An internal user's id or "
                                                              "username.")}},
    "EnterpriseList": _listing("enterprises", "Enterprise"),
    "EnterprisePermissions": {
        "type": "object", "required": ["permissions"],
        "properties": {"permissions": {"type": "object", "additionalProperties": LEVEL,
                                       "description": "Object -> the level overriding its "
                                                      "data_permission.external for this "
                                                      "enterprise."}}},
    "EnterprisePermission": {"type": "object", "required": ["level"],
                             "additionalProperties": False, "properties": {"level": LEVEL}},
    "Person": {
        "type": "object", "required": ["id", "username", "display_name", "is_active",
                                       "is_admin", "department_id", "enterprise_id"],
        "properties": {"id": _string(), "username": _string(), "display_name": _string(),
                       "is_active": {"type": "boolean"},
                       "is_admin": {"type": "boolean"}, "department_id": _nullable(),
                       "enterprise_id": _nullable(description="The downstream enterprise of "
                                                              "an interconnect user.")}},
    "PersonInput": {
        "type": "object", "required": ["username"], "additionalProperties": False,
        "properties": {
            "username": _string(minLength=1, maxLength=80),
            "display_name": _nullable(maxLength=200),
            "is_admin": {"type": "boolean", "default": False},
            "department": _nullable(description="A department's id or name (internal users)."),
            "enterprise": _nullable(description="A downstream enterprise's id or name: the "
                                                "user is an interconnect user of it."),
            "roles": {"type": ["array", "null"], "items": _string(),
                      "description": "Role api_names of the user's kind; default: member "
                                     "for internal users, none for interconnect users."}}},
    "PersonUpdate": {
        "type": "object", "minProperties": 1, "additionalProperties": False,
        "properties": {
            "display_name": _string(minLength=1, maxLength=200),
            "department": _nullable(description="A department's id or name; null: none. "
                                                "Interconnect users have none."),
            "active": {**ACTIVE, "description": "False deactivates: the user keeps their "
                                                "records, their login sessions end and "
                                                "their API tokens stop working until "
                                                "reactivated."}}},
    "NewPerson": {"allOf": [_ref("schemas", "Person"), {
        "type": "object", "required": ["roles"],
        "properties": {"roles": {"type": "array", "items": _string()}}}]},
    "PersonList": _listing("users", "Person"),
    "RoleNames": {"type": "object", "required": ["roles"],
                  "properties": {"roles": {"type": "array", "items": _string()}}},
    "Role": {
        "type": "object", "required": ["api_name", "kind", "admin", "label"],
        "properties": {"api_name": _string(), "kind": {"enum": ["internal", "interconnect"]},
                       "admin": {"type": "boolean"}, "label": _ref("schemas", "I18nLabel")}},
    "RoleList": _listing("roles", "Role"),
    "Department": {
        "type": "object", "required": ["id", "name", "parent_id", "leader_id"],
        "properties": {"id": _string(), "name": _string(), "parent_id": _nullable(),
                       "leader_id": _nullable(), "warnings": RENAME_WARNINGS}},
    "DepartmentInput": {
        "type": "object", "required": ["name"], "additionalProperties": False,
        "properties": {"name": _string(minLength=1, maxLength=200),
                       "parent": _nullable(description="A department's id or name."),
                       "leader": _nullable(description="A user's id or username.")}},
    "DepartmentUpdate": {
        "type": "object", "minProperties": 1, "additionalProperties": False,
        "properties": {"name": _string(minLength=1, maxLength=200),
                       "parent": _nullable(description="A department's id or name, not this "
                                                       "one nor one below it; null: the top.")}},
    "DepartmentList": _listing("departments", "Department"),
}


def _team_paths(name: str, label: str) -> dict[str, dict[str, Any]]:
    team = f"{PREFIX}/objects/{name}/records/{{record_id}}/team"
    ok = _ok("200", "The record's team.", "Team")
    return {
        team: {"parameters": [_ref("parameters", "record_id")], "get": {
            "operationId": f"get{name}Team", "tags": [name],
            "summary": f"The team of one {label}",
            "responses": _responses(ok, NOT_FOUND)}},
        f"{team}/{{user}}": {
            "parameters": [_ref("parameters", "record_id"), USER_PARAMETER],
            "put": {"operationId": f"share{name}", "tags": [name],
                    "summary": "Add a user to the team, or change their access",
                    "requestBody": _body("TeamAccess"),
                    "responses": _responses(ok, BAD, NOT_FOUND)},
            "delete": {"operationId": f"unshare{name}", "tags": [name],
                       "summary": "Take a user out of the team",
                       "responses": _responses(ok, NOT_FOUND)}},
    }


def object_paths(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Export, import and team paths of one object (``Session.describe`` output)."""
    name, label = obj["api_name"], label_text(obj["plural_label"])
    new = _ref("schemas", f"{name}Input")
    paths: dict[str, dict[str, Any]] = {
        f"{PREFIX}/objects/{name}/export": {"get": {
            "operationId": f"export{name}", "tags": [name], "summary": f"Export {label} as CSV",
            "description": "Needs the export right. A header row (id, the fields the caller "
                           "can read, the other system fields), then every record the caller "
                           "can read that matches; streamed.",
            "parameters": [_ref("parameters", p) for p in ("where", "filter", "order_by")],
            "responses": _responses({"200": {"description": "CSV, UTF-8.", "content": {
                "text/csv": {"schema": _string()}}}}, BAD, NOT_FOUND)}},
        f"{PREFIX}/objects/{name}/import": {"post": {
            "operationId": f"import{name}", "tags": [name], "summary": f"Import {label}",
            "description": f"Needs the import and create rights. Up to {MAX_BATCH} records, "
                           "created all or none.",
            "requestBody": {"required": True, "content": _json(
                {"type": "array", "items": new, "maxItems": MAX_BATCH})},
            "responses": _responses(_ok("201", "The new ids, in input order.", "CreatedIds"),
                                    BAD, NOT_FOUND, CONFLICT, UNPROCESSABLE)}},
    }
    if not any(f["type"] == "master_detail" for f in obj["fields"]):
        paths.update(_team_paths(name, label_text(obj["label"])))
    return paths


def admin_paths() -> dict[str, dict[str, Any]]:
    admin = {"tags": ["admin"]}
    permission = f"{PREFIX}/admin/enterprises/{{enterprise}}/permissions"
    levels = _ok("200", "The enterprise's overrides.", "EnterprisePermissions")
    return {
        f"{PREFIX}/admin/enterprises": {
            "get": {"operationId": "listEnterprises", **admin,
                    "summary": "The downstream enterprises",
                    "parameters": [INCLUDE_INACTIVE],
                    "responses": _responses(_ok("200", "By name.", "EnterpriseList"), BAD)},
            "post": {"operationId": "createEnterprise", **admin,
                     "summary": "Add a downstream enterprise",
                     "requestBody": _body("EnterpriseInput"),
                     "responses": _responses(_ok("201", "The enterprise.", "Enterprise"),
                                             BAD, NOT_FOUND, CONFLICT)}},
        f"{PREFIX}/admin/enterprises/{{enterprise}}": {
            "parameters": [ENTERPRISE_PARAMETER],
            "patch": {"operationId": "updateEnterprise", **admin,
                      "summary": "Rename, deactivate or reactivate an enterprise, or give it "
                                 "another partner manager",
                      "requestBody": _body("EnterpriseUpdate"),
                      "responses": _responses(_ok("200", "The enterprise.", "Enterprise"),
                                              BAD, NOT_FOUND, CONFLICT)}},
        permission: {
            "parameters": [ENTERPRISE_PARAMETER],
            "get": {"operationId": "getEnterprisePermissions", **admin,
                    "summary": "An enterprise's data permission overrides",
                    "responses": _responses(levels, NOT_FOUND)}},
        f"{permission}/{{object}}": {
            "parameters": [ENTERPRISE_PARAMETER, _ref("parameters", "object")],
            "put": {"operationId": "setEnterprisePermission", **admin,
                    "summary": "Override an object's external data permission for the "
                               "enterprise",
                    "requestBody": _body("EnterprisePermission"),
                    "responses": _responses(levels, BAD, NOT_FOUND)},
            "delete": {"operationId": "clearEnterprisePermission", **admin,
                       "summary": "Back to the object's own external data permission",
                       "responses": _responses(levels, NOT_FOUND)}},
        f"{PREFIX}/admin/users": {
            "get": {"operationId": "listUsers", **admin, "summary": "The active users",
                    "parameters": [{"name": "enterprise", "in": "query", "schema": _string(),
                                    "description": "Only this downstream enterprise's "
                                                   "users (id or name)."}, INCLUDE_INACTIVE],
                    "responses": _responses(_ok("200", "By username.", "PersonList"),
                                            BAD, NOT_FOUND)},
            "post": {"operationId": "createUser", **admin,
                     "summary": "Add an internal or interconnect user",
                     "requestBody": _body("PersonInput"),
                     "responses": _responses(_ok("201", "The user and their roles.",
                                                 "NewPerson"), BAD, NOT_FOUND)}},
        f"{PREFIX}/admin/users/{{user}}": {
            "parameters": [USER_PARAMETER],
            "patch": {"operationId": "updateUser", **admin,
                      "summary": "Change a user's display name or department, deactivate or "
                                 "reactivate them",
                      "description": "An inactive user can be named too. Deactivating the "
                                     "last active administrator (last_admin) or the partner "
                                     "manager of an active enterprise "
                                     "(partner_manager_in_use) is a 409.",
                      "requestBody": _body("PersonUpdate"),
                      "responses": _responses(_ok("200", "The user.", "Person"),
                                              BAD, NOT_FOUND, CONFLICT)}},
        f"{PREFIX}/admin/users/{{user}}/roles": {
            "parameters": [USER_PARAMETER],
            "get": {"operationId": "getUserRoles", **admin, "summary": "A user's roles",
                    "responses": _responses(_ok("200", "Role api_names.", "RoleNames"),
                                            NOT_FOUND)},
            "put": {"operationId": "setUserRoles", **admin,
                    "summary": "Set a user's roles (those not listed are taken away)",
                    "requestBody": _body("RoleNames"),
                    "responses": _responses(_ok("200", "The user's roles now.", "RoleNames"),
                                            BAD, NOT_FOUND, CONFLICT)}},
        f"{PREFIX}/admin/roles": {"get": {
            "operationId": "listRoles", **admin,
            "summary": "The tenant's roles (built-in and from its packs)",
            "responses": _responses(_ok("200", "admin and member first.", "RoleList"))}},
        f"{PREFIX}/admin/departments": {
            "get": {"operationId": "listDepartments", **admin, "summary": "The departments",
                    "responses": _responses(_ok("200", "By name.", "DepartmentList"))},
            "post": {"operationId": "createDepartment", **admin, "summary": "Add a department",
                     "requestBody": _body("DepartmentInput"),
                     "responses": _responses(_ok("201", "The department.", "Department"),
                                             BAD, NOT_FOUND, CONFLICT)}},
        f"{PREFIX}/admin/departments/{{department}}": {
            "parameters": [DEPARTMENT_PARAMETER],
            "patch": {"operationId": "updateDepartment", **admin,
                      "summary": "Rename a department or move it under another",
                      "requestBody": _body("DepartmentUpdate"),
                      "responses": _responses(_ok("200", "The department.", "Department"),
                                              BAD, NOT_FOUND, CONFLICT)}},
    }
