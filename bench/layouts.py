"""Scenes and home views: what a scene page and a whole home view cost a request.

    .venv/bin/python bench/layouts.py [--rows 20000] [--requests 300]
        [--db sqlite|postgresql|both] [--pg-url URL]

One tenant per database gets a ``Deal`` object (private: a reader sees what they own and
what a related team gives them), ``--rows`` deals owned by 20 sales reps (made with
``create_many``), two declared scenes and a home view of six widgets, and then:

(a) a home view in one request, ``GET /api/v1/home``: a text, two metrics (SUM of the
    amounts of the reader's deals, COUNT of every deal they see), two scene lists (the 5
    biggest deals, the reader's 5 newest), quick-create buttons; against one list page of
    the same object, ``GET /api/v1/objects/Deal/records?limit=20``. Both through hulian's
    REST app in process (Starlette's TestClient), the reader a sales rep with a bearer
    token. Target (issue 13): at most 3x.
(b) the first page (20) of a declared scene against the same page with its filter written
    by hand in ``where``: ``big_deals`` (``amount >= 1000``, sorted ``-amount``) against
    ``where={"amount": {"ge": 1000}}, order_by="-amount"``, and ``my_open``
    (``owner_id = $User.id && !ISPICKVAL(stage, 'won')``) against ``where={"owner_id": me,
    "stage": {"ne": "won"}}``; each page in its own read-only session, as a request. The
    bench checks that both give the same records. Target: at most 1.1x.

Contenders alternate, request by request, after a warm-up; the median of ``--requests``
counts (p95 printed too). Prints milliseconds, ratios and PASS/FAIL lines; asserts
nothing. Without ``--pg-url`` PostgreSQL is a throwaway cluster (``tests/pg_cluster.py``).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sqlite3
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import database

from hulian.engine import Engine
from hulian.metadata.loader import load_documents
from hulian.runtime.api import create_app

with warnings.catch_warnings():  # Starlette asks for httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

REPS = 20
PAGE = 20
HOME_TARGET = 3.0
SCENE_TARGET = 1.1


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


def _field(api_name: str, type_: str, **settings: Any) -> dict[str, Any]:
    return {"api_name": api_name, "type": type_, "label": _label(api_name), **settings}


DOCUMENTS: dict[str, Any] = {
    "pack.json": {"name": "bench", "version": "1.0.0", "label": _label("Bench")},
    "objects/Deal.json": {
        "api_name": "Deal", "label": _label("Deal"), "name_field": "title",
        "data_permission": {"internal": "private"},
        "fields": [_field("title", "text", max_length=120),
                   _field("amount", "currency", precision=18, scale=2, indexed=True),
                   _field("stage", "picklist", options=[
                       {"api_name": s, "label": _label(s)} for s in ("new", "won", "lost")]),
                   _field("closes_on", "date")]},
    "roles/rep.json": {"api_name": "rep", "label": _label("Rep"), "kind": "internal",
                       "objects": {"Deal": {"create": True, "read": True, "edit": True}}},
    "scenes/big_deals.json": {"api_name": "big_deals", "object": "Deal",
                              "label": _label("Big deals"), "filter": "amount >= 1000",
                              "columns": ["title", "amount"], "sort": ["-amount"]},
    "scenes/my_open.json": {"api_name": "my_open", "object": "Deal",
                            "label": _label("My open"),
                            "filter": "owner_id = $User.id && !ISPICKVAL(stage, 'won')"},
    "home/rep_web.json": {"api_name": "rep_web", "label": _label("Rep home"), "roles": ["rep"],
                          "widgets": [
                              {"kind": "text", "text": _label("Quarter ends Friday")},
                              {"kind": "metric", "object": "Deal", "scene": "mine",
                               "function": "SUM", "field": "amount"},
                              {"kind": "metric", "object": "Deal", "scene": "all",
                               "function": "COUNT"},
                              {"kind": "scene_list", "object": "Deal", "scene": "big_deals",
                               "rows": 5},
                              {"kind": "scene_list", "object": "Deal", "scene": "mine",
                               "rows": 5},
                              {"kind": "quick_create", "objects": ["Deal"]}]},
}


def new_tenant(eng: Engine, rows: int) -> tuple[str, str]:
    """A tenant with the bench pack, 20 reps and ``rows`` deals; (tenant, reader id)."""
    tenant = f"bench_{os.urandom(3).hex()}"
    eng.metadata(tenant).deploy(load_documents(DOCUMENTS))
    reps = [eng.people(tenant).create_user(f"rep{i}", roles=["rep"]).id for i in range(REPS)]
    rng = random.Random(13)
    stages = ("new", "won", "lost")
    with eng.session(tenant) as s:
        for start in range(0, rows, 5000):
            s.create_many("Deal", [
                {"title": f"Deal {i}", "owner_id": reps[i % REPS],
                 "amount": f"{rng.randrange(1, 500_000) / 100:.2f}",
                 "stage": stages[rng.randrange(3)],
                 "closes_on": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"}
                for i in range(start, min(start + 5000, rows))])
    with eng.session(tenant, "rep3") as s:  # a few deals of others in rep0's team
        for record in s.query("Deal", limit=25):
            s.share("Deal", record["id"], "rep0", access="read")
    return tenant, reps[0]


def alternate(contenders: dict[str, Callable[[], Any]], requests: int) -> dict[str, list[float]]:
    """Seconds per call of each contender, called in turn, ``requests`` times each."""
    for call in contenders.values():   # warm: compiled statements, caches, pools
        for _ in range(5):
            call()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    gc.collect()
    names = list(contenders)
    for i in range(requests):
        for name in names if i % 2 == 0 else reversed(names):
            began = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - began)
    return times


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(values) * 1000:7.2f} ms, p95 {p95 * 1000:7.2f} ms"


def _verdict(what: str, ratio: float, target: float) -> None:
    print(f"  {'PASS' if ratio <= target else 'FAIL'}: {what} {ratio:.2f}x "
          f"(target <= {target:.1f}x)")


def home_versus_list(eng: Engine, tenant: str, requests: int) -> None:
    client = TestClient(create_app(eng))
    token = eng.people(tenant).create_token("rep0")
    headers = {"Authorization": f"Bearer {token}"}

    def home() -> Any:
        response = client.get("/api/v1/home", headers=headers)
        assert response.status_code == 200, response.text
        return response

    def page() -> Any:
        response = client.get("/api/v1/objects/Deal/records", params={"limit": PAGE},
                              headers=headers)
        assert response.status_code == 200, response.text
        return response

    widgets = home().json()["widgets"]
    print(f"  home view: {len(widgets)} widgets ({', '.join(w['kind'] for w in widgets)})")
    times = alternate({"home": home, "list page": page}, requests)
    for name, values in times.items():
        print(f"  {name:>22}: {_ms(values)}")
    ratio = statistics.median(times["home"]) / statistics.median(times["list page"])
    _verdict("(a) home view of 6 widgets / one list page:", ratio, HOME_TARGET)


def scene_versus_where(eng: Engine, tenant: str, me: str, requests: int) -> None:
    cases = {
        "big_deals": {"where": {"amount": {"ge": 1000}}, "order_by": "-amount"},
        "my_open": {"where": {"owner_id": me, "stage": {"ne": "won"}}, "order_by": None},
    }
    for scene, by_hand in cases.items():
        def with_scene(scene: str = scene) -> list[str]:
            with eng.session(tenant, "rep0", readonly=True) as s:
                return [r["id"] for r in s.query("Deal", scene=scene, limit=PAGE)]

        def with_where(by_hand: dict[str, Any] = by_hand) -> list[str]:
            with eng.session(tenant, "rep0", readonly=True) as s:
                return [r["id"] for r in s.query("Deal", by_hand["where"],
                                                 order_by=by_hand["order_by"], limit=PAGE)]

        same = with_scene() == with_where()
        times = alternate({f"scene {scene}": with_scene, "where by hand": with_where},
                          requests)
        print(f"  {scene}: same records: {'yes' if same else 'NO'}")
        for name, values in times.items():
            print(f"  {name:>22}: {_ms(values)}")
        ratio = statistics.median(times[f"scene {scene}"]) / \
            statistics.median(times["where by hand"])
        _verdict(f"(b) first page of scene {scene} / the same page by where:", ratio,
                 SCENE_TARGET)
        statements_alone(eng, tenant, scene, by_hand, requests)


def statements_alone(eng: Engine, tenant: str, scene: str, by_hand: dict[str, Any],
                     requests: int) -> None:
    """The two page statements alone, built once and executed on one connection (what the
    database spends, without building statements or opening sessions): info."""
    with eng.session(tenant, "rep0", readonly=True) as s:
        obj = s.schema.object("Deal")
        chosen = s._resolve_scene(obj, scene)
        order = list(chosen.sort) or None
        scene_sql, _ = s._page(obj, None, order, PAGE, None, False, None, chosen)
        where_sql, _ = s._page(obj, by_hand["where"], by_hand["order_by"], PAGE, None, False,
                               None)
    with eng.db.connect() as conn:
        times = alternate({"scene SQL": lambda: conn.execute(scene_sql).all(),
                           "where SQL": lambda: conn.execute(where_sql).all()}, requests)
    ratio = statistics.median(times["scene SQL"]) / statistics.median(times["where SQL"])
    print(f"  {'statements alone':>22}: scene {_ms(times['scene SQL'])}; where "
          f"{_ms(times['where SQL'])}; ratio {ratio:.2f}x (info)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="deals in the tenant")
    parser.add_argument("--requests", type=int, default=300,
                        help="timed requests per contender and case")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", help="an existing (scratch) PostgreSQL database instead "
                                         "of a throwaway cluster")
    args = parser.parse_args(argv)
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    print(f"layouts bench: {args.rows:,} deals, {REPS} reps, reader rep0; python "
          f"{sys.version.split()[0]}, sqlalchemy {sa.__version__}, sqlite "
          f"{sqlite3.sqlite_version}, {os.cpu_count()} cpus")
    for db in dbs:
        with database(db, args.pg_url) as eng:
            print(f"\n{db}:")
            began = time.perf_counter()
            tenant, me = new_tenant(eng, args.rows)
            print(f"  set-up {time.perf_counter() - began:.1f} s")
            home_versus_list(eng, tenant, args.requests)
            scene_versus_where(eng, tenant, me, args.requests)


if __name__ == "__main__":
    main()
