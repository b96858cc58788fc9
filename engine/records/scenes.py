"""Scenes (场景) of an object as one reader sees them, and their SQL conditions.

A scene is a named list of an object's records: a condition, columns and a sort. Three
sources give a reader the scenes they may use (:class:`SceneDef`, ``kind``):

- ``built_in``: every object has ``all`` (no condition), ``mine`` (我负责的: owned by the
  reader; for an interconnect user, owned by them externally, ``out_owner_id``),
  ``in_my_team`` (我参与的: the record's related team has the reader; a detail record
  follows its master's team) and ``my_subordinates`` (我下属负责的: owned by people in the
  departments the reader leads, at any depth, the reader left out; nothing for
  interconnect users and for people who lead nothing);
- ``declared``: the pack's ``scenes/*.json`` of the object that ``visible_to`` lets the
  reader use (their roles as they count for rights, or their kind of user; an
  administrator may use every one). The filter is the one compiled at deploy, turned into
  SQL with the reader's ``$User`` and visibility (joined records they may not read are
  blank), and applied as written, like a sharing rule's criteria, even when it reads a
  field hidden from the reader (the text is then not shown to them);
- ``personal``: the reader's own (:mod:`hulian.engine.system.personal_scenes`), whose
  filter is checked against what the reader may see.

What any scene lists is also limited by the reader's data permissions: the condition is
added to the visibility predicate, never used instead of it. Columns and sort keys that
name a field hidden from the reader are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from hulian.engine.formulas.select import RecordSelect, base_select
from hulian.engine.records.access import Guard
from hulian.engine.records.filters import compiled_condition, formula_condition
from hulian.engine.schema.columns import SYSTEM_FIELDS
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.security.rights import roles_counting
from hulian.engine.security.visibility import Visibility
from hulian.engine.system import teams
from hulian.engine.system.personal_scenes import Stored
from hulian.metadata.kinds.scenes import BUILT_IN_SCENES, Scene

__all__ = ["BUILT_IN_LABELS", "BUILT_IN_SCENES", "SceneDef", "built_in", "declared",
           "object_id", "personal", "scene_sql"]

BUILT_IN_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "all": MappingProxyType({"zh": "全部", "en": "All"}),
    "mine": MappingProxyType({"zh": "我负责的", "en": "Mine"}),
    "in_my_team": MappingProxyType({"zh": "我参与的", "en": "In my team"}),
    "my_subordinates": MappingProxyType({"zh": "我下属负责的", "en": "My subordinates'"}),
})


@dataclass(frozen=True)
class SceneDef:
    """One scene a reader may use."""

    api_name: str
    object: str
    kind: str
    """``built_in``, ``declared`` or ``personal``."""
    label: Mapping[str, str]
    filter: str | None = None
    columns: tuple[str, ...] = ()
    """The reader's visible columns (empty: the object's list columns)."""
    sort: tuple[str, ...] = ()
    """Its default order (``-created_at`` style keys; empty: the list's default)."""
    default: bool = False
    description: str | None = None
    filter_shown: bool = True
    """Whether the filter's text names only what the reader may see."""

    @property
    def key(self) -> tuple[Any, ...]:
        """What its SQL condition depends on besides the reader and the metadata version (a
        memo key): a personal scene may change between two requests."""
        return (self.kind, self.api_name, self.filter)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"api_name": self.api_name, "kind": self.kind,
                               "label": dict(self.label),
                               "filter": self.filter if self.filter_shown else None,
                               "columns": list(self.columns), "sort": list(self.sort),
                               "default": self.default}
        if self.description is not None:
            out["description"] = self.description
        return out


def object_id(visibility: Visibility, obj: CompiledObject) -> str:
    """The object's stable id (it survives renames), as record teams key it."""
    return str(visibility.schema.ids.get(obj.api_name, {}).get("id") or obj.api_name)


def _visible(guard: Guard, obj: CompiledObject, names: Iterable[str]) -> tuple[str, ...]:
    """``names`` (fields, or sort keys with ``-``) without those hidden from the reader or
    gone from the object."""
    hidden = guard.hidden(obj.api_name)
    out = []
    for name in names:
        bare = name.lstrip("-")
        if bare in SYSTEM_FIELDS or (obj.model.field(bare) is not None and bare not in hidden):
            out.append(name)
    return tuple(out)


