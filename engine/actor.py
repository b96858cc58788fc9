"""Who is acting on a tenant's metadata or people: a user, checked to be one of its
administrators, or hulian itself.

The administration facades (:class:`~hulian.engine.admin.MetadataAdmin`,
:class:`~hulian.engine.people_api.PeopleAdmin`) carry their actor, and check it inside the
engine, so no caller (REST, the coming UIs, flows) can forget to:

>>> engine.people("acme", actor=rep)                 # doctest: +SKIP
Traceback (most recent call last):
PermissionDenied: only an administrator of the tenant may do this (admin_required)
>>> engine.people("acme").create_user("mei")         # the system: the CLI, scripts
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from hulian.engine.errors import PermissionDenied
from hulian.engine.system import people, roles

__all__ = ["SYSTEM", "Actor", "System", "actor_name", "is_admin", "require_admin"]


@dataclass(frozen=True)
class System:
    """hulian itself (the CLI, deploy scripts, tests, background work): acts without
    permission checks, recorded in histories as :attr:`name`."""

    name: str = "system"


SYSTEM = System()
Actor = people.User | System


def actor_name(actor: Actor) -> str:
    """What histories record: the username, or the system's name."""
    return actor.username if isinstance(actor, people.User) else actor.name


def is_admin(conn: sa.Connection, user: people.User, admin_roles: set[str]) -> bool:
    """Whether ``user`` administers their tenant: ``is_admin``, or an internal user with
    one of ``admin_roles`` (``admin`` and the metadata's roles with ``"admin": true``)."""
    if user.is_admin:
        return True
    if user.is_interconnect:
        return False
    return bool(roles.roles_of(conn, user.tenant, user.id) & admin_roles)


def admin_required() -> PermissionDenied:
    return PermissionDenied("only an administrator of the tenant may do this",
                            code="admin_required",
                            hint='ask an administrator, or for a role with "admin": true')


def require_admin(conn: sa.Connection, actor: Actor, tenant: str,
                  admin_roles: set[str]) -> None:
    """PermissionDenied ``admin_required`` unless ``actor`` is the system or an active
    administrator of ``tenant``."""
    if isinstance(actor, System):
        return
    if actor.tenant != tenant:
        raise admin_required()
    current = people.signed_in_user(conn, tenant, actor.id)
    if current is None or not is_admin(conn, current, admin_roles):
        raise admin_required()
