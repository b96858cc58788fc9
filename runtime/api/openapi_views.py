"""OpenAPI paths and schemas of the scene routes and of the home view.

:func:`scene_paths` gives an object's typed scene paths, :func:`home_paths` the home view;
:mod:`hulian.runtime.api.openapi` puts them, and :data:`SCHEMAS`, into the document.
"""

from __future__ import annotations

from typing import Any

from hulian.engine.session_views import MAX_COUNT_LIMIT
from hulian.metadata.kinds.home_views import METRIC_FUNCTIONS
from hulian.metadata.kinds.scenes import BUILT_IN_SCENES
from hulian.metadata.model import label_text
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses

__all__ = ["SCHEMAS", "home_paths", "scene_paths"]

BAD, NOT_FOUND, CONFLICT = ("400", "BadRequest"), ("404", "NotFound"), ("409", "Conflict")
SCENE_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64}
NAMES = {"oneOf": [{"type": "array", "items": {"type": "string", "minLength": 1},
                    "maxItems": 100},
                   {"type": "string", "description": "Comma-separated."}]}
LABEL = _ref("schemas", "I18nLabel")
NULLABLE_LABEL = {"oneOf": [LABEL, {"type": "null"}]}
SCENE_REF = {"type": "object", "required": ["api_name", "label"],
             "properties": {"api_name": {"type": "string"}, "label": LABEL}}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Scene": {
        "type": "object",
        "required": ["api_name", "kind", "label", "filter", "columns", "sort", "default"],
        "properties": {
            "api_name": {"type": "string"},
            "kind": {"enum": ["built_in", "declared", "personal"]},
            "label": LABEL,
            "filter": {"type": ["string", "null"], "description": "The boolean formula of "
                       "the scene; null when it has none or names what the caller may not "
                       "see."},
            "columns": {"type": "array", "items": {"type": "string"}, "description":
                        "The fields the list shows (empty: the object's list columns)."},
            "sort": {"type": "array", "items": {"type": "string"},
                     "description": "Its default order, '-' in front for descending."},
            "default": {"type": "boolean", "description": "The scene a list opens with."},
            "description": {"type": "string"},
            "count": {"type": ["integer", "null"], "description": "With counts=true: how "
                      "many records it lists for the caller (null: a personal scene whose "
                      "filter no longer type-checks); at most count_limit when given."},
            "count_more": {"type": "boolean", "description": "With count_limit: whether "
                           "the scene lists more records than count."}}},
    "SceneList": {"type": "object", "required": ["scenes"],
                  "properties": {"scenes": {"type": "array",
                                            "items": _ref("schemas", "Scene")}}},
    "SceneInput": {
        "type": "object", "required": ["api_name", "label"], "additionalProperties": False,
        "properties": {
            "api_name": {**SCENE_NAME, "description": "Unique among the caller's scenes of "
                         "the object; not a built-in or declared scene's name."},
            "label": {"oneOf": [{"type": "string", "minLength": 1, "maxLength": 200},
                                LABEL], "description": "One text for every language, or "
                                                       "texts by language (zh and en)."},
            "filter": {"type": ["string", "null"], "description": "A boolean formula over "
                       "the fields the caller may see, e.g. total_amount > 10000."},
            "columns": NAMES, "sort": NAMES}},
    "SceneUpdate": {
        "type": "object", "required": ["label"], "additionalProperties": False,
        "properties": {"api_name": SCENE_NAME,
                       "label": {"oneOf": [{"type": "string", "minLength": 1,
                                            "maxLength": 200}, LABEL]},
                       "filter": {"type": ["string", "null"]}, "columns": NAMES,
                       "sort": NAMES}},
    "HomeWidget": {
        "type": "object", "required": ["kind", "label"],
        "description": "One widget with its data; which keys it has depends on its kind.",
        "properties": {
            "kind": {"enum": ["scene_list", "metric", "quick_create", "app_tiles", "text"]},
            "label": NULLABLE_LABEL,
            "object": {"type": "string"},
            "scene": SCENE_REF,
            "columns": {"type": "array", "items": {"type": "string"}},
            "records": {"type": "array", "items": {"type": "object"},
                        "description": "scene_list: the first records, with the scene's "
                                       "columns and id."},
            "more": {"type": "boolean"},
            "function": {"enum": list(METRIC_FUNCTIONS)},
            "field": {"type": ["string", "null"]},
            "value": {"type": ["number", "string", "null"],
                      "description": "metric: an exact decimal (a count is an integer); a "
                                     "date or time for MIN and MAX of one; null over no "
                                     "records."},
            "objects": {"type": "array", "items": {
                "type": "object", "required": ["api_name", "label"],
                "properties": {"api_name": {"type": "string"}, "label": LABEL}}},
            "apps": {"type": "array", "items": {
                "type": "object", "required": ["api_name", "label", "description"],
                "properties": {"api_name": {"type": "string"}, "label": LABEL,
                               "description": {"type": ["string", "null"]}}}},
            "text": LABEL}},
    "HomeView": {
        "type": "object", "required": ["api_name", "label", "channel", "widgets"],
        "properties": {
            "api_name": {"type": ["string", "null"], "description": "null: no view applies."},
            "label": NULLABLE_LABEL,
            "channel": {"enum": ["web", "mobile"], "description": "The view's channel (web "
                        "when a mobile request fell back to it)."},
            "widgets": {"type": "array", "items": _ref("schemas", "HomeWidget")}}},
}


