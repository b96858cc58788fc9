"""Bad input at the edge of the REST API: huge and tiny numbers, text no database can store
(NUL, lone surrogates), crafted cursors, oversized and deeply nested parameters and bodies.
Each is refused with a 4xx in the documented error shape, the same on both databases,
and never costs the server more than the request is worth."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any
from urllib.parse import quote

import pytest

from hulian.engine import Engine
from hulian.metadata.jsontext import dumps
from tests.conftest import EXAMPLE_CRM
from tests.integration.test_rest_support import Api, asgi_get, body, error

HUGE = "1e999999999"  # int(Decimal(HUGE)) would run for hours


@pytest.fixture
def api(crm):
    return Api(*crm)


@pytest.fixture
def accounts(api):
    return [api.create("Account", {"name": name, "employees": employees,
                                   "annual_revenue": revenue})
            for name, employees, revenue in [("Acme", 10, "100.50"), ("Beta", 20, "200"),
                                             ("Gamma", 30, None)]]


def within(seconds: float, call: Any) -> Any:
    """``call()``'s result, failing (not hanging) when it takes longer than ``seconds``."""
    done: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: done.setdefault("result", call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert "result" in done, f"no answer within {seconds} s"
    return done["result"]


def where(api: Api, filter_: Any, object_name: str = "Account", **params: Any):
    text = filter_ if isinstance(filter_, str) else dumps(filter_)
    return api.get(f"/objects/{object_name}/records", params={"where": text, **params})


def detail(err: dict[str, Any]) -> dict[str, Any]:
    (item,) = err["details"]
    return item


# -- numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("filter_, field", [
    ({"version": HUGE}, "version"),
    ({"version": "1e999"}, "version"),
    ({"version": {"eq": 99999999999999999999}}, "version"),
    ({"version": {"gt": 2**31}}, "version"),
    ({"annual_revenue": {"gt": HUGE}}, "annual_revenue"),
    ({"annual_revenue": {"lt": "-1e-999999"}}, "annual_revenue"),
    ({"annual_revenue": {"in": [1, "1e16"]}}, "annual_revenue"),
    ({"employees": {"eq": 99999999999999999999}}, "employees"),
    ({"employees": {"ge": "1" + "0" * 41}}, "employees"),
], ids=lambda v: dumps(v)[:40] if isinstance(v, dict) else v)
def test_a_number_the_field_cannot_hold_is_400_at_once(api, accounts, filter_, field):
    err = error(within(10, lambda: where(api, filter_)), 400)
    assert err["code"] == "invalid_filter_value"
    assert detail(err)["field"] == field
    assert body(within(10, lambda: api.get("/health")))["status"] == "ok"


def test_numbers_the_field_holds_still_filter(api, accounts):
    found = body(where(api, {"annual_revenue": {"lt": "9999999999999999.99"}, "version": 1}))
    assert {r["name"] for r in found["records"]} == {"Acme", "Beta"}
    assert body(where(api, {"annual_revenue": {"gt": "100.505"}}))["records"][0]["name"] == \
        "Beta"


@pytest.mark.parametrize("value", [HUGE, "-1e-999999", 10**41, "1e40"])
def test_a_record_number_beyond_the_field_is_422_out_of_range(api, value):
    err = error(within(10, lambda: api.post("/objects/Account/records",
                                            {"name": "x", "annual_revenue": value})), 422)
    assert detail(err)["field"] == "annual_revenue"
    assert detail(err)["code"] == "out_of_range"


@pytest.mark.parametrize("version", [99999999999999999999, 2**31, int("9" * 4000)])
def test_a_version_beyond_any_record_is_refused_not_a_conflict(api, accounts, version):
    url = f"/objects/Account/records/{accounts[0]['id']}"
    err = error(api.patch(url, raw=f'{{"version": {version}, "name": "y"}}'), 422)
    assert err["code"] == "invalid_version"
    err = error(api.delete(url, params={"version": str(version)}), 400)
    assert err["code"] == "invalid_version"
    assert detail(err)["parameter"] == "version"
    assert body(api.get(url))["version"] == 1


@pytest.mark.parametrize("limit", ["9" * 5000, "99999999999999999999", "0", "201", "1e2"])
def test_a_limit_out_of_range_is_400(api, limit):
    err = error(api.get("/objects/Account/records", params={"limit": limit}), 400)
    assert err["code"] == "invalid_limit"


