"""Issue 13's "done when", as a consultant and a dealer would go through it, on both
databases: on top of the example CRM, a tenant overlay in files adds a business type with a
picklist subset, a mobile layout for the dealer role and a scene; ``hulian validate`` and
``hulian deploy`` take it; then, over REST as a dealer buyer, the layout, a refused write,
the scene and the home view agree with what the dealer may see.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from hulian.runtime.cli import main
from tests.conftest import EXAMPLE_CRM
from tests.integration.test_rest_support import Api, body, error

RUSH = {"api_name": "urgent", "label": {"zh": "加急订单", "en": "Rush order"},
        "roles": ["dealer_buyer", "dealer_boss", "sales_rep"],
        "options": {"status": {"values": ["draft", "confirmed"], "default": "draft"},
                    "delivery": {"values": ["express"], "default": "express"}}}
LAYOUT = {"api_name": "order_rush_mobile", "object": "Order", "kind": "detail",
          "channel": "mobile", "label": {"zh": "加急订单", "en": "Rush order"},
          "assignments": [{"role": "dealer_buyer", "business_type": "urgent"}],
          "sections": [{"api_name": "main", "label": {"zh": "订单", "en": "Order"},
                        "columns": 1,
                        "fields": ["number", "status", {"field": "carrier", "required": True},
                                   "total_amount", "account_owner", "notes"]}],
          "buttons": ["edit"]}
SCENE = {"api_name": "rush_orders", "object": "Order",
         "label": {"zh": "加急订单", "en": "Rush orders"},
         "filter": "business_type = \"urgent\" && !ISPICKVAL(status, \"confirmed\")",
         "columns": ["number", "status", "carrier", "total_amount"], "sort": "-created_at"}
HIDE_OWNER = {"role": "dealer_buyer",
              "objects": {"Order": {"fields": {"account_owner": "hidden"}}}}
# the overlay's file of the same name replaces the example's home view of dealer buyers
HOME = {"api_name": "dealer_buyer", "label": {"zh": "加急", "en": "Rush desk"},
        "channel": "mobile", "roles": ["dealer_buyer"],
        "widgets": [
            {"kind": "metric", "object": "Order", "scene": "rush_orders", "function": "COUNT"},
            {"kind": "metric", "object": "Order", "scene": "all", "function": "SUM",
             "field": "total_amount"},
            {"kind": "scene_list", "object": "Order", "scene": "rush_orders", "rows": 2},
            {"kind": "app_tiles"}]}


def _write(root: Path, files: dict[str, object]) -> None:
    for name, doc in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture
def overlay(tmp_path):
    root = tmp_path / "acme"
    _write(root, {
        "pack.json": {"name": "acme", "version": "1.0.0", "kind": "tenant",
                      "label": {"zh": "某公司", "en": "Acme"}},
        "extensions/Order.json": {"object": "Order", "business_types": [RUSH]},
        "extensions/roles/dealer_buyer.json": HIDE_OWNER,
        "layouts/order_rush_mobile.json": LAYOUT,
        "scenes/rush_orders.json": SCENE,
        "home/dealer_buyer.json": HOME,
    })
    return root


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def dealers(engine, tenant, db_url, overlay, capsys):
    """The example CRM and the overlay deployed with the CLI; two dealers with orders."""
    engine.metadata(tenant).deploy(EXAMPLE_CRM)
    code, out, err = _cli(capsys, "validate", str(overlay), "--with", str(EXAMPLE_CRM))
    assert (code, out) == (0, ""), out
    code, out, err = _cli(capsys, "deploy", str(overlay), "--db", db_url, "--tenant", tenant)
    assert code == 0, out + err
    staff = engine.people(tenant)
    staff.create_user("pm")
    for name in ("Dealer A", "Dealer B"):
        staff.create_enterprise(name, partner_manager="pm")
    staff.create_user("buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    staff.create_user("colleague", enterprise="Dealer A", roles=["dealer_buyer"])
    staff.create_user("other", enterprise="Dealer B", roles=["dealer_buyer"])
    with engine.session(tenant) as s:
        product = s.create("Product", {"name": "Pump", "sku": "P-1", "unit_price": "100"})["id"]
    made: dict[str, list[str]] = {}
    for who, kinds in (("buyer", ["urgent", "urgent", "standard"]),
                       ("colleague", ["urgent"]), ("other", ["urgent"])):
        with engine.session(tenant, who) as s:
            for kind in kinds:
                order = s.create("Order", {"business_type": kind, "delivery": "express",
                                           "carrier": "sf"})
                s.create("OrderLine", {"sales_order": order["id"], "product": product,
                                       "quantity": "2"})
                made.setdefault(who, []).append(order["id"])
    with engine.session(tenant) as s:  # one of the buyer's rush orders is confirmed
        s.update("Order", made["buyer"][1], {"status": "confirmed"})
    return Api(engine, tenant, "buyer"), made


def test_the_consultant_gets_every_mistake_at_once(capsys, overlay):
    doc = json.loads((overlay / "layouts/order_rush_mobile.json").read_text(encoding="utf-8"))
    doc["sections"][0]["fields"] += ["carier", "number"]
    doc["assignments"][0]["business_type"] = "urgnet"
    (overlay / "layouts/order_rush_mobile.json").write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = _cli(capsys, "validate", str(overlay), "--with", str(EXAMPLE_CRM))
    assert code == 1
    file = f"{overlay}/layouts/order_rush_mobile.json"
    lines = out.strip().splitlines()
    for place, code_, hint in (("/sections/0/fields/6", "layout.unknown_field", "carrier"),
                               ("/sections/0/fields/7", "layout.duplicate_field", ""),
                               ("/assignments/0/business_type",
                                "layout.unknown_business_type", "urgent")):
        assert any(line.startswith(f"{file}:{place}: {code_}:") and hint in line
                   for line in lines), (place, out)


def test_the_dealer_gets_the_mobile_layout_without_hidden_fields(dealers):
    api, _ = dealers
    response = api.get("/objects/Order/layout",
                       params={"business_type": "urgent", "channel": "mobile"})
    layout = body(response)
    assert (layout["layout"], layout["layout_channel"]) == ("order_rush_mobile", "mobile")
    fields = {f["api_name"]: f for s in layout["sections"] for f in s["fields"]}
    assert list(fields) == ["number", "status", "carrier", "total_amount", "notes"]
    assert "account_owner" not in json.dumps(layout)  # hidden from dealer buyers
    assert [o["api_name"] for o in fields["status"]["options"]] == ["draft", "confirmed"]
    assert fields["carrier"]["required"] is True
    standard = body(api.get("/objects/Order/layout",
                            params={"business_type": "standard", "channel": "mobile"}))
    assert standard["layout"] == "order_dealer_mobile"  # the example's, for other types


def test_an_option_outside_the_type_subset_is_refused_and_nothing_is_stored(dealers):
    api, _ = dealers
    before = api.list("Order")["records"]
    response = api.post("/objects/Order/records",
                        {"business_type": "urgent", "delivery": "freight",
                         "carrier": "deppon"})
    err = error(response, 422)
    assert err["code"] == "validation_failed"
    assert [(e["field"], e["code"]) for e in err["details"]] == \
        [("delivery", "picklist_option_not_in_business_type")]
    assert "express" in err["details"][0]["hint"]
    assert api.list("Order")["records"] == before


def test_the_scene_lists_exactly_what_the_dealer_may_see(dealers):
    api, made = dealers
    listed = api.list("Order", scene="rush_orders")["records"]
    # the buyer's open rush order and their colleague's (company_read), not the confirmed
    # one, not the standard one, not Dealer B's
    assert sorted(r["id"] for r in listed) == sorted([made["buyer"][0], made["colleague"][0]])
    assert set(listed[0]) >= {"id", "number", "status", "carrier", "total_amount"}
    counted = body(api.get("/objects/Order/scenes", params={"counts": "true"}))
    rush = next(s for s in counted["scenes"] if s["api_name"] == "rush_orders")
    assert rush["count"] == 2


def test_the_home_view_numbers_match_direct_queries(dealers):
    api, _ = dealers
    home = body(api.get("/home", params={"channel": "mobile"}))
    assert (home["api_name"], home["label"]["en"]) == ("dealer_buyer", "Rush desk")
    kinds = [w["kind"] for w in home["widgets"]]
    assert kinds == ["metric", "metric", "scene_list", "app_tiles"]
    count, total, rows, apps = home["widgets"]
    direct = api.list("Order", scene="rush_orders")["records"]
    assert count["value"] == len(direct) == 2
    everything = api.list("Order")["records"]
    assert len(everything) == 4  # Dealer A's four orders
    assert Decimal(str(total["value"])) == sum(Decimal(str(r["total_amount"]))
                                               for r in everything) == Decimal("800")
    assert [r["id"] for r in rows["records"]] == [r["id"] for r in direct][:2]
    assert [a["api_name"] for a in apps["apps"]] == ["order"]
