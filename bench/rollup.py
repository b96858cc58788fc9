"""Roll-ups: what keeping a parent's SUM and COUNT exact costs each child write.

    .venv/bin/python bench/rollup.py [--rows 2000] [--bulk-rows 10000] [--runs 3]
        [--db sqlite|postgresql|both] [--pg-url URL] [--profile [N]]

The bench pack has a parent ``Head`` with two roll-ups (``total``: SUM of a currency
field, ``lines``: COUNT) over ``Line``, a detail of ``Head`` (``master_detail``), and
``PlainLine``, the same object (same fields, same master-detail to ``Head``) that no
roll-up reads. Writing a ``Line`` makes hulian lock its parent, recount its live lines
and update the parent; writing a ``PlainLine`` is a plain insert. Both contenders run
in the same process, on the same database, into tables of the same shape:

- single: ``Session.create`` of ``--rows`` lines spread over 100 parents, each in its
  own session (one transaction per line, as an app does per request), Line against
  PlainLine, alternating in blocks of 50 so that both see the same machine; the time
  counts the whole session, from ``Engine.session`` to the commit. Target (issue 5):
  at most 1.5 times the plain insert. The same is then measured on parents that
  already hold about ``--bulk-rows``/100 lines each (the roll-up recomputes from every
  live line of the parent, so its cost grows with them);
- bulk: ``Session.create_many`` of ``--bulk-rows`` lines under 100 parents in one
  session, against the same for PlainLine; then every parent's stored roll-ups are
  compared with a fresh SQL aggregate (``SUM``/``COUNT ... GROUP BY``) of its live
  lines and the bench prints ``exact: yes/no``.

Each of ``--runs`` runs uses a fresh tenant; the best run counts. It prints the times,
per-insert microseconds or rows/s, and the ratios; nothing is asserted. With
``--profile`` it runs the single-insert path of Line under cProfile instead and prints
where the time goes (the share of the roll-up refresh and its costliest callees).

Without ``--pg-url`` PostgreSQL is a throwaway cluster (``tests/pg_cluster.py``); with
it, give a scratch database: the bench leaves its ``bench_*`` tenants there.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import sqlite3
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import database

from hulian.engine import Engine
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack

PARENTS = 100
BLOCK = 50
TARGET = 1.5
ROLLED, PLAIN = "Line", "PlainLine"


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


def _line(api_name: str) -> dict[str, Any]:
    return {
        "api_name": api_name, "label": _label(api_name), "name_field": "name",
        "fields": [
            {"api_name": "name", "type": "text", "label": _label("Name"), "max_length": 120},
            {"api_name": "head", "type": "master_detail", "label": _label("Head"),
             "target": "Head"},
            {"api_name": "amount", "type": "currency", "label": _label("Amount"),
             "precision": 18, "scale": 2, "minimum": 0},
            {"api_name": "quantity", "type": "number", "label": _label("Quantity"),
             "precision": 12, "scale": 3, "minimum": 0},
        ],
    }


_ROLL_UP = {"object": ROLLED, "relationship": "head"}
DOCUMENTS: dict[str, Any] = {
    "pack.json": {"name": "bench", "version": "1.0.0", "label": _label("Bench")},
    "objects/Head.json": {
        "api_name": "Head", "label": _label("Head"), "name_field": "name",
        "fields": [
            {"api_name": "name", "type": "text", "label": _label("Name"), "max_length": 120},
            {"api_name": "total", "type": "currency", "label": _label("Total"),
             "precision": 18, "scale": 2,
             "roll_up": {**_ROLL_UP, "function": "SUM", "field": "amount"}},
            {"api_name": "lines", "type": "number", "label": _label("Lines"),
             "precision": 9, "scale": 0, "roll_up": {**_ROLL_UP, "function": "COUNT"}},
        ],
    },
    f"objects/{ROLLED}.json": _line(ROLLED),
    f"objects/{PLAIN}.json": _line(PLAIN),
}


def bench_pack() -> Pack:
    return load_documents(DOCUMENTS)


def line_rows(count: int, parents: list[str], seed: int) -> list[dict[str, Any]]:
    """Rows as an app sends them (strings for decimals), parents taken in turn."""
    rng = random.Random(seed)
    return [{"name": f"Line {i}", "head": parents[i % len(parents)],
             "amount": f"{rng.randrange(1, 10_000_000) / 100:.2f}",
             "quantity": str(rng.randrange(1, 500))} for i in range(count)]


def new_tenant(eng: Engine, pack: Pack, tag: str) -> tuple[str, list[str]]:
    tenant = f"bench_{os.urandom(3).hex()}_{tag}"
    eng.metadata(tenant).deploy(pack)
    with eng.session(tenant) as s:
        parents = s.create_many("Head", [{"name": f"Head {i}"} for i in range(PARENTS)])
    return tenant, parents


# -- contenders ------------------------------------------------------------------------------

def single_inserts(eng: Engine, tenant: str, rows: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds each object's ``rows`` took, one session per row, in alternating blocks:
    wall clock (``Line``, ``PlainLine``) and this process's CPU (``Line cpu``, ...)."""
    spent = {ROLLED: 0.0, PLAIN: 0.0, f"{ROLLED} cpu": 0.0, f"{PLAIN} cpu": 0.0}
    gc.collect()
    for block, start in enumerate(range(0, len(rows), BLOCK)):
        chunk = rows[start:start + BLOCK]
        order = (ROLLED, PLAIN) if block % 2 == 0 else (PLAIN, ROLLED)
        for name in order:
            began, cpu = time.perf_counter(), time.process_time()
            for row in chunk:
                with eng.session(tenant) as s:
                    s.create(name, row)
            spent[name] += time.perf_counter() - began
            spent[f"{name} cpu"] += time.process_time() - cpu
    return spent


