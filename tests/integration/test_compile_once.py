"""What a deploy knows is worked out once: a warm read or write compiles no formula to SQL
and scans no pack (write plans, record selects and statements are kept per schema version
and per reader)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from hulian.engine.records import layouts
from hulian.formula.sql import SqlCompiler


class CountingPack:
    """A pack that counts how often its objects are scanned or looked up by name."""

    def __init__(self, pack: Any, counts: Counter):
        self._pack = pack
        self._counts = counts

    @property
    def objects(self) -> Any:
        self._counts["pack scans"] += 1
        return self._pack.objects

    def object(self, name: str) -> Any:
        self._counts["pack scans"] += 1
        return self._pack.object(name)

    def part(self, kind: str) -> Any:
        self._counts["pack scans"] += 1
        return self._pack.part(kind)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pack, name)


@pytest.fixture
def counts(monkeypatch):
    found: Counter = Counter()
    original = SqlCompiler.compile

    def counted(self, node):
        found["formula compilations"] += 1
        return original(self, node)

    monkeypatch.setattr(SqlCompiler, "compile", counted)
    return found


@pytest.fixture
def world(crm):
    engine, tenant = crm
    engine.people(tenant).create_user("pm")
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    engine.people(tenant).create_user("buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Acme"})
        product = s.create("Product", {"name": "Tea", "unit_price": "10.00"})
    return engine, tenant, account["id"], product["id"]


def _work(engine, tenant, user, account, product, n):
    """Reads and writes across the write pipeline: formulas, defaults, rules, lookups,
    master-detail, roll-ups (and their propagation from a product's price)."""
    with engine.session(tenant, user) as s:
        order = s.create("Order", {"delivery": "pickup",
                                   **({"account": account} if user == "admin" else {})})
        line = s.create("OrderLine", {"sales_order": order["id"], "product": product,
                                      "quantity": n + 1})
        s.update("OrderLine", line["id"], {"quantity": n + 2}, version=line["version"])
        s.create_many("OrderLine", [{"sales_order": order["id"], "product": product,
                                     "quantity": 1}] * 3)
        s.get("Order", order["id"])
        s.query("Order", limit=20)
        s.query("Order", {"status": "draft"}, order_by="-total_amount", limit=5)
        page = s.query("OrderLine", order_by="quantity", limit=2)
        s.query("OrderLine", order_by="quantity", limit=2, after=page.next)
        s.related("Order", order["id"], "lines")
        s.count("Order")
        if user == "admin":
            opportunity = s.create("Opportunity", {"title": f"deal {n}", "account": account,
                                                   "stage": "qualification"})
            s.update("Opportunity", opportunity["id"], {"amount": "100.00"},
                     version=opportunity["version"])
            current = s.get("Product", product)
            s.update("Product", product, {"unit_price": "12.00"}, version=current["version"])
            s.delete("OrderLine", line["id"])
            s.restore("OrderLine", line["id"])
    with engine.session(tenant, user, readonly=True) as s:
        s.get("Order", order["id"])
        s.query("OrderLine", limit=50)


@pytest.mark.parametrize("user", ["admin", "buyer"])
def test_warm_reads_and_writes_compile_nothing(world, counts, user):
    engine, tenant, account, product = world
    _work(engine, tenant, user, account, product, 0)  # warms the caches
    with engine.session(tenant, readonly=True) as s:
        schema = s.schema
    pack = schema.pack
    object.__setattr__(schema, "pack", CountingPack(pack, counts))
    try:
        counts.clear()
        _work(engine, tenant, user, account, product, 1)
    finally:
        object.__setattr__(schema, "pack", pack)
    assert dict(counts) == {}


def _layout_work(engine, tenant, user, n):
    """Effective layouts on every channel and kind, and writes the layouts govern."""
    with engine.session(tenant, user) as s:
        for business_type in (None, "standard", "sample"):
            for channel in ("web", "mobile"):
                s.layout("Deal", business_type, channel)
                s.layout("Deal", business_type, channel, "list")
        s.layout("DealNote")
        deal = s.create("Deal", {"name": f"d{n}", "region": "east", "reference_no": "R"})
        s.update("Deal", deal["id"], {"city": "shanghai"}, version=deal["version"])
        s.create_many("Deal", [{"name": "bulk", "region": "north", "reference_no": "R"}] * 3)


@pytest.mark.parametrize("user", ["admin", "seller", "buyer"])
def test_warm_layouts_build_nothing(engine, tenant, counts, user):
    from tests.integration import layout_world

    layout_world.build(engine, tenant)
    _layout_work(engine, tenant, user, 0)  # warms the caches
    with engine.session(tenant, readonly=True) as s:
        schema = s.schema
    pack = schema.pack
    built = []
    original = layouts._Builder.build

    def counted(self, channel, kind):
        built.append((channel, kind))
        return original(self, channel, kind)

    object.__setattr__(schema, "pack", CountingPack(pack, counts))
    try:
        counts.clear()
        layouts._Builder.build = counted
        _layout_work(engine, tenant, user, 1)
    finally:
        layouts._Builder.build = original
        object.__setattr__(schema, "pack", pack)
    assert (dict(counts), built) == ({}, [])


def test_the_counters_see_a_cold_schema(world, counts):
    """The check above is not blind: the first work on a schema does compile and scan."""
    engine, tenant, account, product = world
    with engine.session(tenant, readonly=True) as s:
        schema = s.schema
    pack = schema.pack
    schema.memo.clear()  # as if the schema had just been compiled
    object.__setattr__(schema, "pack", CountingPack(pack, counts))
    try:
        _work(engine, tenant, "admin", account, product, 0)
    finally:
        object.__setattr__(schema, "pack", pack)
    assert counts["formula compilations"] > 0 and counts["pack scans"] > 0


def test_a_default_of_today_reads_no_related_record(world, monkeypatch):
    """Order.order_date defaults to TODAY(), Order quotes its account's owner, Opportunity's
    rules read its own fields: creating either reads no related record for formulas."""
    from hulian.engine.formulas import records

    engine, tenant, account, _product = world
    reads: list[tuple[str, str]] = []
    original = records._Related.get

    def counted(self, object_name, record_id):
        reads.append((object_name, record_id))
        return original(self, object_name, record_id)

    monkeypatch.setattr(records._Related, "get", counted)
    with engine.session(tenant) as s:
        order = s.create("Order", {"status": "draft", "account": account})
        s.create("Opportunity", {"title": "deal", "account": account, "stage": "qualification"})
    assert order["order_date"] is not None and order["account_owner"] is not None
    assert reads == []


def _scene_work(engine, tenant, user):
    """Scene pages (built-in, declared with a $User filter, personal), counts, metrics and
    a home view."""
    from hulian.layouts.home import home_view

    with engine.session(tenant, user, readonly=True) as s:
        for scene in ("all", "mine", "in_my_team", "my_subordinates", "big_deals", "mine2"):
            s.query("Deal", scene=scene, limit=10)
            s.count("Deal", scene=scene)
        if user == "rep1":
            s.query("Deal", scene="my_open", limit=10)
        s.aggregate("Deal", "SUM", "amount", scene="big_deals")
        s.scenes("Deal", counts=True)
        home_view(s, "web")
        home_view(s, "mobile")


@pytest.mark.parametrize("user", ["rep1", "lead", "buyer"])
def test_warm_scene_pages_and_home_views_compile_nothing(engine, tenant, counts, user):
    from tests.integration.scene_world import build

    build(engine, tenant)
    with engine.session(tenant, user) as s:
        s.save_scene("Deal", "mine2", label="Mine too", filter="ISPICKVAL(stage, 'new')",
                     sort=["-amount"])
    _scene_work(engine, tenant, user)  # warms the caches
    with engine.session(tenant, readonly=True) as s:
        schema = s.schema
    pack = schema.pack
    object.__setattr__(schema, "pack", CountingPack(pack, counts))
    try:
        counts.clear()
        _scene_work(engine, tenant, user)
    finally:
        object.__setattr__(schema, "pack", pack)
    assert dict(counts) == {}


def test_a_description_is_built_once_per_user_and_each_caller_gets_its_own_copy(
        crm, monkeypatch):
    from hulian.engine import session as session_module

    engine, tenant = crm
    built = Counter()
    real = session_module.Session._describe

    def counted(self, obj):
        built[obj.api_name] += 1
        return real(self, obj)

    monkeypatch.setattr(session_module.Session, "_describe", counted)
    for _ in range(3):
        with engine.session(tenant, "admin", readonly=True) as s:
            first = s.describe("Account")
            first["fields"].clear()
            first["label"]["en"] = "changed"
            again = s.describe("Account")
    assert again["fields"] and again["label"]["en"] != "changed"
    assert built["Account"] == 1
