"""Checks the document kinds share: a name that must be an object, a field, a business type,
a role or a scene of the pack, each reported with a hint naming what there is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hulian.metadata.hints import choices_hint
from hulian.metadata.kinds.base import ObjectView, PackView, Report, Use, texts
from hulian.metadata.problems import pointer

__all__ = ["SYSTEM_FIELDS", "SYSTEM_FIELD_TYPES", "Names", "field_uses", "sort_keys",
           "sort_uses"]

SYSTEM_FIELDS = ("id", "owner_id", "department_id", "business_type", "life_status",
                 "created_by", "created_at", "updated_by", "updated_at", "version",
                 "out_tenant_id", "out_owner_id")
"""System fields a layout column, a sort or a scene may name (every object has them)."""
SYSTEM_FIELD_TYPES = {"created_at": "datetime", "updated_at": "datetime", "version": "number",
                      **{name: "lookup" for name in ("owner_id", "department_id", "created_by",
                                                     "updated_by", "out_tenant_id",
                                                     "out_owner_id")}}
"""The field type a metric sees for a system field (the others are ``text``)."""


class Names:
    """Name checks for one document of a kind (``prefix``: its problem codes' prefix)."""

    def __init__(self, prefix: str, what: str, report: Report, pack: PackView):
        self.prefix = prefix
        self.what = what
        self.report = report
        self.pack = pack

    def object(self, name: Any, path: tuple[Any, ...]) -> ObjectView | None:
        """The object ``name``; None (reported unless the pack is an overlay) otherwise."""
        if not isinstance(name, str):
            return None
        found = self.pack.objects.get(name)
        if found is None and not self.pack.partial and name not in self.pack.unreadable:
            self.report.add(f"{self.prefix}.unknown_object", path,
                            f"{self.what} names the object {name!r}, which the pack does "
                            "not have", choices_hint(name, list(self.pack.objects), "objects"))
        return found

    def field(self, obj: ObjectView | None, name: Any, path: tuple[Any, ...], *,
              system: bool = True) -> bool:
        """Whether ``name`` is a field of ``obj`` (or a system field, when ``system``)."""
        if obj is None or not isinstance(name, str):
            return False
        if name in obj.fields or (system and name in SYSTEM_FIELDS):
            return True
        self.report.add(f"{self.prefix}.unknown_field", path,
                        f"{obj.api_name} has no field {name!r}",
                        choices_hint(name, [*obj.fields, *(SYSTEM_FIELDS if system else ())],
                                     f"fields of {obj.api_name}"))
        return False

    def columns(self, obj: ObjectView | None, value: Any, path: tuple[Any, ...]) -> None:
        """Check a list of fields (columns): each a field of ``obj``, none twice."""
        seen: dict[str, int] = {}
        for i, name in texts(value):
            if not self.field(obj, name, (*path, i)):
                continue
            if name in seen:
                self.report.add(f"{self.prefix}.duplicate_field", (*path, i),
                                f"{name} is listed twice (first at "
                                f"{pointer(*path, seen[name])})", "remove one of them")
            seen.setdefault(name, i)

    def relationship(self, obj: ObjectView | None, name: Any, path: tuple[Any, ...]
                     ) -> ObjectView | None:
        """The child object of the relationship ``name`` of ``obj``; None (reported when the
        whole pack is known) otherwise."""
        if obj is None or not isinstance(name, str):
            return None
        found = self.pack.relationship(obj.api_name, name)
        if found is None and not self.pack.partial:
            self.report.add(f"{self.prefix}.unknown_relationship", path,
                            f"{obj.api_name} has no relationship {name!r}",
                            choices_hint(name, obj.children, f"relationships of {obj.api_name}",
                                         none="no object of the pack has a lookup or "
                                              f"master-detail field to {obj.api_name}"))
        return found[0] if found else None

    def business_type(self, obj: ObjectView | None, name: Any, path: tuple[Any, ...]) -> None:
        if obj is None or not isinstance(name, str) or name in obj.business_types:
            return
        self.report.add(f"{self.prefix}.unknown_business_type", path,
                        f"{obj.api_name} has no business type {name!r}",
                        choices_hint(name, obj.business_types,
                                     f"business types of {obj.api_name}"))

    def role(self, name: Any, path: tuple[Any, ...]) -> None:
        if not isinstance(name, str) or name in self.pack.roles or self.pack.partial:
            return
        self.report.add(f"{self.prefix}.unknown_role", path,
                        f"{self.what} names the role {name!r}, which the pack does not have",
                        choices_hint(name, list(self.pack.roles), "roles"))

    def scene(self, obj: ObjectView | None, name: Any, path: tuple[Any, ...]) -> None:
        if obj is None or not isinstance(name, str):
            return
        known = self.pack.scenes.get(obj.api_name, ())
        if name not in known:
            self.report.add(f"{self.prefix}.unknown_scene", path,
                            f"{obj.api_name} has no scene {name!r}",
                            choices_hint(name, known, f"scenes of {obj.api_name}"))

    def sort(self, obj: ObjectView | None, value: Any, path: tuple[Any, ...]) -> None:
        """Check sort keys: ``"-created_at"``, or a list of them."""
        for key, at in sort_keys(value, path):
            if self.field(obj, key, at) and obj is not None \
                    and obj.field_type(key) == "multi_picklist":
                self.report.add(f"{self.prefix}.unsortable_field", at,
                                f"{key} is a multi-picklist: lists cannot be sorted by it",
                                "sort by another field")


def sort_keys(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(field, path) of each sort key of ``value`` (a key or a list of keys)."""
    if isinstance(value, str):
        yield value.lstrip("-"), path
    elif isinstance(value, list):
        for i, key in enumerate(value):
            if isinstance(key, str):
                yield key.lstrip("-"), (*path, i)


def field_uses(obj: str | None, names: Any, path: tuple[Any, ...]) -> Iterator[Use]:
    """The fields a list of names uses (well-formed entries only; system fields are no
    use: they cannot be removed or renamed)."""
    if not obj or not isinstance(names, list):
        return
    for i, name in enumerate(names):
        if isinstance(name, str) and name not in SYSTEM_FIELDS:
            yield Use("field", name, (*path, i), obj)


def sort_uses(obj: str | None, value: Any, path: tuple[Any, ...]) -> Iterator[Use]:
    if obj:
        for key, at in sort_keys(value, path):
            if key not in SYSTEM_FIELDS:
                yield Use("field", key, at, obj)
