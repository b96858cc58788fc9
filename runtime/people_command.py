"""``hulian enterprise create|list|permission``, ``hulian user list|roles`` and
``hulian role list``: downstream enterprises, users and their roles.

``hulian user create`` (in :mod:`hulian.runtime.cli`) takes ``--enterprise`` and
``--role`` too: with ``--enterprise`` the user is an interconnect user of that
downstream enterprise.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from hulian.engine import Engine, HulianError, User
from hulian.metadata.jsontext import dumps
from hulian.metadata.model import EXTERNAL_DATA_PERMISSIONS, label_text

__all__ = ["add_people_commands", "add_user_create_options"]


def _usernames(engine: Engine, tenant: str) -> dict[str, str]:
    return {u.id: u.username for u in engine.users(tenant)}


def cmd_enterprise_create(args: argparse.Namespace) -> int:
    engine = Engine(args.db)
    try:
        found = engine.create_enterprise(args.tenant, args.name,
                                         partner_manager=args.partner_manager)
    finally:
        engine.close()
    print(f"created enterprise {found.name} ({found.id}) in tenant {found.tenant}")
    return 0


def cmd_enterprise_list(args: argparse.Namespace) -> int:
    engine = Engine(args.db)
    try:
        found = engine.enterprises(args.tenant)
        names = _usernames(engine, args.tenant)
        levels = {e.id: engine.enterprise_permissions(args.tenant, e.id) for e in found}
    finally:
        engine.close()
    if args.format == "json":
        print(dumps({"enterprises": [
            {"id": e.id, "name": e.name, "partner_manager_id": e.partner_manager_id,
             "partner_manager": names.get(e.partner_manager_id), "permissions": levels[e.id]}
            for e in found]}, indent=2))
        return 0
    for e in found:
        print(f"{e.name}  {e.id}  partner manager: "
              f"{names.get(e.partner_manager_id, e.partner_manager_id)}")
        for object_name, level in sorted(levels[e.id].items()):
            print(f"    {object_name}: {level}")
    if not found:
        print(f"tenant {args.tenant} has no downstream enterprises")
    return 0


def cmd_enterprise_permission(args: argparse.Namespace) -> int:
    if (args.level is None) == (not args.clear):
        raise HulianError("give either a LEVEL or --clear", code="invalid_parameter",
                          hint="levels: " + ", ".join(EXTERNAL_DATA_PERMISSIONS))
    engine = Engine(args.db)
    try:
        engine.set_enterprise_permission(args.tenant, args.enterprise, args.object,
                                         None if args.clear else args.level)
    finally:
        engine.close()
    if args.clear:
        print(f"{args.enterprise}: {args.object} follows the object's own external data "
              "permission again")
    else:
        print(f"{args.enterprise}: {args.object} is {args.level} (overriding the object's "
              "external data permission)")
    return 0


def _user_line(user: User, roles: list[str], enterprises: dict[str, str],
               departments: dict[str, str]) -> str:
    parts = [user.username, user.id]
    if user.display_name != user.username:
        parts.append(repr(user.display_name))
    if user.is_admin:
        parts.append("admin")
    if user.enterprise_id:
        parts.append(f"enterprise: {enterprises.get(user.enterprise_id, user.enterprise_id)}")
    if user.department_id:
        parts.append(f"department: {departments.get(user.department_id, user.department_id)}")
    parts.append(f"roles: {', '.join(roles) or 'none'}")
    return "  ".join(parts)


def cmd_user_list(args: argparse.Namespace) -> int:
    engine = Engine(args.db)
    try:
        found = engine.users(args.tenant, enterprise=args.enterprise)
        roles = {u.id: engine.user_roles(args.tenant, u.id) for u in found}
        enterprises = {e.id: e.name for e in engine.enterprises(args.tenant)}
        departments = {d.id: d.name for d in engine.departments(args.tenant)}
    finally:
        engine.close()
    if args.format == "json":
        print(dumps({"users": [
            {"id": u.id, "username": u.username, "display_name": u.display_name,
             "is_admin": u.is_admin, "department_id": u.department_id,
             "enterprise_id": u.enterprise_id, "roles": roles[u.id]} for u in found]},
            indent=2))
        return 0
    for user in found:
        print(_user_line(user, roles[user.id], enterprises, departments))
    return 0


def cmd_user_roles(args: argparse.Namespace) -> int:
    both = sorted(set(args.grant) & set(args.revoke))
    if both:
        raise HulianError(f"{', '.join(both)} both granted and revoked",
                          code="invalid_parameter", hint="name each role once")
    engine = Engine(args.db)
    try:
        roles = engine.user_roles(args.tenant, args.username)
        if args.grant:
            roles = engine.grant_roles(args.tenant, args.username, args.grant)
        if args.revoke:
            roles = engine.revoke_roles(args.tenant, args.username, args.revoke)
    finally:
        engine.close()
    print(f"{args.username}: {', '.join(roles) or 'no roles'}")
    return 0


def cmd_role_list(args: argparse.Namespace) -> int:
    engine = Engine(args.db)
    try:
        found = engine.roles(args.tenant)
    finally:
        engine.close()
    if args.format == "json":
        print(dumps({"roles": found}, indent=2))
        return 0
    for role in found:
        admin = "  admin" if role["admin"] else ""
        print(f"{role['api_name']}  {role['kind']}{admin}  {label_text(role['label'])}")
    return 0


def add_user_create_options(p: argparse.ArgumentParser) -> None:
    """``--enterprise`` and ``--role`` of ``hulian user create``."""
    p.add_argument("--enterprise", help="a downstream enterprise (name or id): the user is "
                                        "one of its interconnect users")
    p.add_argument("--role", dest="roles", action="append", metavar="ROLE",
                   help="a role to give (repeatable; default: member for internal users, "
                        "none for interconnect users)")


def _tenant(p: argparse.ArgumentParser, db_option: Callable[[argparse.ArgumentParser], None],
            *, output_format: bool = False) -> None:
    db_option(p)
    p.add_argument("--tenant", required=True)
    if output_format:
        p.add_argument("--format", choices=("text", "json"), default="text")


def add_people_commands(commands: Any, user: Any,
                        db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    """``enterprise`` and ``role`` under ``commands``; ``list`` and ``roles`` under the
    ``user`` sub-commands."""
    enterprise = commands.add_parser("enterprise", help="downstream enterprises (互联企业)"
                                     ).add_subparsers(dest="action", required=True,
                                                      metavar="ACTION")
    p = enterprise.add_parser("create", help="add a downstream enterprise")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--partner-manager", required=True, metavar="USER",
                   help="the internal user (对接人) who owns upstream what its users create")
    _tenant(p, db_option)
    p.set_defaults(handler=cmd_enterprise_create)
    p = enterprise.add_parser("list", help="the downstream enterprises and their "
                                           "data permission overrides")
    _tenant(p, db_option, output_format=True)
    p.set_defaults(handler=cmd_enterprise_list)
    p = enterprise.add_parser("permission", help="override an object's external data "
                                                 "permission for one enterprise")
    p.add_argument("enterprise", metavar="ENTERPRISE", help="the enterprise's name or id")
    p.add_argument("object", metavar="OBJECT")
    p.add_argument("level", metavar="LEVEL", nargs="?",
                   help="one of " + ", ".join(EXTERNAL_DATA_PERMISSIONS))
    p.add_argument("--clear", action="store_true",
                   help="drop the override: back to the object's own level")
    _tenant(p, db_option)
    p.set_defaults(handler=cmd_enterprise_permission)

    p = user.add_parser("list", help="the tenant's active users and their roles")
    p.add_argument("--enterprise", help="only this downstream enterprise's users")
    _tenant(p, db_option, output_format=True)
    p.set_defaults(handler=cmd_user_list)
    p = user.add_parser("roles", help="show, grant and revoke a user's roles")
    p.add_argument("username", metavar="USER")
    p.add_argument("--grant", nargs="+", action="extend", default=[], metavar="ROLE",
                   help="roles to give (all checked first)")
    p.add_argument("--revoke", nargs="+", action="extend", default=[], metavar="ROLE",
                   help="roles to take away")
    _tenant(p, db_option)
    p.set_defaults(handler=cmd_user_roles)

    role = commands.add_parser("role", help="roles").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = role.add_parser("list", help="the tenant's roles: built-in and from its packs")
    _tenant(p, db_option, output_format=True)
    p.set_defaults(handler=cmd_role_list)
