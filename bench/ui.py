"""Browser UI pages against the JSON API they stand beside, end to end over HTTP.

    .venv/bin/python bench/ui.py [--quick] [--sqlite-only] [--pg-url URL]
        [--accounts 2000] [--requests 200] [--rounds 5]

What a person waits for when a page opens: the HTML the server renders, against what a
client of the REST API would fetch for the same screen. Per database (a fresh SQLite file;
PostgreSQL: a throwaway cluster, or ``--pg-url``):

1. set-up, not measured: the example CRM (examples/crm) with its account page given a
   third related list (opportunities, beside contacts and orders), ``--accounts``
   accounts, and one account with 10 contacts, 10 orders and 10 opportunities; ``admin``
   logs in with a password (POST /api/v1/auth/login) and both sides use that session
   cookie;
2. one server: uvicorn, 1 worker, in its own process on a free loopback port
   (bench/rest_serve.py's ``hulian``: ``create_app(Engine(url))``, UI included);
3. one keep-alive connection, requests one after the other; each case runs ``--rounds``
   times per side, the sides alternating, after a warm-up; the time per request is the
   median of the rounds' means. Cases:
   (list) ``GET /app/o/Account?scene=all&sort=name`` (the HTML list page: 25 rows, the
   scene picker with counts) against ``GET /api/v1/objects/Account/records?scene=all&
   order_by=name&limit=25``;
   (record) ``GET /app/o/Account/{id}`` (sections, 3 related lists, history, activities)
   against ``GET /api/v1/objects/Account/records/{id}`` plus the 3 related lists'
   ``GET .../related/{relationship}?limit=10``.

Targets (PASS/FAIL lines, never asserted): the list page at most 1.5x its JSON, the record
page at most 2x its four JSON calls. About a minute per database with the defaults.
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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import postgres_url
from rest_serve import HOST, Server

from hulian.engine import Engine
from hulian.engine.system.people import ADMIN

ROOT = Path(__file__).resolve().parent.parent
TENANT = "bench"
PASSWORD = "bench-admin-password"
LIST_TARGET = 1.5
RECORD_TARGET = 2.0
RELATED = ("Contact.account", "orders", "Opportunity.account")
CHILDREN = 10


@dataclass
class World:
    account_id: str


def pack_with_three_related_lists(folder: Path) -> Path:
    """examples/crm, its account page listing opportunities too."""
    pack = folder / "crm"
    shutil.copytree(ROOT / "examples" / "crm", pack)
    layout_path = pack / "layouts" / "account_detail.json"
    layout = json.loads(layout_path.read_text("utf-8"))
    layout["related_lists"].append(
        {"relationship": "Opportunity.account", "label": {"zh": "商机", "en": "Opportunities"},
         "columns": ["number", "title", "stage", "amount"], "sort": "-amount",
         "page_size": CHILDREN})
    layout_path.write_text(json.dumps(layout, ensure_ascii=False), "utf-8")
    return pack


def build(engine: Engine, accounts: int, folder: Path) -> World:
    engine.metadata(TENANT).deploy(pack_with_three_related_lists(folder))
    engine.people(TENANT).set_password(ADMIN, PASSWORD)
    with engine.session(TENANT, ADMIN, channel="import") as session:
        session.create_many("Account", [{"name": f"Account {n:06d}", "industry": "retail",
                                         "employees": n} for n in range(accounts)])
        account = session.query("Account", order_by="name", limit=1).records[0]["id"]
        product = session.create("Product", {"name": "Pump", "sku": "P-1",
                                             "unit_price": "100.00"})["id"]
        session.create_many("Contact", [{"name": f"Contact {n}", "account": account,
                                         "email": f"c{n}@example.com"}
                                        for n in range(CHILDREN)])
        session.create_many("Opportunity", [{"title": f"Deal {n}", "account": account,
                                             "stage": "qualification", "amount": 1000 + n,
                                             "probability": 10}
                                            for n in range(CHILDREN)])
        for n in range(CHILDREN):
            order = session.create("Order", {"account": account, "delivery": "pickup"})
            session.create("OrderLine", {"sales_order": order["id"], "product": product,
                                         "quantity": n + 1})
    return World(account)


class Client:
    """One keep-alive HTTP connection carrying the session cookie."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookie = ""

    def login(self) -> None:
        body = json.dumps({"tenant": TENANT, "username": ADMIN, "password": PASSWORD})
        self.connection.request("POST", "/api/v1/auth/login", body,
                                {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"login answered {response.status}")
        self.cookie = "; ".join(value.split(";", 1)[0] for name, value
                                in response.getheaders() if name.lower() == "set-cookie")

    def get(self, path: str) -> bytes:
        self.connection.request("GET", path, headers={"Cookie": self.cookie})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
        return body


def per_request_ms(client: Client, paths: list[str], requests: int) -> float:
    """The mean time of one screen (all of ``paths``), over ``requests`` screens, in ms."""
    start = time.perf_counter()
    for _ in range(requests):
        for path in paths:
            client.get(path)
    return (time.perf_counter() - start) * 1000 / requests


def compare(client: Client, name: str, page: list[str], api: list[str], *, requests: int,
            rounds: int, target: float) -> bool:
    html, json_ = client.get(page[0]), client.get(api[0])
    for _ in range(max(10, requests // 10)):  # warm-up
        per_request_ms(client, page, 1)
        per_request_ms(client, api, 1)
    pages, apis = [], []
    for round_ in range(rounds):
        sides = [(page, pages), (api, apis)]
        for paths, times in sides if round_ % 2 == 0 else reversed(sides):
            times.append(per_request_ms(client, paths, requests))
    page_ms, api_ms = statistics.median(pages), statistics.median(apis)
    ratio = page_ms / api_ms
    verdict = "PASS" if ratio <= target else "FAIL"
    print(f"  {name}: HTML {page_ms:.2f} ms ({len(html):,} bytes) vs JSON {api_ms:.2f} ms "
          f"({len(api)} call{'s' if len(api) > 1 else ''}, first {len(json_):,} bytes): "
          f"{ratio:.2f}x  {verdict} (target <= {target}x)")
    return ratio <= target


def run(url: str, args: argparse.Namespace, folder: Path) -> bool:
    engine = Engine(url)
    try:
        started = time.perf_counter()
        world = build(engine, args.accounts, folder)
        print(f"  set-up: {args.accounts:,} accounts, one with {CHILDREN} contacts, orders "
              f"and opportunities ({time.perf_counter() - started:.1f} s)")
    finally:
        engine.close()
    config = folder / "config.json"
    config.write_text(json.dumps({"url": url}), "utf-8")
    with Server("hulian", config) as server:
        client = Client(server.port)
        client.login()
        record = f"/api/v1/objects/Account/records/{world.account_id}"
        list_ok = compare(
            client, "list page (25 rows)", ["/app/o/Account?scene=all&sort=name"],
            ["/api/v1/objects/Account/records?scene=all&order_by=name&limit=25"],
            requests=args.requests, rounds=args.rounds, target=LIST_TARGET)
        record_ok = compare(
            client, "record page (3 related lists)", [f"/app/o/Account/{world.account_id}"],
            [record, *(f"{record}/related/{r}?limit={CHILDREN}" for r in RELATED)],
            requests=args.requests, rounds=args.rounds, target=RECORD_TARGET)
    return list_ok and record_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer accounts and requests")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-url", help="a PostgreSQL server to use (default: a throwaway)")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200, help="screens per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.accounts, args.requests, args.rounds = 300, 40, 3
    ok = True
    with tempfile.TemporaryDirectory(prefix="hulian-bench-ui-") as tmp:
        print("SQLite")
        ok &= run(f"sqlite:///{Path(tmp) / 'ui.db'}", args, Path(tmp) / "sqlite")
        if not args.sqlite_only:
            print("PostgreSQL")
            with postgres_url(args.pg_url) as url:
                ok &= run(url, args, Path(tmp) / "postgresql")
    print("all targets met" if ok else "some targets missed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
