"""Formulas: compiled hulian formulas against hand-written Python and hand-written SQL.

    .venv/bin/python bench/formula.py [--part python|sql|both] [--evals 100000]
        [--rows 1000000] [--runs 5] [--pg-url URL]

Python: each formula is compiled once (``compile_formula``) and run over the same
``--evals`` records (path -> value maps, about 3 % blanks per field); the
baseline is a hand-written function computing the same with Decimals and the same
blank handling. The bench prints evaluations per second and the ratio
hulian / hand-written (target at most 1.5x), checks that both gave the same
values, and times the ``formulas`` (Excel) package on the first formula when it
is importable (it is not a dependency).

SQL (PostgreSQL): ``--rows`` rows in a plain table (amount numeric(18,2),
quantity numeric(12,3), discount numeric(5,4), created date), loaded with COPY.
Each query filters AND sorts on a formula, compiled by ``SqlCompiler`` with the
field references resolved to the table's columns, and fetches the first page
of 50; the baseline is the same query written by hand. Best of ``--runs``; the
bench prints ms and the ratio (target at most 1.2x) and checks that both pages
are the same rows.

Without ``--pg-url`` PostgreSQL is a throwaway cluster (``tests/pg_cluster.py``);
with it, give a scratch database: the bench creates and drops ``formula_bench``.
It prints, it never asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import postgres_url

from hulian.engine.database import open_database
from hulian.formula import FormulaError, SqlCompiler, T, UnknownField, compile_formula

PYTHON_TARGET = 1.5
SQL_TARGET = 1.2
PAGE = 50
TABLE = "formula_bench"
BLANK_RATE = 0.03
CENT = Decimal("0.01")

FIELDS: dict[str, T] = {"amount": T.CURRENCY, "quantity": T.NUMBER, "discount": T.NUMBER,
                        "created": T.DATE, "name": T.TEXT, "code": T.TEXT}


class BenchScope:
    """The bench's fields, typed as the table's columns."""

    def resolve(self, path: tuple[str, ...]) -> tuple[T, Any]:
        if len(path) != 1 or path[0] not in FIELDS:
            raise UnknownField(f"no field {'.'.join(path)!r}")
        return FIELDS[path[0]], path[0]


Env = Mapping[tuple[str, ...], Any]
AMOUNT, QUANTITY, DISCOUNT, CREATED, NAME, CODE = (
    ("amount",), ("quantity",), ("discount",), ("created",), ("name",), ("code",))


# -- hand-written Python: same values, same blank handling --------------------------------------

def deal_total(env: Env) -> Decimal | None:
    amount, quantity = env.get(AMOUNT), env.get(QUANTITY)
    if amount is None or quantity is None:
        return None  # the comparison is blank (IF reads it as false), and so is the product
    gross = amount * quantity
    if gross > 1000:
        discount = env.get(DISCOUNT)
        if discount is None:
            return None
        return (gross * (1 - discount)).quantize(CENT, ROUND_HALF_UP)
    return gross


def label(env: Env) -> str | None:
    name, code = env.get(NAME), env.get(CODE)
    head = name.upper()[:3] if name else ""
    return (head + "-" + (code or "")) or None


def period(env: Env) -> Decimal | None:
    created = env.get(CREATED)
    if created is None:
        return None
    return Decimal(created.year * 100 + created.month)


@dataclass(frozen=True)
class Contest:
    name: str
    formula: str
    hand: Callable[[Env], Any]


CONTESTS = [
    Contest("deal total", "IF(amount * quantity > 1000, "
            "ROUND(amount * quantity * (1 - discount), 2), amount * quantity)", deal_total),
    Contest("label", 'LEFT(UPPER(name), 3) & "-" & code', label),
    Contest("period", "YEAR(created) * 100 + MONTH(created)", period),
]


def _blank(rng: random.Random, value: Any) -> Any:
    return None if rng.random() < BLANK_RATE else value


def python_records(count: int) -> list[dict[tuple[str, ...], Any]]:
    rng = random.Random(20240229)
    start = dt.date(2020, 1, 1)
    words = ("acme", "zoë", "華信商贸", "globex", "initech", "umbrella")
    return [{
        AMOUNT: _blank(rng, Decimal(rng.randrange(100_000)).scaleb(-2)),
        QUANTITY: _blank(rng, Decimal(rng.randrange(50_000)).scaleb(-3)),
        DISCOUNT: _blank(rng, Decimal(rng.randrange(3000)).scaleb(-4)),
        CREATED: _blank(rng, start + dt.timedelta(days=rng.randrange(2000))),
        NAME: _blank(rng, rng.choice(words)),
        CODE: _blank(rng, f"C{rng.randrange(10_000):04d}"),
    } for _ in range(count)]


def _best(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def _interleaved(works: list[Callable[[], Any]], runs: int) -> list[tuple[float, Any]]:
    """Best time and last result of each contender; each run starts with another one."""
    best: list[float] = [float("inf")] * len(works)
    results: list[Any] = [None] * len(works)
    for run in range(runs):
        for i in [*range(run % len(works), len(works)), *range(run % len(works))]:
            gc.collect()
            started = time.perf_counter()
            results[i] = works[i]()
            best[i] = min(best[i], time.perf_counter() - started)
    return list(zip(best, results, strict=True))


def _excel_row(records: list[dict]) -> str:
    try:
        import formulas  # noqa: F401 - optional: the Excel formula package, never a dependency
    except ImportError:
        return "not installed"
    return _time_excel(records)


def _time_excel(records: list[dict]) -> str:
    import formulas

    function = formulas.Parser().ast(
        "=IF(A1*B1>1000,ROUND(A1*B1*(1-C1),2),A1*B1)")[1].compile()
    rows = [(float(r[AMOUNT] or 0), float(r[QUANTITY] or 0), float(r[DISCOUNT] or 0))
            for r in records[:10_000]]
    started = time.perf_counter()
    for row in rows:
        function(*row)
    elapsed = time.perf_counter() - started
    return f"{len(rows) / elapsed:,.0f} evals/s (floats, blanks as 0, 10,000 records)"


def bench_python(evals: int, runs: int) -> None:
    records = python_records(evals)
    print(f"\npython: {evals:,} records per run, best of {runs}")
    print(f"  {'formula':<12} {'hulian evals/s':>15} {'hand evals/s':>13} {'ratio':>6}   same")
    for contest in CONTESTS:
        try:
            run = compile_formula(contest.formula, BenchScope()).run
        except FormulaError as exc:
            print(f"  {contest.name:<12} skipped: {exc.code}: {exc.message}")
            continue
        hand = contest.hand
        hulian_s, ours = _best(lambda run=run: [run(r) for r in records], runs)
        hand_s, theirs = _best(lambda hand=hand: [hand(r) for r in records], runs)
        same = ours == theirs
        ratio = hulian_s / hand_s
        met = "met" if ratio <= PYTHON_TARGET else "NOT met"
        print(f"  {contest.name:<12} {evals / hulian_s:>15,.0f} {evals / hand_s:>13,.0f} "
              f"{ratio:>5.2f}x   {'yes' if same else 'NO'}   (target <= {PYTHON_TARGET}x: "
              f"{met})")
        print(f"  {'':<12} {contest.formula}")
    print(f"  formulas (Excel) package: {_excel_row(records)}")


# -- SQL on PostgreSQL --------------------------------------------------------------------------

HAND_SQL = {
    "deal total": "CASE WHEN amount * quantity > 1000 "
                  "THEN round(amount * quantity * (1 - discount), 2) "
                  "ELSE amount * quantity END",
    "period": "EXTRACT(YEAR FROM created) * 100 + EXTRACT(MONTH FROM created)",
}
FILTERS = {"deal total": Decimal(5000), "period": Decimal(202406)}


def load_table(url: str, rows: int) -> float:
    """Create ``formula_bench`` and COPY ``rows`` rows into it; the seconds it took."""
    conninfo = sa.make_url(url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    rng = random.Random(1000000)
    start = dt.date(2020, 1, 1)
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, amount numeric(18,2), "
                     "quantity numeric(12,3), discount numeric(5,4), created date)")
        with conn.cursor() as cursor, cursor.copy(
                f"COPY {TABLE} (id, amount, quantity, discount, created) FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row((
                    i,
                    _blank(rng, Decimal(rng.randrange(100_000)).scaleb(-2)),
                    _blank(rng, Decimal(rng.randrange(50_000)).scaleb(-3)),
                    _blank(rng, Decimal(rng.randrange(3000)).scaleb(-4)),
                    _blank(rng, start + dt.timedelta(days=rng.randrange(2000))),
                ))
        conn.commit()
        conn.autocommit = True
        conn.execute(f"VACUUM ANALYZE {TABLE}")
    return time.perf_counter() - started


def bench_sql(url: str, rows: int, runs: int) -> None:
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar()
        print(f"\npostgresql {version}: {rows:,} rows in {TABLE}, loading with COPY...",
              flush=True)
        print(f"  loaded in {load_table(url, rows):.1f} s; each query: filter and sort on the "
              f"formula, first page of {PAGE}, best of {runs}")
        table = sa.Table(TABLE, sa.MetaData(), autoload_with=engine)
        print(f"  {'formula':<12} {'hulian ms':>10} {'hand ms':>8} {'ratio':>6}   same page")
        for contest in CONTESTS:
            if contest.name not in HAND_SQL:
                continue
            try:
                formula = compile_formula(contest.formula, BenchScope())
            except FormulaError as exc:
                print(f"  {contest.name:<12} skipped: {exc.code}: {exc.message}")
                continue
            compiler = SqlCompiler("postgresql", lambda ref: table.c[ref.target])
            value = compiler.compile(formula.typed).label("value")
            ours = (sa.select(table.c.id, value)
                    .where(compiler.compile(formula.typed) > FILTERS[contest.name])
                    .order_by(value.desc(), table.c.id).limit(PAGE))
            hand = HAND_SQL[contest.name]
            theirs = sa.text(f"SELECT id, {hand} AS value FROM {TABLE} "
                             f"WHERE {hand} > {FILTERS[contest.name]} "
                             f"ORDER BY value DESC, id LIMIT {PAGE}")
            with engine.connect() as conn:
                (ours_s, ours_page), (hand_s, hand_page) = _interleaved(
                    [lambda q=ours, c=conn: c.execute(q).all(),
                     lambda q=theirs, c=conn: c.execute(q).all()], runs)
            same = [tuple(r) for r in ours_page] == [tuple(r) for r in hand_page]
            ratio = ours_s / hand_s
            met = "met" if ratio <= SQL_TARGET else "NOT met"
            print(f"  {contest.name:<12} {ours_s * 1000:>10.1f} {hand_s * 1000:>8.1f} "
                  f"{ratio:>5.2f}x   {'yes' if same else 'NO'}   (target <= {SQL_TARGET}x: "
                  f"{met})")
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {TABLE}")
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("python", "sql", "both"), default="both")
    parser.add_argument("--evals", type=int, default=100_000,
                        help="records per Python run (default 100,000)")
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="rows of the SQL table (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per contender; best counts")
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    args = parser.parse_args(argv)
    print(f"formula bench: python {sys.version.split()[0]}, sqlalchemy {sa.__version__}, "
          f"psycopg {psycopg.__version__}, {os.cpu_count()} cpus")
    if args.part in ("python", "both"):
        bench_python(args.evals, args.runs)
    if args.part in ("sql", "both"):
        with postgres_url(args.pg_url) as url:
            bench_sql(url, args.rows, args.runs)


if __name__ == "__main__":
    main()
