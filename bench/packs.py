"""Installing the preset packs: one pack into a fresh tenant, and one pack into 100 tenants.

    .venv/bin/python bench/packs.py [--db sqlite|postgresql|both] [--runs N] [--tenants N]
                                    [--pack NAME] [--pg-url URL] [--examples DIR]

(a) Per database, each pack of ``make demo`` (crm, then every pack of examples/ requiring
it) is installed into a fresh tenant, ``--runs`` times (default 3, a new tenant each):
crm with ``deploy`` into an empty tenant, a dependent pack with ``install_pack`` into a
tenant that already has what it requires (deployed first, not timed). It prints the best
and median seconds against the issue's target (< 3 s).

(b) On PostgreSQL, one pack (``--pack``, default the last dependent pack, else crm) is
installed the same way into ``--tenants`` tenants (default 100) of one database, one after
the other: the per-tenant average, the first and the last ten, and each against the
single-tenant time (the best of (a) on the same database): what the hundredth tenant costs
once the catalogue holds 99 others' schemas. Nothing is asserted. Without ``--pg-url``
PostgreSQL is a throwaway cluster (``tests/pg_cluster.py``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import ROOT, database

from hulian.engine import Engine
from hulian.metadata.jsontext import loads
from hulian.runtime.demo import demo_packs

TARGET = 3.0
_count = iter(range(1, 1_000_000))


def requirements(pack: Path, packs: list[Path]) -> list[Path]:
    """The packs ``pack`` needs installed before it, in install order."""
    needed: set[str] = set()
    todo = [pack]
    by_name = {p.name: p for p in packs}
    while todo:
        manifest = loads((todo.pop() / "pack.json").read_text(encoding="utf-8"))
        for name in manifest.get("requires", {}):
            if name not in needed:
                needed.add(name)
                todo.append(by_name[name])
    return [p for p in packs if p.name in needed]


def install_once(engine: Engine, pack: Path, packs: list[Path], label: str) -> float:
    """Seconds to install ``pack`` into a new tenant holding what it requires."""
    tenant = f"bench_{label}_{next(_count)}"
    before = requirements(pack, packs)
    meta = engine.metadata(tenant)
    for i, needed in enumerate(before):
        if i == 0:
            meta.deploy(needed)
        else:
            meta.install_pack(needed)
    started = time.perf_counter()
    if before:
        meta.install_pack(pack)
    else:
        meta.deploy(pack)
    return time.perf_counter() - started


def single(engine: Engine, packs: list[Path], runs: int, db: str) -> dict[str, float]:
    print(f"\n(a) one pack into a fresh tenant, {db}, best of {runs}")
    print(f"{'pack':<12} {'best s':>8} {'median s':>9} {'target':>7}")
    best = {}
    for pack in packs:
        times = [install_once(engine, pack, packs, pack.name) for _ in range(runs)]
        best[pack.name] = min(times)
        print(f"{pack.name:<12} {min(times):>8.2f} {statistics.median(times):>9.2f} "
              f"{'ok' if min(times) < TARGET else 'MISSED':>7}", flush=True)
    return best


def many(engine: Engine, pack: Path, packs: list[Path], tenants: int, one: float) -> None:
    print(f"\n(b) {pack.name} into {tenants} tenants of one PostgreSQL database "
          f"(single tenant: {one:.2f} s)")
    times = []
    started = time.perf_counter()
    for _ in range(tenants):
        times.append(install_once(engine, pack, packs, "many"))
    wall = time.perf_counter() - started
    mean = statistics.mean(times)
    first, last = times[:10], times[-10:]
    print(f"{'':<28} {'s':>7} {'x single':>9}")
    for label, value in (("per-tenant average", mean),
                         ("first 10 tenants, average", statistics.mean(first)),
                         ("last 10 tenants, average", statistics.mean(last)),
                         ("slowest tenant", max(times))):
        print(f"{label:<28} {value:>7.2f} {value / one:>8.2f}x")
    print(f"{tenants} tenants in {wall:.0f} s of wall time (with their required packs)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--pack", help="the pack of (b) (default: the last dependent pack)")
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    parser.add_argument("--examples", type=Path, default=ROOT / "examples",
                        help="the folder of packs (default: examples/)")
    args = parser.parse_args(argv)
    packs = demo_packs(args.examples)
    chosen = next((p for p in packs if p.name == args.pack), None) if args.pack else packs[-1]
    if chosen is None:
        parser.error(f"--pack: no pack {args.pack!r} (the packs: "
                     f"{', '.join(p.name for p in packs)})")
    print(f"packs bench: {', '.join(p.name for p in packs)}; python "
          f"{sys.version.split()[0]}, sqlalchemy {sa.__version__}, {os.cpu_count()} cpus")
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    for db in dbs:
        with database(db, args.pg_url) as engine:
            best = single(engine, packs, args.runs, db)
            if db == "postgresql" and args.tenants:
                many(engine, chosen, packs, args.tenants, best[chosen.name])


if __name__ == "__main__":
    main()