@pytest.mark.parametrize("formula", [
    "employees > 99999999999999999999999999999999999999999",
    "annual_revenue < 1000000000000000000",
    "annual_revenue = -0.00000000000000000000000000000000000000000001",
])
def test_a_filter_literal_no_field_can_hold_is_a_formula_error(api, formula):
    err = error(api.get("/objects/Account/records", params={"filter": formula}), 400)
    assert err["code"] == "formula.number_range"
    assert detail(err)["column"] == formula.index(" ", formula.index(" ") + 1) + 2


def test_filter_literals_within_the_widest_field_still_work(api, accounts):
    page = body(api.get("/objects/Account/records", params={
        "filter": "annual_revenue < 999999999999999999.99 && employees > 0.000001"}))
    assert {r["name"] for r in page["records"]} == {"Acme", "Beta"}


# -- text no database can store ---------------------------------------------------------------

@pytest.mark.parametrize("formula", ["name = 'a\x00b'", "CONTAINS(name, 'a\x00')",
                                     "REGEX(name, '\x00')", "name\x00 = 'a'"])
def test_nul_in_a_filter_is_400_naming_the_parameter(api, accounts, formula):
    err = error(api.get("/objects/Account/records", params={"filter": formula}), 400)
    assert err["code"] == "invalid_character"
    assert detail(err) == {"parameter": "filter", "code": "invalid_character",
                           "message": err["message"]}


@pytest.mark.parametrize("text", [
    '{"name": {"contains": "a\\u0000b"}}', '{"name": {"starts_with": "\\u0000"}}',
    '{"name": ["\\u0000"]}', '{"owner_id": "a\\u0000"}',
])
def test_nul_in_a_where_value_is_400(api, text):
    err = error(where(api, text), 400)
    assert err["code"] == "invalid_filter_value"


@pytest.mark.parametrize("text, pointer", [
    ('{"\\ud800": 1}', "/\\ud800"),
    ('{"name": "\\ud800"}', "/name"),
    ('{"name": {"in": ["ok", "x\\udfffy"]}}', "/name/in/1"),
    ('{"or": [{"name": "a"}, {"\\udc00name": "b"}]}', "/or/1/\\udc00name"),
])
def test_a_lone_surrogate_in_where_is_400(api, text, pointer):
    response = where(api, text)
    err = error(response, 400)
    assert err["code"] == "invalid_character"
    assert detail(err)["parameter"] == "where"
    assert f"'{pointer}'" in err["message"]  # the pointer, the surrogate escaped
    response.content.decode("utf-8")  # valid UTF-8: the surrogate goes out escaped


@pytest.mark.parametrize("raw", [b'{"name": "\\ud800"}', b'{"\\ud800": "x"}',
                                 b'[{"name": "ok"}, {"name": "\\udfff"}]'])
def test_a_lone_surrogate_in_a_body_is_400(api, raw):
    err = error(api.post("/objects/Account/records", raw=raw), 400)
    assert err["code"] == "invalid_character"
    assert err["details"] == []
    assert body(api.get("/objects/Account/records"))["records"] == []


@pytest.mark.parametrize("field, value, code", [
    ("name", "a\x00b", "invalid_character"), ("owner_id", "a\x00b", "invalid_character"),
    ("description", "\x00", "invalid_character"), ("parent", "a\x00b", "invalid_reference"),
])
def test_nul_in_a_record_value_is_422_naming_the_field(api, field, value, code):
    err = error(api.post("/objects/Account/records", {"name": "ok", field: value}), 422)
    assert detail(err)["field"] == field
    assert detail(err)["code"] == code


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_nul_in_a_record_id_is_record_not_found(api, method):
    response = api.call(method, "/objects/Account/records/a%00b",
                        **({"body": {"version": 1}} if method == "PATCH" else {}))
    assert error(response, 404)["code"] == "record_not_found"
    related = api.get("/objects/Account/records/a%00b/related/Contact.account")
    assert error(related, 404)["code"] == "record_not_found"


@pytest.mark.parametrize("path, payload, code", [
    ("/admin/departments", {"name": "a\x00b"}, "invalid_department"),
    ("/admin/enterprises", {"name": "a\x00b", "partner_manager": "admin"},
     "invalid_enterprise"),
    ("/admin/users", {"username": "a\x00b"}, "invalid_username"),
    ("/admin/users", {"username": "ok", "display_name": "\x00"}, "invalid_display_name"),
    ("/auth/tokens", {"label": "a\x00b"}, "invalid_token_label"),
])
def test_nul_in_a_name_is_refused_on_both_databases(api, path, payload, code):
    assert error(api.post(path, payload), 400)["code"] == code


