"""Administering a tenant's people: users (internal and interconnect), departments,
downstream enterprises, role assignments, and others' passwords and API tokens.

``engine.people(tenant, actor=SYSTEM)`` gives a :class:`PeopleAdmin` bound to the tenant and
the actor (:mod:`hulian.engine.actor`; a user must administer the tenant):

>>> staff = eng.people("acme")                                  # doctest: +SKIP
>>> staff.create_enterprise("Dealer A", partner_manager="wang")
>>> staff.create_user("buyer.a", enterprise="Dealer A", roles=["dealer_buyer"])
>>> staff.update_user("buyer.a", active=False)   # left the dealer

Every method is one transaction; a refused change changes nothing. Roles are metadata
(``roles/*.json`` of the deployed packs) plus the built-in internal roles ``admin`` and
``member``; assigning a role the tenant does not have, or of the wrong kind for the user,
is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.accounts import set_password
from hulian.engine.actor import Actor
from hulian.engine.database import reading
from hulian.engine.errors import HulianError, NotFoundError
from hulian.engine.system import enterprises, passwords, people, people_updates, roles, tokens
from hulian.engine.system.enterprises import Enterprise
from hulian.engine.system.people import UNSET, Unset
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.hints import choices_hint
from hulian.metadata.model import BUILTIN_ROLES, Pack

if TYPE_CHECKING:
    from hulian.engine.engine import Engine


def deployed_pack(engine: Engine, conn: sa.Connection, tenant: str) -> Pack | None:
    """The tenant's effective metadata (None: nothing deployed yet)."""
    from hulian.engine.deploy import versions

    if versions.newest(conn, tenant) is None:
        return None
    return engine.schema(conn, tenant).pack


def admin_roles(engine: Engine, conn: sa.Connection, tenant: str) -> set[str]:
    """The roles that make an internal user an administrator of ``tenant``."""
    pack = deployed_pack(engine, conn, tenant)
    return {people.ADMIN, *(r.api_name for r in (pack.roles if pack else ())
                            if r.admin and r.kind == "internal")}


def setup_roles(engine: Engine, conn: sa.Connection, tenant: str) -> set[str]:
    """The roles whose internal users administer ``tenant``'s metadata and people: the
    admin roles and the roles with the functional permission ``"setup": true``."""
    pack = deployed_pack(engine, conn, tenant)
    return admin_roles(engine, conn, tenant) | {
        r.api_name for r in (pack.roles if pack else ()) if r.setup and r.kind == "internal"}


