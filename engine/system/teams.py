"""Related teams (相关团队) and external teams: people given ``read`` or ``edit`` access
to one record besides its owners.

Rows live in the tenant's own ``hulian_record_teams``
(:mod:`~hulian.engine.system.tenant_tables`), keyed by the object's stable id, so a
renamed object keeps its teams. Internal and interconnect users share the table: an
interconnect user in a record's team is its external team.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.system.people import now
from hulian.engine.system.tenant_tables import TenantTables, tables_of

ACCESS = ("read", "edit")


def members(conn: sa.Connection, tenant: str, object_id: str, record_id: str
            ) -> list[dict[str, Any]]:
    tables = tables_of(conn, tenant)
    teams, users = tables.record_teams, tables.users
    query = sa.select(teams.c.user_id, users.c.username, teams.c.access, teams.c.added_at,
                      users.c.enterprise_id).join(users, users.c.id == teams.c.user_id).where(
        teams.c.object == object_id, teams.c.record_id == record_id).order_by(users.c.username)
    return [{"user_id": r.user_id, "username": r.username, "access": r.access,
             "external": r.enterprise_id is not None, "added_at": r.added_at}
            for r in conn.execute(query)]


def put(conn: sa.Connection, tenant: str, object_id: str, record_id: str, user_id: str,
        access: str, by: str) -> None:
    """Add ``user_id`` to the record's team, or change their access."""
    remove(conn, tenant, object_id, record_id, user_id)
    conn.execute(tables_of(conn, tenant).record_teams.insert().values(
        object=object_id, record_id=record_id, user_id=user_id, access=access, added_by=by,
        added_at=now()))


def remove(conn: sa.Connection, tenant: str, object_id: str, record_id: str,
           user_id: str) -> bool:
    teams = tables_of(conn, tenant).record_teams
    result = conn.execute(teams.delete().where(
        teams.c.object == object_id, teams.c.record_id == record_id,
        teams.c.user_id == user_id))
    return result.rowcount > 0


def records_of(tables: TenantTables, object_id: str, user_id: str, edit: bool) -> sa.Select:
    """A subquery of the ids of the records of the tenant of ``tables`` whose team has
    ``user_id`` (with edit access when ``edit``)."""
    teams = tables.record_teams
    query = sa.select(teams.c.record_id).where(teams.c.object == object_id,
                                               teams.c.user_id == user_id)
    return query.where(teams.c.access == "edit") if edit else query