def built_in(obj: CompiledObject, name: str, *, default: bool = False) -> SceneDef:
    """The built-in scene ``name`` (one of BUILT_IN_SCENES); ``default``: the one a list
    opens with (``all``, unless a declared scene is the default)."""
    return SceneDef(name, obj.api_name, "built_in", BUILT_IN_LABELS[name], default=default)


def _usable(scene: Scene, visibility: Visibility) -> bool:
    if visibility.rights.admin:
        return True
    user = visibility.user
    if scene.audience is not None and scene.audience != (
            "interconnect" if user.is_interconnect else "internal"):
        return False
    if not scene.roles:
        return True
    counting = visibility.statement(("scene_roles", scene.object), lambda: roles_counting(
        visibility.schema.pack, user, visibility.roles, scene.object))
    return not counting.isdisjoint(scene.roles)


def declared(guard: Guard, obj: CompiledObject) -> Mapping[str, SceneDef]:
    """The object's declared scenes the reader may use, by api_name (built once per
    reader)."""
    visibility = guard.visibility

    def build() -> Mapping[str, SceneDef]:
        found = {}
        for scene in sorted(visibility.schema.pack.part("scene"), key=lambda s: s.api_name):
            if scene.object != obj.api_name or not _usable(scene, visibility):
                continue
            found[scene.api_name] = SceneDef(
                scene.api_name, obj.api_name, "declared", scene.label, scene.filter,
                _visible(guard, obj, scene.columns), _visible(guard, obj, scene.sort),
                scene.default, scene.description,
                guard.disclosure.formula_shown(obj.api_name, scene.filter))
        return MappingProxyType(found)

    return visibility.statement(("declared_scenes", obj.api_name), build)


def personal(guard: Guard, obj: CompiledObject, stored: Stored) -> SceneDef:
    return SceneDef(stored.api_name, obj.api_name, "personal", MappingProxyType(stored.label),
                    stored.filter, _visible(guard, obj, stored.columns),
                    _visible(guard, obj, stored.sort))


def _team(visibility: Visibility, obj: CompiledObject, table: Any) -> Any:
    """The records of ``obj`` whose related team has the reader (a detail: its master's)."""
    master = next((f for f in obj.model.fields if f.type == "master_detail"), None)
    if master is not None:
        parent = visibility.schema.object(master.target)
        return table.c[master.api_name].in_(sa.select(parent.table.c.id).where(
            _team(visibility, parent, parent.table)).correlate(None))
    return visibility.within(table.c.id, teams.records_of(
        visibility.tables, object_id(visibility, obj), visibility.user.id, False))


def _built_in_condition(visibility: Visibility, obj: CompiledObject, name: str,
                        led_people: tuple[str, ...]) -> Any | None:
    table = obj.table
    user = visibility.user
    if name == "all":
        return None
    if name == "mine":
        return (table.c.out_owner_id if user.is_interconnect else table.c.owner_id) == user.id
    if name == "in_my_team":
        return _team(visibility, obj, table)
    assert name == "my_subordinates", name
    others = tuple(p for p in led_people if p != user.id)
    if user.is_interconnect or not others:
        return sa.false()
    return visibility.among(table.c.owner_id, others)


def scene_sql(guard: Guard, obj: CompiledObject, scene: SceneDef,
              led_people: tuple[str, ...]) -> tuple[RecordSelect | None, Any | None]:
    """(the record select to fork, or None for a plain one; the scene's condition, or None
    for every record), built once per reader and scene. A personal scene's filter that no
    longer type-checks (a field renamed, removed or hidden since) raises FormulaError."""
    visibility = guard.visibility
    schema = visibility.schema

    def build() -> tuple[RecordSelect | None, Any | None]:
        if scene.kind == "built_in":
            return None, _built_in_condition(visibility, obj, scene.api_name, led_people)
        if scene.filter is None:
            return None, None
        select = base_select(schema, obj, visibility.user.id, visibility)
        if scene.kind == "declared":
            formula = schema.formulas[obj.api_name].documents.get(
                ("scene", scene.api_name, "/filter"))
            if formula is not None:
                return select, compiled_condition(select, formula)
            return select, formula_condition(select, scene.filter)
        return select, formula_condition(select, scene.filter, guard.pack, guard.opaque)

    return visibility.statement(("scene", obj.api_name, *scene.key), build)

