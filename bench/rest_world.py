"""The data bench/rest.py serves: one tenant, its accounts and orders, its people, two tokens.

Everything goes through the Engine's API (``deploy``, ``create_department``,
``create_user``, ``create_enterprise``, ``create_many`` in sessions of the creating users,
``share``, ``create_token``), so the rows are exactly what hulian writes. Not measured.

- The pack (built in code): ``Account`` is examples/crm's ``objects/Account.json`` as it
  is (the object of the issue's measurement: 12 fields, a multi-picklist, a currency, a
  self lookup, no formulas); ``Order`` is a small order whose data permission is
  ``private`` both ways (examples/crm's ``Order`` is ``company_read`` externally and has
  a cross-object formula); the interconnect role ``dealer_buyer`` (create, read, edit
  orders) and the app ``order`` that opens ``Order`` to it.
- People: department ``Channel`` with one partner manager per downstream enterprise,
  ``ENTERPRISES`` enterprises with ``BUYERS`` ``dealer_buyer`` users each; the bench's
  interconnect reader is ``dealer.buyer`` of ``Dealer 00``.
- ``accounts`` accounts (admin, ``BATCH`` at a time), and as many orders, created in
  rounds so that creation times interleave: in each round the admin creates 40 % of the
  round's orders (with an account, ``BATCH`` at a time), every buyer its share of the
  other 60 % in one batch (hulian sets their ``out_tenant_id``,
  ``out_owner_id`` and internal owner, the partner manager). The admin then adds the
  reader to the team of ``TEAMED`` orders of other dealers, so the predicate's team arm
  finds rows too.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hulian.engine import Engine
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack

ROOT = Path(__file__).resolve().parent.parent
ENTERPRISES = 10
BUYERS = 4
ROUNDS = 10
BATCH = 50
"""Records per ``create_many`` of the admin: one batch shares one ``created_at``, and
records created one by one do not, so large batches would make the first page of a list
sort many ties (by id), which a real tenant's lists rarely do."""
TEAMED = 20
INTERNAL_SHARE = 0.4
READER = "dealer.buyer"
READER_ENTERPRISE = "Dealer 00"


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


ORDER: dict[str, Any] = {
    "api_name": "Order", "label": _label("Order"), "name_field": "number",
    "data_permission": {"internal": "private", "external": "private"},
    "fields": [
        {"api_name": "number", "type": "auto_number", "label": _label("Order number"),
         "format": "SO-{000000}"},
        {"api_name": "account", "type": "lookup", "label": _label("Account"),
         "target": "Account", "on_delete": "restrict"},
        {"api_name": "status", "type": "picklist", "label": _label("Status"), "required": True,
         "default": "draft",
         "options": [{"api_name": n, "label": _label(n)}
                     for n in ("draft", "confirmed", "shipped", "cancelled")]},
        {"api_name": "order_date", "type": "date", "label": _label("Order date")},
        {"api_name": "amount", "type": "currency", "label": _label("Amount"),
         "precision": 18, "scale": 2, "minimum": 0},
        {"api_name": "quantity", "type": "number", "label": _label("Quantity"),
         "precision": 12, "scale": 3, "minimum": 0},
        {"api_name": "notes", "type": "textarea", "label": _label("Notes"), "max_length": 4000},
    ],
}


def bench_pack() -> Pack:
    account = json.loads((ROOT / "examples/crm/objects/Account.json").read_text("utf-8"))
    account.pop("$schema", None)
    return load_documents({
        "pack.json": {"name": "restbench", "version": "1.0.0", "label": _label("REST bench")},
        "objects/Account.json": account,
        "objects/Order.json": ORDER,
        "roles/dealer_buyer.json": {
            "api_name": "dealer_buyer", "label": _label("Dealer buyer"), "kind": "interconnect",
            "objects": {"Order": {"create": True, "read": True, "edit": True}}},
        "apps/order.json": {"api_name": "order", "label": _label("Ordering"),
                            "objects": ["Order"], "roles": ["dealer_buyer"]},
    })


@dataclass
class World:
    """What the servers and the load need to know about the data."""

    url: str
    tenant: str
    admin_token: str
    reader_token: str
    account_ids: list[str]
    reader_order_ids: list[str]
    """The orders the reader sees: those they own externally, and the teamed ones."""
    hidden_order_ids: list[str]
    """Some orders the reader does not see (other dealers', not teamed)."""
    orders: int
    columns: dict[str, list[str]] = field(default_factory=dict)
    """Per object, the keys of a record as hulian returns it (the baseline's order)."""
    table_of: dict[str, str] = field(default_factory=dict)
    """Per object, the quoted table hulian compiled for it (for hand-written SQL)."""

    def config(self) -> dict[str, Any]:
        """What the baseline server reads at start (bench/rest_baseline.py)."""
        return {"url": self.url, "tenant": self.tenant, "columns": self.columns}


