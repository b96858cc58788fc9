"""Writing a loaded model back as pack documents: what ``hulian export`` writes.

:func:`snapshot_documents` turns a :class:`~hulian.metadata.model.Pack` (usually
a tenant's effective metadata) into ``pack.json`` (kind ``snapshot``), one
``objects/<ApiName>.json`` per object, one ``roles/<api_name>.json`` per role and one
``apps/<api_name>.json`` per app, written from the model so that any pack
round-trips: ``load_documents(snapshot_documents(p))`` equals ``p`` but for its
kind. Values equal to the defaults the loader fills in are left out, so the
files stay as short as hand-written ones.

>>> from hulian.metadata.model import Field, ObjectDef
>>> name = Field("name", "text", {"zh": "名称", "en": "Name"}, required=True, max_length=255)
>>> obj = ObjectDef("Item", {"zh": "物品", "en": "Item"}, "name", (name,))
>>> docs = snapshot_documents(Pack("shop", "1.0.0", {"zh": "店", "en": "Shop"}, (obj,)))
>>> docs["pack.json"]["kind"], docs["objects/Item.json"]["fields"][0]
('snapshot', {'api_name': 'name', 'type': 'text', 'label': {'zh': '名称', 'en': 'Name'}})
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from hulian.metadata.documents import APPS, MANIFEST, OBJECTS, ROLES
from hulian.metadata.kinds import KINDS
from hulian.metadata.loader import DEFAULT_DATA_PERMISSION
from hulian.metadata.model import (
    DEFAULT_HISTORY_RETENTION_DAYS,
    STANDARD_ACTIONS,
    App,
    BusinessType,
    Field,
    ObjectAccess,
    ObjectDef,
    Pack,
    Role,
    RollUp,
    SharingRule,
    ValidationRule,
)

SNAPSHOT = "snapshot"

# model attribute -> the value (other than None) the loader gives it when it is left out
_FIELD_DEFAULTS: dict[str, Any] = {
    "unique": False, "indexed": False, "hidden": False, "options": (), "blank_as": "blank",
    "customizable": {},
}
_ALWAYS = ("api_name", "type", "label")
_ORDER = ("api_name", "type", "label", "required", "unique", "indexed", "default", "help",
          "description", "max_length", "pattern", "precision", "scale", "minimum", "maximum",
          "options", "target", "on_delete", "lookup_filter", "relationship_name", "format", "start",
          "reset", "formula", "blank_as", "default_formula", "roll_up", "quote", "hidden",
          "backfill", "renamed_from", "customizable")


def snapshot_documents(effective: Pack) -> dict[str, Any]:
    """``effective`` as the documents of a snapshot pack: pack.json, objects/<ApiName>.json,
    roles/<api_name>.json, apps/<api_name>.json and each registered kind's documents
    (layouts, scenes, home views).

    Values are JSON values as :func:`~hulian.metadata.loader.load_documents` takes
    them (numbers as ``Decimal``; dates and times as ISO 8601 texts).
    """
    manifest: dict[str, Any] = {"name": effective.name, "version": effective.version,
                                "label": dict(effective.label), "kind": SNAPSHOT}
    if effective.requires:
        manifest["requires"] = dict(effective.requires)
    if effective.description is not None:
        manifest["description"] = effective.description
    if effective.branding is not None:
        manifest["branding"] = {key: dict(value) if key == "name" else value
                                for key, value in effective.branding.items()}
    if effective.customizable:
        manifest["customizable"] = {level: dict(policies)
                                    for level, policies in effective.customizable.items()}
    documents: dict[str, Any] = {MANIFEST: manifest}
    for obj in effective.objects:
        documents[f"{OBJECTS}/{obj.api_name}.json"] = _object(obj)
    for role in effective.roles:
        documents[f"{ROLES}/{role.api_name}.json"] = _role(role)
    for app in effective.apps:
        documents[f"{APPS}/{app.api_name}.json"] = _app(app)
    for kind in KINDS:
        for model in effective.part(kind.name):
            documents[kind.file(model.api_name)] = _json(kind.snapshot(model))
    return documents


def _object(obj: ObjectDef) -> dict[str, Any]:
    doc: dict[str, Any] = {"api_name": obj.api_name, "label": dict(obj.label)}
    if obj.plural_label is not None:
        doc["plural_label"] = dict(obj.plural_label)
    if obj.description is not None:
        doc["description"] = obj.description
    if obj.renamed_from is not None:
        doc["renamed_from"] = obj.renamed_from
    if obj.customizable:
        doc["customizable"] = dict(obj.customizable)
    if dict(obj.data_permission) != DEFAULT_DATA_PERMISSION:
        doc["data_permission"] = {key: level for key, level in obj.data_permission.items()
                                  if DEFAULT_DATA_PERMISSION.get(key) != level}
    if obj.track_history is not False:
        doc["track_history"] = obj.track_history if obj.track_history is True \
            else list(obj.track_history)
    if obj.history_retention_days != DEFAULT_HISTORY_RETENTION_DAYS:
        doc["history_retention_days"] = obj.history_retention_days
    doc["name_field"] = obj.name_field
    doc["fields"] = [_field(f, obj.name_field) for f in obj.fields]
    if obj.validation_rules:
        doc["validation_rules"] = [_rule(r) for r in obj.validation_rules]
    if obj.sharing_rules:
        doc["sharing_rules"] = [_sharing_rule(r) for r in obj.sharing_rules]
    if obj.actions:
        doc["actions"] = [_optional({"api_name": a.api_name, "label": dict(a.label)},
                                    description=a.description) for a in obj.actions]
    if obj.business_types:
        doc["business_types"] = [_business_type(t) for t in obj.business_types]
    if obj.owner_rules:
        doc["owner_rules"] = [_optional({"api_name": r.api_name},
                                        description=r.description, condition=r.condition)
                              | {"owner": _json(r.owner)} for r in obj.owner_rules]
    if obj.field_dependencies:
        doc["field_dependencies"] = [
            {"controlling": d.controlling, "dependent": d.dependent,
             "values": {key: list(values) for key, values in d.values.items()}}
            for d in obj.field_dependencies]
    return doc


def _business_type(t: BusinessType) -> dict[str, Any]:
    doc = _optional({"api_name": t.api_name, "label": dict(t.label)}, description=t.description)
    if not t.active:
        doc["active"] = False
    if t.default:
        doc["default"] = True
    if t.defaults:
        doc["defaults"] = {name: _json(value) for name, value in t.defaults.items()}
    if t.roles is not None:
        doc["roles"] = list(t.roles)
    if t.options:
        doc["options"] = {name: _optional({"values": list(subset.values)},
                                          default=subset.default)
                          for name, subset in t.options.items()}
    if t.customizable:
        doc["customizable"] = dict(t.customizable)
    return doc


def _optional(doc: dict[str, Any], **values: Any) -> dict[str, Any]:
    """``doc`` with the ``values`` that are not None."""
    return {**doc, **{k: v for k, v in values.items() if v is not None}}


def _sharing_rule(rule: SharingRule) -> dict[str, Any]:
    doc: dict[str, Any] = {"api_name": rule.api_name}
    if rule.owned_by is not None:
        doc["owned_by"] = dict(rule.owned_by)
    if rule.criteria is not None:
        doc["criteria"] = rule.criteria
    doc["share_with"] = dict(rule.share_with)
    if rule.access != "read":
        doc["access"] = rule.access
    if not rule.active:
        doc["active"] = False
    doc = _optional(doc, description=rule.description)
    if rule.customizable:
        doc["customizable"] = dict(rule.customizable)
    return doc


def _access(access: ObjectAccess) -> dict[str, Any]:
    doc: dict[str, Any] = {action: True for action in STANDARD_ACTIONS if access.allows(action)}
    if access.actions:
        doc["actions"] = list(access.actions)
    if access.fields:
        doc["fields"] = dict(access.fields)
    return doc


def _role(role: Role) -> dict[str, Any]:
    doc: dict[str, Any] = {"api_name": role.api_name, "label": dict(role.label)}
    if role.kind != "internal":
        doc["kind"] = role.kind
    if role.admin:
        doc["admin"] = True
    if role.setup:
        doc["setup"] = True
    doc = _optional(doc, description=role.description)
    if role.objects:
        doc["objects"] = {name: _access(access) for name, access in role.objects.items()}
    if role.customizable:
        doc["customizable"] = dict(role.customizable)
    return doc


def _app(app: App) -> dict[str, Any]:
    doc = _optional({"api_name": app.api_name, "label": dict(app.label)},
                    description=dict(app.description) if isinstance(app.description, Mapping)
                    else app.description)
    return {**doc, "objects": list(app.objects), "roles": list(app.roles)}


def _json(value: Any) -> Any:
    """A model value as the JSON literal the loader reads back into it."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, RollUp):
        return {k: v for k, v in dataclasses.asdict(value).items() if v is not None}
    return value


