"""REST errors: every bad input gets the right status and the one JSON error shape."""

from __future__ import annotations

import logging

import pytest

from hulian.engine import Engine, Session
from hulian.engine.errors import PermissionDenied, StorageError
from hulian.runtime.api import create_app
from tests.integration.test_rest_support import Api, TestClient, error


@pytest.fixture
def api(crm):
    return Api(*crm)


@pytest.fixture
def account(api):
    return api.create("Account", {"name": "Acme"})


# -- unknown things -------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("GET", "/objects/Acount"),
    ("GET", "/objects/Acount/records"),
    ("POST", "/objects/Acount/records"),
    ("GET", "/objects/Acount/records/01ABC"),
])
def test_an_unknown_object_is_404_with_a_suggestion(api, method, path):
    response = api.call(method, path, {"name": "Acme"}) if method == "POST" \
        else api.call(method, path)
    err = error(response, 404)
    assert err["code"] == "unknown_object"
    assert "'Account'" in err["hint"]


def test_an_unknown_record_is_404(api):
    for method in ("GET", "DELETE"):
        err = error(api.call(method, "/objects/Account/records/01ABC"), 404)
        assert err["code"] == "record_not_found"
    err = error(api.patch("/objects/Account/records/01ABC", {"version": 1}), 404)
    assert err["code"] == "record_not_found"


def test_an_unknown_route_is_404_json(api):
    """Anything under /api answers JSON (the browser UI has the rest of the site)."""
    for path in ("/api/v1/nothing", "/api/v2/objects", "/api"):
        err = error(api.client.get(path, headers={"Authorization": f"Bearer {api.token}"}), 404)
        assert err["code"] == "route_not_found"


