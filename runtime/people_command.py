"""``hulian enterprise create|list|update|permission``, ``hulian user
list|update|roles``, ``hulian department update`` and ``hulian role list``: downstream
enterprises, users, departments and roles.

``hulian user create`` (in :mod:`hulian.runtime.cli`) takes ``--enterprise`` and
``--role`` too: with ``--enterprise`` the user is an interconnect user of that
downstream enterprise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from hulian.engine import Engine, HulianError, User
from hulian.engine.system.people import UNSET
from hulian.metadata.jsontext import dumps
from hulian.metadata.model import EXTERNAL_DATA_PERMISSIONS, label_text

__all__ = ["add_department_update_command", "add_people_commands", "add_user_create_options"]


def _usernames(engine: Engine, tenant: str) -> dict[str, str]:
    return {u.id: u.username for u in engine.people(tenant).users(include_inactive=True)}


def _changes(flags: str, **given: Any) -> dict[str, Any]:
    """The keyword arguments of an ``update_*`` call: those given, i.e. not UNSET (see
    :func:`_option` and :func:`_given_or_none`); refused when there are none."""
    found = {k: v for k, v in given.items() if v is not UNSET}
    if not found:
        raise HulianError("nothing to change", code="invalid_parameter",
                          hint=f"give at least one of {flags}")
    return found


def _option(value: Any) -> Any:
    return UNSET if value is None else value


def _given_or_none(value: str | None, none: bool) -> Any:
    """An option that names something (``--parent P``) or its "none" flag (``--root``)."""
    return None if none else _option(value)


def _state(active: bool) -> str:
    return "active" if active else "inactive"


def cmd_enterprise_create(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        found = engine.people(args.tenant).create_enterprise(args.name,
                                         partner_manager=args.partner_manager)
    print(f"created enterprise {found.name} ({found.id}) in tenant {found.tenant}")
    return 0


def cmd_enterprise_list(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        found = engine.people(args.tenant).enterprises(include_inactive=args.all)
        names = _usernames(engine, args.tenant)
        levels = {e.id: engine.people(args.tenant).enterprise_permissions(e.id)
                  for e in found if e.is_active}
    if args.format == "json":
        print(dumps({"enterprises": [
            {"id": e.id, "name": e.name, "is_active": e.is_active,
             "partner_manager_id": e.partner_manager_id,
             "partner_manager": names.get(e.partner_manager_id),
             "permissions": levels.get(e.id, {})}
            for e in found]}, indent=2))
        return 0
    for e in found:
        print(f"{e.name}  {e.id}  partner manager: "
              f"{names.get(e.partner_manager_id, e.partner_manager_id)}"
              + ("" if e.is_active else "  inactive"))
        for object_name, level in sorted(levels.get(e.id, {}).items()):
            print(f"    {object_name}: {level}")
    if not found:
        print(f"tenant {args.tenant} has no downstream enterprises")
    return 0


def _warn_renamed(engine: Engine, tenant: str, kind: str, old: str | None, new: str) -> None:
    """Warn (standard error) about sharing rules that still name the ``old`` name."""
    if old is None or old == new:
        return
    for rule in engine.people(tenant).sharing_rules_naming(kind, old):
        print(f"warning: sharing rule {rule} names the {kind} {old!r}: it shares nothing "
              f"until it names {new!r} (change it in the tenant's overlay: "
              "sharing_rule_overrides)", file=sys.stderr)


def cmd_enterprise_update(args: argparse.Namespace) -> int:
    changes = _changes("--rename, --partner-manager, --deactivate, --activate",
                       name=_option(args.rename),
                       partner_manager=_option(args.partner_manager),
                       active=_option(args.active))
    with Engine(args.db) as engine:
        staff = engine.people(args.tenant)
        before = {e.id: e.name for e in staff.enterprises(include_inactive=True)}
        found = engine.people(args.tenant).update_enterprise(args.enterprise, **changes)
        manager = _usernames(engine, args.tenant).get(found.partner_manager_id)
        _warn_renamed(engine, args.tenant, "enterprise", before.get(found.id), found.name)
    print(f"updated enterprise {found.name} ({found.id}): partner manager {manager}, "
          f"{_state(found.is_active)}")
    return 0


def cmd_enterprise_permission(args: argparse.Namespace) -> int:
    if (args.level is None) == (not args.clear):
        raise HulianError("give either a LEVEL or --clear", code="invalid_parameter",
                          hint="levels: " + ", ".join(EXTERNAL_DATA_PERMISSIONS))
    with Engine(args.db) as engine:
        engine.people(args.tenant).set_enterprise_permission(args.enterprise, args.object,
                                         None if args.clear else args.level)
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
    if not user.is_active:
        parts.append("inactive")
    if user.enterprise_id:
        parts.append(f"enterprise: {enterprises.get(user.enterprise_id, user.enterprise_id)}")
    if user.department_id:
        parts.append(f"department: {departments.get(user.department_id, user.department_id)}")
    parts.append(f"roles: {', '.join(roles) or 'none'}")
    return "  ".join(parts)


def cmd_user_list(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        found = engine.people(args.tenant).users(enterprise=args.enterprise,
                                                 include_inactive=args.all)
        roles = {u.id: engine.people(args.tenant).user_roles(u.id) for u in found}
        enterprises = {e.id: e.name
                       for e in engine.people(args.tenant).enterprises(include_inactive=True)}
        departments = {d.id: d.name for d in engine.people(args.tenant).departments()}
    if args.format == "json":
        print(dumps({"users": [
            {"id": u.id, "username": u.username, "display_name": u.display_name,
             "is_active": u.is_active, "is_admin": u.is_admin,
             "department_id": u.department_id, "enterprise_id": u.enterprise_id,
             "roles": roles[u.id]} for u in found]}, indent=2))
        return 0
    for user in found:
        print(_user_line(user, roles[user.id], enterprises, departments))
    return 0


def cmd_user_update(args: argparse.Namespace) -> int:
    changes = _changes("--display-name, --department, --no-department, --deactivate, "
                       "--activate", display_name=_option(args.display_name),
                       active=_option(args.active),
                       department=_given_or_none(args.department, args.no_department))
    with Engine(args.db) as engine:
        user = engine.people(args.tenant).update_user(args.username, **changes)
        departments = {d.id: d.name for d in engine.people(args.tenant).departments()}
    where = departments.get(user.department_id, user.department_id) \
        if user.department_id else "none"
    print(f"updated user {user.username} ({user.id}): display name {user.display_name!r}, "
          f"department {where}, {_state(user.is_active)}")
    return 0


def cmd_department_update(args: argparse.Namespace) -> int:
    changes = _changes("--rename, --parent, --root", name=_option(args.rename),
                       parent=_given_or_none(args.parent, args.root))
    with Engine(args.db) as engine:
        before = {d.id: d.name for d in engine.people(args.tenant).departments()}
        found = engine.people(args.tenant).update_department(args.department, **changes)
        names = {d.id: d.name for d in engine.people(args.tenant).departments()}
        _warn_renamed(engine, args.tenant, "department", before.get(found.id), found.name)
    where = f"under {names.get(found.parent_id, found.parent_id)}" if found.parent_id \
        else "at the top"
    print(f"updated department {found.name} ({found.id}): {where}")
    return 0


def cmd_user_roles(args: argparse.Namespace) -> int:
    both = sorted(set(args.grant) & set(args.revoke))
    if both:
        raise HulianError(f"{', '.join(both)} both granted and revoked",
                          code="invalid_parameter", hint="name each role once")
    with Engine(args.db) as engine:
        roles = engine.people(args.tenant).user_roles(args.username)
        if args.grant:
            roles = engine.people(args.tenant).grant_roles(args.username, args.grant)
        if args.revoke:
            roles = engine.people(args.tenant).revoke_roles(args.username, args.revoke)
    print(f"{args.username}: {', '.join(roles) or 'no roles'}")
    return 0


def cmd_role_list(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        found = engine.people(args.tenant).roles()
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


def _active_options(p: argparse.ArgumentParser, deactivating: str) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--deactivate", dest="active", action="store_const", const=False,
                       help=deactivating)
    group.add_argument("--activate", dest="active", action="store_const", const=True,
                       help="reactivate")


def add_department_update_command(department: Any, db_option: Callable[
        [argparse.ArgumentParser], None]) -> None:
    """``update`` under the ``department`` sub-commands."""
    p = department.add_parser("update", help="rename a department or move it under another")
    p.add_argument("department", metavar="NAME", help="the department's name or id")
    p.add_argument("--rename", metavar="NEW_NAME")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--parent", metavar="P", help="move under this department (name or id)")
    where.add_argument("--root", action="store_true", help="move to the top")
    _tenant(p, db_option)
    p.set_defaults(handler=cmd_department_update)


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
    p.add_argument("--all", action="store_true", help="deactivated enterprises too")
    _tenant(p, db_option, output_format=True)
    p.set_defaults(handler=cmd_enterprise_list)
    p = enterprise.add_parser("update", help="rename, deactivate or reactivate an enterprise, "
                                             "or give it another partner manager")
    p.add_argument("enterprise", metavar="NAME", help="the enterprise's name or id")
    p.add_argument("--rename", metavar="NEW_NAME")
    p.add_argument("--partner-manager", metavar="USER", help="another internal user (对接人)")
    _active_options(p, "its users are locked out of every record and their login "
                       "sessions end")
    _tenant(p, db_option)
    p.set_defaults(handler=cmd_enterprise_update)
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
    p.add_argument("--all", action="store_true", help="deactivated users too")
    _tenant(p, db_option, output_format=True)
    p.set_defaults(handler=cmd_user_list)
    p = user.add_parser("update", help="change a user's display name or department, "
                                       "deactivate or reactivate them")
    p.add_argument("username", metavar="USER", help="a username or id (an inactive user too)")
    p.add_argument("--display-name", metavar="NAME")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--department", metavar="D", help="move to this department (name or id)")
    where.add_argument("--no-department", action="store_true", help="take out of any department")
    _active_options(p, "they keep their records, cannot log in, their login sessions end "
                       "and their API tokens stop working")
    _tenant(p, db_option)
    p.set_defaults(handler=cmd_user_update)
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
