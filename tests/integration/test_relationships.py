"""Orders and their lines: master-detail, roll-ups, quotes and lookup filters, on both databases.

"Creating, editing, moving and deleting order lines keeps every order's totals right; a
formula on a line can read its order's account's owner's name."
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hulian.engine import ConflictError, RecordValidationError
from tests.packs import documents, field, obj, pack_of


def roll_up(function: str, name: str | None = None, flt: str | None = None) -> dict:
    spec = {"object": "OrderLine", "relationship": "sales_order", "function": function}
    if name:
        spec["field"] = name
    if flt:
        spec["filter"] = flt
    return spec


DOCS = documents(
    obj("Account", field("name", "text")),
    obj("Product", field("name", "text"), field("price", "currency"),
        field("active", "boolean")),
    obj("Order", field("name", "text"),
        field("account", "lookup", target="Account"),
        {**field("total", "currency"), "roll_up": roll_up("SUM", "amount")},
        {**field("lines", "number"), "roll_up": roll_up("COUNT")},
        {**field("big_lines", "number"), "roll_up": roll_up("COUNT", flt="amount >= 100")},
        {**field("max_qty", "number"), "roll_up": roll_up("MAX", "qty")},
        {**field("avg_amount", "currency"), "roll_up": roll_up("AVG", "amount")}),
    obj("OrderLine", field("name", "text"),
        field("sales_order", "master_detail", target="Order"),
        {**field("product", "lookup", target="Product"), "lookup_filter": "active"},
        field("qty", "number"),
        {**field("unit_price", "currency"), "quote": "product.price"},
        field("amount", "currency", formula="qty * unit_price"),
        field("account_owner", "text", formula="sales_order.account.owner.name")),
    obj("Shipment", field("name", "text"),
        field("line", "master_detail", target="OrderLine")),
)


@pytest.fixture
def shop(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(DOCS))
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Acme"})
        pen = s.create("Product", {"name": "pen", "price": "2.50", "active": True})
        ink = s.create("Product", {"name": "ink", "price": "40", "active": True})
        old = s.create("Product", {"name": "old", "price": "1", "active": False})
        order = s.create("Order", {"name": "o1", "account": account["id"]})
        other = s.create("Order", {"name": "o2", "account": account["id"]})
    return {"account": account, "pen": pen, "ink": ink, "old": old, "order": order,
            "other": other}


def totals(s, order_id):
    o = s.get("Order", order_id)
    return (o["total"], o["lines"], o["big_lines"], o["max_qty"], o["avg_amount"])


def test_roll_ups_follow_every_kind_of_line_write(engine, tenant, shop):
    order, other = shop["order"]["id"], shop["other"]["id"]
    with engine.session(tenant) as s:
        assert totals(s, order) == (Decimal("0.00"), 0, 0, None, None)
        a = s.create("OrderLine", {"name": "a", "sales_order": order, "product": shop["pen"]["id"],
                                   "qty": 10})
        b = s.create("OrderLine", {"name": "b", "sales_order": order, "product": shop["ink"]["id"],
                                   "qty": 3})
        assert (a["unit_price"], a["amount"]) == (Decimal("2.50"), Decimal("25.00"))
        assert totals(s, order) == (Decimal("145.00"), 2, 1, 10, Decimal("72.50"))
        s.update("OrderLine", b["id"], {"qty": 1})                          # edit
        assert totals(s, order) == (Decimal("65.00"), 2, 0, 10, Decimal("32.50"))
        s.update("OrderLine", a["id"], {"sales_order": other})                   # move
        assert totals(s, order) == (Decimal("40.00"), 1, 0, 1, Decimal("40.00"))
        assert totals(s, other) == (Decimal("25.00"), 1, 0, 10, Decimal("25.00"))
        s.delete("OrderLine", b["id"])                                      # delete
        assert totals(s, order) == (Decimal("0.00"), 0, 0, None, None)
        s.restore("OrderLine", b["id"])                                     # undelete
        assert totals(s, order)[:2] == (Decimal("40.00"), 1)
        ids = s.create_many("OrderLine", [{"name": f"n{i}", "sales_order": order, "qty": 1,
                                           "product": shop["pen"]["id"]} for i in range(30)])
        assert totals(s, order)[:2] == (Decimal("115.00"), 31)
        assert len(ids) == 30


def test_price_change_is_seen_by_quotes_and_recalc(engine, tenant, shop):
    order = shop["order"]["id"]
    with engine.session(tenant) as s:
        line = s.create("OrderLine", {"name": "a", "sales_order": order,
                                      "product": shop["pen"]["id"], "qty": 2})
        s.update("Product", shop["pen"]["id"], {"price": "3"})
        assert s.get("OrderLine", line["id"])["unit_price"] == Decimal("3.00")  # always current
        # the total sums a formula that reads the product: the price change moved it too
        assert s.get("Order", order)["total"] == Decimal("6.00")
        assert s.get("Order", shop["other"]["id"])["total"] == Decimal("0.00")
    assert engine.metadata(tenant).recalc("Order") == 2
    with engine.session(tenant) as s:
        assert s.get("Order", order)["total"] == Decimal("6.00")


def test_cross_object_formula_reads_the_accounts_owner(engine, tenant, shop):
    with engine.session(tenant) as s:
        line = s.create("OrderLine", {"name": "a", "sales_order": shop["order"]["id"], "qty": 1})
        assert line["account_owner"] == "Administrator"
        assert s.count("OrderLine", filter="sales_order.account.name = 'Acme'") == 1


def test_a_detail_cannot_exist_without_its_master(engine, tenant, shop):
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("OrderLine", {"name": "orphan"})
        assert [(e.field, e.code) for e in exc.value.errors] == [("sales_order", "required")]
        with pytest.raises(RecordValidationError) as exc:
            s.create("OrderLine", {"name": "x", "sales_order": shop["order"]["id"],
                                   "product": shop["old"]["id"]})
        assert exc.value.errors[0].code == "lookup_filter"
        with pytest.raises(RecordValidationError) as exc:
            s.update("Order", shop["order"]["id"], {"total": 1})
        assert exc.value.errors[0].code == "read_only"


def test_cascade_delete_and_undelete_three_levels(engine, tenant, shop):
    order = shop["order"]["id"]
    with engine.session(tenant) as s:
        kept = s.create("OrderLine", {"name": "kept", "sales_order": order, "qty": 1})
        gone = s.create("OrderLine", {"name": "gone", "sales_order": order, "qty": 1})
        ship = s.create("Shipment", {"name": "s", "line": kept["id"]})
        s.delete("OrderLine", gone["id"])              # deleted on its own, before
        s.delete("Order", order)
        assert s.count("OrderLine") == 0 and s.count("Shipment") == 0
        s.restore("Order", order)
        assert [r["name"] for r in s.query("OrderLine").records] == ["kept"]
        assert s.get("Shipment", ship["id"])["name"] == "s"
        assert s.get("Order", order)["lines"] == 1
        with pytest.raises(ConflictError):            # its master is gone
            s.delete("Order", order)
            s.restore("Shipment", ship["id"])


def test_owner_follows_the_master(engine, tenant, shop):
    boss = engine.people(tenant).create_user("boss")
    order = shop["order"]["id"]
    with engine.session(tenant) as s:
        line = s.create("OrderLine", {"name": "a", "sales_order": order, "qty": 1})
        ship = s.create("Shipment", {"name": "s", "line": line["id"]})
        s.update("Order", order, {"owner_id": boss.id})
        assert s.get("OrderLine", line["id"])["owner_id"] == boss.id
        assert s.get("Shipment", ship["id"])["owner_id"] == boss.id
        with pytest.raises(RecordValidationError) as exc:
            s.update("OrderLine", line["id"], {"owner_id": boss.id})
        assert exc.value.errors[0].code == "read_only"
        moved = s.update("OrderLine", line["id"], {"sales_order": shop["other"]["id"]})
        assert moved["owner_id"] == shop["other"]["owner_id"]