def bulk_insert(eng: Engine, tenant: str, name: str, rows: list[dict[str, Any]]) -> float:
    gc.collect()
    began = time.perf_counter()
    with eng.session(tenant) as s:
        s.create_many(name, rows)
    return time.perf_counter() - began


def roll_ups_exact(eng: Engine, tenant: str) -> tuple[bool, int]:
    """Whether every Head's stored total and count equal a fresh aggregate of its live
    lines; and how many heads differ."""
    with eng.session(tenant) as s:
        head = s.schema.object("Head").table
        line = s.schema.object(ROLLED).table
    query = (sa.select(line.c.head, sa.func.sum(line.c.amount), sa.func.count())
             .where(line.c.is_deleted == sa.false()).group_by(line.c.head))
    with eng.db.connect() as conn:
        fresh = {h: (total, count) for h, total, count in conn.execute(query)}
        stored = {h: (total, count) for h, total, count in conn.execute(
            sa.select(head.c.id, head.c.total, head.c.lines))}
    wrong = sum(1 for h, (total, count) in stored.items()
                if (total, count) != fresh.get(h, (Decimal("0.00"), 0)))
    return wrong == 0 and set(fresh) <= set(stored), wrong


# -- report ----------------------------------------------------------------------------------

def _verdict(ratio: float) -> str:
    return f"target <= {TARGET:.1f}x: {'met' if ratio <= TARGET else 'NOT met'}"


def report_single(what: str, count: int, runs: list[dict[str, float]]) -> None:
    best = {name: min(r[name] for r in runs) for name in runs[0]}
    ratio = best[ROLLED] / best[PLAIN]
    cpu_ratio = best[f"{ROLLED} cpu"] / best[f"{PLAIN} cpu"]
    print(f"  {what}: {count:,} creates, one session each, best of {len(runs)}")
    for name, label in ((ROLLED, "with 2 roll-ups"), (PLAIN, "plain")):
        print(f"    {name:<10} {label:<16} {best[name]:8.3f} s {best[name] / count * 1e6:8.0f} µs"
              f"/create ({best[f'{name} cpu'] / count * 1e6:5.0f} µs CPU here)   runs (s) "
              + " ".join(f"{r[name]:.3f}" for r in runs))
    print(f"    roll-ups / plain {ratio:5.2f}x   {_verdict(ratio)}   "
          f"(CPU of this process {cpu_ratio:.2f}x)")


def report_bulk(count: int, runs: list[dict[str, float]], exact: list[tuple[bool, int]]) -> None:
    best = {name: min(r[name] for r in runs) for name in (ROLLED, PLAIN)}
    print(f"  bulk: create_many of {count:,} lines under {PARENTS} parents, best of {len(runs)}")
    for name, label in ((ROLLED, "with 2 roll-ups"), (PLAIN, "plain")):
        print(f"    {name:<10} {label:<16} {best[name]:8.3f} s {count / best[name]:10,.0f} rows/s"
              f"   runs (s) " + " ".join(f"{r[name]:.3f}" for r in runs))
    print(f"    roll-ups / plain {best[ROLLED] / best[PLAIN]:5.2f}x")
    wrong = sum(w for _, w in exact)
    print(f"    exact: {'yes' if all(ok for ok, _ in exact) else 'no'} (every parent's total "
          f"and count against SUM/COUNT ... GROUP BY of its live lines, after every step"
          + (f"; {wrong} parents differ)" if wrong else ")"))


# -- driving ---------------------------------------------------------------------------------

