"""The bulk part of bench/rest.py: ``Session.create_many`` against the raw limit, with
bench/bulk_insert.py's pack (an ``Order`` of 10 fields with a lookup), rows and contenders
(hulian from rows as an app sends them; raw: ``sqlite3`` executemany or PostgreSQL ``COPY``
of driver-ready tuples into an identical fresh table). Each run is a fresh tenant; which
contender goes first alternates; the best of the runs counts. bench/bulk_insert.py
measures the same with a Core contender too and more options.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial

from bulk_insert import (
    bench_pack,
    copy_table,
    count_rows,
    driver_rows,
    new_round,
    run_hulian,
    run_raw_postgresql,
    run_raw_sqlite,
)

from hulian.engine import Engine


@dataclass(frozen=True)
class BulkResult:
    rows: int
    hulian: float
    raw: float
    """Best seconds of each."""

    @property
    def ratio(self) -> float:
        return self.hulian / self.raw


def measure_bulk(eng: Engine, rows: int, runs: int) -> BulkResult:
    raw = run_raw_postgresql if eng.dialect == "postgresql" else run_raw_sqlite
    pack = bench_pack()
    tag = os.urandom(3).hex()
    times: dict[str, list[float]] = {"hulian": [], "raw": []}
    for run in range(runs):
        rnd = new_round(eng, eng, pack, f"rest_bulk_{tag}_{run}", rows)
        raw_table = copy_table(eng, rnd.table, "raw")
        tuples = driver_rows(raw_table, rnd.typed, eng.db.dialect)
        contenders = [("hulian", partial(run_hulian, eng, rnd)),
                      ("raw", partial(raw, eng, raw_table, tuples))]
        for name, contender in contenders[run % 2:] + contenders[:run % 2]:
            times[name].append(contender())
        counts = [count_rows(eng, t) for t in (rnd.table, raw_table)]
        if counts != [rows, rows]:
            raise AssertionError(f"bulk run {run + 1}: rows hulian/raw = {counts}, "
                                 f"expected {rows}")
        print(f"  bulk run {run + 1}/{runs}, {rows:,} rows: create_many "
              f"{times['hulian'][-1]:.2f} s, raw {times['raw'][-1]:.2f} s", flush=True)
    return BulkResult(rows, min(times["hulian"]), min(times["raw"]))
