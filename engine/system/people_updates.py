"""Changing people once they exist: a user's display name, department and whether they
are active; a department's name and parent. Downstream enterprises change in
:mod:`hulian.engine.system.enterprises`.

>>> update_user(conn, "acme", "li", department="East", admin_roles={"admin"},
...             now=now())                                      # doctest: +SKIP
>>> update_department(conn, "acme", "East", parent=None)        # doctest: +SKIP

Each function counts the change (:func:`~hulian.engine.system.people.people_changed`)
before it checks anything: the update of the tenant's row queues concurrent changes to
the tenant's people behind this one (on PostgreSQL a row lock, on SQLite the write lock),
so the checks that read other users (is this the last admin?) read what those changes
left. A refused change raises inside the caller's transaction, which then rolls back,
count included.

Deactivating a user keeps their records and what they own (as Salesforce does); it ends
their login sessions, and their API tokens stop working while they are inactive
(:func:`hulian.engine.system.tokens.authenticate` wants an active user).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import ConflictError, HulianError
from hulian.engine.system import login_sessions
from hulian.engine.system.people import (
    UNSET,
    Department,
    DepartmentTree,
    Unset,
    User,
    check_department_name,
    check_display_name,
    find_department,
    people_changed,
    require_department,
    user_ref,
)
from hulian.engine.system.tenant_tables import tables_of

__all__ = ["update_department", "update_user"]


def update_user(conn: sa.Connection, tenant: str, ref: str, *,
                display_name: str | Unset = UNSET, department: str | Unset | None = UNSET,
                active: bool | Unset = UNSET, admin_roles: Iterable[str],
                now: dt.datetime) -> User:
    """Change the user with id or username ``ref`` (active or not); what is not given
    stays. ``department`` None: no department. ``admin_roles``: the role api_names that
    make an internal user an administrator (``admin`` and the tenant's roles with
    ``"admin": true``), for the last-admin check."""
    people_changed(conn, tenant)
    found = user_ref(conn, tenant, ref, include_inactive=True)
    values: dict[str, Any] = {}
    if display_name is not UNSET:
        values["display_name"] = check_display_name(display_name)
    if department is not UNSET:
        if found.is_interconnect and department is not None:
            raise HulianError(f"{found.username!r} is an interconnect user: they have no "
                              "department", code="invalid_interconnect_user",
                              hint="departments are for the tenant's own users")
        values["department_id"] = None if department is None else \
            require_department(conn, tenant, department).id
    if active is not UNSET:
        if not isinstance(active, bool):
            raise HulianError(f"active must be True or False, not {active!r}",
                              code="invalid_parameter")
        if found.is_active and not active:
            _check_can_leave(conn, tenant, found, set(admin_roles))
            login_sessions.revoke_all(conn, found.id, now)
        values["is_active"] = active
    if values:
        users = tables_of(conn, tenant).users
        conn.execute(users.update().where(users.c.id == found.id).values(**values))
    return dataclasses.replace(found, **values)


def _check_can_leave(conn: sa.Connection, tenant: str, user: User,
                     admin_roles: set[str]) -> None:
    """Refuse deactivating the tenant's last active administrator, or the partner
    manager of an active downstream enterprise."""
    tables = tables_of(conn, tenant)
    enterprises, users = tables.enterprises, tables.users
    managed = sorted(conn.scalars(sa.select(enterprises.c.name).where(
        enterprises.c.partner_manager_id == user.id,
        enterprises.c.is_active == sa.true())))
    if managed:
        raise ConflictError(
            f"{user.username!r} is the partner manager of {', '.join(managed)}",
            code="partner_manager_in_use",
            hint=f"give {managed[0]!r} another partner manager first: hulian enterprise "
                 f"update {managed[0]!r} --partner-manager USER (or deactivate it)")
    if user.is_interconnect:
        return
    grants = tables.user_roles
    admins = sa.or_(users.c.is_admin == sa.true(), users.c.id.in_(
        sa.select(grants.c.user_id).where(grants.c.role.in_(sorted(admin_roles)))))
    active_admins = set(conn.scalars(sa.select(users.c.id).where(
        users.c.is_active == sa.true(),
        users.c.enterprise_id.is_(None), admins)))
    if active_admins == {user.id}:
        raise ConflictError(f"{user.username!r} is the last active administrator of tenant "
                            f"{tenant!r}", code="last_admin",
                            hint="give another user the admin role first: hulian user "
                                 "roles USER --grant admin")


def update_department(conn: sa.Connection, tenant: str, ref: str, *,
                      name: str | Unset = UNSET, parent: str | Unset | None = UNSET
                      ) -> Department:
    """Rename the department with id or name ``ref``, or move it under ``parent`` (a
    department's id or name; None: to the top). Its people and leader stay; leaders of
    the departments above its new place see their records from then on."""
    people_changed(conn, tenant)
    found = require_department(conn, tenant, ref)
    values: dict[str, Any] = {}
    if name is not UNSET:
        check_department_name(name)
        taken = find_department(conn, tenant, name)
        if taken is not None and taken.id != found.id:
            raise ConflictError(f"department {name!r} already exists in tenant {tenant!r}",
                                code="department_exists")
        values["name"] = name
    if parent is not UNSET:
        parent_id = None if parent is None else require_department(conn, tenant, parent).id
        if parent_id is not None and \
                parent_id in DepartmentTree.load(conn, tenant).below({found.id}):
            why = "under itself" if parent_id == found.id else \
                f"under {parent!r}, which lies below it"
            raise HulianError(f"department {found.name!r} cannot move {why}",
                              code="department_cycle",
                              hint="move it under a department outside its own branch, or "
                                   "to the top")
        values["parent_id"] = parent_id
    if values:
        departments = tables_of(conn, tenant).departments
        conn.execute(departments.update().where(departments.c.id == found.id).values(**values))
    return dataclasses.replace(found, **values)