def scene_paths(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The scene paths of one object (``Session.describe`` output)."""
    name, label = obj["api_name"], label_text(obj["label"])
    scene = {"name": "scene", "in": "path", "required": True, "schema": SCENE_NAME,
             "description": "A scene's api_name: " + ", ".join(BUILT_IN_SCENES)
                            + ", a declared scene's or one of the caller's."}
    one = {"200": {"description": "The scene.", "content": _json(_ref("schemas", "Scene"))}}
    return {
        f"{PREFIX}/objects/{name}/scenes": {
            "get": {"operationId": f"list{name}Scenes", "tags": [name],
                    "summary": f"The scenes of {label} the caller may use",
                    "parameters": [{"name": "counts", "in": "query",
                                    "schema": {"type": "boolean", "default": False},
                                    "description": "Add each scene's record count."},
                                   {"name": "count_limit", "in": "query",
                                    "schema": {"type": "integer", "minimum": 1,
                                               "maximum": MAX_COUNT_LIMIT},
                                    "description": "With counts=true: count each scene "
                                    "only up to this many records (count_more says "
                                    "whether it lists more); the cost then does not grow "
                                    "with the object."}],
                    "responses": _responses({"200": {
                        "description": "Built-in, declared, then personal scenes.",
                        "content": _json(_ref("schemas", "SceneList"))}}, BAD, NOT_FOUND)},
            "post": {"operationId": f"create{name}Scene", "tags": [name],
                     "summary": "Create a personal scene",
                     "requestBody": {"required": True,
                                     "content": _json(_ref("schemas", "SceneInput"))},
                     "responses": _responses({"201": {
                         "description": "Created.", "headers": {"Location": {
                             "schema": {"type": "string"}, "description": "Its URL."}},
                         "content": _json(_ref("schemas", "Scene"))}},
                         BAD, NOT_FOUND, CONFLICT)},
        },
        f"{PREFIX}/objects/{name}/scenes/{{scene}}": {
            "parameters": [scene],
            "get": {"operationId": f"get{name}Scene", "tags": [name],
                    "summary": "One scene the caller may use",
                    "responses": _responses(one, NOT_FOUND)},
            "put": {"operationId": f"put{name}Scene", "tags": [name],
                    "summary": "Create or replace a personal scene",
                    "requestBody": {"required": True,
                                    "content": _json(_ref("schemas", "SceneUpdate"))},
                    "responses": _responses(one, BAD, NOT_FOUND, CONFLICT)},
            "delete": {"operationId": f"delete{name}Scene", "tags": [name],
                       "summary": "Delete a personal scene",
                       "description": "A built-in or declared scene is 403 "
                                      "scene_not_personal.",
                       "responses": _responses({"204": {"description": "Deleted."}},
                                               NOT_FOUND)},
        },
    }


def home_paths() -> dict[str, dict[str, Any]]:
    return {f"{PREFIX}/home": {"get": {
        "operationId": "getHome", "tags": ["api"],
        "summary": "The caller's home view, with every widget's data",
        "parameters": [{"name": "channel", "in": "query",
                        "schema": {"enum": ["web", "mobile"], "default": "web"}}],
        "responses": _responses({"200": {"description": "The view (no view: api_name null, "
                                                        "no widgets).",
                                         "content": _json(_ref("schemas", "HomeView"))}})}}}