def _accounts(count: int, rng: random.Random) -> list[dict[str, Any]]:
    industries = ("retail", "manufacturing", "healthcare", "finance", "other")
    channels = ("online", "dealer", "direct")
    return [{
        "name": f"Account {i:06d}",
        "industry": rng.choice(industries),
        "channels": rng.sample(channels, rng.randrange(0, 3)),
        "annual_revenue": f"{rng.randrange(10_000_000_00) / 100:.2f}",
        "employees": rng.randrange(1, 5000),
        "phone": f"+86 21 {rng.randrange(10_000_000, 99_999_999)}",
        "website": f"https://account{i}.example.com",
        "is_partner": rng.random() < 0.2,
        "description": "A company we sell to." if rng.random() < 0.5 else None,
    } for i in range(count)]


def _orders(count: int, rng: random.Random, accounts: list[str] | None) -> list[dict[str, Any]]:
    statuses = ("draft", "confirmed", "shipped", "cancelled")
    rows = []
    for _ in range(count):
        row: dict[str, Any] = {
            "status": rng.choice(statuses),
            "order_date": f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "amount": f"{rng.randrange(100, 10_000_000) / 100:.2f}",
            "quantity": str(rng.randrange(1, 500)),
            "notes": "Deliver before noon." if rng.random() < 0.3 else None,
        }
        if accounts:
            row["account"] = rng.choice(accounts)
        rows.append(row)
    return rows


def build(eng: Engine, tenant: str, accounts: int, seed: int = 20240712) -> World:
    """Deploy, people, data and tokens in ``tenant``; prints what it made."""
    rng = random.Random(seed)
    began = time.perf_counter()
    eng.metadata(tenant).deploy(bench_pack())
    eng.people(tenant).create_department("Channel")
    buyers: list[str] = []
    for e in range(ENTERPRISES):
        manager = f"pm{e:02d}"
        eng.people(tenant).create_user(manager, department="Channel")
        company = f"Dealer {e:02d}"
        eng.people(tenant).create_enterprise(company, partner_manager=manager)
        for b in range(BUYERS):
            name = READER if (e, b) == (0, 0) else f"buyer{e:02d}.{b}"
            eng.people(tenant).create_user(name, enterprise=company, roles=["dealer_buyer"])
            buyers.append(name)
    account_ids: list[str] = []
    rows = _accounts(accounts, rng)
    for start in range(0, len(rows), BATCH):
        with eng.session(tenant, "admin") as s:
            account_ids += s.create_many("Account", rows[start:start + BATCH])
    per_round = max(1, accounts // ROUNDS)
    internal = int(per_round * INTERNAL_SHARE)
    per_buyer = max(1, (per_round - internal) // len(buyers))
    reader_orders: list[str] = []
    others: list[str] = []
    for _ in range(ROUNDS):
        rows = _orders(internal, rng, account_ids)
        for start in range(0, len(rows), BATCH):
            with eng.session(tenant, "admin") as s:
                s.create_many("Order", rows[start:start + BATCH])
        for name in buyers:
            with eng.session(tenant, name) as s:
                ids = s.create_many("Order", _orders(per_buyer, rng, None))
            (reader_orders if name == READER else others).extend(ids)
    teamed = rng.sample(others, TEAMED)
    hidden = [i for i in others if i not in set(teamed)][:5]
    with eng.session(tenant, "admin") as s:
        for record_id in teamed:
            s.share("Order", record_id, READER, access="read")
        orders = s.count("Order")
        columns = {name: list(s.get(name, ids[0]))
                   for name, ids in (("Account", account_ids), ("Order", reader_orders))}
        table_of = {name: s.schema.object(name).table.fullname for name in ("Account", "Order")}
    with eng.session(tenant, READER) as s:
        seen = s.count("Order")
    world = World(url=eng.url, tenant=tenant,
                  admin_token=eng.people(tenant).create_token("admin", label="bench"),
                  reader_token=eng.people(tenant).create_token(READER, label="bench"),
                  account_ids=account_ids, reader_order_ids=reader_orders + teamed,
                  hidden_order_ids=hidden,
                  orders=orders, columns=columns, table_of=table_of)
    if seen != len(world.reader_order_ids):
        raise AssertionError(f"{READER} sees {seen} orders, the bench expected "
                             f"{len(world.reader_order_ids)}")
    print(f"  tenant {tenant}: {accounts:,} accounts, {orders:,} orders ({ENTERPRISES} "
          f"enterprises, {len(buyers)} dealer buyers); {READER} sees {seen} orders "
          f"({len(reader_orders)} own, {TEAMED} by team); set-up "
          f"{time.perf_counter() - began:.1f} s", flush=True)
    return world
