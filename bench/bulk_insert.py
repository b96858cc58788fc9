"""Bulk insert: hulian's ``Session.create_many`` against hand-written SQLAlchemy Core and raw.

    .venv/bin/python bench/bulk_insert.py [--rows 100000] [--db sqlite|postgresql|both]
        [--runs 3] [--budget 120] [--pg-url URL] [--profile [N]] [--no-auto-prepare]

Per database and run, a fresh tenant gets the bench pack (an ``Order`` object
of 10 fields with a lookup to ``Customer``) and 100 customers; then three
contenders each insert the same N orders into their own fresh, empty table. The
three tables are identical: the other two are copies (``to_metadata``, indexes
included) of the table hulian compiled for ``Order``.

- hulian: ``create_many`` from rows as an app sends them (strings for decimals,
  ISO strings for dates), so its time covers coercion, defaults, the checks
  (required, options, lookups, unique), ids, system columns and the write
  (COPY on PostgreSQL, one executemany on SQLite);
- core: ``conn.execute(table.insert(), rows)`` with values already typed
  (Decimal, date, aware datetime) and the same system column values;
- raw: PostgreSQL ``COPY`` through psycopg's ``cursor.copy`` + ``write_row``, or
  ``sqlite3`` ``executemany``, with values already in the form the driver takes.

Each time runs from the start of the transaction to its commit; the best of
``--runs`` counts (fewer when a database's runs take longer than ``--budget``
seconds, so that ``make bench`` stays short whatever the engine does). The
bench prints rows/s and the ratios hulian/core and hulian/raw, and says whether
the targets are met: on PostgreSQL hulian faster than core, on SQLite at most
1.5 times core. It never asserts.

With ``--profile`` it runs hulian's path once per database under cProfile
instead and prints the N (default 25) most expensive functions.
``--no-auto-prepare`` is a what-if for PostgreSQL: hulian runs on a second
Engine whose psycopg connections never turn repeated queries into server-side
prepared statements (see docs/performance.md for why that matters); core and
raw keep the driver's defaults.

Without ``--pg-url`` PostgreSQL is a throwaway cluster (``tests/pg_cluster.py``);
with it, give a scratch database: the bench leaves its ``bench_*`` tenants there.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import os
import pstats
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import database

from hulian.engine import Engine, User
from hulian.engine.ids import new_ids
from hulian.engine.schema.columns import DEFAULT_BUSINESS_TYPE
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack

PARENTS = 100
OBJECT = "Order"
SQLITE_TARGET = 1.5
PG_TARGET = 1.0
_LABEL = {"zh": "基准", "en": "Bench"}


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


DOCUMENTS: dict[str, Any] = {
    "pack.json": {"name": "bench", "version": "1.0.0", "label": _LABEL},
    "objects/Customer.json": {
        "api_name": "Customer", "label": _label("Customer"), "name_field": "name",
        "fields": [
            {"api_name": "name", "type": "text", "label": _label("Name"), "max_length": 120},
        ],
    },
    "objects/Order.json": {
        "api_name": OBJECT, "label": _label("Order"), "name_field": "name",
        "fields": [
            {"api_name": "name", "type": "text", "label": _label("Name"), "max_length": 120},
            {"api_name": "code", "type": "text", "label": _label("Code"), "max_length": 40,
             "unique": True},
            {"api_name": "status", "type": "picklist", "label": _label("Status"),
             "options": [{"api_name": n, "label": _label(n)}
                         for n in ("draft", "confirmed", "shipped", "closed")]},
            {"api_name": "amount", "type": "currency", "label": _label("Amount"),
             "precision": 18, "scale": 2, "minimum": 0},
            {"api_name": "quantity", "type": "number", "label": _label("Quantity"),
             "precision": 12, "scale": 3, "minimum": 0},
            {"api_name": "ordered_on", "type": "date", "label": _label("Order date")},
            {"api_name": "shipped_at", "type": "datetime", "label": _label("Shipped at")},
            {"api_name": "is_paid", "type": "boolean", "label": _label("Paid")},
            {"api_name": "email", "type": "email", "label": _label("Buyer email")},
            {"api_name": "customer", "type": "lookup", "label": _label("Customer"),
             "target": "Customer", "on_delete": "restrict", "required": True},
        ],
    },
}


def bench_pack() -> Pack:
    return load_documents(DOCUMENTS)


# -- rows ------------------------------------------------------------------------------------

def app_rows(count: int, parents: list[str]) -> list[dict[str, Any]]:
    """Rows as an app sends them: JSON values, strings for decimals and dates."""
    rng = random.Random(20240331)
    statuses = ("draft", "confirmed", "shipped", "closed")
    start = dt.date(2024, 1, 1)
    rows = []
    for i in range(count):
        day = start + dt.timedelta(days=rng.randrange(365))
        rows.append({
            "name": f"Order {i}",
            "code": f"SO-{i:08d}",
            "status": rng.choice(statuses),
            "amount": f"{rng.randrange(10_000_000) / 100:.2f}",
            "quantity": str(rng.randrange(1, 500)),
            "ordered_on": day.isoformat(),
            "shipped_at": f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}"
                          ":00+08:00",
            "is_paid": rng.random() < 0.5,
            "email": f"buyer{i}@example.com",
            "customer": parents[i % len(parents)],
        })
    return rows


def typed_rows(rows: list[dict[str, Any]], user: User) -> list[dict[str, Any]]:
    """The same rows as a hand-written app holds them: typed, with every system column."""
    now = dt.datetime.now(dt.UTC)
    return [{
        "id": record_id, "owner_id": user.id, "department_id": user.department_id,
        "business_type": DEFAULT_BUSINESS_TYPE, "life_status": "normal",
        "created_by": user.id, "created_at": now, "updated_by": user.id, "updated_at": now,
        "version": 1, "is_deleted": False, "out_tenant_id": None, "out_owner_id": None,
        "name": row["name"], "code": row["code"], "status": row["status"],
        "amount": Decimal(row["amount"]), "quantity": Decimal(row["quantity"]),
        "ordered_on": dt.date.fromisoformat(row["ordered_on"]),
        "shipped_at": dt.datetime.fromisoformat(row["shipped_at"]),
        "is_paid": row["is_paid"], "email": row["email"], "customer": row["customer"],
    } for row, record_id in zip(rows, new_ids(len(rows)), strict=True)]


def driver_rows(table: sa.Table, rows: list[dict[str, Any]],
                dialect: sa.Dialect) -> list[tuple]:
    """Typed rows as tuples in table order; on SQLite in stored form (the columns' binds)."""
    columns = [c.name for c in table.columns]
    if dialect.name == "postgresql":
        return [tuple(row[name] for name in columns) for row in rows]
    binds = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns]
    pairs = list(zip(columns, binds, strict=True))
    return [tuple(bind(row[name]) if bind else row[name] for name, bind in pairs)
            for row in rows]


