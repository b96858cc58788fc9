"""A property over the whole REST edge: whatever a client sends (NUL, lone surrogates,
numbers like 1e999999999 or 41 digits, NaN, deep nesting, long text) in ``where``,
``filter``, ``order_by``, ``after``, ``limit``, record values, ``version``, record ids,
people's names and logins, the API answers without a 5xx, every error has the
documented shape, and a read or a refused write leaves the stored data as it was.

Bounded: EXAMPLES requests per database (a few seconds each)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hulian.engine.records.filters import OPERATORS
from hulian.metadata.jsontext import loads
from tests.integration.test_rest_support import Api

EXAMPLES = 250
OBJECTS = ("Account", "Contact", "Opportunity", "Product")


@dataclass(frozen=True)
class Raw:
    """JSON text sent as it is: tokens no serialiser writes (NaN, 1e999999999, deep [[[)."""

    text: str


def to_json(value: Any) -> str:
    """JSON text, ASCII only (a lone surrogate goes as its escape \\ud800)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {to_json(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


def url_safe(text: str) -> bool:
    """Whether a URL can carry ``text`` (httpx encodes URLs as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NASTY_TEXT = st.sampled_from([
    "\x00", "a\x00b", "\ud800", "x\udfff", "\udc00\ud800", "", " ", "'", '"', "%", "_",
    "\\", "\\u0000", "😀", "互联", "Acme", "x" * 300, "a" * 5000, "\r\n", "Robert'); DROP",
    "1e999999999", "-1e-999999", "NaN", "Infinity", "9" * 41, "1e40", "0x10", "2024-13-45",
]) | st.text(max_size=12)
NUMBERS = st.sampled_from([
    Raw("1e999999999"), Raw("-1e-999999"), Raw("1E+40"), Raw("NaN"), Raw("Infinity"),
    Raw("-Infinity"), 10**40, -(10**41), 2**63, 2**31, -1, 0, Raw("1e-40"), Raw("0.000"),
    Raw("9" * 4000), Raw("0." + "0" * 60 + "1"), Decimal("12.345"), Decimal("-0.5"),
]) | st.integers() | st.decimals(allow_nan=False, allow_infinity=False)
DEEP = st.integers(20, 3000).map(lambda n: Raw("[" * n + "]" * n))
SCALARS = NASTY_TEXT | NUMBERS | st.booleans() | st.none()
VALUES = st.recursive(SCALARS | DEEP, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(NASTY_TEXT, inner, max_size=2), max_leaves=5)
FIELDS = st.sampled_from(["name", "industry", "channels", "annual_revenue", "employees",
                          "website", "parent", "is_partner", "description", "version", "id",
                          "owner_id", "created_at", "account_number", "nmae"]) | NASTY_TEXT
OPS = st.sampled_from([*OPERATORS, "like", "\x00", "\ud800", "and", "or", "not"])
CONDITIONS = VALUES | st.dictionaries(OPS, VALUES, min_size=1, max_size=2)
WHERES = (st.dictionaries(FIELDS, CONDITIONS, max_size=3)
          | st.builds(lambda k, w: {k: w}, st.sampled_from(["and", "or"]),
                      st.lists(st.dictionaries(FIELDS, CONDITIONS, max_size=2), max_size=3))
          | st.builds(lambda w: {"not": w}, st.dictionaries(FIELDS, CONDITIONS, max_size=2))
          | VALUES)
LITERALS = st.sampled_from([
    "9" * 41, "0." + "0" * 50 + "1", "123", "1e999", "'a\x00b'", "'\\''", "''", "'%_'",
    "'" + "x" * 300 + "'", "TRUE", "null", "-" + "9" * 20, "1000000000000000000",
]) | NASTY_TEXT.map(lambda t: "'" + t.replace("'", "") + "'")
FORMULAS = (st.builds(lambda f, o, lit: f"{f} {o} {lit}",
                      st.sampled_from(["name", "employees", "annual_revenue", "is_partner",
                                       "LEN(name)", "version", "nope"]),
                      st.sampled_from(["=", ">", "<=", "<>", "&&", "+"]), LITERALS)
            | st.builds(lambda fn, lit: f"{fn}(name, {lit})",
                        st.sampled_from(["CONTAINS", "REGEX", "BEGINS"]), LITERALS)
            | NASTY_TEXT)
URL_TEXT = NASTY_TEXT.filter(url_safe)


def request_list():
    return st.fixed_dictionaries({}, optional={
        "where": WHERES.map(to_json) | URL_TEXT,
        "filter": FORMULAS.filter(url_safe),
        "order_by": URL_TEXT | st.sampled_from(["-employees,name", "channels", "version",
                                                "-id", "name,,", "-"]),
        "after": URL_TEXT | st.sampled_from(["e30", "x.y", "eyJvIjpbXX0.AAAA"]),
        "limit": URL_TEXT | st.integers(-5, 300).map(str),
        "include_deleted": URL_TEXT,
    }).map(lambda params: ("GET", "/objects/Account/records", params, None))


def request_write():
    record = st.dictionaries(FIELDS, VALUES, max_size=4)
    return st.one_of(
        st.builds(lambda r: ("POST", "/objects/Account/records", None, to_json(r)), record),
        st.builds(lambda r: ("POST", "/objects/Account/records", None, to_json(r)),
                  st.lists(record, max_size=3)),
        st.builds(lambda r, v: ("PATCH", "{record}", None, to_json({**r, "version": v})),
                  record, VALUES),
        st.builds(lambda v: ("DELETE", "{record}", {"version": v}, None), URL_TEXT),
        st.builds(lambda i: ("GET", "/objects/Account/records/" + quote(i, safe=""), None,
                             None), URL_TEXT),
        st.builds(lambda body: ("POST", "/objects/Account/records", None, body.text), DEEP),
    )


def request_people():
    names = VALUES
    return st.one_of(
        st.builds(lambda n, p: ("POST", "/admin/departments", None,
                                to_json({"name": n, "parent": p})), names, NASTY_TEXT),
        st.builds(lambda n, m: ("POST", "/admin/enterprises", None,
                                to_json({"name": n, "partner_manager": m})),
                  names, st.sampled_from(["admin", "\x00", "nobody"])),
        st.builds(lambda u, d: ("POST", "/admin/users", None,
                                to_json({"username": u, "display_name": d})), names, names),
        st.builds(lambda label: ("POST", "/auth/tokens", None, to_json({"label": label})),
                  names),
        st.builds(lambda ref: ("PATCH", "/admin/departments/" + quote(ref, safe=""), None,
                               to_json({"name": "Renamed"})), URL_TEXT),
        st.builds(lambda t, u, p: ("LOGIN", "/auth/login", None,
                                   to_json({"tenant": t, "username": u, "password": p})),
                  NASTY_TEXT | st.just("{tenant}"), NASTY_TEXT | st.just("admin"), VALUES),
    )


def snapshot(api: Api) -> Any:
    """Every record of the objects (deleted ones too) and every person, as stored."""
    engine, tenant = api.engine, api.tenant
    with engine.session(tenant) as s:
        records = {name: s.query(name, include_deleted=True, order_by="id", limit=1000).records
                   for name in OBJECTS}
    staff = engine.people(tenant)
    return (records, staff.users(include_inactive=True), staff.departments(),
            engine.people(tenant).enterprises(include_inactive=True))


def check_shape(response) -> None:
    assert response.status_code < 500, response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        payload = loads(response.content.decode("utf-8"))  # valid UTF-8 JSON, always
    else:
        assert response.status_code in (204, 201), response.headers
        return
    if response.status_code >= 400:
        assert set(payload) == {"error"}, payload
        err = payload["error"]
        assert {"code", "message", "details"} <= set(err) <= {"code", "message", "hint",
                                                               "details"}
        assert isinstance(err["code"], str) and isinstance(err["message"], str)
        assert isinstance(err["details"], list)
        assert all(isinstance(d, dict) for d in err["details"])


@pytest.fixture
def api(crm, cheap_hashing):
    api = Api(*crm)
    api.record = api.create("Account", {"name": "Acme", "employees": 10,
                                        "annual_revenue": "12.50"})["id"]
    api.create("Account", {"name": "Beta", "employees": 20})
    return api


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(request=st.one_of(request_list(), request_write(), request_people()))
def test_bad_input_never_breaks_the_api_or_the_data(api, request):
    method, path, params, content = request
    path = path.replace("{record}", f"/objects/Account/records/{api.record}")
    if content is not None:
        content = content.replace("{tenant}", api.tenant)
    before = snapshot(api)
    if method == "LOGIN":
        response = api.client.post("/api/v1" + path, content=content,
                                   headers={"Content-Type": "application/json"})
        method = "POST"
    else:
        response = api.call(method, path, raw=content, params=params)
    check_shape(response)
    event(f"{method} {response.status_code}")
    if method == "GET" or response.status_code >= 400:
        assert snapshot(api) == before, (method, path, response.status_code)
