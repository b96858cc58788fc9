"""The world of bench/permissions.py: its pack, people, enterprises and 1,000,000 orders.

Departments, leaders, enterprises and the named readers go through the Engine API; the bulk
(users and roles, orders, team rows) is COPYed straight into the tables with the values
hulian writes, then the tables are VACUUM (ANALYZE)d. See bench/permissions.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from psycopg import sql

from hulian.engine import Engine
from hulian.engine.ids import new_id
from hulian.engine.schema.columns import DEFAULT_BUSINESS_TYPE
from hulian.engine.system.people import people_changed
from hulian.engine.system.tenant_tables import tenant_tables
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack

LEVELS = 5
CHILDREN = 4
LEADER_LEVEL = 3
STATUSES = ("draft", "confirmed", "shipped", "closed")


@dataclass(frozen=True)
class Sizes:
    orders: int
    users: int
    enterprises: int
    products: int = 1_000
    internal_share: float = 0.3
    interconnect_orders: float = 0.6
    deleted: float = 0.01
    teamed: float = 0.05
    reader_teams: int = 20


FULL = Sizes(orders=1_000_000, users=10_000, enterprises=1_000)
SMALL = Sizes(orders=50_000, users=2_000, enterprises=200)


def _label(en: str) -> dict[str, str]:
    return {"zh": en, "en": en}


DOCUMENTS: dict[str, Any] = {
    "pack.json": {"name": "bench", "version": "1.0.0", "label": _label("Bench")},
    "objects/Product.json": {
        "api_name": "Product", "label": _label("Product"), "name_field": "name",
        "data_permission": {"internal": "company_read", "external": "public_read"},
        "fields": [
            {"api_name": "name", "type": "text", "label": _label("Name"), "max_length": 120},
            {"api_name": "price", "type": "currency", "label": _label("Price"),
             "precision": 18, "scale": 2},
        ],
    },
    "objects/Order.json": {
        "api_name": "Order", "label": _label("Order"), "name_field": "name",
        "data_permission": {"internal": "private", "external": "company_read"},
        "fields": [
            {"api_name": "name", "type": "text", "label": _label("Name"), "max_length": 40},
            {"api_name": "status", "type": "picklist", "label": _label("Status"),
             "default": "draft", "options": [{"api_name": s, "label": _label(s)}
                                             for s in STATUSES]},
            {"api_name": "amount", "type": "currency", "label": _label("Amount"),
             "precision": 18, "scale": 2, "minimum": 0},
            {"api_name": "quantity", "type": "number", "label": _label("Quantity"),
             "precision": 12, "scale": 0, "minimum": 0},
            {"api_name": "order_date", "type": "date", "label": _label("Order date")},
            {"api_name": "product", "type": "lookup", "label": _label("Product"),
             "target": "Product"},
        ],
    },
    "roles/dealer_buyer.json": {
        "api_name": "dealer_buyer", "label": _label("Dealer buyer"), "kind": "interconnect",
        "objects": {"Order": {"create": True, "read": True, "edit": True},
                    "Product": {"read": True}},
    },
    "apps/order.json": {"api_name": "order", "label": _label("Order app"),
                        "objects": ["Order", "Product"], "roles": ["dealer_buyer"]},
}

COLUMNS = ("id", "name", "status", "amount", "quantity", "order_date", "product", "owner_id",
           "department_id", "business_type", "life_status", "created_by", "created_at",
           "updated_by", "updated_at", "version", "is_deleted", "out_tenant_id",
           "out_owner_id")
"""What a record of ``Order`` holds, in the order hulian selects it."""

def user_sql(eng: Engine, tenant: str) -> sa.TextClause:
    """The id and enterprise of the active user ``:username`` of ``tenant``."""
    users = eng.db.dialect.identifier_preparer.format_table(
        tenant_tables(eng.dialect, tenant).users)
    return sa.text(f"SELECT id, enterprise_id FROM {users} "
                   "WHERE username = :username AND is_active")


# -- the world -------------------------------------------------------------------------------

@dataclass
class World:
    tenant: str
    table: sa.Table
    object_id: str
    quoted: str
    """The order table as SQL text (schema-qualified, quoted)."""
    teams: str
    """The tenant's record team table, the same way."""
    readers: dict[str, Any] = field(default_factory=dict)
    """username -> hulian User"""
    visible: dict[str, int] = field(default_factory=dict)