class PeopleAdmin:
    """One tenant's people, administered by ``actor``. Every method is one transaction."""

    def __init__(self, engine: Engine, tenant: str, actor: Actor):
        self.engine = engine
        self.tenant = tenant
        self.actor = actor
        self.db = engine.db

    def _deployed_pack(self, conn: sa.Connection, tenant: str) -> Pack | None:
        return deployed_pack(self.engine, conn, tenant)

    def _check_roles(self, conn: sa.Connection, tenant: str, user_kind: str,
                     names: Iterable[str]) -> list[str]:
        pack = self._deployed_pack(conn, tenant)
        kinds = {name: "internal" for name in BUILTIN_ROLES}
        if pack is not None:
            kinds.update({r.api_name: r.kind for r in pack.roles})
        wanted = sorted(set(names))
        for name in wanted:
            if kinds.get(name) != user_kind:
                fitting = sorted(n for n, k in kinds.items() if k == user_kind)
                what = "an interconnect" if user_kind == "interconnect" else "an internal"
                raise HulianError(
                    f"{name!r} is not a role {what} user can have in tenant {tenant!r}",
                    code="unknown_role",
                    hint=choices_hint(str(name), fitting, "roles",
                                      none="deploy roles/*.json in a pack first"))
        return wanted

    def _admin_roles(self, conn: sa.Connection, tenant: str) -> set[str]:
        return admin_roles(self.engine, conn, tenant)

    def roles(self) -> list[dict[str, Any]]:
        """The tenant's roles: api_name, kind, admin, label (the built-in ones first)."""
        tenant = self.tenant
        with reading(self.db) as conn:
            people.require_tenant(conn, tenant)
            pack = self._deployed_pack(conn, tenant)
        found = [{"api_name": "admin", "kind": "internal", "admin": True,
                  "label": {"zh": "管理员", "en": "Administrator"}},
                 {"api_name": "member", "kind": "internal", "admin": False,
                  "label": {"zh": "成员", "en": "Member"}}]
        for role in pack.roles if pack is not None else ():
            found.append({"api_name": role.api_name, "kind": role.kind, "admin": role.admin,
                          "label": dict(role.label)})
        return found

    def create_user(self, username: str, *, display_name: str | None = None,
                    is_admin: bool = False, department: str | None = None,
                    enterprise: str | None = None, roles: Iterable[str] | None = None,
                    password: str | None = None) -> people.User:
        """Add a user. Internal: ``department`` (id or name), ``roles`` (default
        ``member``). Interconnect: ``enterprise`` (a downstream enterprise's id or name)
        and interconnect ``roles`` (default none). ``password``: an initial password,
        checked by the policy first (PasswordPolicyError), stored in the same transaction,
        so a refused one leaves no user behind."""
        tenant = self.tenant
        hashed = None
        if password is not None:
            passwords.check_policy(password, username)
            hashed = passwords.hash_password(password)
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            company = enterprises.require_enterprise(conn, tenant, enterprise) \
                if enterprise is not None else None
            kind = "interconnect" if company is not None else "internal"
            names = self._check_roles(conn, tenant, kind, roles) if roles is not None else None
            user = people.add_user(conn, tenant, username, display_name=display_name,
                                   is_admin=is_admin, department=department,
                                   enterprise_id=company.id if company else None, roles=names)
            if hashed is not None:
                users = tables_of(conn, tenant).users
                conn.execute(users.update().where(users.c.id == user.id)
                             .values(password_hash=hashed))
            return user

    def users(self, *, enterprise: str | None = None,
              include_inactive: bool = False) -> list[people.User]:
        """The tenant's active users (all, with ``include_inactive``; ``User.is_active``
        tells), by username; only one downstream enterprise's when given."""
        tenant = self.tenant
        with reading(self.db) as conn:
            people.require_tenant(conn, tenant)
            company = enterprises.require_enterprise(
                conn, tenant, enterprise, include_inactive=include_inactive) \
                if enterprise is not None else None
            return people.list_users(conn, tenant, enterprise_id=company.id if company else None,
                                     include_inactive=include_inactive)

    def update_user(self, user: str, *, display_name: str | Unset = UNSET,
                    department: str | Unset | None = UNSET, active: bool | Unset = UNSET,
                    now: dt.datetime | None = None) -> people.User:
        """Change ``user`` (id or username; an inactive user too); what is not given stays.

        ``department``: a department's id or name, None for none (an interconnect user has
        none: ``invalid_interconnect_user``). ``active=False`` deactivates: the user keeps
        their records and ownership, their login sessions end, their API tokens stop
        working (until reactivated) and they cannot log in or open a session. Refused for
        the tenant's last active administrator (ConflictError ``last_admin``) and for the
        partner manager of an active enterprise (``partner_manager_in_use``).
        ``active=True`` reactivates."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            return people_updates.update_user(
                conn, tenant, user, display_name=display_name, department=department,
                active=active, admin_roles=self._admin_roles(conn, tenant),
                now=now or people.now())

    def user_roles(self, user: str) -> list[str]:
        """The roles of ``user`` (id or username; an inactive user too), sorted."""
        tenant = self.tenant
        with reading(self.db) as conn:
            people.require_tenant(conn, tenant)
            found = people.user_ref(conn, tenant, user, include_inactive=True)
            return sorted(roles.roles_of(conn, tenant, found.id))

    def grant_roles(self, user: str, names: Iterable[str]) -> list[str]:
        """Give ``user`` (id or username) more roles; returns all their roles."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            found = people.user_ref(conn, tenant, user)
            kind = "interconnect" if found.is_interconnect else "internal"
            roles.grant(conn, tenant, found.id, self._check_roles(conn, tenant, kind, names))
            return sorted(roles.roles_of(conn, tenant, found.id))

    def revoke_roles(self, user: str, names: Iterable[str]) -> list[str]:
        """Take roles away from ``user``; returns the roles left."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            found = people.user_ref(conn, tenant, user)
            roles.revoke(conn, tenant, found.id, names)
            return sorted(roles.roles_of(conn, tenant, found.id))

    def set_roles(self, user: str, names: Iterable[str]) -> list[str]:
        """Make ``names`` the roles of ``user`` (id or username): the missing ones granted
        (each checked first), the others taken away, in one transaction; their roles."""
        tenant = self.tenant
        wanted = set(names)
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            found = people.user_ref(conn, tenant, user)
            kind = "interconnect" if found.is_interconnect else "internal"
            current = roles.roles_of(conn, tenant, found.id)
            missing = self._check_roles(conn, tenant, kind, sorted(wanted - current))
            if missing:
                roles.grant(conn, tenant, found.id, missing)
            if current - wanted:
                roles.revoke(conn, tenant, found.id, sorted(current - wanted))
            return sorted(roles.roles_of(conn, tenant, found.id))

    def create_department(self, name: str, *, parent: str | None = None,
                          leader: str | None = None) -> people.Department:
        """Add a department (``parent``: another department's id or name; ``leader``: a
        user's id or username)."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            return people.add_department(conn, tenant, name, parent, leader)

    def update_department(self, department: str, *, name: str | Unset = UNSET,
                          parent: str | Unset | None = UNSET) -> people.Department:
        """Rename ``department`` (id or name; ``department_exists`` when taken) or move it
        under ``parent`` (None: to the top; under itself or a department below it is
        ``department_cycle``). Its people, leader and records stay."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            return people_updates.update_department(conn, tenant, department, name=name,
                                                    parent=parent)

    def sharing_rules_naming(self, kind: str, name: str) -> list[str]:
        """The sharing rules of the deployed metadata that name the department or enterprise
        (``kind``) ``name`` in ``share_with`` or ``owned_by``, as ``Object.rule``. Rules
        name departments and enterprises, which are data: after a rename such a rule
        shares nothing until the metadata says the new name (e.g. an overlay's
        ``sharing_rule_overrides``), so renaming tools warn with this list."""
        tenant = self.tenant
        with reading(self.db) as conn:
            people.require_tenant(conn, tenant)
            pack = self._deployed_pack(conn, tenant)
        if pack is None:
            return []
        return [f"{obj.api_name}.{rule.api_name}" for obj in pack.objects
                for rule in obj.sharing_rules
                if rule.share_with.get(kind) == name
                or (rule.owned_by is not None and rule.owned_by.get(kind) == name)]

    def departments(self) -> list[people.Department]:
        """The tenant's departments, by name."""
        tenant = self.tenant
        with reading(self.db) as conn:
            people.require_tenant(conn, tenant)
            table = tables_of(conn, tenant).departments
            rows = conn.execute(sa.select(table).order_by(table.c.name))
            return [people.Department(r.id, tenant, r.name, r.parent_id, r.leader_id)
                    for r in rows]

    def set_department_leader(self, department: str, user: str | None) -> None:
        """Make ``user`` (id or username; None: nobody) the leader of ``department``."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            people.set_leader(conn, tenant, department, user)

    def create_enterprise(self, name: str, *, partner_manager: str
                          ) -> Enterprise:
        """Add a downstream enterprise (互联企业) whose partner manager (对接人) is the
        internal user ``partner_manager`` (id or username)."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            return enterprises.add_enterprise(conn, tenant, name, partner_manager)

    def enterprises(self, *, include_inactive: bool = False) -> list[Enterprise]:
        """The active downstream enterprises (all, with ``include_inactive``), by name."""
        tenant = self.tenant
        with reading(self.db) as conn:
            people.require_tenant(conn, tenant)
            return enterprises.list_enterprises(conn, tenant, include_inactive=include_inactive)

    def update_enterprise(self, enterprise: str, *, name: str | Unset = UNSET,
                          active: bool | Unset = UNSET, partner_manager: str | Unset = UNSET,
                          now: dt.datetime | None = None) -> Enterprise:
        """Rename ``enterprise`` (id or name; an inactive one too; ``enterprise_exists``
        when taken), deactivate (``active=False``: its users are locked out of every record
        and their login sessions end; they and their records stay) or reactivate it, or give
        it another ``partner_manager``; what is not given stays."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            return enterprises.update_enterprise(conn, tenant, enterprise, name=name,
                                                 active=active, partner_manager=partner_manager,
                                                 now=now or people.now())

    def set_partner_manager(self, enterprise: str, user: str) -> None:
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            enterprises.set_partner_manager(conn, tenant, enterprise, user)

    def set_enterprise_permission(self, enterprise: str, object_name: str,
                                  level: str | None) -> None:
        """Override ``object_name``'s external data permission for one downstream enterprise
        (None: back to the object's ``data_permission.external``)."""
        tenant = self.tenant
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            pack = self._deployed_pack(conn, tenant)
            if pack is None or pack.object(object_name) is None:
                names = [o.api_name for o in pack.objects] if pack is not None else []
                raise NotFoundError(f"there is no object {object_name!r}",
                                    code="unknown_object",
                                    hint=choices_hint(object_name, names, "objects"))
            enterprises.set_level(conn, tenant, enterprise, object_name, level)

    def enterprise_permissions(self, enterprise: str) -> dict[str, str]:
        tenant = self.tenant
        with reading(self.db) as conn:
            people.require_tenant(conn, tenant)
            found = enterprises.require_enterprise(conn, tenant, enterprise)
            return enterprises.levels(conn, tenant, found.id)

    # -- others' passwords and tokens ---------------------------------------------------------

    def set_password(self, user: str | people.User, password: str, *,
                     now: dt.datetime | None = None) -> None:
        """Give ``user`` a new password without asking for the old one
        (:func:`hulian.engine.accounts.set_password`)."""
        set_password(self.db, self.tenant, user, password, now=now)

    def create_token(self, user: str, *, label: str | None = None,
                     expires_at: dt.datetime | None = None) -> str:
        """A new API token for ``user``; shown once, stored hashed."""
        with self.db.begin() as conn:
            people.require_tenant(conn, self.tenant)
            found = people.require_user(conn, self.tenant, user)
            return tokens.create_token(conn, found, label=label, expires_at=expires_at)
