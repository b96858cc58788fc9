"""OpenAPI path and schemas of the effective layout route
(``GET /api/v1/objects/{object}/layout``); :mod:`hulian.runtime.api.openapi` puts them into
the document."""

from __future__ import annotations

from typing import Any

from hulian.engine.records.layout_resolve import CHANNELS, KINDS
from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses

__all__ = ["LAYOUT_SCHEMAS", "layout_paths"]

_LABEL = _ref("schemas", "I18nLabel")
_TEXT = {"type": "string"}
_NAMES = {"type": "array", "items": _TEXT}

_COLUMN = {
    "type": "object", "required": ["api_name", "label", "type", "widget"],
    "description": "A field shown as a column: how to display its values (option labels: "
                   "describe).",
    "properties": {
        "api_name": _TEXT, "label": _LABEL, "type": _TEXT,
        "widget": {**_TEXT, "description": "The form control for the type: text, textarea, "
                                           "number, money, percent, checkbox, date, "
                                           "datetime-local, time, email, tel, url, select, "
                                           "multi-select, lookup, read-only."},
        "target": {"type": ["string", "null"], "description": "A lookup's object; null for "
                                                              "an object the caller may not "
                                                              "read (opaque)."},
        "opaque": {"type": "boolean"}},
}
_FIELD = {
    "type": "object",
    "required": ["api_name", "label", "type", "widget", "read_only", "required"],
    "description": "A form field.",
    "properties": {
        **_COLUMN["properties"],
        "read_only": {"type": "boolean", "description": "The field permission, the layout or "
                                                        "a computed field makes it read-only."},
        "required": {"type": "boolean", "description": "The object or the layout requires "
                                                       "it; never for a read-only field."},
        "help": _LABEL,
        "options": {"type": "array", "description": "A picklist's active options within the "
                                                    "business type's subset.",
                    "items": {"type": "object", "required": ["api_name", "label"],
                              "properties": {"api_name": _TEXT, "label": _LABEL}}},
        "default": {"description": "The value a new record of the business type gets."}},
}
_BUTTON = {"type": "object", "required": ["api_name", "kind", "label"],
           "properties": {"api_name": _TEXT, "kind": {"enum": ["standard", "action"]},
                          "label": _LABEL}}

LAYOUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "LayoutField": _FIELD,
    "LayoutColumn": _COLUMN,
    "Layout": {
        "type": "object",
        "required": ["object", "kind", "channel", "layout", "layout_channel", "label",
                     "business_type", "buttons"],
        "description": "The caller's layout: detail layouts have sections, related_lists and "
                       "dependencies; list layouts columns and card. Only fields the caller "
                       "may see, buttons of what they may do. See docs/layouts.md.",
        "properties": {
            "object": _TEXT, "kind": {"enum": list(KINDS)},
            "channel": {"enum": list(CHANNELS)},
            "layout": {"type": ["string", "null"],
                       "description": "The layout document used; null: generated."},
            "layout_channel": {"type": ["string", "null"],
                               "description": "Its channel (web when mobile fell back)."},
            "label": _LABEL,
            "business_type": {"type": "object", "required": ["api_name", "label", "usable"],
                              "properties": {"api_name": _TEXT, "label": _LABEL,
                                             "usable": {"type": "boolean", "description":
                                                        "The caller may create records of "
                                                        "it."}}},
            "sections": {"type": "array", "items": {
                "type": "object",
                "required": ["api_name", "label", "columns", "collapsible", "collapsed",
                             "fields"],
                "properties": {"api_name": _TEXT, "label": _LABEL,
                               "columns": {"enum": [1, 2]}, "collapsible": {"type": "boolean"},
                               "collapsed": {"type": "boolean"},
                               "fields": {"type": "array",
                                          "items": _ref("schemas", "LayoutField")}}}},
            "related_lists": {"type": "array", "items": {
                "type": "object",
                "required": ["relationship", "object", "field", "label", "columns", "sort",
                             "page_size"],
                "properties": {"relationship": _TEXT, "object": _TEXT, "field": _TEXT,
                               "label": _LABEL,
                               "columns": {"type": "array",
                                           "items": _ref("schemas", "LayoutColumn")},
                               "sort": _NAMES, "page_size": {"type": "integer"}}}},
            "dependencies": {"type": "array", "items": {
                "type": "object", "required": ["controlling", "dependent", "values"],
                "properties": {"controlling": _TEXT, "dependent": _TEXT,
                               "values": {"type": "object", "additionalProperties": _NAMES,
                                          "description": "Controlling value (an option, or "
                                                         "true/false) -> the dependent "
                                                         "options it allows."}}}},
            "columns": {"type": "array", "items": _ref("schemas", "LayoutColumn")},
            "card": {"type": "object", "required": ["title", "fields"],
                     "properties": {"title": {"oneOf": [_ref("schemas", "LayoutColumn"),
                                                        {"type": "null"}]},
                                    "fields": {"type": "array",
                                               "items": _ref("schemas", "LayoutColumn")}}},
            "buttons": {"type": "array", "items": _BUTTON},
        },
    },
}

_PARAMETERS = [
    {"name": "object", "in": "path", "required": True, "schema": _TEXT,
     "description": "An object's api_name."},
    {"name": "business_type", "in": "query", "schema": _TEXT,
     "description": "The business type of the record shown (default: the type of the "
                    "caller's new records)."},
    {"name": "channel", "in": "query", "schema": {"enum": list(CHANNELS), "default": "web"},
     "description": "mobile falls back to the web layouts when no mobile one applies."},
    {"name": "kind", "in": "query", "schema": {"enum": list(KINDS), "default": "detail"},
     "description": "detail: the record page and form; list: columns and the mobile card."},
]


def layout_paths() -> dict[str, dict[str, Any]]:
    return {f"{PREFIX}/objects/{{object}}/layout": {"get": {
        "operationId": "objectLayout", "tags": ["api"],
        "summary": "The caller's layout of an object",
        "description": "Resolved for the caller's roles and the business type, without the "
                       "fields they may not see, with picklists narrowed to the type.",
        "parameters": _PARAMETERS,
        "responses": _responses(
            {"200": {"description": "The effective layout.",
                     "content": _json(_ref("schemas", "Layout"))}},
            ("404", "NotFound"))}}}
