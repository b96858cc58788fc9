"""REST request path: hulian's HTTP reads end to end against a bare Starlette + Core baseline.

    .venv/bin/python bench/rest.py [--quick] [--sqlite-only] [--pg-url URL]
        [--duration 10] [--runs 2] [--accounts 10000] [--bulk-rows 50000]
        [--generator auto|wrk|python]

What a person waits for: HTTP requests, from the socket to the last byte of the answer.
Per database (a fresh SQLite file; PostgreSQL: a throwaway cluster, or ``--pg-url``):

1. set-up, not measured (bench/rest_world.py): a tenant with ``--accounts`` accounts
   (examples/crm's ``Account``) and as many orders (``Order``, ``private`` for internal
   and interconnect users), ten downstream enterprises with their partner managers and
   dealer buyers, a token for ``admin`` and one for the interconnect user
   ``dealer.buyer``, who sees the orders they placed and the ones a team gives them;
2. two servers, each under uvicorn with 1 worker in its own process on a free loopback
   port (bench/rest_serve.py): hulian (``create_app(Engine(url))``) and the baseline
   (bench/rest_baseline.py: the same routes, the token looked up by its hash, the record
   or page read with hand-written SQLAlchemy Core, the same JSON). Before any load, the
   bench checks that both return the same bytes for sampled ids and for each list;
3. load (bench/rest_load.py): 16 connections for ``--duration`` seconds per run, with
   wrk (bench/rest.lua; random ids) when it is installed, else a Python client; each
   case runs ``--runs`` times per server, alternating servers (which one goes first
   alternates too), after a short warm-up. Cases: (a) GET by id, admin; (b) GET by id,
   interconnect user on the private ``Order``; (c) list page of 20 (``?limit=20``),
   admin, ``Account``; (d) the same for the interconnect user on ``Order``.
   Per case: req/s, mean/p50/p99/max latency (p50 and p99: the mean of the runs'), non-2xx
   responses and socket errors, and the ratio = time per request hulian / baseline =
   baseline req/s / hulian req/s;
4. (a1) case (a) on one connection, sequential requests: ms per GET on each server;
5. reads don't queue (info): during a run of case (a), another connection holds a write
   transaction open for ``--hold`` seconds (SQLite: ``BEGIN IMMEDIATE`` and an UPDATE of
   one account; PostgreSQL: the same UPDATE); the max latency of the GETs meanwhile;
6. bulk, the servers stopped: ``Session.create_many`` of ``--bulk-rows`` orders against
   the raw limit (``sqlite3`` executemany; PostgreSQL ``COPY``), with bench/bulk_insert.py's
   pack, rows and contenders, best of ``--runs``.

Targets (PASS/FAIL lines, never asserted): GET by id at most 1.3x the baseline, list page
at most 1.5x, hulian's p99 at most 5x its p50, no non-2xx response, bulk at most 1.8x raw
on SQLite and 2.2x on PostgreSQL. The load generator shares the machine's CPUs with the
server; both servers get the same generator, so the ratios are fair, but req/s would be
higher on a machine of their own. About 9 minutes with the defaults, 2 with ``--quick``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import sqlalchemy as sa
import starlette
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import database
from rest_bulk import BulkResult, measure_bulk
from rest_load import Generator, Result
from rest_serve import Server
from rest_world import READER, World, build

from hulian.engine import Engine

CONNECTIONS = 16
PAGE = 20
GET_TARGET = 1.3
LIST_TARGET = 1.5
TAIL_TARGET = 5.0
BULK_TARGET = {"sqlite": 1.8, "postgresql": 2.2}
SAMPLE = 20
"""Ids per case whose responses are compared between the two servers before the load."""


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    path: str
    reader: str
    ids: str | None = None
    """``accounts`` or ``orders``: the path ends with a random id of that list."""

    @property
    def is_list(self) -> bool:
        return self.ids is None


CASES = (
    Case("a", "GET by id, admin (Account)", "/api/v1/objects/Account/records/", "admin",
         "accounts"),
    Case("b", f"GET by id, interconnect user {READER} (private Order)",
         "/api/v1/objects/Order/records/", READER, "orders"),
    Case("c", f"list page of {PAGE}, admin (Account)",
         f"/api/v1/objects/Account/records?limit={PAGE}", "admin"),
    Case("d", f"list page of {PAGE}, interconnect user (private Order)",
         f"/api/v1/objects/Order/records?limit={PAGE}", READER),
)
SINGLE = Case("a1", "GET by id, admin (Account), one connection",
              "/api/v1/objects/Account/records/", "admin", "accounts")


@dataclass(frozen=True)
class Settings:
    duration: float
    runs: int
    accounts: int
    bulk_rows: int
    bulk_runs: int
    hold: float
    single: float
    warmup: float
    baseline_threads: int | None = None


@dataclass
class Measured:
    """One case's runs on both servers."""

    case: Case
    runs: dict[str, list[Result]] = field(default_factory=lambda: {"hulian": [], "baseline": []})

    def rate(self, side: str) -> float:
        runs = self.runs[side]
        return sum(r.requests for r in runs) / sum(r.duration_s for r in runs)

    def mean(self, side: str, name: str) -> float:
        values = [getattr(r, name) for r in self.runs[side]]
        return sum(values) / len(values)

    def latency_ms(self, side: str) -> float:
        runs = self.runs[side]
        return sum(r.mean_ms * r.requests for r in runs) / max(1, sum(r.requests for r in runs))

    def worst(self, side: str) -> float:
        return max(r.max_ms for r in self.runs[side])

    def failures(self, side: str) -> int:
        return sum(r.non2xx + r.errors for r in self.runs[side])

    @property
    def ratio(self) -> float:
        return self.rate("baseline") / self.rate("hulian")


