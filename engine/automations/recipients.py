"""Who a ``notify`` action reaches: its recipients resolved on one record to active users.

A recipient is one of ``{"owner": true}`` (the record's owner), ``{"user": name}``,
``{"role": internal role}`` (its holders), ``{"partner_manager": true}`` (of the record's
downstream enterprise, ``out_tenant_id``) and ``{"enterprise_role": interconnect role}``
(the users of that role who work for the record's downstream enterprise). Deactivated
users and recipients that resolve to nobody (a record without a downstream enterprise has
no partner manager) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from hulian.engine.system.tenant_tables import tables_of

__all__ = ["resolve"]


def resolve(conn: sa.Connection, tenant: str, recipients: Iterable[Mapping[str, Any]],
            record: Mapping[str, Any]) -> list[str]:
    """The ids of the active users ``recipients`` name for ``record``, each once, sorted."""
    tables = tables_of(conn, tenant)
    grants, users, enterprises = tables.user_roles, tables.users, tables.enterprises
    enterprise = record.get("out_tenant_id")
    conditions: list[sa.ColumnElement[bool]] = []
    for recipient in recipients:
        if recipient.get("owner") is True and record.get("owner_id"):
            conditions.append(users.c.id == record["owner_id"])
        elif isinstance(recipient.get("user"), str):
            conditions.append(users.c.username == recipient["user"])
        elif isinstance(recipient.get("role"), str):
            conditions.append(users.c.id.in_(sa.select(grants.c.user_id).where(
                grants.c.role == recipient["role"])) & users.c.enterprise_id.is_(None))
        elif recipient.get("partner_manager") is True and enterprise:
            conditions.append(users.c.id.in_(sa.select(enterprises.c.partner_manager_id).where(
                enterprises.c.id == enterprise)))
        elif isinstance(recipient.get("enterprise_role"), str) and enterprise:
            conditions.append(users.c.id.in_(sa.select(grants.c.user_id).where(
                grants.c.role == recipient["enterprise_role"]))
                & (users.c.enterprise_id == enterprise))
    if not conditions:
        return []
    return list(conn.scalars(sa.select(users.c.id).where(
        users.c.is_active == sa.true(), sa.or_(*conditions))
        .order_by(users.c.id)))
