"""What the effective layout adds to a list page, over REST (issue 13's target: the layout
plus the first page of a list at most 1.1x the same page without the layout).

    .venv/bin/python bench/layouts_effective.py [--db sqlite|postgresql|both] [--runs 5]
        [--requests 300] [--orders 2000] [--limit 50] [--pg-url URL]

Per database, one tenant gets examples/crm (without its own layouts) plus three layouts of
``Order`` (a web detail
layout for everyone, a web list layout, and a mobile list layout for the interconnect role
``dealer_buyer``), ``--orders`` orders (a quarter created by the admin, the rest by the
interconnect user ``buyer`` of ``Dealer A``) and tokens for ``admin`` and ``buyer``.
hulian's REST API runs under uvicorn (one worker, bench/rest_serve.py) in its own process.
For each reader, one keep-alive connection sends, in turn:

- **page**: ``GET /objects/Order/records?limit=N`` (the first page of the list);
- **page with layout**: ``GET /objects/Order/records?limit=N&layout=<channel>``, the same
  page with the caller's list layout in the same response (what a list screen asks for):
  the target, at most 1.1x the page;
- **layout, then page**: ``GET /objects/Order/layout?kind=list&channel=...`` and then the
  page, two requests (for information: each request pays for HTTP, the token check and a
  transaction, a fixed cost of one to a few milliseconds that the layout's own work, tens
  of microseconds when warm, does not change).

``--requests`` rounds per run after a warm-up, best of ``--runs`` (by the target's median
ratio). It prints median and mean milliseconds, the ratios and PASS/FAIL. (Scenes are not
on this branch: the page is the plain list's first page.)
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _pg import postgres_url  # noqa: E402
from rest_serve import HOST, Server  # noqa: E402

TARGET = 1.1
LABEL = {"zh": "订单", "en": "Order"}


def _layouts() -> dict[str, Any]:
    section = {"api_name": "main", "label": LABEL,
               "fields": ["number", "account", {"field": "status", "required": True},
                          "order_date", "total_amount", "line_count", "notes"]}
    return {
        "layouts/order_detail.json": {
            "api_name": "order_detail", "object": "Order", "label": LABEL, "default": True,
            "sections": [section],
            "related_lists": [{"relationship": "lines",
                               "columns": ["product", "quantity", "amount"]}],
            "buttons": ["new", "edit", "delete", "export"]},
        "layouts/order_list.json": {
            "api_name": "order_list", "object": "Order", "kind": "list", "label": LABEL,
            "default": True,
            "columns": ["number", "account", "status", "order_date", "total_amount"],
            "card": {"title": "number", "fields": ["status", "total_amount"]}},
        "layouts/order_list_dealer.json": {
            "api_name": "order_list_dealer", "object": "Order", "kind": "list",
            "channel": "mobile", "label": LABEL, "assignments": [{"role": "dealer_buyer"}],
            "columns": ["number", "status", "total_amount"],
            "card": {"title": "number", "fields": ["status", "order_date"]}},
    }


def build(url: str, orders: int) -> dict[str, str]:
    """The tenant (not measured); the readers' tokens."""
    from hulian.engine import Engine
    from hulian.metadata.loader import load_documents, load_pack

    tenant = "bench"
    with Engine(url) as engine:
        crm = load_pack(ROOT / "examples" / "crm")
        docs = {name: doc for name, doc in crm.documents.items()  # the bench's layouts
                if not name.startswith(("data/", "layouts/"))}
        engine.metadata(tenant).deploy(load_documents({**docs, **_layouts()}))
        people = engine.people(tenant)
        people.create_user("pm")
        people.create_enterprise("Dealer A", partner_manager="pm")
        people.create_user("buyer", enterprise="Dealer A", roles=["dealer_buyer"])
        with engine.session(tenant) as s:
            account = s.create("Account", {"name": "Acme"})["id"]
            s.create_many("Order", [{"account": account, "status": "draft"}] * (orders // 4))
        with engine.session(tenant, "buyer") as s:
            s.create_many("Order", [{"status": "draft"}] * (orders - orders // 4))
        return {user: people.create_token(user) for user in ("admin", "buyer")}


def _get(conn: http.client.HTTPConnection, path: str, token: str) -> bytes:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {data[:300]!r}")
    return data


def measure(port: int, token: str, channel: str, limit: int, requests: int
            ) -> dict[str, list[float]]:
    page = f"/api/v1/objects/Order/records?limit={limit}"
    with_layout = f"{page}&layout={channel}"
    layout = f"/api/v1/objects/Order/layout?kind=list&channel={channel}"
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    try:
        for _ in range(20):  # warm-up: caches, connections, statements
            _get(conn, with_layout, token)
            _get(conn, layout, token)
            _get(conn, page, token)
        for _ in range(requests):
            marks = [time.perf_counter()]
            for path in (page, with_layout, layout, page):
                _get(conn, path, token)
                marks.append(time.perf_counter())
            times["page"].append(marks[1] - marks[0])
            times["page with layout"].append(marks[2] - marks[1])
            times["layout"].append(marks[3] - marks[2])
            times["layout, then page"].append(marks[4] - marks[2])
    finally:
        conn.close()
    return times


CASES = ("page", "page with layout", "layout", "layout, then page")


def _ratio(times: dict[str, list[float]], case: str) -> float:
    return statistics.median(times[case]) / statistics.median(times["page"])


def run(db: str, url: str, args: argparse.Namespace) -> list[bool]:
    tokens = build(url, args.orders)
    config = Path(tempfile.mkdtemp(prefix="hulian-bench-layouts-")) / "config.json"
    config.write_text(json.dumps({"url": url}), "utf-8")
    verdicts = []
    try:
        with Server("hulian", config) as server:
            for reader, channel in (("admin", "web"), ("buyer", "mobile")):
                runs = [measure(server.port, tokens[reader], channel, args.limit,
                                args.requests) for _ in range(args.runs)]
                best = min(runs, key=lambda t: _ratio(t, "page with layout"))
                verdicts.append(report(db, reader, channel, best))
    finally:
        shutil.rmtree(config.parent, ignore_errors=True)
    return verdicts


def report(db: str, reader: str, channel: str, times: dict[str, list[float]]) -> bool:
    print(f"[{db}] {reader} ({channel} list layout)")
    for name in CASES:
        print(f"  {name:18} median {statistics.median(times[name]) * 1000:6.2f} ms, "
              f"mean {statistics.fmean(times[name]) * 1000:6.2f} ms")
    ratio = _ratio(times, "page with layout")
    ok = ratio <= TARGET
    print(f"  page with layout / page  = {ratio:.3f}x  target <= {TARGET}x  "
          f"{'PASS' if ok else 'FAIL'}")
    print(f"  (layout, then page) / page = {_ratio(times, 'layout, then page'):.3f}x  "
          "(two requests; information)")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--pg-url")
    args = parser.parse_args()
    verdicts: list[bool] = []
    if args.db in ("sqlite", "both"):
        folder = tempfile.mkdtemp(prefix="hulian-bench-")
        try:
            verdicts += run("sqlite", f"sqlite:///{folder}/bench.db", args)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.db in ("postgresql", "both"):
        with postgres_url(args.pg_url) as url:
            verdicts += run("postgresql", url, args)
    print("ALL PASS" if all(verdicts) else "SOME FAIL")


if __name__ == "__main__":
    main()
