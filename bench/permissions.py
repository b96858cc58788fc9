"""Data permissions: a 50-row list page for three readers, against hand-written SQL.

    .venv/bin/python bench/permissions.py [--small] [--runs 200] [--budget 60]
        [--index-amount] [--pg-url URL] [--seed N] [--no-plans]

PostgreSQL only. One tenant (sizes for ``--small`` in brackets):

- the pack (built in code): ``Product`` (internal ``company_read``, external
  ``public_read``) and ``Order`` (name, status picklist, currency amount, quantity,
  order date, lookup to ``Product``; ``data_permission: {"internal": "private",
  "external": "company_read"}``), the interconnect role ``dealer_buyer`` (reads and
  writes orders, reads products) and the app ``order`` that opens both objects to it;
- a 5-level department tree, 4 children per department (341 departments), each with
  a leader; 10,000 [2,000] users: 30 % internal, spread evenly over the departments
  (``member`` role), 70 % interconnect (``dealer_buyer``), 7 per downstream enterprise;
  1,000 [200] downstream enterprises, each with an internal partner manager;
- 1,000,000 [50,000] orders created over two years and stored in creation order:
  60 % by interconnect users (``out_tenant_id`` their enterprise, ``out_owner_id``
  them, owned upstream by the enterprise's partner manager, as hulian does), 40 % by
  internal users; 1 % soft-deleted; related-team rows on 5 % of them (a colleague of
  the same enterprise, or an internal user), plus 20 each for the two readers below on
  records they would not otherwise see.

Set-up (``bench/permissions_world.py``): deploy, departments, leaders, enterprises and
the two named readers go through the Engine API (``deploy``, ``create_department``,
``set_department_leader``, ``create_enterprise``, ``create_user``), products through
``create_many``; the bulk
(the other users and their roles, the orders, the team rows) is written straight into
``hulian_users``, the tenant's ``hulian_user_roles``, order table and
``hulian_record_teams`` with COPY, with the values hulian would write, then the tables
are ``VACUUM (ANALYZE)``d. The set-up is not measured.

Readers: ``buyer``, an interconnect user (sees their enterprise's orders and their
team's), ``leader``, the leader of a level-3 department (sees what the people of the
21 departments of their subtree own, and their team's), and ``admin`` (everything).
Each reader lists the first page of 50 orders in the default order (``-created_at``)
and by ``-amount``, ``--runs`` times (after 5 warm-up runs), alternating with the
hand-written SQL (which goes first alternates too), in these modes:

- ``page``: one ``Engine.session`` per page, as one REST request is: connection from the
  pool, the session's one statement (the user, the tenant's people and metadata versions),
  the user's permissions from the Engine's cache (read once per people version: roles,
  department tree, enterprise; engine/security/cache.py), the query, commit; against a
  hand-written request: connection from the pool, BEGIN, the user's row by username (for
  the leader also the people of the departments they lead, ``owners_sql``), the list
  statement, COMMIT. **The targets apply to this mode** (a page as a user waits for it);
- ``query``: ``Session.query`` on a session already open (its rights and visibility
  computed once), against the hand-written statement on a transaction already open.
- ``cold`` (first order only): a page as the first one after a change to people, when
  the permission cache has to read the reader's roles, department tree and enterprise
  again (the cache is emptied before each run), against the same hand-written request.

The hand-written statements are plain SQL text with the same meaning, written the way
the indexes serve them best (see ``_WHERE``); the bench checks that both sides return
the same records, in the same order, with the same values. A slow series stops after
``--budget`` seconds (at least 20 runs). It prints p50 and p95 in ms, hulian /
hand-written for both, how each plan reads the order table (``EXPLAIN ANALYZE``), PASS /
FAIL lines for the issue's targets (p50 ratio <= 1.2, p95 < 50 ms, no sequential scan of
the order table for the interconnect user; page mode; the other modes get "info" lines),
then hulian's plans for the buyer and the leader in full. Nothing is asserted about speed.
``--index-amount`` deploys the pack again after the load with ``"indexed": true`` on
``Order.amount``, as a consultant would for a list sorted by amount: hulian's deploy
builds the index, which serves both sides.
About 10 minutes with the defaults (1.5 of them the load), 1 minute with ``--small``.
Without ``--pg-url`` PostgreSQL is a throwaway cluster (``tests/pg_cluster.py``); with it,
give a scratch database (the ``bench_*`` tenant stays there).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import database
from permissions_world import (
    COLUMNS,
    FULL,
    LEVELS,
    SMALL,
    World,
    bench_pack,
    build,
)

from hulian.engine import Engine

PAGE = 50
WARMUP = 5
MIN_RUNS = 20
TARGET_RATIO = 1.2
ORDERS = ("-created_at", "-amount")
READERS = ("buyer", "leader", "admin")
TARGET_P95_MS = 50.0


@dataclass(frozen=True)
class Timing:
    runs: int
    budget: float
    """Seconds per series (one reader, order and mode, both contenders)."""


# -- the hand-written statements -------------------------------------------------------------
#
# The same rows as hulian's visibility predicate (docs/permissions.md), written the way the
# indexes serve them best (EXPLAIN ANALYZE of the variants is in docs/performance.md):
# - the team arm is ``id = ANY (ARRAY(SELECT ...))``: PostgreSQL runs the subquery once,
#   before the scan (an InitPlan), so the arm is an index condition on the primary key and
#   the whole OR can become a BitmapOr of index scans;
# - the leader's people are read first (the departments they lead, at any depth, by a
#   recursive CTE) and bound as an array: the planner sees the values (good estimates), the
#   arm is an index condition on owner_id, and as a filter it is a hashed lookup.

_TEAM = ("o.id = ANY (ARRAY(SELECT t.record_id FROM {teams} t "
         "WHERE t.object = :object AND t.user_id = :me))")
_WHERE = {
    "buyer": f"(o.out_owner_id = :me OR {_TEAM} OR o.out_tenant_id = :enterprise)",
    "leader": f"(o.owner_id = :me OR {_TEAM} OR o.owner_id = ANY (CAST(:owners AS varchar[])))",
    "admin": "TRUE",
}
_ORDER_SQL = {"-created_at": "o.created_at DESC, o.id DESC", "-amount": "o.amount DESC, o.id DESC"}
def owners_sql(tenant: str) -> sa.TextClause:
    """The people whose records a leader sees: those of the departments they lead (in the
    tenant's own tables, PostgreSQL)."""
    return sa.text(
        f"WITH RECURSIVE led(id) AS (SELECT d.id FROM t_{tenant}.hulian_departments d "
        f"WHERE d.leader_id = :me UNION SELECT d.id FROM t_{tenant}.hulian_departments d "
        f"JOIN led ON d.parent_id = led.id) SELECT u.id FROM t_{tenant}.hulian_users u "
        "WHERE u.department_id IN (SELECT id FROM led)")


def hand_sql(reader: str, order: str, table: str, teams: str) -> sa.TextClause:
    """``table``, ``teams``: the order and record team tables, quoted."""
    return sa.text(
        f"SELECT {', '.join('o.' + c for c in COLUMNS)} FROM {table} o "
        f"WHERE NOT o.is_deleted AND {_WHERE[reader].format(teams=teams)} "
        f"ORDER BY {_ORDER_SQL[order]} LIMIT {PAGE + 1}")


# -- the contenders --------------------------------------------------------------------------

def params(world: World, reader: str, conn: sa.Connection) -> dict[str, Any]:
    """The statement's parameters, as a hand-written request gets them: the reader's row
    and, for the leader, the people of the departments they lead."""
    me = conn.execute(sa.text(f"SELECT id, enterprise_id FROM t_{world.tenant}.hulian_users "
                              "WHERE username = :username AND is_active"),
                      {"username": reader}).one()
    bound = {"tenant": world.tenant, "object": world.object_id, "me": me.id,
             "enterprise": me.enterprise_id}
    if reader == "leader":
        bound["owners"] = list(conn.scalars(owners_sql(world.tenant), bound))
    return bound


def hulian_page(eng: Engine, world: World, reader: str, order: str) -> list[dict[str, Any]]:
    with eng.session(world.tenant, reader) as s:
        return s.query("Order", order_by=order, limit=PAGE).records


def hand_page(eng: Engine, world: World, reader: str, order: str) -> list[dict[str, Any]]:
    statement = hand_sql(reader, order, world.quoted, world.teams)
    with eng.db.connect() as conn, conn.begin():
        bound = params(world, reader, conn)
        rows = [dict(r) for r in conn.execute(statement, bound).mappings()]
    return rows[:PAGE]


def same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    """The same records, in the same order, with the same values in every column."""
    return len(a) == len(b) and all(x[c] == y[c] for x, y in zip(a, b, strict=True)
                                    for c in COLUMNS)


def _series(pair: tuple[Callable[[], list[dict[str, Any]]], Callable[[], list[dict[str, Any]]]],
            timing: Timing) -> tuple[list[float], list[float]]:
    """Times (s) of the two contenders over ``timing.runs`` alternating runs (fewer, but
    at least ``MIN_RUNS``, once the series takes ``timing.budget`` seconds), after a
    warm-up; checks that they return the same page."""
    hulian, hand = pair
    for _ in range(WARMUP):
        first, second = hulian(), hand()
        if not same(first, second):
            raise AssertionError("hulian and the hand-written SQL disagree: "
                                 f"{[r['id'] for r in first][:5]} vs "
                                 f"{[r['id'] for r in second][:5]}")
    times: tuple[list[float], list[float]] = ([], [])
    gc.collect()
    series_began = time.perf_counter()
    for run in range(timing.runs):
        if run >= MIN_RUNS and time.perf_counter() - series_began > timing.budget:
            break
        order = (0, 1) if run % 2 == 0 else (1, 0)
        for which in order:
            began = time.perf_counter()
            pair[which]()
            times[which].append(time.perf_counter() - began)
    return times


@dataclass
class Result:
    reader: str
    order: str
    mode: str
    hulian: list[float]
    hand: list[float]

    @staticmethod
    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000

    def p(self, side: str, q: int) -> float:
        return self.pct(self.hulian if side == "hulian" else self.hand, q)

    def ratio(self, q: int) -> float:
        return self.p("hulian", q) / self.p("hand", q)


def cold_page(eng: Engine, world: World, reader: str, order: str) -> list[dict[str, Any]]:
    """A page right after the permission cache lost the reader (as after a change to
    people): the session reads roles, department tree and enterprise again."""
    eng._visibility.clear()
    return hulian_page(eng, world, reader, order)


def measure_case(eng: Engine, world: World, reader: str, order: str, timing: Timing
                 ) -> list[Result]:
    """One reader and order: page mode, query mode and (first order only) cold mode."""
    statement = hand_sql(reader, order, world.quoted, world.teams)
    page = Result(reader, order, "page", *_series(
        (lambda: hulian_page(eng, world, reader, order),
         lambda: hand_page(eng, world, reader, order)), timing))
    cold = [] if order != ORDERS[0] else [Result(reader, order, "cold", *_series(
        (lambda: cold_page(eng, world, reader, order),
         lambda: hand_page(eng, world, reader, order)), timing))]
    with eng.session(world.tenant, reader) as s, eng.db.connect() as conn, conn.begin():
        bound = params(world, reader, conn)
        query = Result(reader, order, "query", *_series(
            (lambda: s.query("Order", order_by=order, limit=PAGE).records,
             lambda: [dict(r) for r in conn.execute(statement, bound).mappings()][:PAGE]),
            timing))
    return [page, query, *cold]


def measure(eng: Engine, world: World, timing: Timing) -> list[Result]:
    results: list[Result] = []
    for reader in READERS:
        for order in ORDERS:
            page, query, *_ = found = measure_case(eng, world, reader, order, timing)
            results += found
            print(f"  {reader:<6} {order:<11} page p50 {page.p('hulian', 50):7.2f} / "
                  f"{page.p('hand', 50):7.2f} ms, query p50 {query.p('hulian', 50):7.2f} / "
                  f"{query.p('hand', 50):7.2f} ms (hulian / hand-written)", flush=True)
    return results


# -- plans -----------------------------------------------------------------------------------

def hulian_statement(eng: Engine, world: World, reader: str, order: str
                     ) -> tuple[str, dict[str, Any]]:
    """The list statement hulian sends for ``reader`` (captured at the driver)."""
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if world.quoted in statement and " LIMIT " in statement:
            seen.append((statement, parameters))

    sa.event.listen(eng.db, "before_cursor_execute", capture)
    try:
        hulian_page(eng, world, reader, order)
    finally:
        sa.event.remove(eng.db, "before_cursor_execute", capture)
    return seen[-1]


def explain(eng: Engine, statement: Any, parameters: Any, form: str) -> list[Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of a driver statement (str) or a text clause."""
    with eng.db.connect() as conn:
        if isinstance(statement, str):
            return [r[0] for r in conn.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS, FORMAT {form}) {statement}", parameters)]
        return [r[0] for r in conn.execute(sa.text(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT {form}) {statement.text}"), parameters)]


def _nodes(plan: dict[str, Any], subplans: bool = True) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        if subplans or child.get("Parent Relationship") not in ("SubPlan", "InitPlan"):
            yield from _nodes(child, subplans)


@dataclass(frozen=True)
class Scan:
    """How a plan reads the order table."""

    summary: str
    sequential: bool
    ms: float


def scan_of(eng: Engine, world: World, statement: Any, parameters: Any) -> Scan:
    (document,) = explain(eng, statement, parameters, "JSON")
    if isinstance(document, str):
        document = json.loads(document)
    parts, sequential = [], False
    for node in _nodes(document[0]["Plan"]):
        if node.get("Relation Name") != world.table.name:
            continue
        loops = node.get("Actual Loops", 1)
        kept = node.get("Actual Rows", 0) * loops
        removed = node.get("Rows Removed by Filter", 0) * loops
        how = node["Node Type"]
        if node.get("Parallel Aware"):
            how = "Parallel " + how
        if node.get("Scan Direction") == "Backward":
            how += " Backward"
        indexes = sorted({n["Index Name"] for n in _nodes(node, subplans=False)
                          if "Index Name" in n})
        if indexes:
            how += " (" + ", ".join(indexes) + ")"
        sequential = sequential or node["Node Type"] == "Seq Scan"
        parts.append(f"{how}: {kept:,.0f} rows kept, {removed:,.0f} filtered out")
    return Scan("; ".join(parts), sequential, document[0]["Execution Time"])


# -- report ----------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(eng: Engine, world: World, results: list[Result], plans: bool) -> None:
    print(f"\nfirst page of {PAGE} orders; p50 / p95 in ms; ratio hulian / hand-written")
    print(f"  {'reader':<7}{'order':<12}{'mode':<6}{'runs':>5}{'hulian p50':>11}{'p95':>8}"
          f"{'hand p50':>10}{'p95':>8}{'ratio p50':>11}{'p95':>7}")
    for r in results:
        print(f"  {r.reader:<7}{r.order:<12}{r.mode:<6}{len(r.hulian):5d}"
              f"{r.p('hulian', 50):11.2f}{r.p('hulian', 95):8.2f}{r.p('hand', 50):10.2f}"
              f"{r.p('hand', 95):8.2f}{r.ratio(50):10.2f}x{r.ratio(95):6.2f}x")
    verdicts = ["targets (issue 6): p50 ratio <= 1.2x and hulian p95 < 50 ms apply to a page "
                "served in its own session (mode page); modes query and cold for information"]
    for r in results:
        tag = {"page": "", "query": "  (query alone)", "cold": "  (cold cache)"}[r.mode]
        if r.mode != "page":  # for information: no verdict
            verdicts.append(f"  info ratio {r.ratio(50):.2f}x, p95 {r.p('hulian', 95):.1f} ms: "
                            f"{r.reader} {r.order} {r.mode}{tag}")
            continue
        verdicts.append(f"  {verdict(r.ratio(50) <= TARGET_RATIO)} ratio <= {TARGET_RATIO}x: "
                        f"{r.reader} {r.order} {r.mode}: {r.ratio(50):.2f}x{tag}")
        verdicts.append(f"  {verdict(r.p('hulian', 95) < TARGET_P95_MS)} p95 < "
                        f"{TARGET_P95_MS:.0f} ms: {r.reader} {r.order} {r.mode}: "
                        f"{r.p('hulian', 95):.1f} ms{tag}")
    print("\nplans (EXPLAIN ANALYZE, one run each): how the order table is read")
    for reader in READERS:
        for order in ORDERS:
            statement, parameters = hulian_statement(eng, world, reader, order)
            mine = scan_of(eng, world, statement, parameters)
            with eng.db.connect() as conn:
                bound = params(world, reader, conn)
            hand = scan_of(eng, world, hand_sql(reader, order, world.quoted, world.teams), bound)
            print(f"  {reader} {order}\n    hulian {mine.ms:8.2f} ms  {mine.summary}\n"
                  f"    hand   {hand.ms:8.2f} ms  {hand.summary}")
            if reader == "buyer":
                verdicts.append(f"  {verdict(not mine.sequential)} no seq scan of "
                                f"{world.table.name} for the interconnect user, {order}")
    print("\n" + "\n".join(verdicts))
    if not plans:
        return
    for reader in ("buyer", "leader"):
        for order in ORDERS:
            statement, parameters = hulian_statement(eng, world, reader, order)
            print(f"\n--- hulian, {reader}, {order}: EXPLAIN (ANALYZE, BUFFERS) ---")
            print(statement if (reader, order) == ("buyer", ORDERS[0]) else _where(statement))
            for line in explain(eng, statement, parameters, "TEXT"):
                print("  " + line)


def _where(statement: str) -> str:
    at = statement.find("WHERE")
    return "... " + statement[at:] if at >= 0 else statement


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true",
                        help="50,000 orders, 2,000 users, 200 enterprises (a quick run)")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per contender and case")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds per series; slower cases stop early (at least "
                             f"{MIN_RUNS} runs)")
    parser.add_argument("--index-amount", action="store_true",
                        help='deploy Order.amount with "indexed": true after the load (the '
                             "index serves both sides)")
    parser.add_argument("--seed", type=int, default=20240607)
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    parser.add_argument("--no-plans", action="store_true", help="skip the EXPLAIN output")
    args = parser.parse_args(argv)
    sizes = SMALL if args.small else FULL
    print(f"permissions bench: {sizes.orders:,} orders, {sizes.users:,} users, "
          f"{sizes.enterprises:,} enterprises, {LEVELS}-level department tree; python "
          f"{sys.version.split()[0]}, sqlalchemy {sa.__version__}, psycopg "
          f"{psycopg.__version__}, {os.cpu_count()} cpus")
    with database("postgresql", args.pg_url) as eng:
        with eng.db.connect() as conn:
            print(f"postgresql {conn.exec_driver_sql('SHOW server_version').scalar()}")
        world = build(eng, sizes, args.seed)
        for reader in READERS:
            with eng.session(world.tenant, reader) as s:
                world.visible[reader] = s.count("Order")
        print("  visible orders: " + ", ".join(f"{r} {n:,}" for r, n in world.visible.items()),
              flush=True)
        if args.index_amount:
            began = time.perf_counter()
            eng.metadata(world.tenant).deploy(bench_pack(index_amount=True))
            with eng.db.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    f"ANALYZE {world.quoted}")
            print('  Order.amount deployed with "indexed": true (the index built in '
                  f"{time.perf_counter() - began:.1f} s)", flush=True)
        results = measure(eng, world, Timing(args.runs, args.budget))
        report(eng, world, results, not args.no_plans)


if __name__ == "__main__":
    main()