def test_a_wrong_method_is_405_json_with_allow(api, account):
    response = api.call("PUT", f"/objects/Account/records/{account['id']}", {"name": "x"})
    assert error(response, 405)["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}
    response = api.call("DELETE", "/objects/Account/records")
    assert error(response, 405)["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


# -- invalid records (422) ------------------------------------------------------------------

@pytest.mark.parametrize("data, field, code", [
    ({"name": "Acme", "bogus": 1}, "bogus", "unknown_field"),
    ({"name": "Acme", "employees": "many"}, "employees", "invalid_number"),
    ({"name": "Acme", "is_partner": "yes"}, "is_partner", "invalid_type"),
    ({"name": ["Acme"]}, "name", "invalid_type"),
    ({"name": "x" * 121}, "name", "too_long"),
    ({"name": "Acme", "industry": "telex"}, "industry", "inactive_option"),
    ({"name": "Acme", "industry": "Retail"}, "industry", "invalid_option"),
    ({"name": "Acme", "channels": "online"}, "channels", "invalid_type"),
    ({"name": "Acme", "annual_revenue": -1}, "annual_revenue", "too_small"),
    ({"name": "Acme", "website": "not a url"}, "website", "invalid_url"),
    ({"name": "Acme", "parent": "01NOSUCHRECORD"}, "parent", "unknown_reference"),
    ({"name": "Acme", "account_number": "AC-1"}, "account_number", "read_only"),
    ({"name": "Acme", "version": 3}, "version", "read_only"),
    ({"name": None}, "name", "required"),
])
def test_an_invalid_record_is_422_with_the_field_at_fault(api, data, field, code):
    err = error(api.post("/objects/Account/records", data), 422)
    assert err["code"] == "validation_failed"
    assert [(d["field"], d["code"]) for d in err["details"]] == [(field, code)]
    assert api.list("Account")["records"] == []


def test_every_problem_of_a_record_is_reported_at_once(api):
    err = error(api.post("/objects/Opportunity/records", {"amount": "lots", "nope": 1}), 422)
    assert {(d["field"], d["code"]) for d in err["details"]} == {
        ("amount", "invalid_number"), ("nope", "unknown_field"),
        ("title", "required"), ("account", "required")}


def test_an_invalid_update_is_422_and_changes_nothing(api, account):
    url = f"/objects/Account/records/{account['id']}"
    err = error(api.patch(url, {"name": "x" * 121, "version": 1}), 422)
    assert [(d["field"], d["code"]) for d in err["details"]] == [("name", "too_long")]
    assert api.list("Account")["records"] == [account]


def test_a_taken_unique_value_is_a_conflict_or_invalid(api):
    api.create("Contact", {"name": "A", "email": "a@example.com"})
    err = error(api.post("/objects/Contact/records", {"name": "B", "email": "a@example.com"}),
                422)
    assert [(d["field"], d["code"]) for d in err["details"]] == [("email", "duplicate_value")]


# -- versions -------------------------------------------------------------------------------

def test_patch_without_a_version_is_422_version_required(api, account):
    url = f"/objects/Account/records/{account['id']}"
    err = error(api.patch(url, {"name": "Changed"}), 422)
    assert err["code"] == "version_required"
    assert "version" in err["hint"]
    assert api.list("Account")["records"] == [account]


@pytest.mark.parametrize("version", ["1", 1.5, 0, True, None])
def test_patch_with_a_version_that_is_not_a_whole_number_is_422(api, account, version):
    url = f"/objects/Account/records/{account['id']}"
    err = error(api.patch(url, {"name": "Changed", "version": version}), 422)
    assert err["code"] == "invalid_version"


def test_delete_with_a_version_that_is_not_a_number_is_400(api, account):
    url = f"/objects/Account/records/{account['id']}"
    assert error(api.delete(url, params={"version": "one"}), 400)["code"] == "invalid_version"
    assert api.get(url).status_code == 200


# -- malformed bodies (400) -----------------------------------------------------------------

@pytest.mark.parametrize("raw", [b'{"name": ', b"", b"   ", b"{'name': 'Acme'}", b"\xff\xfe\x00",
                                 b'{"name": "Acme"} trailing'])
def test_a_malformed_body_is_400_invalid_json(api, raw):
    err = error(api.post("/objects/Account/records", raw=raw), 400)
    assert err["code"] == "invalid_json"
    assert api.list("Account")["records"] == []


@pytest.mark.parametrize("raw", [b'"Acme"', b"42", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_400(api, raw):
    assert error(api.post("/objects/Account/records", raw=raw), 400)["code"] == "invalid_json"


def test_a_patch_body_must_be_one_object(api, account):
    url = f"/objects/Account/records/{account['id']}"
    err = error(api.patch(url, [{"name": "x", "version": 1}]), 400)
    assert err["code"] == "invalid_json"


def test_an_array_of_non_objects_is_422_per_row(api):
    err = error(api.post("/objects/Account/records", [{"name": "ok"}, 7]), 422)
    assert (err["details"][0]["row"], err["details"][0]["code"]) == (1, "invalid_record")
    assert {d["row"] for d in err["details"]} == {1}
    assert api.list("Account")["records"] == []


# -- bad query parameters (400) -------------------------------------------------------------

@pytest.mark.parametrize("params, code", [
    ({"where": "{industry: retail}"}, "invalid_filter"),
    ({"where": "[1, 2]"}, "invalid_filter"),
    ({"where": '{"nope": 1}'}, "unknown_field"),
    ({"where": '{"name": {"like": "A%"}}'}, "invalid_operator"),
    ({"where": '{"annual_revenue": {"gt": "much"}}'}, "invalid_filter_value"),
    ({"after": "bm90IGEgY3Vyc29y"}, "invalid_cursor"),
    ({"after": "%%%"}, "invalid_cursor"),
    ({"order_by": "-nope"}, "unknown_field"),
    ({"order_by": "channels"}, "invalid_sort"),
    ({"limit": "0"}, "invalid_limit"),
    ({"limit": "201"}, "invalid_limit"),
    ({"limit": "ten"}, "invalid_limit"),
    ({"include_deleted": "maybe"}, "invalid_parameter"),
    ({"sort": "name"}, "unknown_parameter"),
])
def test_bad_list_parameters_are_400_with_the_query_error_code(api, account, params, code):
    response = api.get("/objects/Account/records", params=params)
    assert error(response, 400)["code"] == code


def test_a_cursor_from_another_order_is_refused(api):
    for i in range(3):
        api.create("Account", {"name": f"A{i}"})
    cursor = api.list("Account", limit=1, order_by="name")["next"]
    response = api.get("/objects/Account/records", params={"after": cursor, "order_by": "-name"})
    assert error(response, 400)["code"] == "invalid_cursor"


def test_a_repeated_parameter_is_refused(api):
    response = api.client.get("/api/v1/objects/Account/records?limit=1&limit=2",
                              headers={"Authorization": f"Bearer {api.token}"})
    assert error(response, 400)["code"] == "invalid_parameter"


# -- faults (403, 500) ----------------------------------------------------------------------

def test_permission_denied_is_403(api, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise PermissionDenied("you may not read Account records", code="read_denied")

    monkeypatch.setattr(Session, "query", refuse)
    assert error(api.get("/objects/Account/records"), 403)["code"] == "read_denied"


def test_a_storage_error_is_500_without_sql_and_is_logged(api, monkeypatch, caplog):
    def broken(self, *args, **kwargs):
        raise StorageError('the database refused the write: relation "t_x.account" is locked',
                           statement="INSERT INTO t_x.account (id) VALUES (%(id)s)")

    monkeypatch.setattr(Session, "create", broken)
    with caplog.at_level(logging.ERROR, logger="hulian.runtime.api"):
        response = api.post("/objects/Account/records", {"name": "Acme"})
    err = error(response, 500)
    assert err["code"] == "storage_error"
    assert "INSERT" not in response.text and "t_x" not in response.text
    assert "INSERT INTO t_x.account" in caplog.text


def test_an_unexpected_exception_is_500_internal_error_without_a_traceback(api, monkeypatch,
                                                                            caplog):
    def broken(self, *args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(Session, "get", broken)
    with caplog.at_level(logging.ERROR, logger="hulian.runtime.api"):
        response = api.get("/objects/Account/records/01ABC")
    assert error(response, 500)["code"] == "internal_error"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert "secret detail" in caplog.text


def test_an_oversized_body_is_413(api):
    api.client = TestClient(create_app(api.engine, max_body_bytes=100))
    assert api.post("/objects/Account/records", {"name": "x" * 50}).status_code == 201
    response = api.post("/objects/Account/records", {"name": "x" * 200})
    assert error(response, 413)["code"] == "body_too_large"
    chunks = (b'{"name": "' + b"x" * 200 + b'"}',)  # no Content-Length: counted while read
    response = api.client.post("/api/v1/objects/Account/records", content=iter(chunks),
                               headers={"Authorization": f"Bearer {api.token}"})
    assert error(response, 413)["code"] == "body_too_large"


def test_health_is_503_when_the_database_does_not_answer(tmp_path):
    unreachable = Engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}", migrate=False)
    try:
        response = TestClient(create_app(unreachable)).get("/api/v1/health")
    finally:
        unreachable.close()
    assert error(response, 503)["code"] == "database_unavailable"