@pytest.mark.parametrize("path, payload", [
    ("/admin/departments", '{"name": "a\\ud800b"}'),
    ("/admin/users", '{"username": "\\udc00"}'),
    ("/auth/tokens", '{"label": "\\ud800"}'),
])
def test_a_lone_surrogate_in_a_name_is_400(api, path, payload):
    assert error(api.post(path, raw=payload), 400)["code"] == "invalid_character"


@pytest.mark.parametrize("method, path, payload, code", [
    ("GET", "/admin/users?enterprise=a%00b", None, "unknown_enterprise"),
    ("PATCH", "/admin/departments/a%00b", {"name": "x"}, "unknown_department"),
    ("POST", "/admin/departments", {"name": "x", "parent": "a\x00b"}, "unknown_department"),
    ("PATCH", "/admin/enterprises/a%00b", {"name": "x"}, "unknown_enterprise"),
    ("POST", "/admin/users", {"username": "x", "enterprise": "\x00"}, "unknown_enterprise"),
    ("PATCH", "/admin/users/a%00b", {"display_name": "x"}, "unknown_user"),
    ("GET", "/admin/users/a%00b/roles", None, "unknown_user"),
    ("DELETE", "/auth/tokens/a%00b", None, "token_not_found"),
])
def test_nul_in_a_name_looked_up_is_not_found(api, method, path, payload, code):
    response = api.call(method, path, **({} if payload is None else {"body": payload}))
    assert error(response, 404)["code"] == code


def test_nul_in_a_team_member_is_unknown_user(api, accounts):
    url = f"/objects/Account/records/{accounts[0]['id']}/team/a%00b"
    assert error(api.call("PUT", url, {"access": "read"}), 404)["code"] == "unknown_user"


@pytest.mark.parametrize("credentials, status, code", [
    ({"username": "admin", "password": "\ud800"}, 400, "invalid_character"),
    ({"username": "ad\x00min", "password": "whatever"}, 401, "invalid_credentials"),
    ({"username": "admin", "password": "pass\x00word"}, 401, "invalid_credentials"),
    ({"tenant": "t\x00", "username": "admin", "password": "x"}, 401, "invalid_credentials"),
])
def test_a_login_with_bad_text_is_refused_without_a_token(api, cheap_hashing, credentials,
                                                          status, code):
    payload = json.dumps({"tenant": api.tenant, **credentials})  # \ud800 as its escape
    response = api.client.post("/api/v1/auth/login", content=payload,
                               headers={"Content-Type": "application/json"})
    assert error(response, status)["code"] == code


# -- cursors --------------------------------------------------------------------------------

def first_page(api: Api, order_by: str = "employees") -> dict[str, Any]:
    page = body(api.get("/objects/Account/records", params={"order_by": order_by,
                                                            "limit": 1}))
    assert page["next"] is not None
    return page


def after(api: Api, cursor: str, order_by: str = "employees", object_name: str = "Account"):
    return api.get(f"/objects/{object_name}/records",
                   params={"order_by": order_by, "limit": 1, "after": cursor})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("order_by, value", [
    ("employees", "1e40"), ("employees", "1e+300"), ("annual_revenue", "1e40"),
    ("annual_revenue", "1e+300"), ("version", "9" * 41), ("employees", "9" * 41),
])
def test_a_crafted_cursor_is_invalid_cursor(api, accounts, order_by, value):
    payload = f'{{"o": ["{order_by}", "id"], "v": [{value}, "{accounts[0]["id"]}"]}}'
    err = error(after(api, _b64(payload.encode()), order_by), 400)
    assert err["code"] == "invalid_cursor"
    assert detail(err)["parameter"] == "after"
    signed = api.engine.cursor_signer().sign((api.tenant, "Account"), payload.encode())
    assert error(after(api, signed, order_by), 400)["code"] == "invalid_cursor"


def test_a_cursor_is_signed_so_any_change_is_invalid_cursor(api, accounts):
    cursor = first_page(api)["next"]
    assert [r["name"] for r in body(after(api, cursor))["records"]] == ["Beta"]
    payload, mac = cursor.split(".")
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"10" in decoded  # readable: the last row's sort values
    forged = _b64(decoded.replace(b"10", b"20"))
    for bad in (f"{forged}.{mac}", cursor[:-2], cursor[:-1] + ("A" if cursor[-1] != "A"
                                                               else "B"),
                payload, f"{payload}.", f".{mac}", _b64(decoded), cursor + "." + mac):
        assert error(after(api, bad), 400)["code"] == "invalid_cursor", bad


