"""Which roles each user has (the roles themselves are metadata: ``roles/*.json``).

Every tenant also has two built-in internal roles: ``admin`` (everything) and
``member`` (every action on every object). A new internal user gets ``member``
unless given roles; an interconnect user starts with none.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from hulian.engine.system.people import people_changed
from hulian.engine.system.tables import user_roles

MEMBER = "member"


def roles_of(conn: sa.Connection, tenant: str, user_id: str) -> frozenset[str]:
    return frozenset(conn.scalars(sa.select(user_roles.c.role).where(
        user_roles.c.tenant == tenant, user_roles.c.user_id == user_id)))


def users_with(tenant: str, role: str) -> sa.Select:
    """A subquery of the ids of the users who have ``role``."""
    return sa.select(user_roles.c.user_id).where(user_roles.c.tenant == tenant,
                                                 user_roles.c.role == role)


def grant(conn: sa.Connection, tenant: str, user_id: str, roles: Iterable[str]) -> None:
    have = roles_of(conn, tenant, user_id)
    for role in sorted(set(roles) - have):
        conn.execute(user_roles.insert().values(tenant=tenant, user_id=user_id, role=role))
    people_changed(conn, tenant)


def revoke(conn: sa.Connection, tenant: str, user_id: str, roles: Iterable[str]) -> None:
    conn.execute(user_roles.delete().where(user_roles.c.tenant == tenant,
                                           user_roles.c.user_id == user_id,
                                           user_roles.c.role.in_(sorted(set(roles)))))
    people_changed(conn, tenant)
