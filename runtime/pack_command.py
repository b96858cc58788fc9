"""``hulian pack install|upgrade|uninstall|list`` and ``hulian export``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from hulian.engine import Engine
from hulian.metadata.jsontext import dumps
from hulian.runtime.worker_command import add_webhook_url_options, webhook_policy


def _report(args: argparse.Namespace, run: Callable[[Engine], Any]) -> int:
    from hulian.runtime.cli import print_report

    with Engine(args.db, webhook_urls=webhook_policy(args)) as engine:
        report = run(engine)
    print_report(report, args.format)
    return 0 if report.ok else 1


def cmd_install(args: argparse.Namespace) -> int:
    return _report(args, lambda e: e.metadata(args.tenant).install_pack(
        args.path, dry_run=args.dry_run))


def cmd_upgrade(args: argparse.Namespace) -> int:
    return _report(args, lambda e: e.metadata(args.tenant).upgrade_pack(
        args.path, dry_run=args.dry_run))


def cmd_uninstall(args: argparse.Namespace) -> int:
    return _report(args, lambda e: e.metadata(args.tenant).uninstall_pack(
        args.name, dry_run=args.dry_run))


def cmd_list(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        installed = engine.metadata(args.tenant).installed()
    if args.format == "json":
        print(dumps(installed, indent=2))
        return 0
    packs: dict[str, str] = installed["packs"]  # type: ignore[assignment]
    for name, version in packs.items():
        print(f"{name} {version}")
    print(f"overlay: {installed['overlay'] or 'none'}")
    if installed["snapshot"]:
        print("deployed from a snapshot (hulian export)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with Engine(args.db) as engine:
        admin = engine.metadata(args.tenant)
        if args.overlay:
            written = admin.export_overlay(args.directory)
        else:
            written = admin.export(args.directory)
    print(f"wrote {len(written)} file(s) to {args.directory}")
    return 0


def add_pack_commands(commands: Any, db_option: Callable[[argparse.ArgumentParser],
                                                         None]) -> None:
    pack = commands.add_parser("pack", help="install, upgrade and uninstall packs").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    for name, handler, what in (
            ("install", cmd_install, "install a preset pack next to the tenant's others"),
            ("upgrade", cmd_upgrade, "upgrade an installed pack, keeping the tenant's overlay")):
        p = pack.add_parser(name, help=what)
        p.add_argument("path", metavar="PATH", help="the pack folder")
        _common(p, db_option)
        p.set_defaults(handler=handler)
    p = pack.add_parser("uninstall", help="remove a pack (its objects are archived)")
    p.add_argument("name", metavar="NAME", help="the pack's name")
    _common(p, db_option)
    p.set_defaults(handler=cmd_uninstall)
    p = pack.add_parser("list", help="the tenant's packs and overlay")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_list)

    p = commands.add_parser("export", help="write a tenant's effective metadata as a pack folder")
    p.add_argument("directory", metavar="DIR", help="a new or empty folder")
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--overlay", action="store_true",
                   help="only the tenant's overlay (a tenant pack to keep in git and deploy "
                        "again), not the effective metadata")
    p.set_defaults(handler=cmd_export)


def _common(p: argparse.ArgumentParser, db_option: Callable[[argparse.ArgumentParser],
                                                            None]) -> None:
    db_option(p)
    p.add_argument("--tenant", required=True)
    p.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_webhook_url_options(p)
