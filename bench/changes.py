"""Record changes and webhooks: what the outbox costs a write, and how fast the worker delivers.

    .venv/bin/python bench/changes.py [--writes 1000] [--bulk-rows 20000] [--events 5000]
        [--rate 200] [--seconds 10] [--db sqlite|postgresql|both] [--pg-url URL]

One tenant per database gets an ``Order`` object with history (``track_history``: a name,
a picklist, a currency, a date, a lookup to ``Account``), then:

(a) a single ``Session.create`` of an order, each in its own session as a request, with
    history and outbox on (an ``Engine`` as deployed: the write records its change) against
    both off (``Engine(record_changes=False)`` on the same database), alternating in blocks
    of 25; target (issue 14): at most 1.3x.
(b) ``create_many`` of ``--bulk-rows`` orders, on against off the same way; target: at most
    1.2x.
(c) webhook delivery: ``--events`` changes made by real writes (creates of ``events / 5``
    orders, then four updates of each, so order per record matters), one subscription to a
    local receiver (an HTTP server in a process of its own, keep-alive, every signature
    checked); the time from the worker's start until the last is acknowledged; target: at
    least 1,000 events/s.
(d) worker lag: writers in another process create orders at ``--rate`` a second for
    ``--seconds`` (each write records its change) while the worker runs (polling every
    0.2 s); lag is the time from a write's commit to the receiver having its change; target:
    p95 under 1 s at 200 writes/s.

Prints times, ratios and PASS/FAIL lines; asserts nothing. Without ``--pg-url`` PostgreSQL is
a throwaway cluster (``tests/pg_cluster.py``).
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import sqlite3
import statistics
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _pg import database

from hulian.engine import Engine
from hulian.engine.changes import outbox
from hulian.engine.database import reading
from hulian.engine.webhooks import DeliverySettings, UrlPolicy, verify
from hulian.metadata.loader import load_documents
from hulian.runtime.worker import Worker

SINGLE_TARGET, BULK_TARGET, EVENTS_TARGET, LAG_TARGET = 1.3, 1.2, 1000.0, 1.0
SECRET = "bench-secret-0123456789"
BLOCK = 25


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


def _field(api_name: str, type_: str, **settings: Any) -> dict[str, Any]:
    return {"api_name": api_name, "type": type_, "label": _label(api_name), **settings}


DOCUMENTS: dict[str, Any] = {
    "pack.json": {"name": "bench", "version": "1.0.0", "label": _label("Bench")},
    "objects/Account.json": {"api_name": "Account", "label": _label("Account"),
                             "name_field": "name",
                             "fields": [_field("name", "text", max_length=120)]},
    "objects/Order.json": {
        "api_name": "Order", "label": _label("Order"), "name_field": "title",
        "track_history": True,
        "fields": [_field("title", "text", max_length=120),
                   _field("account", "lookup", target="Account"),
                   _field("status", "picklist", options=[
                       {"api_name": s, "label": _label(s)} for s in ("draft", "confirmed")]),
                   _field("amount", "currency", precision=18, scale=2),
                   _field("due", "date")]},
}


class Contenders:
    """The two sides of (a) and (b) on one database: ``on``, the Engine as deployed (each
    write records its change: history and outbox on), and ``off``, an
    ``Engine(record_changes=False)`` (neither)."""

    def __init__(self, eng: Engine):
        self.on = eng
        self.off = Engine(eng.url, migrate=False, record_changes=False)

    def engine(self, on: bool) -> Engine:
        return self.on if on else self.off

    def close(self) -> None:
        self.off.close()


def _last_change(eng: Engine, tenant: str) -> int:
    with reading(eng.db) as conn, conn.begin():
        return outbox.last_id(conn, tenant)


class Receiver:
    """The local receiver of (c) and (d): an HTTP server in a process of its own (as a
    receiver is), keep-alive, checking every signature and noting when each change came;
    :meth:`arrivals` fetches what it has seen (``time.monotonic`` is the machine's clock,
    shared by both processes)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        self.process = context.Process(target=_serve, args=(SECRET, ready), daemon=True)
        self.process.start()
        self.port = ready.get(timeout=30)
        self.url = f"http://127.0.0.1:{self.port}/hulian"

    def arrivals(self) -> list[dict[str, Any]]:
        """[{"id", "record_id", "at", "signed"}] in arrival order."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/seen", timeout=30) as got:
            return json.loads(got.read())

    def close(self) -> None:
        self.process.terminate()
        self.process.join(5)


def _serve(secret: str, ready: Any) -> None:
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            at = time.monotonic()
            change = json.loads(body)
            seen.append({"id": change["id"], "record_id": change["record_id"], "at": at,
                         "signed": verify(secret, self.headers["X-Hulian-Signature"], body,
                                          now=int(time.time()), tolerance=10**10)})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            text = json.dumps(seen).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


def new_tenant(eng: Engine) -> tuple[str, list[str]]:
    tenant = f"bench_{os.urandom(3).hex()}"
    eng.metadata(tenant).deploy(load_documents(DOCUMENTS))
    with eng.session(tenant) as s:
        accounts = s.create_many("Account", [{"name": f"A{i}"} for i in range(50)])
    return tenant, accounts


def _order(i: int, accounts: list[str]) -> dict[str, Any]:
    return {"title": f"Order {i}", "account": accounts[i % len(accounts)],
            "status": "draft", "amount": f"{(i * 37) % 100_000 / 100:.2f}",
            "due": f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}"}


def single_writes(tenant: str, accounts: list[str], writes: int,
                  contenders: Contenders) -> None:
    def write(i: int, on: bool) -> float:
        row = _order(i, accounts)
        began = time.perf_counter()
        with contenders.engine(on).session(tenant) as s:
            s.create("Order", row)
        return time.perf_counter() - began

    for i in range(50):                              # warm: compiled plans, caches, pools
        write(i, i % 2 == 0)
    times: dict[bool, list[float]] = {True: [], False: []}
    gc.collect()
    first = _last_change(contenders.on, tenant)
    i = 0
    for block in range(2 * writes // BLOCK):
        on = block % 2 == 0
        for _ in range(BLOCK):
            times[on].append(write(i, on))
            i += 1
    recorded = _last_change(contenders.on, tenant) - first
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"  (a) single create: on median {on * 1e3:6.2f} ms, off {off * 1e3:6.2f} ms "
          f"({len(times[True])} each; {recorded} changes recorded)")
    _verdict("(a) a write with its change / without:", on / off, SINGLE_TARGET, "<=")


def bulk_writes(tenant: str, accounts: list[str], rows: int, contenders: Contenders,
                runs: int = 3) -> None:
    def bulk(on: bool, start: int) -> float:
        batch = [_order(start + i, accounts) for i in range(rows)]
        began = time.perf_counter()
        with contenders.engine(on).session(tenant) as s:
            s.create_many("Order", batch)
        return time.perf_counter() - began

    times: dict[bool, list[float]] = {True: [], False: []}
    for run in range(runs):
        for on in ((False, True) if run % 2 == 0 else (True, False)):
            gc.collect()
            times[on].append(bulk(on, 10_000_000 + run * 2 * rows + on * rows))
    on, off = min(times[True]), min(times[False])
    print(f"  (b) create_many of {rows:,}: on {on:.2f} s ({rows / on:,.0f} rows/s), off "
          f"{off:.2f} s ({rows / off:,.0f} rows/s), best of {runs}")
    _verdict("(b) bulk create with changes / without:", on / off, BULK_TARGET, "<=")


def _subscribe(eng: Engine, tenant: str, receiver: Receiver, name: str) -> None:
    """A subscription of ``name`` to the tenant's Order changes, sent to ``receiver``."""
    eng.webhooks(tenant).create(name, object="Order", url=receiver.url, secret=SECRET)


