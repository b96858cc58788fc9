"""The ``hulian`` command: validate, deploy, serve, worker, token create|list|revoke, user
create|password|list|update|roles, department create|update, enterprise, purge-deleted,
demo.

Every command prints errors a person can act on and exits non-zero; it never
prints a traceback (set HULIAN_DEBUG=1 to see one for an unexpected fault).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from hulian.engine import DeployError, DeployReport, Engine, HulianError, MetadataError
from hulian.engine.database import QUERY_TIMEOUT_S
from hulian.engine.deploy.packs import Stack
from hulian.engine.formulas.compiled import pack_formula_problems
from hulian.engine.system.migrate import current_revision, upgrade
from hulian.engine.system.passwords import check_policy
from hulian.metadata import check_pack, load_pack
from hulian.metadata.jsontext import dumps
from hulian.metadata.problems import Problem
from hulian.runtime.account_command import (
    add_token_commands,
    add_user_password_command,
    read_new_password,
)
from hulian.runtime.api.threads import DEFAULT_THREADS, threads_setting
from hulian.runtime.people_command import (
    add_department_update_command,
    add_people_commands,
    add_user_create_options,
)
from hulian.runtime.worker_command import (
    add_webhook_url_options,
    add_worker_command,
    webhook_policy,
)

__all__ = ["build_parser", "main"]

DEFAULT_DB = "sqlite:///hulian.db"


def _print_problems(problems: Sequence[Problem], output_format: str) -> None:
    if output_format == "json":
        print(dumps({"problems": [p.to_dict() for p in problems]}, indent=2))
    else:
        for problem in problems:
            print(problem)


def _pack_folders(path: str) -> list[str]:
    root = Path(path)
    if (root / "pack.json").is_file() or not root.is_dir():
        return [path]
    return [str(p.parent) for p in sorted(root.glob("*/pack.json"))] or [path]


def _layered_problems(folder: str, packs: Sequence[str]) -> list[Problem]:
    """An overlay's (or pack's) problems once merged with the packs it will be installed with."""
    stack = Stack()
    for path in [*packs, folder]:
        stack = stack.with_pack(load_pack(path), path)
    try:
        stack.effective("validate")
    except MetadataError as exc:
        return list(exc.problems)
    return []


def _required_siblings(folder: str) -> list[str]:
    """The folders next to ``folder`` holding the packs it requires (and theirs), the
    required first: how ``hulian validate examples/order`` finds ``examples/crm``."""
    found: list[str] = []

    def visit(path: Path) -> None:
        for name in load_pack(path).requires:
            sibling = path.parent / name
            if (sibling / "pack.json").is_file() and str(sibling) not in found \
                    and not check_pack(sibling):
                visit(sibling)
                found.append(str(sibling))

    visit(Path(folder))
    return found


def cmd_validate(args: argparse.Namespace) -> int:
    problems: list[Problem] = [p for pack in args.with_packs for p in check_pack(pack)]
    for path in args.paths:
        for folder in _pack_folders(path):
            found = check_pack(folder)
            with_packs = args.with_packs or (
                _required_siblings(folder) if not found and load_pack(folder).partial else [])
            if not found and with_packs and not problems:
                found = _layered_problems(folder, with_packs)
            elif not found:  # the files are sound: now type-check the formulas
                found = pack_formula_problems(load_pack(folder), folder)
            problems.extend(found)
    _print_problems(problems, args.format)
    if args.format == "text":
        n = len(problems)
        summary = f"{n} problem{'s' if n != 1 else ''}" if n else "no problems"
        print(f"{', '.join(args.paths)}: {summary}", file=sys.stderr)
    return 1 if problems else 0


def cmd_deploy(args: argparse.Namespace) -> int:
    engine = Engine(args.db, webhook_urls=webhook_policy(args))
    try:
        report = engine.metadata(args.tenant).deploy(args.path, dry_run=args.dry_run)
    except MetadataError as exc:
        _print_problems(exc.problems, args.format)
        print(f"deploy refused: {exc.message}", file=sys.stderr)
        return 1
    finally:
        engine.close()
    print_report(report, args.format)
    return 0 if report.ok else 1


def print_report(report: DeployReport, output_format: str) -> None:
    if output_format == "json":
        print(dumps(report.to_dict(), indent=2))
    else:
        print("\n".join(report.lines()))


def _threads(text: str) -> int:
    try:
        return threads_setting(int(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"threads must be a whole number from 1 to 1000, not {text!r}") from exc


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hulian.runtime.api.app import create_app
    from hulian.runtime.api.limits import server_options

    try:
        threads = threads_setting(args.threads)
    except ValueError as exc:  # from env HULIAN_THREADS
        print(f"hulian serve: {exc}", file=sys.stderr)
        return 2
    engine = Engine(args.db, query_timeout=args.query_timeout or None,
                    replica_url=args.replica_db, webhook_urls=webhook_policy(args))
    print(f"hulian serving {args.db} on http://{args.host}:{args.port}/api/v1", flush=True)
    uvicorn.run(create_app(engine, secure_cookies=args.secure_cookies, threads=threads),
                host=args.host,
                port=args.port, log_level="info", **server_options())
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    engine = Engine(args.db)
    expires = None
    if args.expires_in_days is not None:
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=args.expires_in_days)
    try:
        token = engine.people(args.tenant).create_token(args.user, label=args.label,
                                                        expires_at=expires)
    finally:
        engine.close()
    when = f", expires {expires:%Y-%m-%d %H:%M} UTC" if expires else ""
    print(f"token for {args.user}@{args.tenant}{when} (shown once; store it safely):")
    print(token)
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    password = read_new_password(args) if args.password_stdin else None
    if password is not None:
        check_policy(password, args.username)
    with Engine(args.db) as engine:
        user = engine.people(args.tenant).create_user(args.username, display_name=args.display_name,
                                  is_admin=args.admin, department=args.department,
                                  enterprise=args.enterprise, roles=args.roles)
        if password is not None:
            engine.people(user.tenant).set_password(user, password)
    print(f"created user {user.username} ({user.id}) in tenant {user.tenant}"
          + (" with a password" if password is not None else ""))
    return 0


def cmd_department_create(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        found = engine.people(args.tenant).create_department(args.name, parent=args.parent,
                                         leader=args.leader)
    print(f"created department {found.name} ({found.id}) in tenant {found.tenant}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        versions = engine.metadata(args.tenant).history()
    if args.format == "json":
        print(dumps({"tenant": args.tenant, "versions": versions}, indent=2))
        return 0
    for v in versions:
        print(f"version {v['version']}  {v['deployed_at']:%Y-%m-%d %H:%M:%S} UTC  "
              f"by {v['deployed_by']}  {len(v['steps'])} step(s)")
        packs = ", ".join(f"{name} {version}" for name, version in v["packs"].items())
        if packs:
            print(f"    packs: {packs}")
        for step in v["steps"]:
            print(f"    [{step.get('kind', 'safe')}] {step['description']}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    engine = Engine(args.db, migrate=False)
    try:
        before = current_revision(engine.db)
        migrated = upgrade(engine.db)
        after = current_revision(engine.db)
    finally:
        engine.close()
    print(f"system tables: {before or 'none'} -> {after} (head)" if before != after
          else f"system tables already at {after} (head)")
    if migrated:
        print(f"tenants' own system tables brought up to date: {len(migrated)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from hulian.runtime.demo import run_demo

    return run_demo(args.db, host=args.host, port=args.port, serve=not args.no_serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hulian", description="hulian: metadata-driven "
                                     "object engine")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def db_option(p: argparse.ArgumentParser, default: str | None = DEFAULT_DB) -> None:
        p.add_argument("--db", default=os.environ.get("HULIAN_DB", default),
                       help=f"database URL (env HULIAN_DB; default {default})")

    p = commands.add_parser("validate", help="check metadata packs and list every problem")
    p.add_argument("paths", nargs="+", metavar="PATH", help="a pack folder or a folder of packs")
    p.add_argument("--with", dest="with_packs", action="append", default=[], metavar="PACK",
                   help="a pack the checked folder is installed with (repeatable): an overlay "
                        "is then checked merged with them")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_validate)

    p = commands.add_parser("deploy", help="deploy a pack to a tenant (creates its tables)")
    p.add_argument("path", metavar="PATH")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_webhook_url_options(p)
    p.set_defaults(handler=cmd_deploy)

    p = commands.add_parser("history", help="the deployed metadata versions of a tenant")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_history)

    p = commands.add_parser("serve", help="serve the REST API")
    db_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--secure-cookies", action="store_true",
                   help="send the login session cookie with Secure (when served over HTTPS)")
    p.add_argument("--query-timeout", type=float, default=QUERY_TIMEOUT_S, metavar="SECONDS",
                   help="stop a statement running longer than this (503 query_timeout); 0: "
                        f"no limit (default {QUERY_TIMEOUT_S:g})")
    p.add_argument("--replica-db", metavar="URL",
                   help="a read replica of --db (PostgreSQL): read-only requests run there")
    p.add_argument("--threads", type=_threads, metavar="N",
                   help="at most N requests do database work at once, each in a worker "
                        "thread; the others wait their turn (default: env HULIAN_THREADS, "
                        f"else twice the cores, 4 to 12: {DEFAULT_THREADS} here)")
    add_webhook_url_options(p)
    p.set_defaults(handler=cmd_serve)

    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = token.add_parser("create", help="create a bearer token (printed alone on the last line)")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--label")
    p.add_argument("--expires-in-days", type=int)
    p.set_defaults(handler=cmd_token_create)
    add_token_commands(token, db_option)

    user = commands.add_parser("user", help="users").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = user.add_parser("create", help="add a user to a tenant")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("username")
    p.add_argument("--display-name")
    p.add_argument("--admin", action="store_true")
    p.add_argument("--department", help="the department's name or id")
    p.add_argument("--password-stdin", action="store_true",
                   help="give the user a password, read from the first line of standard input")
    add_user_create_options(p)
    p.set_defaults(handler=cmd_user_create)
    add_user_password_command(user, db_option)
    add_people_commands(commands, user, db_option)

    department = commands.add_parser("department", help="departments").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = department.add_parser("create", help="add a department to a tenant")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("name")
    p.add_argument("--parent", help="the parent department's name or id")
    p.add_argument("--leader", help="the leader's username or id (sees their records)")
    p.set_defaults(handler=cmd_department_create)
    add_department_update_command(department, db_option)

    db = commands.add_parser("db", help="hulian's own system tables").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    p = db.add_parser("upgrade", help="run the Alembic revisions of the system tables")
    db_option(p)
    p.set_defaults(handler=cmd_db_upgrade)

    from hulian.runtime.formula_command import add_formula_command
    from hulian.runtime.lifecycle_command import add_lifecycle_commands
    from hulian.runtime.pack_command import add_pack_commands
    from hulian.runtime.recycle_command import add_recycle_commands

    add_formula_command(commands)
    add_lifecycle_commands(commands, db_option)
    add_pack_commands(commands, db_option)
    add_recycle_commands(commands, db_option)
    add_worker_command(commands, db_option)

    p = commands.add_parser("demo", help="deploy the example packs into SQLite and serve them")
    p.add_argument("--db", default="sqlite:///hulian-demo.db")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="set up, print the token, exit")
    p.set_defaults(handler=cmd_demo)
    return parser


def _fail(exc: HulianError) -> int:
    print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"  hint: {exc.hint}", file=sys.stderr)
    if isinstance(exc, DeployError):
        for change in exc.changes:
            for line in _change_lines(change):
                print(line, file=sys.stderr)
    return 1


def _change_lines(change: dict) -> list[str]:
    """One refused change, failed data check or remaining use, as lines to read."""
    if "change" in change:
        return [f"  - {change['change']}"]
    if "used_by" in change:
        return [f"  - {change['removed']} is used by the {change['used_by']} "
                f"({change['file']}#{change['pointer']})"]
    if "examples" in change:
        where = f"{change['object']}.{change['field']}" if change.get("field") \
            else change["object"]
        head = f"  - step {change['step']} ({where}): {change['failed']} of " \
               f"{change['rows_checked']} record(s) in the way"
        return [head, *(f"      {e['id']}: {e['value']!r} ({e['problem']})"
                        for e in change["examples"])]
    return [f"  - {change}"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except HulianError as exc:
        return _fail(exc)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("HULIAN_DEBUG"):
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("  hint: this is a bug in hulian; rerun with HULIAN_DEBUG=1 and report it",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

