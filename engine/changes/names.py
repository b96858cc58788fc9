"""The names fields have now, for changes written under the names they had then.

A change keeps the api_names of the moment it was written (``object``, the keys of
``before`` and ``after``); objects are found by their stable id (``object_id``), fields by
name. After a rename (``renamed_from``) the history of ``region`` is the history of
``area``; after a field is removed, and even when a new field later takes its name, its
old values belong to no field of now. :class:`FieldNames` works this out from the stable
field ids each deployed version recorded (``hulian_metadata_versions``): a change written
at ``at`` was written under the version in force then (the newest deployed at or before
``at``), whose ids say which field each name meant.

>>> names = FieldNames({"obj1": ([T1], [{"region": "area", "rating": None}])})  # doctest: +SKIP
>>> names.now("obj1", T2, {"region": "East", "rating": 3, "name": "Acme"})     # doctest: +SKIP
{'area': 'East', 'name': 'Acme'}
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.jsontext import loads

__all__ = ["FieldNames", "field_names", "object_id", "object_names"]

Renamed = Mapping[str, str | None]
"""A name a field had -> its name now (None: a field that is gone)."""


def object_id(schema: CompiledSchema, api_name: str) -> str:
    """The stable id of the object ``api_name`` (its name before ids were kept)."""
    return str(schema.ids.get(api_name, {}).get("id") or api_name)


def object_names(schema: CompiledSchema) -> dict[str, str]:
    """Stable object id -> the object's api_name now."""
    return {object_id(schema, name): name for name in schema.objects}


@dataclass(frozen=True)
class FieldNames:
    """Per object (stable id), the versions that named its fields otherwise than now: when
    each was deployed and the names it used that differ. An object absent from it never
    renamed or removed a field."""

    renamed: Mapping[str, tuple[list[dt.datetime], list[Renamed]]] = field(
        default_factory=dict)
    """object id -> (when each version was deployed, in order; the names each used that
    differ from now)"""

    def now(self, object_id: str, at: dt.datetime, values: Mapping[str, Any] | None
            ) -> dict[str, Any] | None:
        """``values`` (a change's ``before`` or ``after``, written at ``at``) under the
        fields' names now, without the fields that are gone."""
        if values is None:
            return None
        found = self.renamed.get(object_id)
        if found is None:
            return dict(values)
        times, maps = found
        i = bisect.bisect_right(times, at) - 1
        if i < 0 or not maps[i]:
            return dict(values)
        renamed = maps[i]
        out: dict[str, Any] = {}
        for name, value in values.items():
            new = renamed.get(name, name)
            if new is not None:
                out[new] = value
        return out

    @classmethod
    def load(cls, conn: sa.Connection, schema: CompiledSchema) -> FieldNames:
        """From the ids of every deployed version of ``schema``'s tenant."""
        now: dict[str, dict[str, str]] = {}  # object id -> field id -> name now
        for entry in schema.ids.values():
            now[str(entry["id"])] = {str(fid): name
                                     for name, fid in (entry.get("fields") or {}).items()}
        renamed: dict[str, list[tuple[dt.datetime, Renamed]]] = {}
        metadata_versions = tables_of(conn, schema.tenant).metadata_versions
        rows = conn.execute(sa.select(metadata_versions.c.deployed_at,
                                      metadata_versions.c.result)
                            .order_by(metadata_versions.c.version))
        for deployed_at, result in rows:
            ids = loads(result).get("ids", {}) if result else {}
            for entry in ids.values():
                current = now.get(str(entry.get("id")), {})
                differ = {name: current.get(str(fid))
                          for name, fid in (entry.get("fields") or {}).items()
                          if current.get(str(fid)) != name}
                renamed.setdefault(str(entry.get("id")), []).append((deployed_at, differ))
        return cls({oid: ([deployed for deployed, _ in versions],
                           [differ for _, differ in versions])
                     for oid, versions in renamed.items()
                     if any(differ for _, differ in versions)})


def field_names(conn: sa.Connection, schema: CompiledSchema) -> FieldNames:
    """:meth:`FieldNames.load`, once per compiled schema (renames come with deploys, and a
    deploy compiles a new schema)."""
    return schema.memo.get(("field_names",), lambda: FieldNames.load(conn, schema))