def throughput(eng: Engine, tenant: str, accounts: list[str], events: int,
               settings: DeliverySettings, receiver: Receiver) -> None:
    _subscribe(eng, tenant, receiver, "throughput")
    first = _last_change(eng, tenant)
    orders = max(1, events // 5)
    with eng.session(tenant) as s:
        records = s.create_many("Order", [_order(i, accounts) for i in range(orders)])
    for i in range(orders, events, 200):          # updates, 200 a transaction
        with eng.session(tenant) as s:
            for k in range(i, min(events, i + 200)):
                s.update("Order", records[k % orders], {"title": f"t{k}"})
    made = _last_change(eng, tenant) - first
    before = len(receiver.arrivals())
    gc.collect()
    began = time.perf_counter()
    with Worker(eng, settings=settings, tenants=[tenant], jobs=[]) as worker:
        report = worker.run(once=True)
    elapsed = time.perf_counter() - began
    got = receiver.arrivals()[before:]
    distinct = len({c["id"] for c in got})
    print(f"  (c) {made:,} changes of {orders:,} orders to a local receiver: {elapsed:.2f} s, "
          f"{report.delivered:,} delivered ({distinct:,} distinct), signed: "
          f"{'yes' if all(c['signed'] for c in got) else 'NO'}, in order per record: "
          f"{'yes' if _ordered(got) else 'NO'}")
    _verdict("(c) webhook deliveries per second:", distinct / elapsed, EVENTS_TARGET, ">=",
             unit="/s")
    eng.webhooks(tenant).delete("throughput")     # (d) measures a subscription of its own


def _ordered(arrivals: list[dict[str, Any]]) -> bool:
    last: dict[str, int] = {}
    for change in arrivals:
        if change["id"] < last.get(change["record_id"], 0):
            return False
        last[change["record_id"]] = change["id"]
    return True


def lag(eng: Engine, tenant: str, accounts: list[str], rate: float, seconds: float,
        settings: DeliverySettings, receiver: Receiver) -> None:
    _subscribe(eng, tenant, receiver, "lag")
    alone = _write_for(eng.url, tenant, accounts, rate, min(seconds, 5.0))
    stop = threading.Event()
    worker = Worker(eng, settings=settings, tenants=[tenant], jobs=[], poll=0.2)
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        written = _write_for(eng.url, tenant, accounts, rate, seconds)
        committed = written["committed"]
        deadline = time.monotonic() + 30
        arrived: dict[str, float] = {}
        while time.monotonic() < deadline:
            arrived = {c["record_id"]: c["at"] for c in receiver.arrivals()
                       if c["record_id"] in committed}
            if len(arrived) == len(committed):
                break
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
        worker.close()
    lags = sorted(arrived[c] - t for c, t in committed.items() if c in arrived)
    p95 = _p95(lags)
    print(f"  (d) {len(committed):,} writes at {written['rate']:.0f}/s (asked {rate:.0f}/s; "
          f"{WRITERS} writers in another process): {len(lags):,} delivered; lag median "
          f"{statistics.median(lags or [0]) * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms, max "
          f"{(lags or [0])[-1] * 1e3:.0f} ms")
    print(f"      a write meanwhile: median {statistics.median(written['took']) * 1e3:.1f} ms, "
          f"p95 {_p95(written['took']) * 1e3:.1f} ms; with the worker stopped: median "
          f"{statistics.median(alone['took']) * 1e3:.1f} ms, p95 "
          f"{_p95(alone['took']) * 1e3:.1f} ms ({alone['rate']:.0f} writes/s)")
    if written["rate"] < 0.9 * rate:
        print(f"      the writers reached only {written['rate']:.0f} writes/s: the lag below "
              f"is at that rate, not at {rate:.0f}/s")
    _verdict(f"(d) worker lag p95 at {written['rate']:.0f} writes/s:", p95, LAG_TARGET, "<",
             unit=" s")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else float("inf")


WRITERS = 4


def _write_for(url: str, tenant: str, accounts: list[str], rate: float,
               seconds: float) -> dict[str, Any]:
    """Writes at ``rate`` for ``seconds`` from another process (as the API's would be):
    {"committed": record id -> monotonic commit time of its create, "took": seconds per
    write, "rate"}."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_writer, args=(url, tenant, accounts, rate, seconds,
                                                    results))
    process.start()
    found = results.get(timeout=seconds + 120)
    process.join(30)
    return found


def _writer(url: str, tenant: str, accounts: list[str], rate: float, seconds: float,
            results: Any) -> None:
    """Each of WRITERS threads creates orders (each write records its change), in turn, at
    ``rate`` writes a second in all."""
    eng = Engine(url, migrate=False)
    committed: dict[str, float] = {}
    took: list[float] = []
    count = int(rate * seconds)
    began = time.monotonic() + 0.5

    def write(k: int) -> None:
        for i in range(k, count, WRITERS):
            pause = began + i / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            row = _order(i, accounts)
            start = time.monotonic()
            with eng.session(tenant) as s:
                record = s.create("Order", row)
            committed[record["id"]] = done = time.monotonic()
            took.append(done - start)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"committed": committed, "took": took,
                 "rate": count / (time.monotonic() - began)})
    eng.close()


def _verdict(what: str, value: float, target: float, sense: str, unit: str = "x") -> None:
    ok = {"<=": value <= target, "<": value < target, ">=": value >= target}[sense]
    shown = f"{value:,.0f}{unit}" if unit == "/s" else f"{value:.2f}{unit}"
    print(f"  {'PASS' if ok else 'FAIL'}: {what} {shown} (target {sense} {target:g}{unit})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=1000,
                        help="single creates per contender (a)")
    parser.add_argument("--bulk-rows", type=int, default=20_000, help="rows per create_many (b)")
    parser.add_argument("--events", type=int, default=5000, help="changes to deliver (c)")
    parser.add_argument("--rate", type=float, default=200.0, help="writes per second (d)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to write (d)")
    parser.add_argument("--part", choices=("a", "b", "c", "d", "all"), default="all")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    args = parser.parse_args(argv)
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    settings = DeliverySettings(timeout=5.0)
    print(f"changes bench: python {sys.version.split()[0]}, sqlalchemy {sa.__version__}, "
          f"sqlite {sqlite3.sqlite_version}, {os.cpu_count()} cpus")
    parts: dict[str, Callable[..., None]] = {
        "a": lambda e, t, a, c: single_writes(t, a, args.writes, c),
        "b": lambda e, t, a, c: bulk_writes(t, a, args.bulk_rows, c),
        "c": lambda e, t, a, c: throughput(e, t, a, args.events, settings, receiver),
        "d": lambda e, t, a, c: lag(e, t, a, args.rate, args.seconds,
                                    replace(settings, concurrency=8), receiver),
    }
    receiver = Receiver()
    try:
        _run(dbs, args, parts)
    finally:
        receiver.close()


def _run(dbs: tuple[str, ...], args: argparse.Namespace,
         parts: dict[str, Callable[..., None]]) -> None:
    for db in dbs:
        with database(db, args.pg_url) as eng:
            eng.webhook_urls = UrlPolicy(development=True)   # the receiver is on loopback
            print(f"\n{db}:")
            tenant, accounts = new_tenant(eng)
            contenders = Contenders(eng)
            try:
                for name, run in parts.items():
                    if args.part in (name, "all"):
                        run(eng, tenant, accounts, contenders)
            finally:
                contenders.close()


if __name__ == "__main__":
    main()
