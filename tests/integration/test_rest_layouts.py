"""GET /api/v1/objects/{object}/layout, and layouts on REST writes (the tenant of
tests/integration/layout_world.py)."""

from __future__ import annotations

import pytest

from tests.integration import layout_world
from tests.integration.test_rest_openapi import validator
from tests.integration.test_rest_support import Api, body, error


@pytest.fixture
def deals(engine, tenant):
    layout_world.build(engine, tenant)
    return engine, tenant


@pytest.fixture
def seller(deals):
    return Api(*deals, user="seller")


def test_the_callers_layout(seller):
    layout = body(seller.get("/objects/Deal/layout"))
    assert (layout["layout"], layout["business_type"]["api_name"]) == ("deal_seller",
                                                                       "standard")
    assert "margin" not in seller.get("/objects/Deal/layout").text
    shown = body(seller.get("/objects/Deal/layout", params={
        "business_type": "sample", "channel": "mobile", "kind": "detail"}))
    assert (shown["layout"], shown["channel"], shown["layout_channel"]) == (
        "deal_seller_sample", "mobile", "web")
    listed = body(seller.get("/objects/Deal/layout", params={"kind": "list"}))
    assert [c["api_name"] for c in listed["columns"]] == ["name", "status", "region"]


def test_the_same_for_an_interconnect_user(deals):
    buyer = Api(*deals, user="buyer")
    layout = body(buyer.get("/objects/Deal/layout", params={"channel": "mobile"}))
    assert layout["layout"] == "deal_dealer_mobile"
    assert [f["api_name"] for f in layout["sections"][0]["fields"]] == ["name", "status"]


def test_a_list_page_can_bring_its_layout(deals, seller):
    seller.create("Deal", {"name": "A", "region": "east"})
    plain = body(seller.get("/objects/Deal/records"))
    assert set(plain) == {"records", "next"}
    page = body(seller.get("/objects/Deal/records", params={"layout": "mobile", "limit": 5}))
    assert [r["name"] for r in page["records"]] == ["A"]
    assert page["layout"] == body(seller.get("/objects/Deal/layout", params={
        "kind": "list", "channel": "mobile"}))
    assert error(seller.get("/objects/Deal/records", params={"layout": "detail"}), 400)[
        "code"] == "invalid_parameter"
    validator(body(seller.get("/openapi.json")), "DealPage").validate(page)
    deal = plain["records"][0]["id"]
    assert error(seller.get(f"/objects/Deal/records/{deal}/related/notes",
                            params={"layout": "web"}), 400)["code"] == "unknown_parameter"


def test_unknown_and_forbidden(deals, seller):
    err = error(seller.get("/objects/Deal/layout", params={"business_type": "nope"}), 404)
    assert err["code"] == "unknown_business_type"
    assert error(seller.get("/objects/Nope/layout"), 404)["code"] == "unknown_object"
    assert error(seller.get("/objects/DealCost/layout"), 403)["code"] == "action_denied"
    buyer = Api(*deals, user="buyer")
    assert error(buyer.get("/objects/DealCost/layout"), 404)["code"] == "unknown_object"
    for params in ({"channel": "tablet"}, {"kind": "form"}):
        assert error(seller.get("/objects/Deal/layout", params=params), 400)["code"] == \
            "invalid_parameter"
    assert error(seller.get("/objects/Deal/layout", params={"type": "x"}), 400)["code"] == \
        "unknown_parameter"


def test_writes_keep_to_the_layout(seller):
    response = seller.post("/objects/Deal/records", {"name": "A", "status": "open"})
    details = {(d["field"], d["code"]) for d in error(response, 422)["details"]}
    assert details == {("region", "required"), ("status", "field_read_only")}
    deal = seller.create("Deal", {"name": "A", "region": "east"})
    response = seller.patch(f"/objects/Deal/records/{deal['id']}",
                            {"version": deal["version"], "status": "won"})
    assert [(d["field"], d["code"]) for d in error(response, 422)["details"]] == [
        ("status", "field_read_only")]
    response = seller.post("/objects/Deal/records", [{"name": "B", "region": "east"},
                                                     {"name": "C"}])
    assert [(d["row"], d["field"], d["code"]) for d in error(response, 422)["details"]] == [
        (1, "region", "required")]


def test_the_route_is_in_the_openapi_document(seller):
    document = body(seller.get("/openapi.json"))
    operation = document["paths"]["/api/v1/objects/{object}/layout"]["get"]
    assert operation["operationId"] == "objectLayout"
    assert {p["name"] for p in operation["parameters"]} == {"object", "business_type",
                                                            "channel", "kind"}
    assert "Layout" in document["components"]["schemas"]


def test_every_layout_validates_against_its_schema(deals):
    for user in ("seller", "manager", "buyer", "admin"):
        api = Api(*deals, user=user)
        check = validator(body(api.get("/openapi.json")), "Layout")
        for name in ("Deal", "DealNote"):
            for params in ({}, {"kind": "list"}, {"channel": "mobile"},
                           {"business_type": "sample"} if name == "Deal" else {}):
                check.validate(body(api.get(f"/objects/{name}/layout", params=params)))