# -- setup -----------------------------------------------------------------------------------

@dataclass
class Round:
    """One run's tenant: hulian's table for Order, and the inputs built for it."""

    tenant: str
    user: User
    table: sa.Table
    inputs: list[dict[str, Any]]
    typed: list[dict[str, Any]]


def copy_table(eng: Engine, table: sa.Table, suffix: str) -> sa.Table:
    """A fresh, empty table identical to ``table`` (columns, types, indexes)."""
    copy = table.to_metadata(sa.MetaData(), name=f"{table.name}_{suffix}")
    for index in copy.indexes:
        index.name = f"{index.name}_{suffix}"
    with eng.db.begin() as conn:
        copy.create(conn)
    return copy


def new_round(eng: Engine, hulian: Engine, pack: Pack, tenant: str, count: int) -> Round:
    """Deploy and add the customers; ``hulian`` (the engine timed) caches the schema."""
    eng.metadata(tenant).deploy(pack)
    with hulian.session(tenant=tenant, user="admin") as s:
        parents = s.create_many("Customer", [{"name": f"Customer {i}"} for i in range(PARENTS)])
        user = s.user
        table = s.schema.object(OBJECT).table
    inputs = app_rows(count, parents)
    return Round(tenant, user, table, inputs, typed_rows(inputs, user))


