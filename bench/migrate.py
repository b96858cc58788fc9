"""Schema evolution: hulian's deploys of field changes on a loaded table, against hand-written SQL.

    .venv/bin/python bench/migrate.py [--rows N] [--db sqlite|postgresql|both] [--pg-url URL]

Per database, a fresh tenant gets a ``Ticket`` object of six text fields and N rows
(default 1,000,000 on PostgreSQL, 200,000 on SQLite; COPY / Core executemany, system
columns filled as ``create_many`` fills them); the baseline gets an identical copy of
the table (``to_metadata``, indexes included, ``INSERT ... SELECT``). Each change in
``CHANGES`` (a label change, add a nullable field, rename, archive, text -> number,
shrink a text field, make a field required with a backfill) is one ``Engine.deploy`` on
hulian's table and the same change in hand-written SQL on the copy (``ALTER TABLE ...
ADD / RENAME COLUMN``, ``ALTER COLUMN ... TYPE ... USING``, ``UPDATE``), one transaction
each, timed to the commit; the two alternate in going first. It prints seconds, rows
checked (``report.checks``) per second, hulian/baseline and, on PostgreSQL, whether each
side rewrote the table (``pg_relation_filenode`` before and after) and its size after;
at the end it compares a digest of both tables. Each change runs once (the table moves
on); nothing is asserted. Without ``--pg-url`` PostgreSQL is a throwaway cluster
(``tests/pg_cluster.py``); with it, give a scratch database (the ``bench_migrate``
tenant stays there).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gc
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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

TENANT = "bench_migrate"
DEFAULT_ROWS = {"postgresql": 1_000_000, "sqlite": 200_000}
CHUNK = 50_000
Fields = list[dict[str, Any]]
Documents = dict[str, Any]


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


def _text(api_name: str, max_length: int) -> dict[str, Any]:
    return {"api_name": api_name, "type": "text", "label": _label(api_name),
            "max_length": max_length}


V1: Documents = {
    "pack.json": {"name": "bench", "version": "1.0.0", "label": _label("Bench")},
    "objects/Ticket.json": {
        "api_name": "Ticket", "label": _label("Ticket"), "name_field": "name",
        "fields": [_text("name", 120), _text("subject", 200), _text("legacy", 80),
                   _text("amount", 20), _text("code", 255), _text("priority", 20)],
    },
}


def _edit(name: str, **keys: Any) -> Callable[[Fields], None]:
    """Change keys of field ``name``; a key set to None is removed."""
    def change(fields: Fields) -> None:
        target = next(f for f in fields if f["api_name"] == name)
        target.update(keys)
        for key in [k for k, v in keys.items() if v is None]:
            del target[key]
    return change


def _retype_sql(db: str, t: str) -> list[str]:
    if db == "postgresql":
        return [f"ALTER TABLE {t} ALTER COLUMN amount TYPE NUMERIC(12, 2) "
                "USING amount::NUMERIC(12, 2)"]
    return [f"ALTER TABLE {t} ADD COLUMN amount_new BIGINT",  # hulian's SQLite form: cents
            f"UPDATE {t} SET amount_new = CAST(round(CAST(amount AS REAL) * 100) AS INTEGER)",
            f"ALTER TABLE {t} DROP COLUMN amount",
            f"ALTER TABLE {t} RENAME COLUMN amount_new TO amount"]


def _shrink_sql(db: str, t: str) -> list[str]:
    if db == "postgresql":
        return [f"ALTER TABLE {t} ALTER COLUMN code TYPE VARCHAR(40)"]
    return [f"SELECT count(*) FROM {t} WHERE length(code) > 40"]


@dataclass(frozen=True)
class Change:
    key: str
    title: str
    edit: Callable[[Fields], None]
    baseline: Callable[[str, str], list[str]]
    """(dialect, quoted table) -> the hand-written statements."""


CHANGES = (
    Change("0", "label change (metadata only)", _edit("name", label=_label("Title")),
           lambda db, t: []),
    Change("1", "add nullable field", lambda fields: fields.append(_text("note", 200)),
           lambda db, t: [f"ALTER TABLE {t} ADD COLUMN note VARCHAR(200)"]),
    Change("2", "rename field", _edit("subject", api_name="title", renamed_from="subject"),
           lambda db, t: [f"ALTER TABLE {t} RENAME COLUMN subject TO title"]),
    Change("3", "archive field", lambda fields: fields.remove(
        next(f for f in fields if f["api_name"] == "legacy")),
           lambda db, t: [f"ALTER TABLE {t} RENAME COLUMN legacy TO legacy_archived"]),
    Change("4a", "text -> number(12,2), checked", _edit(
        "amount", type="number", precision=12, scale=2, max_length=None), _retype_sql),
    Change("4b", "shrink text 255 -> 40, checked", _edit("code", max_length=40), _shrink_sql),
    Change("5", "make required + backfill", _edit("priority", required=True, backfill="ok"),
           lambda db, t: [f"UPDATE {t} SET priority = 'ok' WHERE priority IS NULL"]),
)


# -- loading ---------------------------------------------------------------------------------

def ticket_rows(count: int, user: User) -> Iterator[list[dict[str, Any]]]:
    """Every column of ``count`` tickets, system columns as create_many fills them."""
    rng = random.Random(20240601)
    now = dt.datetime.now(dt.UTC)
    system = {"owner_id": user.id, "department_id": user.department_id,
              "business_type": DEFAULT_BUSINESS_TYPE, "life_status": "normal",
              "created_by": user.id, "created_at": now, "updated_by": user.id,
              "updated_at": now, "version": 1, "is_deleted": False, "out_tenant_id": None,
              "out_owner_id": None}
    for start in range(0, count, CHUNK):
        ids = new_ids(min(CHUNK, count - start))
        yield [{**system, "id": record_id, "name": f"Ticket {i}",
                "subject": f"Subject of ticket {i}", "legacy": f"L-{i % 997}",
                "amount": f"{rng.randrange(100_000_000) / 100:.2f}", "code": f"TK-{i:09d}",
                "priority": None if rng.random() < 0.3 else rng.choice(("low", "high"))}
               for i, record_id in enumerate(ids, start)]


def load(eng: Engine, table: sa.Table, count: int, user: User) -> None:
    """PostgreSQL: one COPY; SQLite: Core executemany in chunks; one transaction."""
    columns = [c.name for c in table.columns]
    if eng.dialect != "postgresql":
        with eng.db.begin() as conn:
            for chunk in ticket_rows(count, user):
                conn.execute(table.insert(), chunk)
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(str(table.schema), table.name),
        sql.SQL(", ").join(sql.Identifier(c) for c in columns))
    raw = eng.db.raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as out:
            for chunk in ticket_rows(count, user):
                for row in chunk:
                    out.write_row(tuple(row[c] for c in columns))
        raw.commit()
    finally:
        raw.close()


def copy_table(eng: Engine, table: sa.Table) -> sa.Table:
    """An identical table (columns, types, indexes) holding the same rows."""
    base = table.to_metadata(sa.MetaData(), name=f"{table.name}_base")
    for index in base.indexes:
        index.name = sa.quoted_name(f"{index.name}_base", None)
    with eng.db.begin() as conn:
        base.create(conn)
        conn.execute(base.insert().from_select(list(table.c.keys()), sa.select(table)))
    return base


# -- measuring -------------------------------------------------------------------------------

def quoted(eng: Engine, table: sa.Table) -> str:
    return eng.db.dialect.identifier_preparer.format_table(table)


def storage(eng: Engine, name: str) -> tuple[int, int]:
    """PostgreSQL: (filenode, total size in bytes) of a table; (0, 0) elsewhere."""
    if eng.dialect != "postgresql":
        return 0, 0
    with eng.db.connect() as conn:
        row = conn.execute(sa.text("SELECT pg_relation_filenode(CAST(:t AS regclass)), "
                                   "pg_total_relation_size(CAST(:t AS regclass))"),
                           {"t": name}).one()
    return row[0], row[1]


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def run_sql(eng: Engine, statements: list[str]) -> None:
    with eng.db.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def prepare(eng: Engine, count: int) -> tuple[str, str]:
    """Deploy version 1, load ``count`` tickets, copy the table; both tables' names."""
    eng.metadata(TENANT).deploy(load_documents(V1))
    with eng.session(tenant=TENANT, user="admin") as s:
        user, table = s.user, s.schema.object("Ticket").table
    seconds, _ = _timed(lambda: load(eng, table, count, user))
    print(f"\n{eng.dialect}: {count:,} tickets loaded in {seconds:.1f} s", flush=True)
    seconds, base = _timed(lambda: copy_table(eng, table))
    names = quoted(eng, table), quoted(eng, base)
    if eng.dialect == "postgresql":
        with eng.db.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for name in names:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {name}")
    print(f"  baseline copy made in {seconds:.1f} s", flush=True)
    return names