def test_a_cursor_of_another_object_or_tenant_is_invalid(api, accounts, tenant):
    for name in ("Widget", "Gadget"):
        api.create("Product", {"name": name, "unit_price": 1})
    cursor = body(api.get("/objects/Product/records",
                          params={"order_by": "name", "limit": 1}))["next"]
    assert error(after(api, cursor, "name"), 400)["code"] == "invalid_cursor"
    other = f"{tenant}_other"
    api.engine.metadata(other).deploy(EXAMPLE_CRM)
    elsewhere = Api(api.engine, other)
    for name in ("Widget", "Gadget"):
        elsewhere.create("Product", {"name": name, "unit_price": 1})
    assert error(after(elsewhere, cursor, "name", "Product"), 400)["code"] == "invalid_cursor"


def test_a_cursor_holds_across_engines_on_one_database(api, accounts, db_url):
    cursor = first_page(api)["next"]
    with Engine(db_url) as again:
        page = body(after(Api(again, api.tenant), cursor))
    assert [r["name"] for r in page["records"]] == ["Beta"]


# -- sizes and nesting ----------------------------------------------------------------------

def raw_where(api: Api, text: str):
    query = b"where=" + quote(text, safe="").encode("ascii")
    return asgi_get(api.client.app, "/api/v1/objects/Account/records", query, api.token)


def test_a_where_over_64_kib_is_413_request_too_large(api):
    text = dumps({"name": {"in": ["x" * 60 for _ in range(1100)]}})
    assert len(text) > 65536
    err = error(raw_where(api, text), 413)
    assert err["code"] == "request_too_large"
    assert detail(err)["parameter"] == "where"
    assert error(raw_where(api, "[" * 100_000 + "]" * 100_000), 413)["code"] == \
        "request_too_large"
    assert error(raw_where(api, json.dumps({"name": "x" * 10_000_000})), 413)["code"] == \
        "request_too_large"


def test_a_where_just_within_the_limit_is_read(api):
    text = dumps({"name": {"in": ["x" * 50 for _ in range(1000)]}})
    text += " " * (65536 - len(text))
    assert body(raw_where(api, text))["records"] == []


@pytest.mark.parametrize("depth", [33, 2000, 30_000])
def test_deep_json_is_400_too_deep(api, depth):
    err = error(raw_where(api, "[" * depth + "]" * depth), 400)
    assert err["code"] == "too_deep"
    assert detail(err)["parameter"] == "where"
    nested = "[" * depth + "]" * depth
    err = error(api.post("/objects/Account/records", raw=f'{{"name": {nested}}}'), 400)
    assert err["code"] == "too_deep"


def _nested_not(levels: int) -> dict[str, Any]:
    filter_: dict[str, Any] = {"name": "x"}
    for _ in range(levels):
        filter_ = {"not": filter_}
    return filter_


def test_and_or_not_nest_16_levels(api):
    assert body(where(api, _nested_not(16)))["records"] == []
    for deeper in (_nested_not(17), _nested_not(31), _nested_not(32)):
        err = error(where(api, deeper), 400)
        assert err["code"] == "too_deep"
        assert detail(err)["parameter"] == "where"


@pytest.mark.parametrize("formula", [
    "employees" + " + 1" * 60 + " > 0",
    "IF(" * 60 + "true" + ", true, false)" * 60,
    "!(" * 90 + "name = 'x'" + ")" * 90,
])
def test_a_filter_too_deep_for_the_database_is_400(api, formula):
    """SQLite's parser stack takes about 100 levels: a formula filter that needs more is
    refused as too deep (PostgreSQL may run it)."""
    response = api.get("/objects/Account/records", params={"filter": formula})
    if api.engine.dialect == "sqlite" or response.status_code != 200:
        assert error(response, 400)["code"] == "too_deep"


def test_a_null_owner_is_a_field_error_on_create_and_update(api, accounts):
    """A record always has an owner: ``owner_id: null`` is 422 ``required`` on the field
    (it reached the database as a NOT NULL violation, answered as a unique conflict)."""
    account = accounts[0]
    responses = [
        api.post("/objects/Account/records", {"name": "Delta", "owner_id": None}),
        api.patch(f"/objects/Account/records/{account['id']}",
                  {"owner_id": None, "version": account["version"]}),
    ]
    for response in responses:
        assert response.status_code == 422, response.text
        details = error(response, 422)["details"]
        assert [(d["field"], d["code"]) for d in details] == [("owner_id", "required")]
    assert body(api.get(f"/objects/Account/records/{account['id']}"))["owner_id"] == \
        account["owner_id"]
