"""Personal scenes: the list views users keep for themselves, as data (not metadata).

Rows live in the tenant's own ``hulian_personal_scenes``
(:mod:`~hulian.engine.system.tenant_tables`), one per (user, object, api_name), keyed by
the object's stable id so that a renamed object keeps them. What a row holds is checked by
:mod:`hulian.engine.session_views` before it is written; here it is only stored and read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.memo import per_table
from hulian.engine.system.people import now
from hulian.engine.system.tenant_tables import TenantTables
from hulian.metadata.jsontext import dumps, loads

__all__ = ["Stored", "delete", "find", "of_user", "put"]


@dataclass(frozen=True)
class Stored:
    """One stored personal scene, as written."""

    api_name: str
    label: Mapping[str, str]
    filter: str | None
    columns: tuple[str, ...]
    sort: tuple[str, ...]


def _stored(row: Any) -> Stored:
    return Stored(row.api_name, loads(row.label), row.filter, tuple(loads(row.columns)),
                  tuple(loads(row.sort)))


def _columns(tables: TenantTables) -> sa.Select:
    scenes = tables.personal_scenes
    return sa.select(scenes.c.api_name, scenes.c.label, scenes.c.filter, scenes.c.columns,
                     scenes.c.sort)


@per_table
def _of_user(scenes: sa.Table) -> sa.Select:
    return sa.select(scenes.c.api_name, scenes.c.label, scenes.c.filter, scenes.c.columns,
                     scenes.c.sort).where(
        scenes.c.user_id == sa.bindparam("user"), scenes.c.object == sa.bindparam("object")
    ).order_by(scenes.c.api_name)


def of_user(conn: sa.Connection, tables: TenantTables, user_id: str,
            object_id: str) -> list[Stored]:
    """The user's personal scenes of the object, by api_name (every list page asks: the
    statement is built once per tenant)."""
    return [_stored(row) for row in conn.execute(_of_user(tables.personal_scenes),
                                                 {"user": user_id, "object": object_id})]


def find(conn: sa.Connection, tables: TenantTables, user_id: str, object_id: str,
         api_name: str) -> Stored | None:
    scenes = tables.personal_scenes
    row = conn.execute(_columns(tables).where(
        scenes.c.user_id == user_id, scenes.c.object == object_id,
        scenes.c.api_name == api_name)).first()
    return None if row is None else _stored(row)


def put(conn: sa.Connection, tables: TenantTables, user_id: str, object_id: str,
        api_name: str, *, label: Mapping[str, str], filter: str | None,
        columns: Sequence[str], sort: Sequence[str]) -> bool:
    """Store the scene, replacing the user's scene of that name; True when it is new."""
    scenes = tables.personal_scenes
    values = {"label": dumps(dict(label)), "filter": filter, "columns": dumps(list(columns)),
              "sort": dumps(list(sort)), "updated_at": now()}
    key = (scenes.c.user_id == user_id, scenes.c.object == object_id,
           scenes.c.api_name == api_name)
    if conn.execute(scenes.update().where(*key).values(**values)).rowcount:
        return False
    conn.execute(scenes.insert().values(user_id=user_id, object=object_id, api_name=api_name,
                                        created_at=values["updated_at"], **values))
    return True


def delete(conn: sa.Connection, tables: TenantTables, user_id: str, object_id: str,
           api_name: str) -> bool:
    scenes = tables.personal_scenes
    return conn.execute(scenes.delete().where(
        scenes.c.user_id == user_id, scenes.c.object == object_id,
        scenes.c.api_name == api_name)).rowcount > 0
