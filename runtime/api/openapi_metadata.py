"""OpenAPI paths and schemas of the metadata API (:mod:`hulian.runtime.api.metadata`),
listed only in an administrator's document."""

from __future__ import annotations

from typing import Any

from hulian.runtime.api.openapi_parts import PREFIX
from hulian.runtime.api.openapi_parts import json_content as _json
from hulian.runtime.api.openapi_parts import ref as _ref
from hulian.runtime.api.openapi_parts import responses as _responses

__all__ = ["METADATA_SCHEMAS", "metadata_paths"]

MAX_VERSION = 2**31 - 1
NUMBER = {"minimum": 1, "maximum": MAX_VERSION}
BAD, NOT_FOUND, CONFLICT = ("400", "BadRequest"), ("404", "NotFound"), ("409", "Conflict")
DOCUMENTS = {"type": "object", "additionalProperties": {"type": "object"},
             "description": "Document path in the pack (pack.json, objects/Visit__c.json, "
                            "extensions/Order.json, layouts/order_detail.json...) -> the "
                            "document, as in the pack's files (docs/metadata.md)."}
VERSION = {"type": ["integer", "null"], "description": "The newest deployed version (null: "
                                                       "nothing deployed yet)."}

METADATA_SCHEMAS: dict[str, dict[str, Any]] = {
    "EffectiveMetadata": {
        "type": "object", "required": ["version", "packs", "has_overlay", "snapshot",
                                       "documents"],
        "properties": {"version": VERSION,
                       "packs": {"type": "object", "additionalProperties": {"type": "string"},
                                 "description": "Installed pack name -> version."},
                       "has_overlay": {"type": "boolean"},
                       "snapshot": {"type": "boolean", "description": "The tenant runs on an "
                                    "exported snapshot: its overlay cannot be changed."},
                       "documents": {**DOCUMENTS, "description": "The effective metadata "
                                     "(packs and overlay merged) as snapshot documents."}}},
    "OverlayDocuments": {
        "type": "object", "required": ["version", "documents"],
        "properties": {"version": VERSION, "has_overlay": {"type": "boolean"},
                       "documents": DOCUMENTS}},
    "OverlayDocument": {
        "type": "object", "required": ["version", "path", "document"],
        "properties": {"version": VERSION, "path": {"type": "string"},
                       "document": {"type": "object"}}},
    "OverlayChange": {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "properties": {"put": DOCUMENTS,
                       "delete": {"type": "array", "items": {"type": "string"},
                                  "description": "Paths of overlay documents to remove."},
                       "base": {"type": "integer", **NUMBER, "description": "The version "
                                "the change was made on: refused (409 deploy_concurrent) if "
                                "another deploy committed since."},
                       "dry_run": {"type": "boolean", "default": False}}},
    "DeployPlan": {
        "type": "object",
        "required": ["tenant", "dry_run", "version", "previous_version", "changed", "ok",
                     "steps", "checks", "notes", "lines"],
        "properties": {
            "tenant": {"type": "string"}, "pack": {"type": "string"},
            "dry_run": {"type": "boolean"}, "version": VERSION,
            "previous_version": VERSION, "changed": {"type": "boolean"},
            "ok": {"type": "boolean", "description": "False when a data check failed."},
            "steps": {"type": "array", "items": {
                "type": "object", "required": ["action", "description", "kind"],
                "properties": {"action": {"type": "string"},
                               "object": {"type": ["string", "null"]},
                               "field": {"type": ["string", "null"]},
                               "description": {"type": "string"},
                               "kind": {"enum": ["safe", "needs-data-check",
                                                 "destructive"]}}}},
            "checks": {"type": "array", "items": {
                "type": "object", "description": "A data check: the records in the way "
                                                 "(up to 20 examples)."}},
            "notes": {"type": "array", "items": {"type": "string"}},
            "lines": {"type": "array", "items": {"type": "string"},
                      "description": "The plan as the CLI prints it."}}},
    "MetadataVersions": {
        "type": "object", "required": ["versions"],
        "properties": {"versions": {"type": "array", "items": {
            "type": "object", "required": ["version", "deployed_by", "deployed_at", "steps"],
            "properties": {"version": {"type": "integer"}, "deployed_by": {"type": "string"},
                           "deployed_at": {"type": "string", "format": "date-time"},
                           "steps": {"type": "array", "items": {"type": "object"}},
                           "checks": {"type": "array", "items": {"type": "object"}},
                           "packs": {"type": "object"}}}}}},
    "MetadataDiff": {
        "type": "object", "required": ["steps", "refused", "uses", "lines"],
        "properties": {"steps": {"type": "array", "items": {"type": "object"}},
                       "refused": {"type": "array", "items": {"type": "string"}},
                       "uses": {"type": "array", "items": {"type": "object"}},
                       "lines": {"type": "array", "items": {"type": "string"}}}},
    "Rollback": {"type": "object", "required": ["to"], "additionalProperties": False,
                 "properties": {"to": {"type": "integer", **NUMBER},
                                "dry_run": {"type": "boolean", "default": False}}},
    "MetadataExport": {
        "type": "object", "required": ["version", "of", "documents"],
        "properties": {"version": VERSION, "of": {"enum": ["overlay", "snapshot"]},
                       "documents": DOCUMENTS}},
}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": _json(_ref("schemas", schema))}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