def measure(eng: Engine, count: int, bulk: int, runs: int) -> None:
    pack = bench_pack()
    fresh: list[dict[str, float]] = []
    loaded: list[dict[str, float]] = []
    bulks: list[dict[str, float]] = []
    exact: list[tuple[bool, int]] = []
    for run in range(runs):
        tenant, parents = new_tenant(eng, pack, str(run))
        fresh.append(single_inserts(eng, tenant, line_rows(count, parents, run)))
        exact.append(roll_ups_exact(eng, tenant))

        tenant, parents = new_tenant(eng, pack, f"{run}b")
        rows = line_rows(bulk, parents, 1000 + run)
        names = (ROLLED, PLAIN) if run % 2 == 0 else (PLAIN, ROLLED)
        bulks.append({name: bulk_insert(eng, tenant, name, rows) for name in names})
        exact.append(roll_ups_exact(eng, tenant))
        loaded.append(single_inserts(eng, tenant, line_rows(count, parents, 2000 + run)))
        exact.append(roll_ups_exact(eng, tenant))
        print(f"  {eng.dialect} run {run + 1}/{runs}: single {fresh[-1][ROLLED]:.2f}/"
              f"{fresh[-1][PLAIN]:.2f} s, bulk {bulks[-1][ROLLED]:.2f}/{bulks[-1][PLAIN]:.2f} s,"
              f" single on loaded parents {loaded[-1][ROLLED]:.2f}/{loaded[-1][PLAIN]:.2f} s"
              " (roll-ups/plain)", flush=True)
    print(f"\n{eng.dialect}:")
    report_single(f"single, parents from 0 to {count // PARENTS} lines", count, fresh)
    report_single(f"single, parents already holding {bulk // PARENTS} lines", count, loaded)
    report_bulk(bulk, bulks, exact)


def profile(eng: Engine, count: int, top: int) -> None:
    tenant, parents = new_tenant(eng, bench_pack(), "p")
    rows = line_rows(count, parents, 7)
    profiler = cProfile.Profile()
    gc.collect()
    began = time.perf_counter()
    profiler.enable()
    for row in rows:
        with eng.session(tenant) as s:
            s.create(ROLLED, row)
    profiler.disable()
    elapsed = time.perf_counter() - began
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = sum(tt for _, _, tt, _, _ in stats.stats.values())

    def cumulative(function: str, file: str) -> float:
        return sum(ct for (path, _, name), (_, _, _, ct, _) in stats.stats.items()
                   if name == function and path.endswith(file))

    refresh = cumulative("_refresh_roll_ups", "session.py")
    create = cumulative("create", "session.py")
    print(f"\n{eng.dialect}: {count:,} single creates of {ROLLED} under cProfile: "
          f"{elapsed:.3f} s ({elapsed / count * 1e6:.0f} µs each; profiled time {total:.3f} s)")
    print(f"  Session.create {create:.3f} s, of which the roll-up refresh "
          f"(Session._refresh_roll_ups) {refresh:.3f} s = {refresh / total:.0%} of all, "
          f"{refresh / create:.0%} of create")
    stats.strip_dirs().sort_stats("cumulative")
    for function in (r"rollups.py:\d+\(refresh\)", r"rollups.py:\d+\(_children\)"):
        out = io.StringIO()
        stats.stream = out
        stats.print_callees(function)
        body = out.getvalue()
        print(f"--- what {function} calls ---")
        print(body[body.index("Function"):].rstrip() if "Function" in body else body.rstrip())
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats(order).print_stats(top)
        body = out.getvalue()
        print(f"--- top {top} by {order} ---")
        print(body[body.index("   ncalls"):].rstrip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000,
                        help="single creates per contender and run")
    parser.add_argument("--bulk-rows", type=int, default=10_000,
                        help="rows of the create_many per contender and run")
    parser.add_argument("--runs", type=int, default=3, help="runs (fresh tenants); best counts")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    parser.add_argument("--profile", type=int, nargs="?", const=25, metavar="N",
                        help="profile the single creates of Line instead; print the N "
                             "costliest functions")
    args = parser.parse_args(argv)
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    print(f"roll-up bench: Head (SUM + COUNT roll-ups) over {ROLLED} vs {PLAIN} (no roll-ups), "
          f"{PARENTS} parents; python {sys.version.split()[0]}, sqlalchemy {sa.__version__}, "
          f"psycopg {psycopg.__version__}, sqlite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} cpus")
    for db in dbs:
        with database(db, args.pg_url) as eng:
            if db == "postgresql":
                with eng.db.connect() as conn:
                    print(f"postgresql {conn.exec_driver_sql('SHOW server_version').scalar()}")
            if args.profile:
                profile(eng, args.rows, args.profile)
            else:
                measure(eng, args.rows, args.bulk_rows, args.runs)


if __name__ == "__main__":
    main()
