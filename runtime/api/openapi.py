"""The OpenAPI 3.1 document of one tenant's API, generated from its deployed objects.

Every object gets typed paths (``/api/v1/objects/Account/records`` ...), its scene
paths (``hulian.runtime.api.openapi_views``, which also gives the home view), its
activity paths (``openapi_activities``), its recycle bin and restore paths when the
caller may delete its records (``openapi_bin``) and the schemas ``<Object>``,
``<Object>Input``, ``<Object>Update`` and ``<Object>Page``; an
object that other objects point at also gets its related-list path and
``<Object>RelatedPage`` (records of any of its child objects), and its export, import
and team paths (``hulian.runtime.api.openapi_admin``, which also gives the ``/admin``
routes of an administrator's document); the generic routes (objects, describe, health,
the ``/auth`` routes) and the shared schemas are the same for every tenant. A call
authenticates with a bearer token (``bearer``) or the login session cookie
(``session``, plus ``X-CSRF-Token`` on unsafe methods).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.approvals.processes import processes
from hulian.metadata.field_types import FIELD_TYPES, REFERENCE_TYPES
from hulian.metadata.model import label_text
from hulian.runtime.api.auth import CSRF_HEADER, SESSION_COOKIE
from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.openapi_activities import SCHEMAS as ACTIVITY_SCHEMAS
from hulian.runtime.api.openapi_activities import activity_paths
from hulian.runtime.api.openapi_admin import ADMIN_TAG, admin_paths, object_paths
from hulian.runtime.api.openapi_admin import SCHEMAS as MORE_SCHEMAS
from hulian.runtime.api.openapi_auth import AUTH_SCHEMAS, auth_paths
from hulian.runtime.api.openapi_bin import bin_paths, bin_schemas
from hulian.runtime.api.openapi_changes import CHANGE_SCHEMAS, change_paths, history_paths
from hulian.runtime.api.openapi_flows import SCHEMAS as FLOW_SCHEMAS
from hulian.runtime.api.openapi_flows import approval_paths, flow_paths
from hulian.runtime.api.openapi_layouts import LAYOUT_SCHEMAS, layout_paths
from hulian.runtime.api.openapi_metadata import METADATA_SCHEMAS, metadata_paths
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses
from hulian.runtime.api.openapi_views import SCHEMAS as VIEW_SCHEMAS
from hulian.runtime.api.openapi_views import home_paths, scene_paths
from hulian.runtime.api.records import DEFAULT_LIMIT, MAX_BATCH, MAX_LIMIT
from hulian.runtime.api.schemas import input_schema, record_schema, update_schema

__all__ = ["openapi_document", "routes"]

OPENAPI_VERSION = "3.1.0"


def _error_response(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref("schemas", "Error")), **extra}


ERROR_RESPONSES = {
    "BadRequest": _error_response("Malformed JSON, a bad query parameter or a bad filter; "
                                  "text no database can store (invalid_character); JSON "
                                  "nested deeper than 32 levels (too_deep)."),
    "PayloadTooLarge": _error_response("The body is over the server's limit (body_too_large) "
                                       "or a query parameter over 65,536 characters "
                                       "(request_too_large)."),
    "Unauthenticated": _error_response(
        "No credentials; the bearer token is unknown, revoked or expired; or the session "
        "cookie is tampered with, logged out or expired.",
        headers={"WWW-Authenticate": {"schema": {"type": "string"},
                                      "description": 'Bearer realm="hulian"'}}),
    "Forbidden": _error_response("The user may not do this, or (csrf_failed) a request "
                                 f"authenticated by the session cookie lacks {CSRF_HEADER}."),
    "NotFound": _error_response("Unknown object, record or relationship."),
    "Conflict": _error_response("Stale version, a taken unique value, or a restricted delete."),
    "Gone": _error_response("cursor_expired: the feed no longer holds the changes after the "
                            "cursor (older than its retention)."),
    "Unprocessable": _error_response("The record breaks its object's rules (see details)."),
    "ServerError": _error_response("A fault in hulian or the database; nothing was changed."),
    "TooManyRequests": _error_response(
        "login_throttled: too many failed logins for the user or from the client address.",
        headers={"Retry-After": {"schema": {"type": "integer"},
                                 "description": "Seconds until a login may be tried again."}}),
}

SHARED_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "A stable code, e.g. record_not_found."},
                "message": {"type": "string", "description": "What went wrong."},
                "hint": {"type": "string", "description": "How to fix it."},
                "details": {"type": "array", "items": {"type": "object"},
                            "description": "Per field (field, code, message, hint, row) or "
                                           "per item problems."},
            },
        }},
    },
    "I18nLabel": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "A label per language, e.g. {\"zh\": \"客户\", \"en\": "
                                 "\"Account\"}."},
    "ObjectList": {
        "type": "object", "required": ["objects"],
        "properties": {"objects": {"type": "array", "items": {
            "type": "object", "required": ["api_name", "label", "plural_label"],
            "properties": {"api_name": {"type": "string"},
                           "label": _ref("schemas", "I18nLabel"),
                           "plural_label": _ref("schemas", "I18nLabel")},
        }}},
    },
    "ObjectDescription": {
        "type": "object", "required": ["api_name", "label", "fields", "system_fields"],
        "description": "An object's fields with type, label, required, options, max_length, "
                       "precision, scale, target...",
        "properties": {"api_name": {"type": "string"},
                       "label": _ref("schemas", "I18nLabel"),
                       "plural_label": _ref("schemas", "I18nLabel"),
                       "name_field": {"type": "string"},
                       "fields": {"type": "array", "items": {"type": "object"}},
                       "system_fields": {"type": "array", "items": {"type": "object"}},
                       "track_history": {"type": "boolean", "description":
                                         "The object keeps a record history (GET .../records"
                                         "/{record_id}/history)."},
                       "history_fields": {"type": "array", "items": {"type": "string"},
                                          "description": "The tracked fields the caller "
                                                         "may see (with track_history)."},
                       "history_retention_days": {"type": "integer"},
                       "child_relationships": {"type": "array", "items": {
                           "type": "object",
                           "required": ["name", "object", "field", "type", "label"],
                           "properties": {"name": {"type": "string"},
                                          "object": {"type": "string"},
                                          "field": {"type": "string"},
                                          "type": {"enum": [
                                              t for t in FIELD_TYPES
                                              if t in REFERENCE_TYPES]},
                                          "label": _ref("schemas", "I18nLabel")}},
                           "description": "The lookup and master-detail fields pointing at "
                                          "this object, by name: its related lists."}},
    },
    "Health": {"type": "object", "required": ["status", "database"],
               "properties": {"status": {"const": "ok"},
                              "database": {"enum": ["sqlite", "postgresql"]}}},
    "User": {
        "type": "object", "required": ["id", "username", "display_name", "tenant", "is_admin",
                                       "enterprise_id"],
        "properties": {"id": {"type": "string"}, "username": {"type": "string"},
                       "display_name": {"type": "string"}, "tenant": {"type": "string"},
                       "is_admin": {"type": "boolean"},
                       "enterprise_id": {"type": ["string", "null"], "description":
                                         "The downstream enterprise of an interconnect "
                                         "user; null for internal users."}}},
    "CreatedIds": {"type": "object", "required": ["ids"],
                   "properties": {"ids": {"type": "array", "items": {"type": "string"},
                                          "description": "The new ids, in input order."}}},
}

PARAMETERS: dict[str, dict[str, Any]] = {
    "where": {"name": "where", "in": "query", "description":
              'A JSON filter, URL-encoded: {"industry": "retail"}, {"amount": {"ge": 100}}, '
              "and/or/not. Operators: eq ne lt le gt ge in contains starts_with is_null.",
              "content": _json({"type": "object"})},
    "filter": {"name": "filter", "in": "query", "schema": {"type": "string"},
               "description": "A boolean formula (docs/formulas.md), e.g. "
                              "amount > 1000 && ISPICKVAL(stage, 'won'); may be combined with "
                              "where.", "example": "amount > 1000"},
    "order_by": {"name": "order_by", "in": "query", "schema": {"type": "string"},
                 "description": "Comma-separated field names, '-' in front for descending "
                                "(default -created_at).", "example": "-annual_revenue,name"},
    "limit": {"name": "limit", "in": "query", "schema": {
        "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
    "after": {"name": "after", "in": "query", "schema": {"type": "string"},
              "description": "The 'next' cursor of the previous page (same order_by)."},
    "scene": {"name": "scene", "in": "query", "schema": {"type": "string"},
              "description": "List a scene the caller may use (GET .../scenes): a built-in "
                             "one (all, mine, in_my_team, my_subordinates), a declared one "
                             "or one of their own; combined with where and filter, its sort "
                             "is the default order. Unknown or not allowed: 404 "
                             "unknown_scene.", "example": "mine"},
    "include_deleted": {"name": "include_deleted", "in": "query",
                        "schema": {"type": "boolean", "default": False}},
    "record_id": {"name": "record_id", "in": "path", "required": True,
                  "schema": {"type": "string"}},
    "object": {"name": "object", "in": "path", "required": True,
               "schema": {"type": "string"}, "description": "An object's api_name."},
    "layout": {"name": "layout", "in": "query", "schema": {"enum": ["web", "mobile"]},
               "description": "Also return the caller's list layout of this channel (as "
                              "GET .../layout?kind=list&channel= gives it) in 'layout'."},
    "version": {"name": "version", "in": "query", "schema": {"type": "integer", "minimum": 1},
                "description": "Refuse (409) if the record's version differs."},
}
LIST_PARAMETERS = ("where", "filter", "scene", "order_by", "limit", "after", "include_deleted")


def _object_paths(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    name, label = obj["api_name"], label_text(obj["plural_label"])
    record, page = _ref("schemas", name), _ref("schemas", f"{name}Page")
    new = _ref("schemas", f"{name}Input")
    not_found = ("404", "NotFound")
    one = {"parameters": [_ref("parameters", "record_id")]}
    return {
        f"{PREFIX}/objects/{name}/records": {
            "get": {"operationId": f"list{name}", "tags": [name], "summary": f"List {label}",
                    "parameters": [_ref("parameters", p) for p in (*LIST_PARAMETERS,
                                                                  "layout")],
                    "responses": _responses(
                        {"200": {"description": "One page.", "content": _json(page)}},
                        ("400", "BadRequest"), not_found)},
            "post": {"operationId": f"create{name}", "tags": [name],
                     "summary": f"Create one or many {label}",
                     "description": f"An object creates one record; an array creates up to "
                                   f"{MAX_BATCH}, all or none.",
                     "requestBody": {"required": True, "content": _json({"oneOf": [
                         new, {"type": "array", "items": new, "maxItems": MAX_BATCH}]})},
                     "responses": _responses(
                         {"201": {"description": "Created: the record, or the ids of many.",
                                  "headers": {"Location": {"schema": {"type": "string"},
                                                           "description": "The new record's "
                                                                          "URL (one record)."}},
                                  "content": _json({"oneOf": [record,
                                                              _ref("schemas", "CreatedIds")]})}},
                         ("400", "BadRequest"), not_found, ("409", "Conflict"),
                         ("422", "Unprocessable"))},
        },
        f"{PREFIX}/objects/{name}/records/{{record_id}}": {
            **one,
            "get": {"operationId": f"get{name}", "tags": [name], "summary": "Get one record",
                    "parameters": [_ref("parameters", "include_deleted")],
                    "responses": _responses({"200": {"description": "The record.",
                                                     "content": _json(record)}}, not_found)},
            "patch": {"operationId": f"update{name}", "tags": [name],
                      "summary": "Change fields (with the version you last read)",
                      "requestBody": {"required": True, "content": _json(
                          _ref("schemas", f"{name}Update"))},
                      "responses": _responses(
                          {"200": {"description": "The updated record.",
                                   "content": _json(record)}},
                          ("400", "BadRequest"), not_found, ("409", "Conflict"),
                          ("422", "Unprocessable"))},
            "delete": {"operationId": f"delete{name}", "tags": [name],
                       "summary": "Delete (soft) one record",
                       "parameters": [_ref("parameters", "version")],
                       "responses": _responses({"204": {"description": "Deleted."}},
                                               ("400", "BadRequest"), not_found,
                                               ("409", "Conflict"))},
        },
    }


def _page_schema(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["records", "next"], "additionalProperties": False,
            "properties": {"records": {"type": "array", "items": items},
                           "next": {"type": ["string", "null"],
                                    "description": "Pass as 'after' for the next page; null "
                                                   "on the last page."},
                           "layout": _ref("schemas", "Layout")}}


def _related_page_schema(obj: dict[str, Any]) -> dict[str, Any]:
    """A page of any child object's records (``anyOf``: two children may look alike)."""
    children = sorted({r["object"] for r in obj["child_relationships"]})
    refs = [_ref("schemas", child) for child in children]
    return _page_schema(refs[0] if len(refs) == 1 else {"anyOf": refs})