def bench_pack(index_amount: bool = False) -> Pack:
    """The pack; ``index_amount``: ``Order.amount`` declares ``"indexed": true``."""
    documents = copy.deepcopy(DOCUMENTS)
    if index_amount:
        fields = documents["objects/Order.json"]["fields"]
        next(f for f in fields if f["api_name"] == "amount")["indexed"] = True
    return load_documents(documents)


def copy_rows(eng: Engine, table: sa.Table, columns: Iterable[str],
              rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``; one transaction."""
    columns = list(columns)
    target = sql.Identifier(table.schema, table.name) if table.schema else \
        sql.Identifier(table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target, sql.SQL(", ").join(sql.Identifier(c) for c in columns))
    raw = eng.db.raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    count = 0
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as out:
            for row in rows:
                out.write_row(row)
                count += 1
        raw.commit()
    finally:
        raw.close()
    return count


def _departments(eng: Engine, tenant: str) -> dict[int, list[str]]:
    """The tree, through the API: level -> department names."""
    levels: dict[int, list[str]] = {1: ["L1-0"]}
    eng.people(tenant).create_department("L1-0")
    for level in range(2, LEVELS + 1):
        levels[level] = []
        for parent in levels[level - 1]:
            for _ in range(CHILDREN):
                name = f"L{level}-{len(levels[level])}"
                eng.people(tenant).create_department(name, parent=parent)
                levels[level].append(name)
    return levels


def _user_row(tenant: str, username: str, now: dt.datetime, *, department: str | None = None,
              enterprise: str | None = None) -> dict[str, Any]:
    return {"id": new_id(), "username": username, "display_name": username,
            "is_active": True, "is_admin": False, "department_id": department,
            "created_at": now, "enterprise_id": enterprise, "password_hash": None}


def _copy_users(eng: Engine, tenant: str, rows: list[dict[str, Any]], role: str) -> None:
    users = tenant_tables(eng.dialect, tenant).users
    columns = [c.name for c in users.columns]
    copy_rows(eng, users, columns, (tuple(r[c] for c in columns) for r in rows))
    copy_rows(eng, tenant_tables(eng.dialect, tenant).user_roles, ("user_id", "role"),
              ((r["id"], role) for r in rows))
    with eng.db.begin() as conn:  # as every change made through hulian does
        people_changed(conn, tenant)


def build(eng: Engine, sizes: Sizes, seed: int) -> World:
    rng = random.Random(seed)
    tenant = f"bench_{os.urandom(3).hex()}_perm"
    began = time.perf_counter()
    eng.metadata(tenant).deploy(bench_pack())
    with eng.session(tenant) as s:
        table = s.schema.object("Order").table
        object_id = str(s.schema.ids["Order"]["id"])
        products = s.create_many("Product", [{"name": f"Product {i}", "price": f"{i + 1}.00"}
                                             for i in range(sizes.products)])
        quoted = eng.db.dialect.identifier_preparer.format_table(table)
    levels = _departments(eng, tenant)
    departments = tenant_tables(eng.dialect, tenant).departments
    with eng.db.connect() as conn:
        dept_ids = dict(conn.execute(sa.select(departments.c.name, departments.c.id)).all())
    names = [n for level in sorted(levels) for n in levels[level]]
    now = dt.datetime.now(dt.UTC)

    # internal users: evenly over the departments; the first of each department leads it
    internal_count = int(sizes.users * sizes.internal_share) - 2  # admin, leader (API)
    internal = [_user_row(tenant, f"u{i:05d}", now, department=dept_ids[names[i % len(names)]])
                for i in range(internal_count)]
    _copy_users(eng, tenant, internal, "member")
    for name, row in zip(names, internal, strict=False):
        eng.people(tenant).set_department_leader(name, row["id"])

    # the mid-level leader (API): leads the first level-3 department instead
    led_name = levels[LEADER_LEVEL][0]
    leader = eng.people(tenant).create_user("leader", department=led_name)
    eng.people(tenant).set_department_leader(led_name, "leader")

    # enterprises (API), each with a partner manager among the non-leaders
    managers = internal[len(names):]
    companies = [eng.people(tenant).create_enterprise(f"Dealer {i:04d}",
                                       partner_manager=rng.choice(managers)["id"])
                 for i in range(sizes.enterprises)]
    buyer = eng.people(tenant).create_user("buyer", enterprise=companies[0].name,
                                           roles=["dealer_buyer"])
    per_company = (sizes.users - internal_count - 2) // sizes.enterprises
    outside = [_user_row(tenant, f"x{i:05d}", now, enterprise=c.id)
               for i, c in enumerate(c for c in companies for _ in range(per_company))]
    _copy_users(eng, tenant, outside, "dealer_buyer")
    staff: dict[str, list[str]] = {}
    for row in outside:
        staff.setdefault(row["enterprise_id"], []).append(row["id"])
    staff[buyer.enterprise_id].append(buyer.id)
    department_of = {r["id"]: r["department_id"] for r in internal}
    department_of[leader.id] = leader.department_id
    owners = [*department_of]
    print(f"  tenant {tenant}: {len(names)} departments, {internal_count + 2:,} internal users, "
          f"{sizes.enterprises:,} enterprises, {len(outside) + 1:,} interconnect users "
          f"({time.perf_counter() - began:.1f} s)", flush=True)

    # orders, in creation order over the last two years
    start = now - dt.timedelta(days=730)
    span_ms = 730 * 86_400_000
    offsets = sorted(rng.randrange(span_ms) for _ in range(sizes.orders))
    columns = [c.name for c in table.columns]
    record_ids: list[str] = []
    external: list[tuple[str, str]] = []  # (record id, enterprise id)

    def orders() -> Iterator[tuple[Any, ...]]:
        epoch_ms = int(start.timestamp() * 1000)
        for i, offset in enumerate(offsets):
            created = start + dt.timedelta(milliseconds=offset)
            record_id = new_id(epoch_ms + offset)
            if rng.random() < sizes.interconnect_orders:
                company = companies[rng.randrange(len(companies))]
                creator = rng.choice(staff[company.id])
                owner, out = company.partner_manager_id, (company.id, creator)
                external.append((record_id, company.id))
            else:
                creator = owner = rng.choice(owners)
                out = (None, None)
            record_ids.append(record_id)
            row = {"id": record_id, "owner_id": owner, "department_id": department_of[owner],
                   "business_type": DEFAULT_BUSINESS_TYPE, "life_status": "normal",
                   "created_by": creator, "created_at": created, "updated_by": creator,
                   "updated_at": created, "version": 1,
                   "is_deleted": rng.random() < sizes.deleted,
                   "out_tenant_id": out[0], "out_owner_id": out[1],
                   "name": f"SO-{i:08d}", "status": rng.choice(STATUSES),
                   "amount": Decimal(rng.randrange(100, 10_000_000)).scaleb(-2),
                   "quantity": Decimal(rng.randrange(1, 500)), "order_date": created.date(),
                   "product": rng.choice(products)}
            yield tuple(row[c] for c in columns)

    loaded = time.perf_counter()
    copy_rows(eng, table, columns, orders())
    print(f"  {sizes.orders:,} orders loaded ({time.perf_counter() - loaded:.1f} s)",
          flush=True)

    # related teams: 5 % of the orders get one member; the readers get 20 records each
    # they would not see otherwise
    internal_ids = [r["id"] for r in internal]
    company_of = dict(external)
    teams: dict[tuple[str, str], str] = {}
    for record_id in rng.sample(record_ids, int(len(record_ids) * sizes.teamed)):
        company = company_of.get(record_id)
        member = rng.choice(staff[company]) if company and rng.random() < 0.5 \
            else rng.choice(internal_ids)
        teams[(record_id, member)] = rng.choice(("read", "edit"))
    buyer_company = buyer.enterprise_id
    foreign = [r for r, c in external if c != buyer_company]
    for record_id in rng.sample(foreign, sizes.reader_teams):
        teams[(record_id, buyer.id)] = "read"
    for record_id in rng.sample(record_ids, sizes.reader_teams):
        teams[(record_id, leader.id)] = "edit"
    admin_id = _admin_id(eng, tenant)
    own = tenant_tables(eng.dialect, tenant)
    copy_rows(eng, own.record_teams, ("object", "record_id", "user_id", "access", "added_by",
                                      "added_at"),
              ((object_id, r, u, a, admin_id, now) for (r, u), a in teams.items()))
    preparer = eng.db.dialect.identifier_preparer
    quoted_teams = preparer.format_table(own.record_teams)
    with eng.db.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for name in (quoted, *(preparer.format_table(t) for t in (
                own.users, own.user_roles, own.departments, own.enterprises)), quoted_teams):
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {name}")
    print(f"  {len(teams):,} team rows; set-up {time.perf_counter() - began:.1f} s",
          flush=True)
    world = World(tenant, table, object_id, quoted, quoted_teams)
    world.readers = {"buyer": buyer, "leader": leader}
    return world


def _admin_id(eng: Engine, tenant: str) -> str:
    with eng.db.connect() as conn:
        return conn.execute(user_sql(eng, tenant), {"username": "admin"}).one().id