@dataclass
class Outcome:
    """Everything measured on one database."""

    db: str
    cases: list[Measured]
    single: Measured
    """Case (a) on one connection."""
    held: dict[str, Result]
    bulk: BulkResult | None


class Files:
    """The servers' config and the id lists wrk picks from, in a temporary folder."""

    def __init__(self, folder: Path, world: World, baseline_threads: int | None = None):
        self.config = folder / "config.json"
        self.config.write_text(json.dumps({**world.config(),
                                           "baseline_threads": baseline_threads}), "utf-8")
        self.ids = {"accounts": folder / "accounts.txt", "orders": folder / "orders.txt"}
        self.ids["accounts"].write_text("\n".join(world.account_ids) + "\n", "utf-8")
        self.ids["orders"].write_text("\n".join(world.reader_order_ids) + "\n", "utf-8")


def token_of(world: World, reader: str) -> str:
    return world.admin_token if reader == "admin" else world.reader_token


def check_same(world: World, servers: dict[str, Server]) -> None:
    """Both servers answer each case alike, before any load: the same bytes for sampled
    ids and each list, and 404 for orders the interconnect reader may not see."""
    rng = random.Random(7)
    problems = []

    def ask(path: str, reader: str) -> dict[str, tuple[int, bytes]]:
        return {name: s.get(path, token_of(world, reader)) for name, s in servers.items()}

    def show(path: str, answers: dict[str, tuple[int, bytes]]) -> str:
        return f"    {path}: " + "; ".join(f"{name} {status} {body[:300]!r}"
                                          for name, (status, body) in answers.items())

    for case in CASES:
        ids = world.account_ids if case.ids == "accounts" else world.reader_order_ids
        paths = [case.path] if case.is_list else [
            case.path + i for i in rng.sample(ids, min(SAMPLE, len(ids)))]
        for path in paths:
            answers = ask(path, case.reader)
            if answers["hulian"][0] != 200 or answers["hulian"] != answers["baseline"]:
                problems.append(show(path, answers))
    for record_id in world.hidden_order_ids:
        path = CASES[1].path + record_id
        answers = ask(path, READER)
        if {status for status, _ in answers.values()} != {404}:
            problems.append(show(path, answers))
    if problems:
        raise SystemExit("the baseline and hulian answer differently:\n"
                         + "\n".join(problems[:6]))
    print(f"  both servers return the same bytes ({SAMPLE} random ids per GET case, each "
          f"list) and 404 for {len(world.hidden_order_ids)} orders {READER} may not see",
          flush=True)


def line(side: str, run: str, r: Result) -> str:
    return (f"    {side:<9}{run:>4}{r.rate:9.1f}{r.mean_ms:9.2f}{r.p50_ms:9.2f}{r.p99_ms:9.2f}"
            f"{r.max_ms:9.1f}{r.non2xx + r.errors:8d}")


