"""Which roles each user has (the roles themselves are metadata: ``roles/*.json``).

Grants live in the tenant's own ``hulian_user_roles``
(:mod:`~hulian.engine.system.tenant_tables`). Every tenant also has two built-in internal
roles: ``admin`` (everything) and ``member`` (every action on every object). A new
internal user gets ``member`` unless given roles; an interconnect user starts with none.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from hulian.engine.system.people import people_changed
from hulian.engine.system.tenant_tables import TenantTables, tables_of

MEMBER = "member"


def roles_of(conn: sa.Connection, tenant: str, user_id: str) -> frozenset[str]:
    grants = tables_of(conn, tenant).user_roles
    return frozenset(conn.scalars(sa.select(grants.c.role).where(grants.c.user_id == user_id)))


def users_with(tables: TenantTables, role: str) -> sa.Select:
    """A subquery of the ids of the users of the tenant of ``tables`` who have ``role``."""
    return sa.select(tables.user_roles.c.user_id).where(tables.user_roles.c.role == role)


def grant(conn: sa.Connection, tenant: str, user_id: str, roles: Iterable[str]) -> None:
    have = roles_of(conn, tenant, user_id)
    grants = tables_of(conn, tenant).user_roles
    for role in sorted(set(roles) - have):
        conn.execute(grants.insert().values(user_id=user_id, role=role))
    people_changed(conn, tenant)


def revoke(conn: sa.Connection, tenant: str, user_id: str, roles: Iterable[str]) -> None:
    grants = tables_of(conn, tenant).user_roles
    conn.execute(grants.delete().where(grants.c.user_id == user_id,
                                       grants.c.role.in_(sorted(set(roles)))))
    people_changed(conn, tenant)