# -- contenders ------------------------------------------------------------------------------

def _timed(work: Callable[[], None]) -> float:
    gc.collect()
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run_hulian(eng: Engine, rnd: Round) -> float:
    def work() -> None:
        with eng.session(tenant=rnd.tenant, user="admin") as s:
            s.create_many(OBJECT, rnd.inputs)

    return _timed(work)


def run_core(eng: Engine, table: sa.Table, rows: list[dict[str, Any]]) -> float:
    def work() -> None:
        with eng.db.begin() as conn:
            conn.execute(table.insert(), rows)

    return _timed(work)


def run_raw_postgresql(eng: Engine, table: sa.Table, rows: list[tuple]) -> float:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.schema, table.name),
        sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns))
    conninfo = eng.db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        def work() -> None:
            with conn.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()

        return _timed(work)


def run_raw_sqlite(eng: Engine, table: sa.Table, rows: list[tuple]) -> float:
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'
    conn = sqlite3.connect(eng.db.url.database, isolation_level=None, timeout=30)
    try:
        conn.execute("PRAGMA synchronous=NORMAL")

        def work() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(statement, rows)
            conn.execute("COMMIT")

        return _timed(work)
    finally:
        conn.close()


def count_rows(eng: Engine, table: sa.Table) -> int:
    with eng.db.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(table))


def same_contents(eng: Engine, tables: list[sa.Table]) -> bool:
    """Every column but the id and timestamps holds the same values in every table."""
    def contents(table: sa.Table) -> list[tuple]:
        skip = {"id", "created_at", "updated_at"}
        columns = [c for c in table.columns if c.name not in skip]
        with eng.db.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.select(*columns).order_by(table.c.code))]

    first, *others = [contents(t) for t in tables]
    return all(first == other for other in others)


# -- report ----------------------------------------------------------------------------------

CONTENDERS = {
    "hulian": "Session.create_many (validated)",
    "core": "SQLAlchemy Core insert() executemany",
    "raw": {"postgresql": "psycopg COPY write_row", "sqlite": "sqlite3 executemany"},
}


def report(db: str, count: int, times: dict[str, list[float]], identical: bool | None) -> None:
    print(f"\n{db}: {count:,} rows, best of {len(times['hulian'])}")
    print(f"  {'contender':<48} {'best s':>8} {'rows/s':>10}   runs (s)")
    for name, runs in times.items():
        label = CONTENDERS[name]
        label = label[db] if isinstance(label, dict) else label
        best = min(runs)
        print(f"  {name + '  ' + label:<48} {best:>8.3f} {count / best:>10,.0f}   "
              + " ".join(f"{t:.3f}" for t in runs))
    best = {name: min(runs) for name, runs in times.items()}
    core_ratio = best["hulian"] / best["core"]
    raw_ratio = best["hulian"] / best["raw"]
    if db == "postgresql":
        target = f"target < {PG_TARGET:.2f}x (faster than core)"
        met = core_ratio < PG_TARGET
    else:
        target = f"target <= {SQLITE_TARGET:.2f}x"
        met = core_ratio <= SQLITE_TARGET
    print(f"  hulian / core  {core_ratio:5.2f}x   {target}: {'met' if met else 'NOT met'}")
    print(f"  hulian / raw   {raw_ratio:5.2f}x")
    if identical is not None:
        print(f"  tables hold the same values: {'yes' if identical else 'NO'}")


# -- driving ---------------------------------------------------------------------------------