def _field(f: Field, name_field: str) -> dict[str, Any]:
    computed = f.computed  # a formula or a quote
    kind = f.kind
    implied: dict[str, Any] = {
        **_FIELD_DEFAULTS,
        **kind.settings_of({}),  # the type's defaults (a master-detail always cascades)
        "required": kind.implied_required(name_field=f.api_name == name_field,
                                          computed=computed),
        "default": None if computed else kind.implied_default,
    }
    doc: dict[str, Any] = {}
    for key in _ORDER:
        value = getattr(f, key)
        if key in _ALWAYS or (value is not None and not _same(value, implied.get(key))):
            doc[key] = _option_list(value) if key == "options" else _json(value)
    return doc


def _same(value: Any, implied: Any) -> bool:
    """``value == implied``, but a number is never the same as a boolean."""
    return isinstance(value, bool) == isinstance(implied, bool) and value == implied


def _option_list(options: Any) -> list[dict[str, Any]]:
    out = []
    for option in options:
        item: dict[str, Any] = {"api_name": option.api_name, "label": dict(option.label)}
        if not option.active:
            item["active"] = False
        out.append(item)
    return out


def _rule(rule: ValidationRule) -> dict[str, Any]:
    doc: dict[str, Any] = {"api_name": rule.api_name, "condition": rule.condition,
                           "message": dict(rule.message)}
    if rule.error_field is not None:
        doc["error_field"] = rule.error_field
    if not rule.active:
        doc["active"] = False
    if rule.description is not None:
        doc["description"] = rule.description
    if rule.customizable:
        doc["customizable"] = dict(rule.customizable)
    return doc
