"""Who a flow names: the approvers of an approval step (resolved when the record is
submitted) and the recipients of an automation's ``notify`` action (resolved when it runs),
each party resolved on one record to active users of the tenant.

- ``{"user": name}``: that user;
- ``{"role": name}``: the holders of the internal role;
- ``{"department_leader": n}``: the leader of the submitter's department (1), of its
  parent (2)...; a department without a leader, or a tree not that deep, gives no one;
- ``{"partner_manager": true}``: the partner manager of the record's downstream
  enterprise (``out_tenant_id``; none for a record of no enterprise);
- ``{"enterprise_role": name}``: the users of the record's downstream enterprise holding
  that interconnect role;
- ``{"owner": true}`` (recipients only): the record's owner.

``submitter``: whose department ``department_leader`` climbs from (the user who submits,
or who made the write an automation runs on).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from hulian.engine.notifications import active_users
from hulian.engine.system.people import User
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.kinds.flow_models import Party

__all__ = ["resolve"]


def _holders(conn: sa.Connection, tenant: str, role: str,
             enterprise_id: str | None = None, *, internal: bool = True) -> list[str]:
    tables = tables_of(conn, tenant)
    grants, users = tables.user_roles, tables.users
    query = sa.select(users.c.id).join(grants, grants.c.user_id == users.c.id).where(
        users.c.is_active == sa.true(), grants.c.role == role)
    if internal:
        query = query.where(users.c.enterprise_id.is_(None))
    else:
        query = query.where(users.c.enterprise_id == enterprise_id)
    return list(conn.scalars(query))


def _leader(conn: sa.Connection, tenant: str, department_id: str | None, levels: int
            ) -> list[str]:
    departments = tables_of(conn, tenant).departments
    current = department_id
    for _ in range(levels - 1):
        if current is None:
            return []
        current = conn.scalar(sa.select(departments.c.parent_id).where(
            departments.c.id == current))
    if current is None:
        return []
    leader = conn.scalar(sa.select(departments.c.leader_id).where(
        departments.c.id == current))
    return [leader] if leader else []


def _one(conn: sa.Connection, tenant: str, party: Party, record: Mapping[str, Any],
         submitter: User) -> list[str]:
    enterprise = record.get("out_tenant_id")
    tables = tables_of(conn, tenant)
    if party.kind == "user":
        return list(conn.scalars(sa.select(tables.users.c.id).where(
            tables.users.c.username == party.name)))
    if party.kind == "role":
        return _holders(conn, tenant, party.name or "")
    if party.kind == "department_leader":
        return _leader(conn, tenant, submitter.department_id, party.levels or 1)
    if party.kind == "partner_manager":
        if not enterprise:
            return []
        enterprises = tables.enterprises
        found = conn.scalar(sa.select(enterprises.c.partner_manager_id).where(
            enterprises.c.id == enterprise))
        return [found] if found else []
    if party.kind == "enterprise_role":
        return _holders(conn, tenant, party.name or "", enterprise, internal=False) \
            if enterprise else []
    if party.kind == "owner":
        owner = record.get("owner_id")
        return [owner] if owner else []
    return []


def resolve(conn: sa.Connection, tenant: str, parties: Iterable[Party],
            record: Mapping[str, Any], submitter: User) -> list[str]:
    """The active users the ``parties`` name for ``record`` submitted by ``submitter``,
    sorted, each once."""
    found: list[str] = []
    for party in parties:
        found += _one(conn, tenant, party, record, submitter)
    return active_users(conn, tenant, found)