def run_change(eng: Engine, names: tuple[str, str], title: str, pack: Pack,
               statements: list[str], baseline_first: bool) -> tuple[int, int]:
    """Deploy ``pack``, run ``statements`` on the copy (in the order given), print the
    figures; hulian's table's filenode before and after (PostgreSQL)."""
    def baseline() -> float | None:
        return _timed(lambda: run_sql(eng, statements))[0] if statements else None

    before = [storage(eng, n) for n in names]
    base_s = baseline() if baseline_first else None
    hulian_s, report = _timed(lambda: eng.metadata(TENANT).deploy(pack))
    base_s = base_s if baseline_first else baseline()
    after = [storage(eng, n) for n in names]
    checked = sum(c.rows_checked for c in report.checks)
    line = f"  {title:<36} {hulian_s:>9.3f} " + (
        f"{base_s:>8.3f} {hulian_s / base_s:>6.1f}x" if base_s is not None
        else f"{'-':>8} {'-':>7}") + (
        f" {checked:>9,} {checked / hulian_s:>10,.0f}" if report.checks
        else f" {'-':>9} {'-':>10}")
    if eng.dialect == "postgresql":
        rewrites = "/".join("yes" if a[0] != b[0] else "no"
                            for a, b in zip(after, before, strict=True))
        line += f"  {rewrites:>11}  {after[0][1] >> 20}/{after[1][1] >> 20}"
    print(line, flush=True)
    return before[0][0], after[0][0]


