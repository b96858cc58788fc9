"""The change routes over REST: GET /changes, GET /changes/cursor and GET
/objects/{object}/records/{id}/history, their errors and their OpenAPI description."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.changes_world import World, build
from tests.integration.test_rest_support import Api, body, error


@pytest.fixture
def world(engine, tenant):
    return build(engine, tenant)


@pytest.fixture
def api(world):
    return Api(world.engine, world.tenant)


@pytest.fixture
def mei(world):
    return Api(world.engine, world.tenant, "mei")


def feed(api: Api, **params) -> dict:
    response = api.get("/changes", params=params)
    assert response.status_code == 200, response.text
    return body(response)


def test_the_feed_pages_and_resumes_over_rest(world: World, api: Api):
    deal = world.create("mei", "Deal", {"name": "A", "amount": "3"})
    memo = world.create("li", "Memo", {"name": "B"})
    first = feed(api, limit=1)
    assert [c["record_id"] for c in first["changes"]] == [deal["id"]] and first["more"]
    change = first["changes"][0]
    assert (change["id"], change["kind"], change["object"], change["channel"]) == (
        1, "create", "Deal", "api")
    assert change["after"]["amount"] == 3 and change["before"] is None
    assert dt.datetime.fromisoformat(change["at"]).tzinfo is not None
    second = feed(api, after=first["next"], limit=1)
    assert [c["record_id"] for c in second["changes"]] == [memo["id"]]
    assert not second["more"]
    assert feed(api, after=second["next"])["changes"] == []


def test_the_feed_applies_the_callers_permissions_and_objects(world: World, api: Api,
                                                             mei: Api):
    mine = world.create("mei", "Deal", {"name": "Mine"})
    world.create("li", "Deal", {"name": "Theirs"})
    world.create("li", "Memo", {"name": "Memo"})
    assert [c["record_id"] for c in feed(mei, objects="Deal")["changes"]] == [mine["id"]]
    assert len(feed(mei)["changes"]) == 2
    assert len(feed(api, objects=" Deal , Memo ")["changes"]) == 3
    assert error(mei.get("/changes", params={"objects": "Secret"}), 403)["code"] == \
        "action_denied"
    assert error(mei.get("/changes", params={"objects": "Nope"}), 404)["code"] == \
        "unknown_object"


@pytest.mark.parametrize(("params", "code"), [
    ({"after": "nonsense"}, "invalid_cursor"), ({"after": "e30.AAAA"}, "invalid_cursor"),
    ({"limit": "0"}, "invalid_limit"), ({"limit": "1001"}, "invalid_limit"),
    ({"limit": "many"}, "invalid_limit"), ({"since": "1"}, "unknown_parameter")])
def test_bad_feed_parameters_are_400(api: Api, params, code):
    assert error(api.get("/changes", params=params), 400)["code"] == code


def test_a_cursor_of_another_tenant_is_400_and_an_expired_one_410(world: World, api: Api,
                                                                  engine):
    other = build(engine, f"{world.tenant}x")
    foreign = body(Api(engine, other.tenant).get("/changes/cursor"))["cursor"]
    assert error(api.get("/changes", params={"after": foreign}), 400)["code"] == \
        "invalid_cursor"
    start = body(api.get("/changes/cursor"))["cursor"]
    memo = world.create("mei", "Memo", {"name": "Old"})
    world.emit("mei", "update", "Memo", memo["id"], {"body": None}, {"body": "x"},
               at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
    world.engine.purge_changes(world.tenant)
    gone = error(api.get("/changes", params={"after": start}), 410)
    assert gone["code"] == "cursor_expired" and "hint" in gone


def test_the_cursor_route_starts_the_feed_from_now(world: World, api: Api):
    world.create("mei", "Memo", {"name": "Before"})
    cursor = body(api.get("/changes/cursor"))["cursor"]
    later = world.create("mei", "Memo", {"name": "After"})
    assert [c["record_id"] for c in feed(api, after=cursor)["changes"]] == [later["id"]]


def test_a_record_history_over_rest(world: World, api: Api, mei: Api):
    deal = world.create("mei", "Deal", {"name": "H", "stage": "new"})
    world.emit("mei", "update", "Deal", deal["id"], {"stage": "new", "cost": None},
               {"stage": "won", "cost": 7})
    path = f"/objects/Deal/records/{deal['id']}/history"
    found = body(mei.get(path))
    assert found["next"] is None
    update, create = found["entries"]
    assert update["fields"] == [{"field": "stage", "old": "new", "new": "won"}]  # no cost
    assert update["user"] == {"id": world.user_id("mei"), "name": "Mei Chen"}
    assert create["kind"] == "create"
    everything = body(api.get(path))["entries"][0]["fields"]
    assert {"field": "cost", "old": None, "new": 7} in everything
    paged = body(mei.get(path, params={"limit": "1"}))
    assert len(paged["entries"]) == 1 and paged["next"]
    assert body(mei.get(path, params={"after": paged["next"]}))["entries"] == [create]


@pytest.mark.parametrize(("user", "path", "status", "code"), [
    ("li", "/objects/Deal/records/{deal}/history", 404, "record_not_found"),
    ("mei", "/objects/Deal/records/nope/history", 404, "record_not_found"),
    ("mei", "/objects/Memo/records/{memo}/history", 404, "history_not_tracked"),
    ("mei", "/objects/Nope/records/x/history", 404, "unknown_object"),
    ("mei", "/objects/Deal/records/{deal}/history?limit=500", 400, "invalid_limit"),
    ("mei", "/objects/Deal/records/{deal}/history?after=zz", 400, "invalid_cursor"),
])
def test_history_errors(world: World, user, path, status, code):
    ids = {"deal": world.create("mei", "Deal", {"name": "D"})["id"],
           "memo": world.create("mei", "Memo", {"name": "M"})["id"]}
    api = Api(world.engine, world.tenant, user)
    assert error(api.get(path.format(**ids)), status)["code"] == code


def test_the_openapi_document_describes_the_routes(world: World, api: Api, mei: Api):
    document = body(mei.get("/openapi.json"))
    paths, schemas = document["paths"], document["components"]["schemas"]
    assert set(paths["/api/v1/changes"]) == {"get"}
    assert "410" in paths["/api/v1/changes"]["get"]["responses"]
    assert "/api/v1/changes/cursor" in paths
    assert "/api/v1/objects/Deal/records/{record_id}/history" in paths
    assert "/api/v1/objects/Memo/records/{record_id}/history" not in paths
    assert {"RecordChange", "ChangesPage", "ChangesCursor", "HistoryEntry",
            "HistoryPage"} <= set(schemas)
    described = body(mei.get("/objects/Deal"))
    assert (described["track_history"], described["history_fields"]) == (
        True, ["amount", "stage", "owner_id"])  # cost is hidden from mei
    assert body(api.get("/objects/Memo"))["track_history"] is False


def test_writes_over_rest_show_in_the_history_and_the_feed(world: World, mei: Api):
    start = body(mei.get("/changes/cursor"))["cursor"]
    created = mei.create("Deal", {"name": "E2E", "stage": "new", "amount": 10})
    path = f"/objects/Deal/records/{created['id']}"
    changed = mei.patch(path, {"version": created["version"], "stage": "won", "notes": "x"},
                        headers={"X-Request-Id": "order-42"})
    assert changed.status_code == 200, changed.text
    assert mei.delete(path).status_code == 204
    entries = body(mei.get(f"{path}/history"))["entries"]
    assert [e["kind"] for e in entries] == ["delete", "update", "create"]
    update = entries[1]
    assert update["fields"] == [{"field": "stage", "old": "new", "new": "won"}]
    assert (update["request_id"], update["channel"], update["user"]["name"]) == (
        "order-42", "api", "Mei Chen")
    changes = feed(mei, after=start)["changes"]
    assert [(c["kind"], c["record_id"]) for c in changes] == [
        ("create", created["id"]), ("update", created["id"]), ("delete", created["id"])]
    assert changes[1]["after"] == {"stage": "won", "notes": "x"}
    assert changes[2]["after"] == {"is_deleted": True}
