"""Tenants, their departments and users (internal and interconnect).

Downstream enterprises live in :mod:`hulian.engine.system.enterprises`, role
assignments in :mod:`hulian.engine.system.roles`.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import ConflictError, HulianError, NotFoundError
from hulian.engine.ids import new_id
from hulian.engine.schema.naming import check_tenant_name
from hulian.engine.system.tables import tenants
from hulian.engine.system.tenant_tables import TenantTables, create_tenant_tables, tables_of
from hulian.metadata.values import storable

NAME_HINT = "use 1 to 200 characters, without NUL (\\u0000) or lone surrogates"

ADMIN = "admin"
MEMBER = "member"


class Unset(enum.Enum):
    """The type of :data:`UNSET`."""

    UNSET = "unset"


UNSET = Unset.UNSET
"""What an ``update_*`` argument that was not given defaults to, so that ``None`` can mean
"none" (``department=None``: no department)."""


@dataclass(frozen=True)
class User:
    id: str
    tenant: str
    username: str
    display_name: str
    is_admin: bool
    department_id: str | None = None
    enterprise_id: str | None = None
    """Set for interconnect users (互联用户): the downstream enterprise they work for."""
    is_active: bool = True
    """False once deactivated: the user keeps their records but cannot log in, use a
    token or open a session (only the administrators' listings show them)."""

    @property
    def is_interconnect(self) -> bool:
        return self.enterprise_id is not None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def tenant_exists(conn: sa.Connection, tenant: str) -> bool:
    return conn.scalar(sa.select(tenants.c.name).where(tenants.c.name == tenant)) is not None


_known: weakref.WeakKeyDictionary[sa.Engine, set[str]] = weakref.WeakKeyDictionary()
_known_lock = threading.Lock()


def known_tenant(conn: sa.Connection, tenant: str) -> bool:
    """Whether ``tenant`` exists in the database of ``conn``, read from the directory once
    per process and database: tenants are never removed, so once seen it stays true. The
    arrival uses it so that its one statement never names the tables of a tenant that does
    not exist."""
    with _known_lock:
        seen = _known.setdefault(conn.engine, set())
        if tenant in seen:
            return True
    if not tenant_exists(conn, tenant):
        return False
    with _known_lock:
        seen.add(tenant)
    return True


def ensure_tenant(conn: sa.Connection, tenant: str) -> bool:
    """Create ``tenant`` with its own system tables (and, on PostgreSQL, its schema) and
    its ``admin`` user if it does not exist; True when created."""
    check_tenant_name(tenant)
    if tenant_exists(conn, tenant):
        return False
    conn.execute(tenants.insert().values(name=tenant, created_at=now()))
    create_tenant_tables(conn, tenant)
    add_user(conn, tenant, ADMIN, display_name="Administrator", is_admin=True)
    return True


def _unknown_tenant(tenant: str) -> NotFoundError:
    return NotFoundError(f"there is no tenant {tenant!r}", code="unknown_tenant",
                         hint=f"deploy a pack to it first: hulian deploy PATH --tenant {tenant}")


def require_tenant(conn: sa.Connection, tenant: str) -> None:
    check_tenant_name(tenant)
    if not tenant_exists(conn, tenant):
        raise _unknown_tenant(tenant)


def may_sign_in(tables: TenantTables) -> sa.ColumnElement[bool]:
    """The SQL condition on the tenant's ``hulian_users`` (of ``tables``) that a user may
    sign in: log in, use an API token or a login session, open a session (:func:`arrive`).
    The user is active and, for an interconnect user, so is their downstream enterprise (a
    deactivated enterprise's users come back with it)::

        sa.select(users.c.id).where(users.c.username == "buyer", may_sign_in(tables))
    """
    users, enterprises = tables.users, tables.enterprises
    enterprise_active = sa.exists().where(enterprises.c.id == users.c.enterprise_id,
                                          enterprises.c.is_active == sa.true())
    return sa.and_(users.c.is_active == sa.true(),
                   sa.or_(users.c.enterprise_id.is_(None), enterprise_active))


def signed_in_user(conn: sa.Connection, tenant: str, user_id: str) -> User | None:
    """The user whose id is ``user_id`` if they may sign in (:func:`may_sign_in`)."""
    if not storable(user_id):
        return None
    tables = tables_of(conn, tenant)
    users = tables.users
    row = conn.execute(sa.select(users).where(users.c.id == user_id,
                                              may_sign_in(tables))).first()
    return _user(row, tenant) if row else None


def people_changed(conn: sa.Connection, tenant: str) -> None:
    """Count a change to ``tenant``'s people (users, departments, role assignments,
    enterprises and their overrides), in the transaction making it: sessions that start
    afterwards read permissions again instead of reusing what they cached."""
    conn.execute(tenants.update().where(tenants.c.name == tenant)
                 .values(people_version=tenants.c.people_version + 1))


@dataclass(frozen=True)
class Department:
    id: str
    tenant: str
    name: str
    parent_id: str | None = None
    leader_id: str | None = None


def find_department(conn: sa.Connection, tenant: str, ref: str) -> Department | None:
    """The department with id or name ``ref``."""
    if not storable(ref):  # no name can hold it; PostgreSQL would refuse the query
        return None
    departments = tables_of(conn, tenant).departments
    row = conn.execute(sa.select(departments).where(
        sa.or_(departments.c.id == ref, departments.c.name == ref))).first()
    return Department(row.id, tenant, row.name, row.parent_id, row.leader_id) if row \
        else None


def require_department(conn: sa.Connection, tenant: str, ref: str) -> Department:
    found = find_department(conn, tenant, ref)
    if found is None:
        departments = tables_of(conn, tenant).departments
        names = sorted(conn.scalars(sa.select(departments.c.name)))
        raise NotFoundError(f"there is no department {ref!r} in tenant {tenant!r}",
                            code="unknown_department",
                            hint=f"departments: {', '.join(names)}" if names
                            else "create one: hulian department create NAME --tenant T")
    return found


def user_ref(conn: sa.Connection, tenant: str, ref: str, *, include_inactive: bool = False
             ) -> User:
    """The active user (any user, with ``include_inactive``) with id or username ``ref``."""
    found = user_by_id(conn, tenant, ref, include_inactive=include_inactive) or \
        find_user(conn, tenant, ref, include_inactive=include_inactive)
    if found is None:
        if not include_inactive:
            raise NotFoundError(f"there is no active user {ref!r} in tenant {tenant!r}",
                                code="unknown_user")
        raise NotFoundError(f"there is no user {ref!r} in tenant {tenant!r}",
                            code="unknown_user",
                            hint="list them, inactive ones too: hulian user list --all")
    return found


def set_leader(conn: sa.Connection, tenant: str, department: str, user: str | None) -> None:
    """Make ``user`` (id or username; None: nobody) the leader of ``department``."""
    found = require_department(conn, tenant, department)
    leader = user_ref(conn, tenant, user).id if user is not None else None
    departments = tables_of(conn, tenant).departments
    conn.execute(departments.update().where(departments.c.id == found.id)
                 .values(leader_id=leader))
    people_changed(conn, tenant)


@dataclass(frozen=True)
class DepartmentTree:
    """A tenant's departments read once: who leads what, what lies below and above."""

    names: dict[str, str]
    """name -> id"""
    parents: dict[str, str | None]
    leaders: dict[str, str | None]

    @classmethod
    def load(cls, conn: sa.Connection, tenant: str) -> DepartmentTree:
        departments = tables_of(conn, tenant).departments
        rows = conn.execute(sa.select(departments.c.id, departments.c.name,
                                      departments.c.parent_id, departments.c.leader_id)).all()
        return cls({name: id_ for id_, name, _, _ in rows},
                   {id_: parent for id_, _, parent, _ in rows},
                   {id_: leader for id_, _, _, leader in rows})

    def below(self, roots: set[str]) -> set[str]:
        """``roots`` and every department under them, at any depth."""
        children: dict[str | None, list[str]] = {}
        for child, parent in self.parents.items():
            children.setdefault(parent, []).append(child)
        found: set[str] = set()
        stack = list(roots)
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(children.get(current, ()))
        return found

    def above(self, department_id: str | None) -> set[str]:
        """``department_id`` and every department above it (empty for None)."""
        found: set[str] = set()
        current = department_id
        while current is not None and current not in found:
            found.add(current)
            current = self.parents.get(current)
        return found

    def led_by(self, user_id: str) -> set[str]:
        """The departments ``user_id`` leads, and all their descendants."""
        return self.below({d for d, leader in self.leaders.items() if leader == user_id})


def led_departments(conn: sa.Connection, tenant: str, user_id: str) -> set[str]:
    """The departments ``user_id`` leads, and all their descendants."""
    return DepartmentTree.load(conn, tenant).led_by(user_id)


def valid_name(name: object, longest: int = 200) -> bool:
    """Whether ``name`` can name a person, department or enterprise: text of 1 to
    ``longest`` characters, not blank, that both databases can store (no NUL, no lone
    surrogate: SQLite would keep them, PostgreSQL refuse them)."""
    return isinstance(name, str) and bool(name.strip()) and len(name) <= longest \
        and storable(name)


def shown_name(name: object) -> str:
    """``name`` for a message (cut short)."""
    text = repr(name)
    return text if len(text) <= 80 else text[:60] + "..."


def check_department_name(name: object) -> str:
    if not valid_name(name):
        raise HulianError(f"{shown_name(name)} is not a valid department name",
                          code="invalid_department", hint=NAME_HINT)
    assert isinstance(name, str)
    return name


def check_display_name(name: object) -> str:
    if not valid_name(name):
        raise HulianError(f"{shown_name(name)} is not a valid display name",
                          code="invalid_display_name", hint=NAME_HINT)
    assert isinstance(name, str)
    return name


def add_department(conn: sa.Connection, tenant: str, name: str,
                   parent: str | None = None, leader: str | None = None) -> Department:
    check_department_name(name)
    if find_department(conn, tenant, name) is not None:
        raise ConflictError(f"department {name!r} already exists in tenant {tenant!r}",
                            code="department_exists")
    parent_id = require_department(conn, tenant, parent).id if parent else None
    leader_id = user_ref(conn, tenant, leader).id if leader else None
    found = Department(new_id(), tenant, name, parent_id, leader_id)
    departments = tables_of(conn, tenant).departments
    conn.execute(departments.insert().values(id=found.id, name=name,
                                             parent_id=parent_id, leader_id=leader_id,
                                             created_at=now()))
    people_changed(conn, tenant)
    return found


def add_user(conn: sa.Connection, tenant: str, username: str, *, display_name: str | None = None,
             is_admin: bool = False, department: str | None = None,
             enterprise_id: str | None = None, roles: Iterable[str] | None = None) -> User:
    """Add an internal user, or an interconnect user of the enterprise ``enterprise_id``
    (which has no department and cannot be an admin). ``roles``: role api_names; an
    internal user gets the built-in ``member`` role when none are given."""
    if not valid_name(username, 80):
        raise HulianError(f"{shown_name(username)} is not a valid username",
                          code="invalid_username",
                          hint="use 1 to 80 characters, without NUL or lone surrogates")
    taken = find_user(conn, tenant, username, include_inactive=True)
    if taken is not None:
        raise HulianError(f"user {username!r} already exists in tenant {tenant!r}"
                          + ("" if taken.is_active else " (deactivated)"), code="user_exists",
                          hint=None if taken.is_active else
                          f"reactivate them: hulian user update {username} --activate")
    if display_name:
        check_display_name(display_name)
    if enterprise_id is not None and (department or is_admin):
        raise HulianError("an interconnect user has no department and cannot be an admin",
                          code="invalid_interconnect_user",
                          hint="give internal users departments; interconnect users get "
                               "interconnect roles")
    department_id = require_department(conn, tenant, department).id if department else None
    user = User(new_id(), tenant, username, display_name or username, is_admin, department_id,
                enterprise_id)
    tables = tables_of(conn, tenant)
    conn.execute(tables.users.insert().values(
        id=user.id, username=username, display_name=user.display_name,
        is_active=True, is_admin=is_admin, department_id=department_id,
        enterprise_id=enterprise_id, created_at=now(),
    ))
    if roles is None:
        roles = () if enterprise_id is not None else (MEMBER,)
    grants = tables.user_roles
    for role in sorted(set(roles)):
        conn.execute(grants.insert().values(user_id=user.id, role=role))
    people_changed(conn, tenant)
    return user


def list_users(conn: sa.Connection, tenant: str, *, enterprise_id: str | None = None,
               include_inactive: bool = False) -> list[User]:
    """The tenant's active users (all, with ``include_inactive``) by username (only those
    of one enterprise when given)."""
    users = tables_of(conn, tenant).users
    query = sa.select(users)
    if not include_inactive:
        query = query.where(users.c.is_active == sa.true())
    if enterprise_id is not None:
        query = query.where(users.c.enterprise_id == enterprise_id)
    return [_user(row, tenant) for row in conn.execute(query.order_by(users.c.username))]


def _user(row: Any, tenant: str) -> User:
    return User(row.id, tenant, row.username, row.display_name, row.is_admin,
                row.department_id, row.enterprise_id, row.is_active)


def _one_user(users: sa.Table, match: Any, include_inactive: bool) -> sa.Select:
    query = sa.select(users).where(match)
    return query if include_inactive else query.where(users.c.is_active == sa.true())


def find_user(conn: sa.Connection, tenant: str, username: str, *,
              include_inactive: bool = False) -> User | None:
    """The active user (any user, with ``include_inactive``) called ``username``."""
    if not storable(username):
        return None
    users = tables_of(conn, tenant).users
    row = conn.execute(_one_user(users, users.c.username == username,
                                 include_inactive)).first()
    return _user(row, tenant) if row else None


def user_by_id(conn: sa.Connection, tenant: str, user_id: str, *,
               include_inactive: bool = False) -> User | None:
    """The active user (any user, with ``include_inactive``) whose id is ``user_id``."""
    if not storable(user_id):
        return None
    users = tables_of(conn, tenant).users
    row = conn.execute(_one_user(users, users.c.id == user_id, include_inactive)).first()
    return _user(row, tenant) if row else None


def _unknown_user(username: str, tenant: str) -> NotFoundError:
    return NotFoundError(f"there is no active user {username!r} in tenant {tenant!r}",
                         code="unknown_user", hint=f"every tenant starts with the user {ADMIN!r}")


def require_user(conn: sa.Connection, tenant: str, username: str) -> User:
    user = find_user(conn, tenant, username)
    if user is None:
        raise _unknown_user(username, tenant)
    return user
