"""``hulian diff``, ``hulian rollback``, ``hulian purge``: a tenant's metadata over time;
``hulian recalc``: rebuild roll-ups.

Packs and exports live in :mod:`hulian.runtime.pack_command`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from hulian.engine import Engine
from hulian.metadata.jsontext import dumps
from hulian.runtime.worker_command import add_webhook_url_options, webhook_policy


def cmd_diff(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        comparison = engine.metadata(args.tenant).diff(args.a, args.b)
    if args.format == "json":
        print(dumps({"steps": [s.to_dict() for s in comparison.steps],
                     "refused": list(comparison.refused), "uses": list(comparison.uses)},
                    indent=2))
        return 0
    lines = comparison.lines()
    b = args.b or "the newest version"
    print(f"tenant {args.tenant}: from {args.a} to {b}: "
          + (f"{len(lines)} change(s)" if lines else "no changes"))
    for line in lines:
        print(f"  {line}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from hulian.runtime.cli import print_report

    with Engine(args.db, webhook_urls=webhook_policy(args)) as engine:
        report = engine.metadata(args.tenant).rollback(args.to, dry_run=args.dry_run)
    print_report(report, args.format)
    return 0 if report.ok else 1


def cmd_purge(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        if args.list:
            found = engine.metadata(args.tenant).archived()
            verb = "archived"
        else:
            dry_run = args.dry_run or not args.yes
            found = engine.metadata(args.tenant).purge(args.names or None, dry_run=dry_run)
            verb = "would drop" if dry_run else "dropped"
    if args.format == "json":
        print(dumps({"tenant": args.tenant, verb.replace(" ", "_"): [a.to_dict() for a in found]},
                    indent=2))
        return 0
    if not found:
        print(f"tenant {args.tenant}: nothing is archived")
        return 0
    for item in found:
        kind = f"field ({item.type})" if item.field else "object"
        print(f"{verb}: {item.name} {kind}, archived in version {item.archived_version}")
    if not args.list and (args.dry_run or not args.yes):
        print("nothing dropped: add --yes to drop these for good (this cannot be undone)")
    return 0


def cmd_recalc(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        count = engine.metadata(args.tenant).recalc(args.object, args.field)
    what = args.field or "every roll-up"
    print(f"recomputed {what} of {count} {args.object} record(s)")
    return 0


def add_lifecycle_commands(commands: Any, db_option: Callable[[argparse.ArgumentParser],
                                                              None]) -> None:
    p = commands.add_parser("diff", help="what differs between two versions or a version and "
                                         "a pack folder")
    p.add_argument("a", metavar="A", help="a version number or a pack folder")
    p.add_argument("b", metavar="B", nargs="?",
                   help="a version number or a pack folder (default: the newest version)")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_diff)

    p = commands.add_parser("rollback", help="deploy an earlier version again (as a new "
                                             "version; nothing stored is lost)")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--to", type=int, required=True, metavar="N", help="the version to go back to")
    p.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_webhook_url_options(p)
    p.set_defaults(handler=cmd_rollback)

    p = commands.add_parser("recalc", help="rebuild roll-up fields from the child records")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--object", required=True, metavar="O")
    p.add_argument("--field", metavar="F", help="one roll-up field (default: all of them)")
    p.set_defaults(handler=cmd_recalc)

    p = commands.add_parser("purge", help="drop archived fields and objects for good")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="Object.field or Object (default: everything archived)")
    p.add_argument("--list", action="store_true", help="list what is archived")
    p.add_argument("--dry-run", action="store_true", help="say what would be dropped")
    p.add_argument("--yes", action="store_true", help="really drop (irreversible)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_purge)