CHANGE_PARAMETERS = [
    _query("dry_run", {"type": "boolean", "default": False},
           "Only the plan and its data checks; nothing changes."),
    _query("base", {"type": "integer", **NUMBER},
           "The version the change was made on (409 deploy_concurrent if another deploy "
           "committed since)."),
]
PLAN = _ok("The plan; with dry_run false, the deployed version.", "DeployPlan")


def metadata_paths() -> dict[str, dict[str, Any]]:
    tag = {"tags": ["admin"]}
    base = f"{PREFIX}/admin/metadata"
    path = {"name": "path", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "The document's path in the overlay, e.g. extensions/Order.json."}
    return {
        base: {"get": {"operationId": "getMetadata", **tag,
                       "summary": "The effective metadata and the installed packs",
                       "responses": _responses(_ok("The metadata.", "EffectiveMetadata"))}},
        f"{base}/overlay": {
            "get": {"operationId": "getOverlay", **tag, "summary": "The overlay's documents",
                    "responses": _responses(_ok("By path.", "OverlayDocuments"))},
            "post": {"operationId": "changeOverlay", **tag,
                     "summary": "Put and delete several overlay documents in one deploy",
                     "requestBody": {"required": True,
                                     "content": _json(_ref("schemas", "OverlayChange"))},
                     "responses": _responses(PLAN, BAD, CONFLICT)}},
        f"{base}/overlay/{{path}}": {
            "parameters": [path],
            "get": {"operationId": "getOverlayDocument", **tag,
                    "summary": "One overlay document",
                    "responses": _responses(_ok("The document.", "OverlayDocument"),
                                            NOT_FOUND)},
            "put": {"operationId": "putOverlayDocument", **tag,
                    "summary": "Make the body the overlay document at this path, and deploy",
                    "parameters": CHANGE_PARAMETERS,
                    "requestBody": {"required": True,
                                    "content": _json({"type": "object"})},
                    "responses": _responses(PLAN, BAD, CONFLICT)},
            "delete": {"operationId": "deleteOverlayDocument", **tag,
                       "summary": "Remove the overlay document at this path, and deploy",
                       "parameters": CHANGE_PARAMETERS,
                       "responses": _responses(PLAN, BAD, NOT_FOUND, CONFLICT)}},
        f"{base}/versions": {"get": {
            "operationId": "listMetadataVersions", **tag,
            "summary": "Every deployed version, newest first: who, when, the plan",
            "responses": _responses(_ok("Newest first.", "MetadataVersions"))}},
        f"{base}/diff": {"get": {
            "operationId": "diffMetadata", **tag, "summary": "What changed between versions",
            "parameters": [
                {**_query("from", {"type": "integer", **NUMBER}, "The older version."),
                 "required": True},
                _query("to", {"type": "integer", **NUMBER},
                       "The newer version (default: the newest).")],
            "responses": _responses(_ok("The differences.", "MetadataDiff"), NOT_FOUND)}},
        f"{base}/rollback": {"post": {
            "operationId": "rollbackMetadata", **tag,
            "summary": "Deploy an earlier version again, as a new version",
            "requestBody": {"required": True, "content": _json(_ref("schemas", "Rollback"))},
            "responses": _responses(PLAN, NOT_FOUND, CONFLICT)}},
        f"{base}/export": {"get": {
            "operationId": "exportMetadata", **tag,
            "summary": "The overlay (default) or the effective metadata as pack documents",
            "parameters": [_query("of", {"enum": ["overlay", "snapshot"],
                                         "default": "overlay"}, "What to export.")],
            "responses": _responses(_ok("The documents.", "MetadataExport"))}},
    }
