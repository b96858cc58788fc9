"""Changes to a tenant's overlay expressed on its documents: what the admin UI's editors
build before the deploy (pure metadata: no database).

The overlay (docs/packs.md) says the same thing in two ways depending on whose a thing
is: a field of the tenant's own object lives in ``objects/<Object>.json``; a field it adds
to a pack's object lives in ``extensions/<Object>.json`` ``fields``; a change to a pack's
field is a ``field_overrides`` entry. :class:`OverlayDraft` hides the difference:

>>> draft = OverlayDraft(overlay_documents, effective_documents)
>>> place = draft.add_field("Order", {"api_name": "channel__c", "type": "text", ...})
>>> place.file, place.pointer
('overlay/extensions/Order.json', '/fields/0')
>>> put, delete = draft.change()          # for MetadataAdmin.change_overlay

Each edit answers the :class:`Place` of what it wrote, so that problems the deploy
reports there can be shown beside the editor's inputs (:meth:`Place.input_of`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hulian.metadata.problems import Problem

__all__ = ["OVERRIDABLE", "OverlayDraft", "Place"]

OVERLAY = "overlay"
OVERRIDABLE = ("label", "help", "description", "hidden", "indexed", "default", "options",
               "required", "unique", "minimum", "maximum", "pattern", "max_length",
               "precision", "scale", "formula", "default_formula")
"""The keys a field override may hold (docs/packs.md); the pack's policies decide which
of them are editable."""


@dataclass(frozen=True)
class Place:
    """Where an edit wrote: an overlay file (``overlay/<path>``) and a JSON pointer."""

    file: str
    pointer: str

    def input_of(self, problem: Problem) -> str | None:
        """The name of the input a problem at or under this place concerns: the first
        key below the place (``/fields/2/label/zh`` under ``/fields/2`` is ``label``), ""
        for the place itself, None for a problem elsewhere."""
        if problem.file != self.file:
            return None
        if problem.pointer == self.pointer:
            return ""
        if not problem.pointer.startswith(self.pointer + "/"):
            return None
        return problem.pointer[len(self.pointer) + 1:].split("/")[0]


def _path_of(file: str) -> str:
    return file.removeprefix(OVERLAY + "/")


class OverlayDraft:
    """A working copy of the overlay's documents; every edit marks the documents it
    changed, and :meth:`change` gives them (with the deleted ones) for the deploy."""

    def __init__(self, documents: Mapping[str, Any], effective: Mapping[str, Any]):
        self.documents: dict[str, Any] = copy.deepcopy(dict(documents))
        self.effective = effective
        self.changed: set[str] = set()
        self.deleted: set[str] = set()

    # -- documents ----------------------------------------------------------------------------

    def put(self, path: str, document: Any) -> Place:
        self.documents[path] = document
        self.changed.add(path)
        self.deleted.discard(path)
        return Place(f"{OVERLAY}/{path}", "")

    def delete(self, path: str) -> None:
        if path in self.documents:
            del self.documents[path]
            self.deleted.add(path)
            self.changed.discard(path)

    def change(self) -> tuple[dict[str, Any], list[str]]:
        """``(put, delete)``: the documents to put (path -> document) and delete."""
        return ({path: self.documents[path] for path in sorted(self.changed)},
                sorted(self.deleted))

    def _document(self, path: str, new: dict[str, Any]) -> dict[str, Any]:
        if path not in self.documents:
            self.documents[path] = new
        self.changed.add(path)
        self.deleted.discard(path)
        found: dict[str, Any] = self.documents[path]
        return found

    # -- objects ------------------------------------------------------------------------------

    def owns(self, object_name: str) -> bool:
        """Whether ``object_name`` is the overlay's own object (not a pack's)."""
        return f"objects/{object_name}.json" in self.documents

    def effective_object(self, object_name: str) -> dict[str, Any] | None:
        found = self.effective.get(f"objects/{object_name}.json")
        return found if isinstance(found, dict) else None

    def object_document(self, object_name: str) -> tuple[str, dict[str, Any]]:
        """The overlay document that holds the object's own changes: its definition for
        an own object, else its extension (made when missing)."""
        if self.owns(object_name):
            path = f"objects/{object_name}.json"
            return path, self._document(path, {})
        path = f"extensions/{object_name}.json"
        return path, self._document(path, {"object": object_name})

    def add_object(self, document: dict[str, Any]) -> Place:
        return self.put(f"objects/{document['api_name']}.json", document)

    def set_object(self, object_name: str, values: Mapping[str, Any]) -> Place:
        """Object-level properties (``label``, ``plural_label``, ``description``,
        ``data_permission``, ``track_history``...): in the definition of an own object,
        else in its extension; a value of None removes the key."""
        path, doc = self.object_document(object_name)
        for key, value in values.items():
            if value is None:
                doc.pop(key, None)
            else:
                doc[key] = value
        return Place(f"{OVERLAY}/{path}", "")

    # -- fields -------------------------------------------------------------------------------

    def own_field(self, object_name: str, field: str) -> tuple[str, int] | None:
        """Where the overlay defines ``field`` itself: (document path, index in its
        ``fields``), or None for a pack's field."""
        for path in (f"objects/{object_name}.json", f"extensions/{object_name}.json"):
            doc = self.documents.get(path)
            if not isinstance(doc, dict):
                continue
            for index, found in enumerate(doc.get("fields") or []):
                if isinstance(found, dict) and found.get("api_name") == field:
                    return path, index
        return None

    def add_field(self, object_name: str, field: dict[str, Any]) -> Place:
        path, doc = self.object_document(object_name)
        fields = doc.setdefault("fields", [])
        fields.append(field)
        return Place(f"{OVERLAY}/{path}", f"/fields/{len(fields) - 1}")

    def set_field(self, object_name: str, field: str, values: Mapping[str, Any]) -> Place:
        """Change properties of a field (None removes one): in the overlay's own
        definition, else as a ``field_overrides`` entry of the pack's field."""
        own = self.own_field(object_name, field)
        if own is not None:
            path, index = own
            target = self._document(path, {})["fields"][index]
            place = Place(f"{OVERLAY}/{path}", f"/fields/{index}")
        else:
            path, doc = self.object_document(object_name)
            target = doc.setdefault("field_overrides", {}).setdefault(field, {})
            place = Place(f"{OVERLAY}/{path}", f"/field_overrides/{field}")
        for key, value in values.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
        if own is None and not target:
            del doc["field_overrides"][field]
        return place

    def replace_field(self, object_name: str, field: str, definition: dict[str, Any]
                      ) -> Place:
        """Replace the overlay's own definition of ``field`` (a type change, a rename with
        ``renamed_from``); only for the overlay's own fields."""
        own = self.own_field(object_name, field)
        if own is None:
            raise KeyError(f"{object_name}.{field} is a pack's field")
        path, index = own
        self._document(path, {})["fields"][index] = definition
        return Place(f"{OVERLAY}/{path}", f"/fields/{index}")

    def remove_field(self, object_name: str, field: str) -> Place:
        """Take an own field out of the overlay: the deploy archives it (restorable)."""
        own = self.own_field(object_name, field)
        if own is None:
            raise KeyError(f"{object_name}.{field} is a pack's field")
        path, index = own
        del self._document(path, {})["fields"][index]
        return Place(f"{OVERLAY}/{path}", "/fields")

    # -- rules --------------------------------------------------------------------------------

    def own_rule(self, object_name: str, rule: str) -> tuple[str, int] | None:
        for path in (f"objects/{object_name}.json", f"extensions/{object_name}.json"):
            doc = self.documents.get(path)
            if not isinstance(doc, dict):
                continue
            for index, found in enumerate(doc.get("validation_rules") or []):
                if isinstance(found, dict) and found.get("api_name") == rule:
                    return path, index
        return None

    def put_rule(self, object_name: str, rule: dict[str, Any]) -> Place:
        """Add a validation rule, or replace the overlay's own rule of that name."""
        own = self.own_rule(object_name, rule["api_name"])
        if own is not None:
            path, index = own
            self._document(path, {})["validation_rules"][index] = rule
            return Place(f"{OVERLAY}/{path}", f"/validation_rules/{index}")
        path, doc = self.object_document(object_name)
        rules = doc.setdefault("validation_rules", [])
        rules.append(rule)
        return Place(f"{OVERLAY}/{path}", f"/validation_rules/{len(rules) - 1}")

    def override_rule(self, object_name: str, rule: str, values: Mapping[str, Any]) -> Place:
        """Change a pack's rule (``active``, ``message``, ``description``)."""
        path, doc = self.object_document(object_name)
        target = doc.setdefault("rule_overrides", {}).setdefault(rule, {})
        target.update(values)
        return Place(f"{OVERLAY}/{path}", f"/rule_overrides/{rule}")

    def remove_rule(self, object_name: str, rule: str) -> None:
        own = self.own_rule(object_name, rule)
        if own is None:
            raise KeyError(f"{object_name}.{rule} is a pack's rule")
        path, index = own
        del self._document(path, {})["validation_rules"][index]

    # -- flows --------------------------------------------------------------------------------

    def own_flow(self, name: str) -> bool:
        """Whether the overlay holds the whole flow ``name`` (its own, or its replacement of
        a pack's): not merely a switch (``{"api_name", "active"}``)."""
        doc = self.documents.get(f"flows/{name}.json")
        return isinstance(doc, dict) and "type" in doc

    def put_flow(self, document: dict[str, Any]) -> Place:
        """Add the overlay's own flow, or replace it (``flows/<api_name>.json``)."""
        return self.put(f"flows/{document['api_name']}.json", document)

    def switch_flow(self, name: str, active: bool) -> Place:
        """Switch a pack's flow off or on: a file of its name holding only ``api_name`` and
        ``active``; for the overlay's own flow, its ``active``."""
        path = f"flows/{name}.json"
        if self.own_flow(name):
            doc = self._document(path, {})
            if active:
                doc.pop("active", None)
            else:
                doc["active"] = False
            return Place(f"{OVERLAY}/{path}", "/active")
        return self.put(path, {"api_name": name, "active": active})

    def remove_flow(self, name: str) -> None:
        """Take the overlay's document of flow ``name`` out (its own flow is removed; a
        switched or replaced pack flow runs as the pack says again)."""
        self.delete(f"flows/{name}.json")

    # -- business types, layouts, scenes, home views ------------------------------------------

    def own_business_type(self, object_name: str, name: str) -> tuple[str, int] | None:
        """Where the overlay defines business type ``name`` itself: (document path, index
        in its ``business_types``), or None for a pack's type."""
        for path in (f"objects/{object_name}.json", f"extensions/{object_name}.json"):
            doc = self.documents.get(path)
            if not isinstance(doc, dict):
                continue
            for index, found in enumerate(doc.get("business_types") or []):
                if isinstance(found, dict) and found.get("api_name") == name:
                    return path, index
        return None

    def put_business_type(self, object_name: str, business_type: dict[str, Any]) -> Place:
        """Add a business type of the tenant's own, or replace its own of that name."""
        own = self.own_business_type(object_name, business_type["api_name"])
        if own is not None:
            path, index = own
            self._document(path, {})["business_types"][index] = business_type
            return Place(f"{OVERLAY}/{path}", f"/business_types/{index}")
        path, doc = self.object_document(object_name)
        types = doc.setdefault("business_types", [])
        types.append(business_type)
        return Place(f"{OVERLAY}/{path}", f"/business_types/{len(types) - 1}")

    def override_business_type(self, object_name: str, name: str,
                               values: Mapping[str, Any]) -> Place:
        """Change a pack's business type (``label``, ``active``, ``roles``, ``options``...;
        a value of None drops the tenant's override of that key)."""
        return self.override(object_name, "business_type_overrides", name, values)

    def override(self, object_name: str, section: str, name: str,
                 values: Mapping[str, Any]) -> Place:
        """Merge ``values`` into the override of a pack's ``name`` in the object's extension
        ``section`` (``rule_overrides``, ``sharing_rule_overrides``...); a value of None
        drops that key (back to the pack's), and an override left empty goes too."""
        path, doc = self.object_document(object_name)
        overrides = doc.setdefault(section, {})
        target = overrides.setdefault(name, {})
        for key, value in values.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
        if not target:
            del overrides[name]
        if not overrides:
            del doc[section]
        return Place(f"{OVERLAY}/{path}", f"/{section}/{name}")

    def owns_document(self, path: str) -> bool:
        """Whether the overlay holds ``path`` (``layouts/x.json``...) itself."""
        return path in self.documents

    def put_view(self, folder: str, document: dict[str, Any]) -> Place:
        """Write a layout, scene or home view (``folder``: layouts, scenes, home) as the
        overlay's ``<folder>/<api_name>.json``: a document of a pack's name replaces the
        pack's (unless the pack locks it: ``overlay.locked_document``)."""
        return self.put(f"{folder}/{document['api_name']}.json", document)