def measure_case(case: Case, servers: dict[str, Server], world: World, files: Files,
                 load: Generator, settings: Settings, connections: int = CONNECTIONS
                 ) -> Measured:
    """``settings.runs`` runs per server, alternating (which goes first alternates too),
    after a warm-up run per server. ``connections`` 1: the single-connection runs."""
    token = token_of(world, case.reader)
    ids = files.ids[case.ids] if case.ids else None
    duration = settings.duration if connections > 1 else settings.single
    print(f"  ({case.key}) {case.title}: {case.path}{'{id}' if ids else ''}\n"
          f"    {'server':<9}{'run':>4}{'req/s':>9}{'mean':>9}{'p50':>9}{'p99':>9}{'max':>9}"
          f"{'non-2xx':>8}   (ms)", flush=True)
    for server in servers.values() if settings.warmup else ():
        load.run(server.base, token, case.path, ids, connections, settings.warmup)
    found = Measured(case)
    for run in range(settings.runs):
        order = ["hulian", "baseline"] if run % 2 == 0 else ["baseline", "hulian"]
        for side in order:
            result = load.run(servers[side].base, token, case.path, ids, connections, duration)
            found.runs[side].append(result)
            print(line(side, str(run + 1), result), flush=True)
    print(f"    ratio hulian / baseline (time per request): {found.ratio:.2f}x", flush=True)
    return found


