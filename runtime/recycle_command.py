"""``hulian purge-deleted``: empty a tenant's recycle bin of what it has kept long enough.

Not to be confused with ``hulian purge`` (:mod:`hulian.runtime.lifecycle_command`), which
drops archived fields and objects of the metadata.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from hulian.engine import Engine, purge_deleted
from hulian.metadata.jsontext import dumps

__all__ = ["add_recycle_commands"]


def cmd_purge_deleted(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        report = purge_deleted(engine, args.tenant, older_than_days=args.older_than,
                               dry_run=args.dry_run)
    if args.format == "json":
        print(dumps(report.to_dict(), indent=2))
        return 0
    verb = "would purge" if args.dry_run else "purged"
    when = f"{report.cutoff:%Y-%m-%d %H:%M:%S} UTC"
    if not report.total:
        print(f"tenant {args.tenant}: no record deleted before {when} in the recycle bin")
        return 0
    print(f"tenant {args.tenant}: {verb} {report.total} record(s) deleted before {when}")
    for name, n in sorted(report.records.items()):
        print(f"  {name}: {n}")
    print(f"  with {report.activities} activit{'y' if report.activities == 1 else 'ies'} "
          f"and {report.team_rows} related team row(s)")
    if args.dry_run:
        print("nothing purged: run without --dry-run to delete these for good")
    return 0


def add_recycle_commands(commands: Any,
                         db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    p = commands.add_parser("purge-deleted", help="delete for good the records in a tenant's "
                                                  "recycle bin for longer than N days")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--older-than", type=int, metavar="DAYS",
                   help="purge what was deleted more than DAYS days ago (default 15)")
    p.add_argument("--dry-run", action="store_true", help="say what would be purged")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_purge_deleted)
