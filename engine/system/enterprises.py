"""Downstream enterprises (互联企业) of a tenant and their data permission overrides.

Each enterprise has a partner manager (对接人): the internal user who owns, upstream,
what the enterprise's interconnect users create, so the tenant's own hierarchy (the
manager, their department's leaders) sees partner activity.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from hulian.engine.errors import ConflictError, HulianError, NotFoundError
from hulian.engine.ids import new_id
from hulian.engine.system.people import User, find_user, now, people_changed, user_by_id
from hulian.engine.system.tables import enterprise_permissions, enterprises
from hulian.metadata.model import EXTERNAL_DATA_PERMISSIONS


@dataclass(frozen=True)
class Enterprise:
    id: str
    tenant: str
    name: str
    partner_manager_id: str


def _enterprise(row) -> Enterprise:
    return Enterprise(row.id, row.tenant, row.name, row.partner_manager_id)


def find_enterprise(conn: sa.Connection, tenant: str, ref: str) -> Enterprise | None:
    """The active enterprise with id or name ``ref``."""
    row = conn.execute(sa.select(enterprises).where(
        enterprises.c.tenant == tenant, enterprises.c.is_active == sa.true(),
        sa.or_(enterprises.c.id == ref, enterprises.c.name == ref))).first()
    return _enterprise(row) if row else None


def require_enterprise(conn: sa.Connection, tenant: str, ref: str) -> Enterprise:
    found = find_enterprise(conn, tenant, ref)
    if found is None:
        raise NotFoundError(f"there is no downstream enterprise {ref!r} in tenant {tenant!r}",
                            code="unknown_enterprise",
                            hint="list them with: hulian enterprise list --tenant T")
    return found


def list_enterprises(conn: sa.Connection, tenant: str) -> list[Enterprise]:
    return [_enterprise(r) for r in conn.execute(sa.select(enterprises).where(
        enterprises.c.tenant == tenant, enterprises.c.is_active == sa.true())
        .order_by(enterprises.c.name))]


def _partner_manager(conn: sa.Connection, tenant: str, ref: str) -> User:
    found = user_by_id(conn, tenant, ref) or find_user(conn, tenant, ref)
    if found is None or found.is_interconnect:
        raise HulianError(f"the partner manager {ref!r} is not an active internal user of "
                          f"tenant {tenant!r}", code="invalid_partner_manager",
                          hint="a partner manager (对接人) is one of the tenant's own users")
    return found


def add_enterprise(conn: sa.Connection, tenant: str, name: str, partner_manager: str
                   ) -> Enterprise:
    """Add a downstream enterprise; ``partner_manager``: an internal user's id or username."""
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise HulianError(f"{name!r} is not a valid enterprise name", code="invalid_enterprise",
                          hint="use 1 to 200 characters")
    if conn.scalar(sa.select(enterprises.c.id).where(enterprises.c.tenant == tenant,
                                                     enterprises.c.name == name)):
        raise ConflictError(f"enterprise {name!r} already exists in tenant {tenant!r}",
                            code="enterprise_exists")
    manager = _partner_manager(conn, tenant, partner_manager)
    found = Enterprise(new_id(), tenant, name, manager.id)
    conn.execute(enterprises.insert().values(id=found.id, tenant=tenant, name=name,
                                             partner_manager_id=manager.id, is_active=True,
                                             created_at=now()))
    people_changed(conn, tenant)
    return found


def set_partner_manager(conn: sa.Connection, tenant: str, enterprise: str, user: str) -> None:
    """Give ``enterprise`` another partner manager (records already created keep theirs)."""
    found = require_enterprise(conn, tenant, enterprise)
    conn.execute(enterprises.update().where(enterprises.c.id == found.id)
                 .values(partner_manager_id=_partner_manager(conn, tenant, user).id))
    people_changed(conn, tenant)


def set_level(conn: sa.Connection, tenant: str, enterprise: str, object_name: str,
              level: str | None) -> None:
    """Override the external data permission of ``object_name`` for one enterprise
    (None: back to the object's own level)."""
    found = require_enterprise(conn, tenant, enterprise)
    if level is not None and level not in EXTERNAL_DATA_PERMISSIONS:
        raise HulianError(f"{level!r} is not an external data permission level",
                          code="invalid_data_permission",
                          hint="use one of " + ", ".join(EXTERNAL_DATA_PERMISSIONS))
    conn.execute(enterprise_permissions.delete().where(
        enterprise_permissions.c.enterprise_id == found.id,
        enterprise_permissions.c.object == object_name))
    if level is not None:
        conn.execute(enterprise_permissions.insert().values(
            tenant=tenant, enterprise_id=found.id, object=object_name, level=level))
    people_changed(conn, tenant)


def levels(conn: sa.Connection, tenant: str, enterprise_id: str) -> dict[str, str]:
    """The enterprise's overrides: object -> level."""
    return dict(conn.execute(sa.select(enterprise_permissions.c.object,
                                       enterprise_permissions.c.level).where(
        enterprise_permissions.c.tenant == tenant,
        enterprise_permissions.c.enterprise_id == enterprise_id)).all())
