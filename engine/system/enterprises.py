"""Downstream enterprises (互联企业) of a tenant and their data permission overrides.

Each enterprise has a partner manager (对接人): the internal user who owns, upstream,
what the enterprise's interconnect users create, so the tenant's own hierarchy (the
manager, their department's leaders) sees partner activity.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import ConflictError, HulianError, NotFoundError
from hulian.engine.ids import new_id
from hulian.engine.system import login_sessions
from hulian.engine.system.people import (
    NAME_HINT,
    UNSET,
    Unset,
    User,
    find_user,
    now,
    people_changed,
    shown_name,
    user_by_id,
    valid_name,
)
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.model import EXTERNAL_DATA_PERMISSIONS
from hulian.metadata.values import storable


@dataclass(frozen=True)
class Enterprise:
    id: str
    tenant: str
    name: str
    partner_manager_id: str
    is_active: bool = True
    """False once deactivated: its users are locked out of every record."""


def _enterprise(row: Any, tenant: str) -> Enterprise:
    return Enterprise(row.id, tenant, row.name, row.partner_manager_id, row.is_active)


def find_enterprise(conn: sa.Connection, tenant: str, ref: str, *,
                    include_inactive: bool = False) -> Enterprise | None:
    """The active enterprise (any, with ``include_inactive``) with id or name ``ref``."""
    if not storable(ref):
        return None
    enterprises = tables_of(conn, tenant).enterprises
    query = sa.select(enterprises).where(
        sa.or_(enterprises.c.id == ref, enterprises.c.name == ref))
    if not include_inactive:
        query = query.where(enterprises.c.is_active == sa.true())
    row = conn.execute(query).first()
    return _enterprise(row, tenant) if row else None


def require_enterprise(conn: sa.Connection, tenant: str, ref: str, *,
                       include_inactive: bool = False) -> Enterprise:
    found = find_enterprise(conn, tenant, ref, include_inactive=include_inactive)
    if found is None:
        listing = "hulian enterprise list --all" if include_inactive \
            else "hulian enterprise list"
        raise NotFoundError(f"there is no {'' if include_inactive else 'active '}downstream "
                            f"enterprise {ref!r} in tenant {tenant!r}",
                            code="unknown_enterprise",
                            hint=f"list them with: {listing} --tenant T")
    return found


def list_enterprises(conn: sa.Connection, tenant: str, *, include_inactive: bool = False
                     ) -> list[Enterprise]:
    """The active enterprises (all, with ``include_inactive``) by name."""
    enterprises = tables_of(conn, tenant).enterprises
    query = sa.select(enterprises)
    if not include_inactive:
        query = query.where(enterprises.c.is_active == sa.true())
    return [_enterprise(r, tenant) for r in conn.execute(query.order_by(enterprises.c.name))]


def _check_name(name: object) -> str:
    if not valid_name(name):
        raise HulianError(f"{shown_name(name)} is not a valid enterprise name",
                          code="invalid_enterprise", hint=NAME_HINT)
    assert isinstance(name, str)
    return name


def _name_taken(conn: sa.Connection, tenant: str, name: str, enterprise_id: str | None = None
                ) -> ConflictError | None:
    enterprises = tables_of(conn, tenant).enterprises
    taken = conn.scalar(sa.select(enterprises.c.id).where(enterprises.c.name == name))
    if taken is None or taken == enterprise_id:
        return None
    return ConflictError(f"enterprise {name!r} already exists in tenant {tenant!r}",
                         code="enterprise_exists",
                         hint="names are unique, deactivated enterprises' too: "
                              "hulian enterprise list --all")


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
    taken = _name_taken(conn, tenant, _check_name(name))
    if taken is not None:
        raise taken
    manager = _partner_manager(conn, tenant, partner_manager)
    found = Enterprise(new_id(), tenant, name, manager.id)
    enterprises = tables_of(conn, tenant).enterprises
    conn.execute(enterprises.insert().values(id=found.id, name=name,
                                             partner_manager_id=manager.id, is_active=True,
                                             created_at=now()))
    people_changed(conn, tenant)
    return found


def set_partner_manager(conn: sa.Connection, tenant: str, enterprise: str, user: str) -> None:
    """Give ``enterprise`` another partner manager (records already created keep theirs)."""
    found = require_enterprise(conn, tenant, enterprise)
    enterprises = tables_of(conn, tenant).enterprises
    conn.execute(enterprises.update().where(enterprises.c.id == found.id)
                 .values(partner_manager_id=_partner_manager(conn, tenant, user).id))
    people_changed(conn, tenant)


def update_enterprise(conn: sa.Connection, tenant: str, ref: str, *,
                      name: str | Unset = UNSET, active: bool | Unset = UNSET,
                      partner_manager: str | Unset = UNSET, now: dt.datetime) -> Enterprise:
    """Rename, deactivate or reactivate the enterprise with id or name ``ref`` (active or
    not), or give it another partner manager; what is not given stays. Deactivating ends
    its users' login sessions (they stay active users, locked out of every record while
    the enterprise is inactive). An active enterprise needs an active partner manager,
    so reactivating one whose manager left takes a new ``partner_manager`` too."""
    people_changed(conn, tenant)  # first: see hulian.engine.system.people_updates
    found = require_enterprise(conn, tenant, ref, include_inactive=True)
    values: dict[str, Any] = {}
    if name is not UNSET:
        taken = _name_taken(conn, tenant, _check_name(name), found.id)
        if taken is not None:
            raise taken
        values["name"] = name
    if partner_manager is not UNSET:
        values["partner_manager_id"] = _partner_manager(conn, tenant, partner_manager).id
    if active is not UNSET:
        if not isinstance(active, bool):
            raise HulianError(f"active must be True or False, not {active!r}",
                              code="invalid_parameter")
        values["is_active"] = active
    after = dataclasses.replace(found, **values)
    if after.is_active and partner_manager is UNSET and \
            user_by_id(conn, tenant, after.partner_manager_id) is None:
        raise HulianError(f"the partner manager of {found.name!r} has been deactivated",
                          code="invalid_partner_manager",
                          hint="give it an active one in the same change: hulian enterprise "
                               f"update {found.name!r} --activate --partner-manager USER")
    if found.is_active and not after.is_active:
        login_sessions.revoke_enterprise(conn, tenant, found.id, now)
    if values:
        enterprises = tables_of(conn, tenant).enterprises
        conn.execute(enterprises.update().where(enterprises.c.id == found.id).values(**values))
    return after


def set_level(conn: sa.Connection, tenant: str, enterprise: str, object_name: str,
              level: str | None) -> None:
    """Override the external data permission of ``object_name`` for one enterprise
    (None: back to the object's own level)."""
    found = require_enterprise(conn, tenant, enterprise)
    if level is not None and level not in EXTERNAL_DATA_PERMISSIONS:
        raise HulianError(f"{level!r} is not an external data permission level",
                          code="invalid_data_permission",
                          hint="use one of " + ", ".join(EXTERNAL_DATA_PERMISSIONS))
    overrides = tables_of(conn, tenant).enterprise_permissions
    conn.execute(overrides.delete().where(overrides.c.enterprise_id == found.id,
                                          overrides.c.object == object_name))
    if level is not None:
        conn.execute(overrides.insert().values(enterprise_id=found.id, object=object_name,
                                               level=level))
    people_changed(conn, tenant)


def levels(conn: sa.Connection, tenant: str, enterprise_id: str) -> dict[str, str]:
    """The enterprise's overrides: object -> level."""
    overrides = tables_of(conn, tenant).enterprise_permissions
    return dict(conn.execute(sa.select(overrides.c.object, overrides.c.level).where(
        overrides.c.enterprise_id == enterprise_id)).all())
