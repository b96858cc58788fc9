"""The recycle bin and activity routes over REST, on both databases: answers, errors and
their statuses, and the OpenAPI document that describes them (tenant of
tests/integration/bin_world.py)."""

from __future__ import annotations

import pytest

from tests.integration.bin_world import build, deal
from tests.integration.test_rest_openapi import validator
from tests.integration.test_rest_support import Api, body, error

MISSING = "01ABCDEFGHJKMNPQRSTVWXYZ00"


@pytest.fixture
def world(engine, tenant, cheap_hashing):
    build(engine, tenant)
    return engine, tenant


@pytest.fixture
def rep(world):
    return Api(*world, user="rep")


def _document(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    return body(response)


def test_delete_list_the_bin_and_restore(world, rep):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal", "10")
    assert rep.delete(f"/objects/Deal/records/{made['id']}").status_code == 204
    response = rep.get("/objects/Deal/recycle-bin")
    assert response.status_code == 200
    page = body(response)
    assert [e["id"] for e in page["entries"]] == [made["id"]] and page["next"] is None
    entry = page["entries"][0]
    assert (entry["object"], entry["name"], entry["record"]["is_deleted"]) == \
        ("Deal", "Deal", True)
    document = _document(rep)
    validator(document, "DealBinPage").validate(page)
    assert body(rep.get("/objects/Line/recycle-bin"))["entries"] == []
    response = rep.post(f"/objects/Deal/records/{made['id']}/restore")
    assert response.status_code == 200
    restored = body(response)
    assert (restored["is_deleted"], restored["lines"]) == (False, 1)
    validator(document, "Deal").validate(restored)
    assert body(rep.get("/objects/Deal/recycle-bin"))["entries"] == []
    again = rep.post(f"/objects/Deal/records/{made['id']}/restore")  # live: as it is
    assert again.status_code == 200 and body(again)["version"] == restored["version"]


def test_a_restore_over_rest_records_its_changes_with_the_request_id(world, rep):
    from hulian.engine.changes import outbox

    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal", "10", "20")
    rep.delete(f"/objects/Deal/records/{made['id']}")
    with engine.db.connect() as conn:
        start = outbox.last_id(conn, tenant)
    response = rep.post(f"/objects/Deal/records/{made['id']}/restore",
                        headers={"X-Request-Id": "restore-42"})
    assert response.status_code == 200
    with engine.db.connect() as conn:
        changes = outbox.read_after(conn, tenant, start, limit=100)
    restored = [(c.kind, c.record_id, c.channel, c.request_id) for c in changes
                if c.kind == "restore"]
    assert restored == [("restore", i, "api", "restore-42")
                        for i in (made["id"], *made["line_ids"])]


def test_bin_pages_and_errors(world, rep):
    engine, tenant = world
    for name in ("one", "two", "three"):
        made = deal(engine, tenant, "rep", name)
        rep.delete(f"/objects/Deal/records/{made['id']}")
    first = body(rep.get("/objects/Deal/recycle-bin", params={"limit": 2}))
    assert [e["name"] for e in first["entries"]] == ["three", "two"]
    second = body(rep.get("/objects/Deal/recycle-bin", params={"after": first["next"]}))
    assert [e["name"] for e in second["entries"]] == ["one"] and second["next"] is None
    err = error(rep.get("/objects/Deal/recycle-bin", params={"after": "forged"}), 400)
    assert err["code"] == "invalid_cursor" and err["details"][0]["parameter"] == "after"
    assert error(rep.get("/objects/Deal/recycle-bin", params={"limit": 0}), 400)["code"] == \
        "invalid_limit"
    assert error(rep.get("/objects/Deal/recycle-bin", params={"sort": "x"}), 400)["code"] == \
        "unknown_parameter"
    viewer = Api(engine, tenant, "viewer")
    assert error(viewer.get("/objects/Deal/recycle-bin"), 403)["code"] == "action_denied"
    assert error(viewer.post(f"/objects/Deal/records/{MISSING}/restore"), 403)["code"] == \
        "action_denied"
    assert error(rep.post(f"/objects/Deal/records/{MISSING}/restore"), 404)["code"] == \
        "record_not_found"
    dealer = Api(engine, tenant, "b1")
    assert error(dealer.get("/objects/Memo/recycle-bin"), 404)["code"] == "unknown_object"


def test_restoring_a_detail_deleted_with_its_master_is_a_conflict(world, rep):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal", "10")
    rep.delete(f"/objects/Deal/records/{made['id']}")
    err = error(rep.post(f"/objects/Line/records/{made['line_ids'][0]}/restore"), 409)
    assert err["code"] == "restore_blocked"


def test_log_and_list_activities(world, rep):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal")
    path = f"/objects/Deal/records/{made['id']}/activities"
    response = rep.post(path, {"kind": "visit", "text": "met them",
                               "at": "2024-03-31T09:30:00+08:00"})
    assert response.status_code == 201
    visit = body(response)
    assert (visit["kind"], visit["at"], visit["record_id"]) == \
        ("visit", "2024-03-31T01:30:00+00:00", made["id"])
    call = body(rep.post(path, {"kind": "call", "text": "called"}))
    page = body(rep.get(path))
    assert [a["text"] for a in page["activities"]] == ["called", "met them"]
    document = _document(rep)
    validator(document, "Activity").validate(call)
    validator(document, "ActivityPage").validate(page)
    first = body(rep.get(path, params={"limit": 1}))
    assert [a["id"] for a in first["activities"]] == [call["id"]]
    rest = body(rep.get(path, params={"limit": 1, "after": first["next"]}))
    assert [a["id"] for a in rest["activities"]] == [visit["id"]] and rest["next"] is None


def test_activity_mistakes_are_field_errors(world, rep):
    engine, tenant = world
    made = deal(engine, tenant, "rep", "Deal")
    path = f"/objects/Deal/records/{made['id']}/activities"
    err = error(rep.post(path, {"kind": "fax", "text": "", "at": "2024-03-31T09:30"}), 422)
    assert err["code"] == "validation_failed"
    assert [(d["field"], d["code"]) for d in err["details"]] == [
        ("kind", "invalid_option"), ("text", "required"), ("at", "missing_timezone")]
    err = error(rep.post(path, {"kind": "call", "text": "x", "when": "now"}), 422)
    assert [(d["field"], d["code"]) for d in err["details"]] == [("when", "unknown_field")]
    assert error(rep.post(path, [{"kind": "call"}]), 400)["code"] == "invalid_json"
    assert error(rep.post(path, raw="{"), 400)["code"] == "invalid_json"
    assert body(rep.get(path))["activities"] == []


def test_activities_of_a_record_the_caller_may_not_read_are_not_found(world, rep):
    engine, tenant = world
    mine = deal(engine, tenant, "rep", "private deal")
    a1s = deal(engine, tenant, "a1", "dealer deal")
    rep.post(f"/objects/Deal/records/{mine['id']}/activities", {"kind": "note", "text": "x"})
    dealer_a2 = Api(engine, tenant, "a2")
    dealer_b1 = Api(engine, tenant, "b1")
    path = f"/objects/Deal/records/{a1s['id']}/activities"
    assert body(dealer_a2.post(path, {"kind": "call", "text": "a2 called"}))["kind"] == "call"
    assert [a["text"] for a in body(Api(engine, tenant, "a1").get(path))["activities"]] == \
        ["a2 called"]
    for api, where in ((dealer_b1, path),
                       (dealer_a2, f"/objects/Deal/records/{mine['id']}/activities"),
                       (rep, path), (rep, f"/objects/Deal/records/{MISSING}/activities")):
        assert error(api.get(where), 404)["code"] == "record_not_found"
        assert error(api.post(where, {"kind": "note", "text": "x"}), 404)["code"] == \
            "record_not_found"
    outsider = Api(engine, tenant, "outsider")
    assert error(outsider.get(path), 403)["code"] == "action_denied"
    assert error(dealer_b1.get(f"/objects/Memo/records/{MISSING}/activities"), 404)["code"] \
        == "unknown_object"


def test_the_document_lists_the_routes_for_the_caller(world, rep):
    engine, tenant = world
    paths = _document(rep)["paths"]
    for name in ("Deal", "Line", "Memo"):
        assert set(paths[f"/api/v1/objects/{name}/records/{{record_id}}/activities"]) == \
            {"parameters", "get", "post"}
        assert set(paths[f"/api/v1/objects/{name}/recycle-bin"]) == {"get"}
        assert set(paths[f"/api/v1/objects/{name}/records/{{record_id}}/restore"]) == \
            {"parameters", "post"}
    viewer_paths = _document(Api(engine, tenant, "viewer"))["paths"]
    assert "/api/v1/objects/Deal/recycle-bin" not in viewer_paths  # no delete right
    assert "/api/v1/objects/Deal/records/{record_id}/activities" in viewer_paths