def measure(eng: Engine, count: int) -> None:
    names = prepare(eng, count)
    print(f"  {'change':<36} {'hulian s':>9} {'base s':>8} {'h/base':>7} {'checked':>9} "
          f"{'checked/s':>10}" + ("  rewrite h/b  MB h/b" if eng.dialect == "postgresql"
                                  else ""))
    docs = V1
    for number, change in enumerate(CHANGES):
        docs = copy.deepcopy(docs)
        change.edit(docs["objects/Ticket.json"]["fields"])
        old, new = run_change(eng, names, f"{change.key} {change.title}", load_documents(docs),
                              change.baseline(eng.dialect, names[1]), bool(number % 2))
        if change.key == "1" and eng.dialect == "postgresql":
            print(f"  rewrite: {'yes' if new != old else 'no'} (filenode {old} -> {new})")
    agree = digest(eng, names[0]) == digest(eng, names[1])
    print(f"  tables hold the same values (digest): {'yes' if agree else 'NO'}")


def digest(eng: Engine, name: str) -> tuple[Any, ...]:
    with eng.db.connect() as conn:
        return tuple(conn.exec_driver_sql(
            f"SELECT count(*), count(note), sum(length(title)), sum(amount), "
            f"max(length(code)), count(priority), sum(length(priority)) FROM {name}").one())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, help="rows per table (default 1,000,000 on "
                                                 "PostgreSQL, 200,000 on SQLite)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    args = parser.parse_args(argv)
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    print(f"migrate bench: Ticket (6 text fields), one deploy per change; python "
          f"{sys.version.split()[0]}, sqlalchemy {sa.__version__}, psycopg "
          f"{psycopg.__version__}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} cpus")
    for db in dbs:
        with database(db, args.pg_url) as eng:
            if db == "postgresql":
                with eng.db.connect() as conn:
                    print(f"postgresql {conn.exec_driver_sql('SHOW server_version').scalar()}")
            measure(eng, args.rows or DEFAULT_ROWS[db])


if __name__ == "__main__":
    main()