def _related_path(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    name, label = obj["api_name"], label_text(obj["label"])
    names = [r["name"] for r in obj["child_relationships"]]
    relationship = {"name": "relationship", "in": "path", "required": True,
                    "schema": {"type": "string", "enum": names},
                    "description": f"A relationship of {name} (its child_relationships in "
                                   "describe): the relationship_name of a lookup or "
                                   "master-detail field, else <Object>.<field>."}
    return {f"{PREFIX}/objects/{name}/records/{{record_id}}/related/{{relationship}}": {
        "parameters": [_ref("parameters", "record_id"), relationship],
        "get": {"operationId": f"list{name}Related", "tags": [name],
                "summary": f"List the related records of one {label}",
                "description": "The child records pointing at the live record through the "
                               "relationship; filters, sorting and paging as in the list.",
                "parameters": [_ref("parameters", p) for p in LIST_PARAMETERS],
                "responses": _responses(
                    {"200": {"description": "One page of child records.",
                             "content": _json(_ref("schemas", f"{name}RelatedPage"))}},
                    ("400", "BadRequest"), ("404", "NotFound"))},
    }}


def _generic_paths() -> dict[str, dict[str, Any]]:
    return {
        f"{PREFIX}/health": {"get": {
            "operationId": "health", "tags": ["api"], "summary": "Is the service up?",
            "security": [],
            "responses": {"200": {"description": "The service and its database answer.",
                                  "content": _json(_ref("schemas", "Health"))},
                          "503": _error_response("The database does not answer.")}}},
        f"{PREFIX}/objects": {"get": {
            "operationId": "listObjects", "tags": ["api"], "summary": "The tenant's objects",
            "responses": _responses({"200": {"description": "Every object.",
                                             "content": _json(_ref("schemas", "ObjectList"))}})}},
        f"{PREFIX}/objects/{{object}}": {"get": {
            "operationId": "describeObject", "tags": ["api"], "summary": "Describe an object",
            "parameters": [_ref("parameters", "object")],
            "responses": _responses(
                {"200": {"description": "Its fields and system fields.",
                         "content": _json(_ref("schemas", "ObjectDescription"))}},
                ("404", "NotFound"))}},
        f"{PREFIX}/openapi.json": {"get": {
            "operationId": "openapi", "tags": ["api"], "summary": "This document",
            "responses": _responses({"200": {"description": "OpenAPI 3.1 for the caller's "
                                                            "tenant.",
                                             "content": _json({"type": "object"})}})}},
    }


def openapi_document(objects: list[dict[str, Any]], *, tenant: str,
                     metadata_version: int | None = None, admin: bool = False,
                     approvals: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``objects`` (``Session.describe`` output); ``admin``
    adds the ``/admin`` routes; ``approvals``: the objects with an approval process."""
    schemas: dict[str, Any] = {}
    paths = {**_generic_paths(), **layout_paths(), **auth_paths(), **home_paths(),
             **change_paths(), **flow_paths()}
    for obj in objects:
        name = obj["api_name"]
        schemas[name] = record_schema(obj)
        schemas[f"{name}Input"] = input_schema(obj)
        schemas[f"{name}Update"] = update_schema(obj)
        schemas[f"{name}Page"] = _page_schema(_ref("schemas", name))
        paths.update(_object_paths(obj))
        paths.update(object_paths(obj))
        paths.update(scene_paths(obj))
        paths.update(activity_paths(obj))
        if obj["permissions"].get("delete"):
            schemas.update(bin_schemas(name))
            paths.update(bin_paths(obj))
        paths.update(history_paths(obj))
        if name in approvals:
            paths.update(approval_paths(name))
        if obj.get("child_relationships"):
            schemas[f"{name}RelatedPage"] = _related_page_schema(obj)
            paths.update(_related_path(obj))
    schemas.update(SHARED_SCHEMAS)
    schemas.update(AUTH_SCHEMAS)
    schemas.update(LAYOUT_SCHEMAS)
    schemas.update(MORE_SCHEMAS)
    schemas.update(VIEW_SCHEMAS)
    schemas.update(ACTIVITY_SCHEMAS)
    schemas.update(CHANGE_SCHEMAS)
    schemas.update(FLOW_SCHEMAS)
    if admin:
        paths.update(admin_paths())
        paths.update(metadata_paths())
        schemas.update(METADATA_SCHEMAS)
    info: dict[str, Any] = {
        "title": f"hulian API ({tenant})", "version": "1",
        "description": "Records of the objects deployed to this tenant. Numbers of number, "
                       "currency and percent fields are exact decimals written as JSON numbers "
                       "with exactly their digits; parse them without floating point.",
    }
    if metadata_version is not None:
        info["x-hulian-metadata-version"] = metadata_version
    return {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "tags": [{"name": "api", "description": "Objects, describe, layouts, health"},
                 {"name": "auth", "description": "Login sessions and API tokens"},
                 {"name": "changes", "description": "The change feed for integrations"},
                 {"name": "flows", "description": "Notifications and approvals"},
                 *({"name": o["api_name"], "description": label_text(o["plural_label"])}
                   for o in objects),
                 *([ADMIN_TAG] if admin else [])],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": ERROR_RESPONSES,
            "parameters": PARAMETERS,
            "securitySchemes": {
                "bearer": {
                    "type": "http", "scheme": "bearer",
                    "description": "An API token: hulian token create --db URL --tenant T "
                                   "--user U, or POST /api/v1/auth/tokens. Exempt from CSRF.",
                },
                "session": {
                    "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                    "description": "The login session cookie (POST /api/v1/auth/login). "
                                   f"POST, PUT, PATCH and DELETE must also send {CSRF_HEADER} "
                                   "with the session's csrf_token (else 403 csrf_failed).",
                },
            },
        },
    }


def get_openapi(call: Call) -> Response:
    """GET /openapi.json: the document for the caller's tenant."""
    assert call.user is not None
    with call.session() as session:
        objects = [session.describe(name) for name in session.objects()]
        version = session.schema.version
        admin = session.visibility.rights.admin
        approvals = frozenset(o["api_name"] for o in objects
                              if processes(session.schema, o["api_name"]))
    return JSONResponse(openapi_document(objects, tenant=call.user.tenant,
                                         metadata_version=version, admin=admin,
                                         approvals=approvals))


routes = [Route("/openapi.json", endpoint(get_openapi), methods=["GET"], name="openapi")]