@contextmanager
def hulian_engine(eng: Engine, *, auto_prepare: bool) -> Iterator[Engine]:
    """The engine hulian's contender runs on: ``eng`` itself, or for the what-if a second
    Engine on the same database whose psycopg connections never prepare statements
    (core and raw keep the driver's defaults)."""
    if auto_prepare or eng.dialect != "postgresql":
        yield eng
        return
    with Engine(eng.url, migrate=False) as other:
        @sa.event.listens_for(other.db, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.prepare_threshold = None

        yield other


def measure(eng: Engine, hulian: Engine, count: int, runs: int, budget: float) -> None:
    db = eng.dialect
    began = time.perf_counter()
    pack = bench_pack()
    tag = os.urandom(3).hex()
    times: dict[str, list[float]] = {"hulian": [], "core": [], "raw": []}
    identical = None
    raw = run_raw_postgresql if db == "postgresql" else run_raw_sqlite
    for run in range(runs):
        rnd = new_round(eng, hulian, pack, f"bench_{tag}_{run}", count)
        core_table = copy_table(eng, rnd.table, "core")
        raw_table = copy_table(eng, rnd.table, "raw")
        tuples = driver_rows(raw_table, rnd.typed, eng.db.dialect)
        contenders: list[tuple[str, Callable[[], float]]] = [
            ("hulian", partial(run_hulian, hulian, rnd)),
            ("core", partial(run_core, eng, core_table, rnd.typed)),
            ("raw", partial(raw, eng, raw_table, tuples)),
        ]
        shift = run % len(contenders)  # each run starts with another contender
        for name, contender in contenders[shift:] + contenders[:shift]:
            times[name].append(contender())
        counts = [count_rows(eng, t) for t in (rnd.table, core_table, raw_table)]
        if counts != [count] * 3:
            print(f"  run {run + 1}: row counts hulian/core/raw = {counts}, expected {count}")
        print(f"  {db} run {run + 1}/{runs}: " + ", ".join(
            f"{name} {t[-1]:.3f} s" for name, t in times.items()), flush=True)
        spent = time.perf_counter() - began
        if run == runs - 1 or spent > budget:
            identical = same_contents(eng, [rnd.table, core_table, raw_table])
        if spent > budget and run < runs - 1:
            print(f"  {db}: {spent:.0f} s spent, over the {budget:.0f} s budget: "
                  f"no more runs")
            break
    report(db, count, times, identical)


def profile(eng: Engine, hulian: Engine, count: int, top: int) -> None:
    rnd = new_round(eng, hulian, bench_pack(), f"bench_{os.urandom(3).hex()}_p", count)
    profiler = cProfile.Profile()
    gc.collect()
    start = time.perf_counter()
    profiler.enable()
    with hulian.session(tenant=rnd.tenant, user="admin") as s:
        s.create_many(OBJECT, rnd.inputs)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(f"\n{eng.dialect}: hulian create_many of {count:,} rows under cProfile: "
          f"{elapsed:.3f} s")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        body = out.getvalue()
        print(f"--- top {top} by {order} ---")
        print(body[body.index("   ncalls"):].rstrip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per contender")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3, help="runs per contender; best counts")
    parser.add_argument("--budget", type=float, default=120, metavar="SECONDS",
                        help="start no further run on a database once its runs took longer")
    parser.add_argument("--no-auto-prepare", action="store_true",
                        help="what-if: switch psycopg's automatic prepared statements off on "
                             "hulian's connections only")
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    parser.add_argument("--profile", type=int, nargs="?", const=25, metavar="N",
                        help="profile hulian's path instead; print the N costliest functions")
    args = parser.parse_args(argv)
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    print(f"bulk insert bench: {args.rows:,} rows of {OBJECT} (10 fields, lookup to "
          f"{PARENTS} customers); python {sys.version.split()[0]}, sqlalchemy "
          f"{sa.__version__}, psycopg {psycopg.__version__}, sqlite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} cpus")
    for db in dbs:
        with database(db, args.pg_url) as eng, \
                hulian_engine(eng, auto_prepare=not args.no_auto_prepare) as hulian:
            if db == "postgresql":
                with eng.db.connect() as conn:
                    version = conn.exec_driver_sql("SHOW server_version").scalar()
                print(f"postgresql {version}" + (
                    ", hulian's connections with psycopg auto-prepare off (what-if)"
                    if hulian is not eng else ""))
            if args.profile:
                profile(eng, hulian, args.rows, args.profile)
            else:
                measure(eng, hulian, args.rows, args.runs, args.budget)


if __name__ == "__main__":
    main()