@contextlib.contextmanager
def held_write(eng: Engine, world: World) -> Iterator[None]:
    """A write transaction held open by another connection for the block's duration."""
    table, record_id = world.table_of["Account"], world.account_ids[0]
    statement = f"UPDATE {table} SET version = version WHERE id = "
    if eng.dialect == "sqlite":
        conn = sqlite3.connect(eng.db.url.database, isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(statement + "?", (record_id,))
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return
    conninfo = eng.db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as pg:
        pg.execute(statement + "%s", (record_id,))
        yield
        pg.rollback()


def reads_during_write(servers: dict[str, Server], world: World, files: Files, eng: Engine,
                       load: Generator, hold: float) -> dict[str, Result]:
    lead = 1.0
    found = {}
    for side, server in servers.items():
        process = load.start(server.base, world.admin_token, CASES[0].path,
                             files.ids["accounts"], CONNECTIONS, lead + hold + 1.0)
        time.sleep(lead)
        with held_write(eng, world):
            time.sleep(hold)
        found[side] = load.finish(process)
    return found


def measure_db(eng: Engine, settings: Settings, load: Generator) -> Outcome:
    db = eng.dialect
    began = time.perf_counter()
    world = build(eng, f"rest_{os.urandom(3).hex()}", settings.accounts)
    with tempfile.TemporaryDirectory(prefix="hulian-rest-") as folder:
        files = Files(Path(folder), world, settings.baseline_threads)
        with Server("hulian", files.config) as hulian, \
                Server("baseline", files.config) as baseline:
            servers = {"hulian": hulian, "baseline": baseline}
            check_same(world, servers)
            cases = [measure_case(c, servers, world, files, load, settings) for c in CASES]
            single = measure_case(SINGLE, servers, world, files, load, settings, 1)
            held = reads_during_write(servers, world, files, eng, load, settings.hold)
            print(f"  GET by id while a write transaction is held {settings.hold:.0f} s: max "
                  + ", ".join(f"{side} {r.max_ms:.0f} ms" for side, r in held.items()),
                  flush=True)
    bulk = measure_bulk(eng, settings.bulk_rows, settings.bulk_runs) if settings.bulk_rows else None
    print(f"  {db}: {time.perf_counter() - began:.0f} s", flush=True)
    return Outcome(db, cases, single, held, bulk)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(outcomes: list[Outcome], settings: Settings, load: Generator) -> None:
    print(f"\nsummary: {CONNECTIONS} connections (a1: one), {settings.runs} x "
          f"{settings.duration:.0f} s per case and server (a1: {settings.single:.0f} s), load by "
          f"{load.name} on the same machine (it shares the CPUs with the server; both servers "
          "get the same)")
    print("| db | case | hulian req/s | baseline req/s | ratio | hulian mean / p50 / p99 / max ms"
          " | baseline mean / p50 / p99 / max ms | non-2xx h / b |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for o in outcomes:
        for m in [*o.cases, o.single]:
            cells = [f"{m.latency_ms(s):.1f} / {m.mean(s, 'p50_ms'):.1f} / "
                     f"{m.mean(s, 'p99_ms'):.1f} / {m.worst(s):.0f}"
                     for s in ("hulian", "baseline")]
            print(f"| {o.db} | ({m.case.key}) {m.case.title} | {m.rate('hulian'):,.0f} | "
                  f"{m.rate('baseline'):,.0f} | **{m.ratio:.2f}x** | {cells[0]} | {cells[1]} | "
                  f"{m.failures('hulian')} / {m.failures('baseline')} |")
    lines = []
    for o in outcomes:
        for m in o.cases:
            target = LIST_TARGET if m.case.is_list else GET_TARGET
            tail, base_tail = (m.mean(side, "p99_ms") / m.mean(side, "p50_ms")
                               for side in ("hulian", "baseline"))
            lines += [
                f"{verdict(m.ratio <= target)} {o.db} ({m.case.key}) ratio <= {target}x: "
                f"{m.ratio:.2f}x",
                f"{verdict(tail <= TAIL_TARGET)} {o.db} ({m.case.key}) hulian p99 <= "
                f"{TAIL_TARGET:.0f}x p50: {tail:.1f}x (baseline {base_tail:.1f}x)",
                f"{verdict(m.failures('hulian') == 0)} {o.db} ({m.case.key}) hulian non-2xx "
                f"and errors = 0: {m.failures('hulian')}"]
        if o.bulk:
            lines.append(f"{verdict(o.bulk.ratio <= BULK_TARGET[o.db])} {o.db} bulk "
                         f"create_many / raw <= {BULK_TARGET[o.db]}x: {o.bulk.ratio:.2f}x "
                         f"({o.bulk.rows:,} rows: {o.bulk.hulian:.2f} s vs {o.bulk.raw:.2f} s)")
        s = o.single
        lines.append(f"info {o.db} one connection, GET by id: p50 {s.mean('hulian', 'p50_ms'):.2f}"
                     f" ms (hulian) vs {s.mean('baseline', 'p50_ms'):.2f} ms (baseline), "
                     f"{s.mean('hulian', 'p50_ms') / s.mean('baseline', 'p50_ms'):.2f}x; mean "
                     f"{s.latency_ms('hulian'):.2f} vs {s.latency_ms('baseline'):.2f} ms")
        h = o.held
        lines.append(f"info {o.db} reads during a {settings.hold:.0f} s write transaction: max "
                     f"{h['hulian'].max_ms:,.0f} ms (hulian) vs {h['baseline'].max_ms:,.0f} ms "
                     f"(baseline); p99 {h['hulian'].p99_ms:,.0f} vs "
                     f"{h['baseline'].p99_ms:,.0f} ms")
    print("\n" + "\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 s runs without warm-up, 2,000 accounts, one bulk run of "
                             "10,000 rows, a 1 s hold: about 2 minutes")
    parser.add_argument("--duration", type=float, help="seconds per load run (default 10)")
    parser.add_argument("--runs", type=int, default=2, help="runs per case and server")
    parser.add_argument("--accounts", type=int, help="accounts (and orders) (default 10,000)")
    parser.add_argument("--bulk-rows", type=int, help="rows of the bulk part (default "
                                                      "50,000; 0 skips it)")
    parser.add_argument("--hold", type=float,
                        help="seconds the write transaction of the queueing check is held "
                             "(default 2; --quick: 1)")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--baseline-threads", type=int, metavar="N",
                        help="bound the baseline's worker threads to N as hulian bounds its "
                             "own (hulian's default: twice the cores, 4 to 12); default: "
                             "Starlette's pool of 40, as a bare app has")
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    args = parser.parse_args(argv)
    quick = args.quick
    settings = Settings(
        duration=args.duration or (2.0 if quick else 10.0), runs=args.runs,
        accounts=args.accounts or (2_000 if quick else 10_000),
        bulk_rows=args.bulk_rows if args.bulk_rows is not None else
        (10_000 if quick else 50_000), bulk_runs=1 if quick else args.runs,
        hold=args.hold or (1.0 if quick else 2.0), single=1.0 if quick else 5.0,
        warmup=0.0 if quick else 2.0, baseline_threads=args.baseline_threads)
    load = Generator(args.generator)
    print(f"REST bench: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f} at start; "
          f"python {sys.version.split()[0]}, uvicorn {uvicorn.__version__}, starlette "
          f"{starlette.__version__}, sqlalchemy {sa.__version__}, psycopg "
          f"{psycopg.__version__}, sqlite {sqlite3.sqlite_version}; load: {load.name}; "
          f"baseline threads: {args.baseline_threads or 'Starlette default (40)'}",
          flush=True)
    outcomes = []
    for db in ("sqlite",) if args.sqlite_only else ("sqlite", "postgresql"):
        with database(db, args.pg_url) as eng:
            version = ""
            if db == "postgresql":
                with eng.db.connect() as conn:
                    version = " " + conn.exec_driver_sql("SHOW server_version").scalar()
            print(f"\n{db}{version}: load average {os.getloadavg()[0]:.2f}", flush=True)
            outcomes.append(measure_db(eng, settings, load))
    report(outcomes, settings, load)


if __name__ == "__main__":
    main()
