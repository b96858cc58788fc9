"""Home views (首页) on both databases: which view a user gets, each widget's data equal to
direct queries, and widgets over what the user may not see left out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hulian.engine import QueryError
from hulian.layouts.home import home_view
from hulian.metadata.jsontext import dumps
from tests.integration.scene_world import amounts, build, pack_documents, titles
from tests.integration.test_rest_support import Api, body, error
from tests.packs import label, pack_of


@pytest.fixture
def world(engine, tenant):
    return engine, tenant, build(engine, tenant)


def kinds(view):
    return [w["kind"] for w in view["widgets"]]


def test_a_sales_reps_home_matches_direct_queries(world):
    engine, tenant, _ = world
    with engine.session(tenant, "rep1", readonly=True) as s:
        view = home_view(s, "web")
        assert (view["api_name"], view["channel"]) == ("rep_web", "web")
        assert kinds(view) == ["text", "metric", "metric", "scene_list", "quick_create",
                               "app_tiles"]
        text, pipeline, deals, big, create, apps = view["widgets"]
        assert text["text"] == label("Quarter ends Friday")
        assert pipeline["value"] == s.aggregate("Deal", "SUM", "amount", scene="mine") == \
            amounts("d1", "d2") == Decimal("1300.49")
        assert pipeline["label"] == label("My pipeline")
        assert pipeline["scene"] == {"api_name": "mine", "label": {"zh": "我负责的",
                                                                    "en": "Mine"}}
        assert deals["value"] == s.count("Deal", scene="all") == 3
        assert big["label"] == label("Big deals") and big["columns"] == ["title", "amount"]
        assert big["records"] == [{"id": r["id"], "title": r["title"], "amount": r["amount"]}
                                  for r in s.query("Deal", scene="big_deals", limit=2)]
        assert titles(big["records"]) == {"d1"} and big["more"] is False
        assert create["objects"] == [{"api_name": "Deal", "label": label("Deal")},
                                     {"api_name": "Memo", "label": label("Memo")}]
        assert [a["api_name"] for a in apps["apps"]] == ["portal", "service"]


def test_a_dealers_home_leaves_out_what_they_may_not_see(world):
    engine, tenant, ids = world
    with engine.session(tenant, "buyer", readonly=True) as s:
        view = home_view(s, "mobile")
        assert (view["api_name"], view["channel"]) == ("dealer_mobile", "mobile")
        assert kinds(view) == ["scene_list", "metric", "metric", "quick_create", "app_tiles"]
        mine, total, average, create, apps = view["widgets"]
        assert [r["id"] for r in mine["records"]] == [ids["d6"]]
        assert mine["records"] == s.query("Deal", scene="mine", limit=5).records
        assert "cost" not in mine["records"][0] and "margin" not in mine["records"][0]
        assert total["value"] == s.aggregate("Deal", "SUM", "amount") == amounts("d1", "d6")
        assert average["value"] == Decimal("1200.50") == \
            s.aggregate("Deal", "AVG", "amount", scene="big_deals")
        assert create["objects"] == [{"api_name": "Deal", "label": label("Deal")}]
        assert apps["apps"] == [{"api_name": "portal", "label": label("Portal"),
                                 "description": None}]
    text = dumps(view)
    for unseen in ("Memo", "cost", "margin", "my_open", "service"):
        assert unseen not in text


def test_a_dealer_without_a_web_view_gets_the_default(world):
    engine, tenant, _ = world
    with engine.session(tenant, "buyer") as s:
        view = home_view(s)
    assert view["api_name"] == "everyone" and kinds(view) == ["text"]


def test_mobile_falls_back_to_web(world):
    engine, tenant, _ = world
    with engine.session(tenant, "lead") as s:
        view = home_view(s, "mobile")
    assert (view["api_name"], view["channel"]) == ("rep_web", "web")


def test_the_first_view_by_api_name_wins_and_no_view_is_an_empty_one(engine, tenant):
    docs = pack_documents()
    docs["home/a_director.json"] = {"api_name": "a_director", "label": label("A"),
                                    "roles": ["director"],
                                    "widgets": [{"kind": "text", "text": label("first")}]}
    del docs["home/everyone.json"]
    build_with(engine, tenant, docs)
    engine.people(tenant).create_user("both", roles=["rep", "director"])
    with engine.session(tenant, "both") as s:      # two views name one of their roles
        assert home_view(s)["api_name"] == "a_director"
    with engine.session(tenant, "rep1") as s:
        assert home_view(s)["api_name"] == "rep_web"
    with engine.session(tenant, "buyer") as s:
        assert home_view(s, "web") == {"api_name": None, "label": None, "channel": "web",
                                       "widgets": []}
    with engine.session(tenant, "rep1") as s, pytest.raises(QueryError) as caught:
        home_view(s, "tv")
    assert (caught.value.code, caught.value.parameter) == ("invalid_parameter", "channel")


def build_with(engine, tenant, docs):
    engine.metadata(tenant).deploy(pack_of(docs))
    staff = engine.people(tenant)
    staff.create_user("rep1", roles=["rep"])
    staff.create_user("pm", roles=["rep"])
    staff.create_enterprise("Dealer A", partner_manager="pm")
    staff.create_user("buyer", enterprise="Dealer A", roles=["dealer"])


def test_the_home_view_over_rest(world):
    engine, tenant, _ = world
    api = Api(engine, tenant, "buyer")
    response = api.get("/home", params={"channel": "mobile"})
    assert response.status_code == 200
    view = body(response)
    assert view["api_name"] == "dealer_mobile"
    assert view["widgets"][1]["value"] == amounts("d1", "d6")
    assert b'"value": 1500.50' in response.content          # exact, with its scale
    assert body(api.get("/home"))["api_name"] == "everyone"
    assert error(api.get("/home", params={"channel": "tv"}), 400)["code"] == \
        "invalid_parameter"
    assert error(api.get("/home", params={"chanel": "web"}), 400)["code"] == \
        "unknown_parameter"
