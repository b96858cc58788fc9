"""The scene routes: ``?scene=`` on record lists, listing scenes with counts, and personal
scenes created, replaced and deleted over REST, on both databases."""

from __future__ import annotations

import pytest

from tests.integration.scene_world import build, titles
from tests.integration.test_rest_support import Api, body, error


@pytest.fixture
def world(engine, tenant):
    return engine, tenant, build(engine, tenant)


@pytest.fixture
def rep(world):
    return Api(world[0], world[1], "rep1")


def records(response):
    assert response.status_code == 200, response.text
    return titles(body(response)["records"])


def test_a_list_of_a_scene_combined_with_where_and_filter(world):
    lead = Api(world[0], world[1], "lead")
    assert records(lead.get("/objects/Deal/records", params={"scene": "my_subordinates"})) \
        == {"d1", "d2", "d3"}
    assert records(lead.get("/objects/Deal/records", params={
        "scene": "my_subordinates", "where": '{"stage": "new"}'})) == {"d1", "d3"}
    assert records(lead.get("/objects/Deal/records", params={
        "scene": "my_subordinates", "where": '{"stage": "new"}',
        "filter": "amount < 2000"})) == {"d1"}
    page = body(lead.get("/objects/Deal/records", params={"scene": "big_deals", "limit": 1}))
    assert [r["title"] for r in page["records"]] == ["d3"]
    after = lead.get("/objects/Deal/records", params={"scene": "big_deals", "after":
                                                       page["next"]})
    assert [r["title"] for r in body(after)["records"]] == ["d1"]


def test_a_missing_scene_and_one_not_allowed_are_the_same_404(rep):
    missing = error(rep.get("/objects/Deal/records", params={"scene": "nope"}), 404)
    hidden = error(rep.get("/objects/Deal/records", params={"scene": "directors"}), 404)
    assert missing["code"] == hidden["code"] == "unknown_scene"
    assert missing["hint"].split("use: ")[1] == hidden["hint"].split("use: ")[1]
    assert "directors" not in hidden["hint"]
    assert error(rep.get("/objects/Deal/scenes/directors"), 404)["code"] == "unknown_scene"


def test_scenes_are_listed_with_counts(rep):
    listed = body(rep.get("/objects/Deal/scenes", params={"counts": "true"}))["scenes"]
    assert [(s["api_name"], s["kind"], s["count"]) for s in listed] == [
        ("all", "built_in", 3), ("mine", "built_in", 2), ("in_my_team", "built_in", 1),
        ("my_subordinates", "built_in", 0), ("big_deals", "declared", 1),
        ("cheap", "declared", 2), ("my_open", "declared", 1)]
    plain = body(rep.get("/objects/Deal/scenes"))["scenes"]
    assert "count" not in plain[0] and plain[0]["label"] == {"zh": "全部", "en": "All"}
    assert error(rep.get("/objects/Deal/scenes", params={"counts": "maybe"}), 400)["code"] \
        == "invalid_parameter"


def test_a_personal_scene_over_rest(rep):
    made = rep.post("/objects/Deal/scenes", {"api_name": "pricey", "label": "Pricey",
                                             "filter": "amount > 50", "sort": ["-amount"],
                                             "columns": ["title", "amount"]})
    assert made.status_code == 201, made.text
    assert made.headers["Location"].endswith("/api/v1/objects/Deal/scenes/pricey")
    assert body(made)["kind"] == "personal"
    assert body(rep.get("/objects/Deal/scenes/pricey"))["filter"] == "amount > 50"
    assert [r["title"] for r in body(rep.get("/objects/Deal/records",
                                             params={"scene": "pricey"}))["records"]] == \
        ["d1", "d2"]
    assert error(rep.post("/objects/Deal/scenes", {"api_name": "pricey", "label": "Again"}),
                 409)["code"] == "scene_exists"
    replaced = rep.call("PUT", "/objects/Deal/scenes/pricey",
                        {"label": {"zh": "很贵", "en": "Very pricey"},
                         "filter": "amount > 1000"})
    assert replaced.status_code == 200 and body(replaced)["label"]["zh"] == "很贵"
    assert records(rep.get("/objects/Deal/records", params={"scene": "pricey"})) == {"d1"}
    assert rep.delete("/objects/Deal/scenes/pricey").status_code == 204
    assert error(rep.delete("/objects/Deal/scenes/pricey"), 404)["code"] == "unknown_scene"
    assert error(rep.get("/objects/Deal/records", params={"scene": "pricey"}), 404)["code"] \
        == "unknown_scene"


def test_a_bad_filter_answers_400_with_the_caret(rep):
    found = error(rep.post("/objects/Deal/scenes", {"api_name": "bad", "label": "Bad",
                                                     "filter": "amount >"}), 400)
    assert found["code"].startswith("formula.")
    assert found["details"][0]["line"] == 1 and "^" in found["details"][0]["excerpt"]
    assert body(rep.get("/objects/Deal/scenes"))["scenes"][-1]["api_name"] == "my_open"


@pytest.mark.parametrize(("method", "path", "sent", "code"), [
    ("POST", "/objects/Deal/scenes", {"api_name": "x", "label": "X", "colour": "red"},
     "unknown_parameter"),
    ("POST", "/objects/Deal/scenes", {"api_name": "x"}, "invalid_scene"),
    ("POST", "/objects/Deal/scenes", {"api_name": "X y", "label": "X"}, "invalid_scene"),
    ("POST", "/objects/Deal/scenes", [{"api_name": "x", "label": "X"}], "invalid_json"),
    ("PUT", "/objects/Deal/scenes/x", {"api_name": "y", "label": "X"}, "invalid_parameter"),
    ("POST", "/objects/Deal/scenes", {"api_name": "x", "label": "X", "columns": ["nope"]},
     "unknown_field"),
])
def test_bad_scene_bodies_are_400(rep, method, path, sent, code):
    assert error(rep.call(method, path, sent), 400)["code"] == code


def test_deleting_a_scene_that_is_not_personal_is_403(rep):
    for name in ("mine", "big_deals"):
        assert error(rep.delete(f"/objects/Deal/scenes/{name}"), 403)["code"] == \
            "scene_not_personal"
    assert error(rep.call("PUT", "/objects/Deal/scenes/mine", {"label": "Mine"}),
                 409)["code"] == "scene_exists"


def test_a_dealer_cannot_see_scenes_of_an_object_they_may_not_read(world):
    buyer = Api(world[0], world[1], "buyer")
    assert error(buyer.get("/objects/Memo/scenes"), 404)["code"] == "unknown_object"
    assert error(buyer.get("/objects/Memo/records", params={"scene": "all"}), 404)["code"] \
        == "unknown_object"


def test_scene_counts_up_to_a_limit(rep):
    listed = body(rep.get("/objects/Deal/scenes", params={"counts": "true",
                                                          "count_limit": "1"}))["scenes"]
    assert [(s["api_name"], s["count"], s["count_more"]) for s in listed][:4] == [
        ("all", 1, True), ("mine", 1, True), ("in_my_team", 1, False),
        ("my_subordinates", 0, False)]
    for bad in ("0", "-1", "x", "10001", "1" * 30):
        assert error(rep.get("/objects/Deal/scenes", params={
            "counts": "true", "count_limit": bad}), 400)["code"] == "invalid_parameter"
