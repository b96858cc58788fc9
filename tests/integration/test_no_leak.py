"""Downstream enterprise A never learns anything about B's records through the REST API,
on both databases.

People: ``pm`` (internal) is the partner manager of Dealer A (``a1``, ``a2``) and Dealer
B (``b_buyer``); the dealers have the interconnect role ``dealer``, which the app
``portal`` opens on Account, Order and OrderLine. ``Ledger`` is not opened (the role
names it, the app does not); ``Order.margin`` and ``Account.tier`` are hidden from
dealers.

Records (Order is ``company_read`` externally, Account ``private``)::

    Account  A Corp (a1)                       B Corp (b_buyer, code BACC, tier gold)
    Order    A-1 (a1, account A Corp)          B-1 (b_buyer, code B-ONLY-CODE, amount 987654,
             A-2 (a1), A-3 (a2)                     account B Corp)
             A-link (a1; an admin pointed it   B-2 (b_buyer, code B-ONLY-CODE; an admin pointed
                     at B Corp)                     it at A Corp)
    OrderLine A-line (under A-1)               B-line (under B-1)

Whatever a1 asks, the answer is the same as if B's records did not exist, or (for a
value only B's records have) as for a value nobody has; no error text names B's records,
B's people, a hidden field or an object not opened. One value of B's is a1's to read:
A-link's ``account`` holds B Corp's id, as an admin set it on a1's own record; what it
points at reads as blank (``account_name``, ``account_code``, filters and sorts across it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from hulian.engine import Engine, HulianError
from hulian.metadata.jsontext import dumps, loads
from tests.integration.test_rest_support import Api, body, error
from tests.packs import documents, field, label, obj, pack_of

MISSING = "01ABCDEFGHJKMNPQRSTVWXYZ00"
"""A well-formed id no record has."""
ACCOUNT = obj("Account", field("name", "text"), field("code", "text"), field("tier", "text"),
              data_permission={"internal": "private", "external": "private"})
ORDER = obj(
    "Order", field("name", "text"), field("code", "text"),
    field("amount", "currency", scale=2), field("margin", "currency", scale=2),
    field("account", "lookup", target="Account"),
    field("account_name", "text", formula="account.name"),
    {**field("account_code", "text"), "quote": "account.code"},
    data_permission={"internal": "private", "external": "company_read"},
    validation_rules=[{"api_name": "blocked_account",
                       "condition": "code = 'CHECK' && account.code = 'BACC'",
                       "message": label("this account is blocked"), "error_field": "account"}])
LINE = obj("OrderLine", field("name", "text"), field("quantity", "number"),
           field("sales_order", "master_detail", target="Order", relationship_name="lines"))
LEDGER = obj("Ledger", field("name", "text"), field("account", "lookup", target="Account"))
DEALER = {
    "Account": {"create": True, "read": True, "edit": True, "export": True,
                "fields": {"tier": "hidden"}},
    "Order": {"create": True, "read": True, "edit": True, "export": True, "import": True,
              "fields": {"margin": "hidden"}},
    "OrderLine": {"create": True, "read": True, "edit": True},
    "Ledger": {"read": True},
}
DOCS = documents(ACCOUNT, ORDER, LINE, LEDGER)
DOCS["roles/dealer.json"] = {"api_name": "dealer", "label": label("Dealer"),
                             "kind": "interconnect", "objects": DEALER}
DOCS["apps/portal.json"] = {"api_name": "portal", "label": label("Portal"),
                            "objects": ["Account", "Order", "OrderLine"], "roles": ["dealer"]}

A_ORDERS = ["A-1", "A-2", "A-3", "A-link"]

HIDDEN_WORDS = ("margin", "tier", "Ledger")
"""Names a1 must never read: hidden fields and the object not opened."""


class World:
    def __init__(self, engine: Engine, tenant: str):
        self.engine, self.tenant = engine, tenant
        engine.metadata(tenant).deploy(pack_of(DOCS))
        engine.people(tenant).create_user("pm")
        self.dealers = {name: engine.people(tenant).create_enterprise(name, partner_manager="pm")
                        for name in ("Dealer A", "Dealer B")}
        self.users = {name: engine.people(tenant).create_user(name, enterprise=company,
                                               roles=["dealer"])
                      for name, company in (("a1", "Dealer A"), ("a2", "Dealer A"),
                                            ("b_buyer", "Dealer B"))}
        self.api = {name: Api(engine, tenant, name) for name in ("admin", "a1", "a2", "b_buyer")}
        self.client = self.api["admin"].client.__enter__()
        for api in self.api.values():
            api.client = self.client
        a1, a2, b1, admin = (self.api[n] for n in ("a1", "a2", "b_buyer", "admin"))
        self.ids = {"A Corp": a1.create("Account", {"name": "A Corp", "code": "ACC-A"})["id"],
                    "B Corp": b1.create("Account", {"name": "B Corp", "code": "BACC"})["id"]}
        orders = [
            (a1, "A-1", {"code": "A-CODE", "amount": "10", "account": self.ids["A Corp"]}),
            (a1, "A-2", {"code": "A-CODE-2", "amount": "20"}),
            (a2, "A-3", {"code": "A-CODE-3", "amount": "40"}),
            (a1, "A-link", {"code": "A-LINK", "amount": "30"}),
            (b1, "B-1", {"code": "B-ONLY-CODE", "amount": "987654",
                         "account": self.ids["B Corp"]}),
            (b1, "B-2", {"code": "B-ONLY-CODE", "amount": "5"}),
        ]
        for api, name, data in orders:
            self.ids[name] = api.create("Order", {"name": name, **data})["id"]
        self.ids["A-line"] = a1.create("OrderLine", {"name": "A-line",
                                                     "sales_order": self.ids["A-1"]})["id"]
        self.ids["B-line"] = b1.create("OrderLine", {"name": "B-line",
                                                     "sales_order": self.ids["B-1"]})["id"]
        for path, change in (  # what dealers cannot do: hidden fields, links across dealers
                (f"Order/records/{self.ids['A-link']}", {"account": self.ids["B Corp"]}),
                (f"Order/records/{self.ids['B-2']}", {"account": self.ids["A Corp"]}),
                (f"Order/records/{self.ids['B-1']}", {"margin": "7"}),
                (f"Account/records/{self.ids['B Corp']}", {"tier": "gold"})):
            response = admin.patch(f"/objects/{path}", {**change, "version": 1})
            assert response.status_code == 200, response.text
        self.ids["Ledger-1"] = admin.create("Ledger", {"name": "L",
                                                       "account": self.ids["A Corp"]})["id"]

    def b_secrets(self) -> list[str]:
        """Everything of B a1 must never read: ids, names, values, people."""
        buyer = self.users["b_buyer"]
        return [self.ids[k] for k in ("B Corp", "B-1", "B-2", "B-line")] + [
            "B Corp", "BACC", "gold", "B-1", "B-2", "B-line", "B-ONLY", "987654", "b_buyer",
            buyer.id, "Dealer B", self.dealers["Dealer B"].id]


@pytest.fixture(scope="module")
def world(engine) -> Iterator[World]:
    built = World(engine, f"t{os.getpid()}_noleak_{engine.dialect[:2]}")
    yield built
    built.client.__exit__(None, None, None)


@pytest.fixture
def a1(world) -> Api:
    return world.api["a1"]


def shape(response, *asked: str) -> tuple[int, Any]:
    """Status and JSON body, with the ids or names in ``asked`` blanked out."""
    text = response.text
    for value in asked:
        text = text.replace(value, "<asked>")
    return response.status_code, text


def assert_no_secrets(world: World, text: str, asked: str = "") -> None:
    """``text`` names none of B's records, people, hidden fields or objects not opened,
    except what the caller ``asked`` (an error may repeat the id or name it was given)."""
    for secret in (*world.b_secrets(), *HIDDEN_WORDS):
        if secret not in asked:
            assert secret not in text, (secret, text)


def listing(api: Api, path: str, **params: Any) -> tuple[int, str]:
    if isinstance(params.get("where"), dict):
        params["where"] = dumps(params["where"])
    response = api.get(path, params=params)
    return response.status_code, response.text


# -- list, get, count ------------------------------------------------------------------


def test_lists_hold_only_what_a_reads(world, a1):
    names = [r["name"] for r in a1.list("Order", order_by="name", limit=200)["records"]]
    assert names == A_ORDERS
    assert [r["name"] for r in a1.list("Order", order_by="name", include_deleted="true")[
        "records"]] == A_ORDERS
    assert [r["name"] for r in a1.list("Account")["records"]] == ["A Corp"]
    assert [r["name"] for r in a1.list("OrderLine")["records"]] == ["A-line"]
    with world.engine.session(world.tenant, "a1") as s:
        assert s.count("Order") == len(A_ORDERS)
        assert s.count("OrderLine") == 1 and s.count("Account") == 1
    for path in ("/objects/Order/records", "/objects/Account/records",
                 "/objects/OrderLine/records"):
        assert_no_secrets(world, a1.get(path).text, asked=world.ids["B Corp"])  # A-link's lookup


@pytest.mark.parametrize("record", ["B-1", "B-2", "B Corp", "B-line"])
def test_each_record_of_b_answers_like_a_missing_id(world, a1, record):
    name = {"B Corp": "Account", "B-line": "OrderLine"}.get(record, "Order")
    hidden, url = world.ids[record], f"/objects/{name}/records/"
    calls = {
        "get": lambda i: a1.get(url + i),
        "get deleted": lambda i: a1.get(url + i, params={"include_deleted": "true"}),
        "patch": lambda i: a1.patch(url + i, {"name": "x", "version": 1}),
        "patch stale": lambda i: a1.patch(url + i, {"name": "x", "version": 99}),
        "patch invalid": lambda i: a1.patch(url + i, {"nosuch": 1, "version": 1}),
        "delete": lambda i: a1.delete(url + i),
        "team": lambda i: a1.get(url + i + "/team"),
        "team put": lambda i: a1.call("PUT", url + i + "/team/a2", {"access": "read"}),
        "team delete": lambda i: a1.delete(url + i + "/team/a2"),
    }
    if name == "Order":
        calls["related"] = lambda i: a1.get(url + i + "/related/lines")
    for what, call in calls.items():
        got, want = call(hidden), call(MISSING)
        assert shape(got, hidden) == shape(want, MISSING), what
        assert got.status_code in (400, 403, 404), (what, got.text)


# -- related lists ---------------------------------------------------------------------


def test_related_lists_leave_out_b_children(world, a1):
    url = f"/objects/Account/records/{world.ids['A Corp']}/related/Order.account"
    assert [r["name"] for r in body(a1.get(url))["records"]] == ["A-1"]  # not B-2
    url_lines = f"/objects/Order/records/{world.ids['A-1']}/related/lines"
    assert [r["name"] for r in body(a1.get(url_lines))["records"]] == ["A-line"]
    for path in (url, url_lines):
        for b_only, nowhere in (({"code": "B-ONLY-CODE"}, {"code": "NOWHERE"}),
                                ({"name": "B-2"}, {"name": "C-2"}),
                                ({"name": "B-line"}, {"name": "C-line"})):
            assert listing(a1, path, where=b_only) == listing(a1, path, where=nowhere)
    assert_no_secrets(world, a1.get(url).text)


# -- filters and counts ----------------------------------------------------------------

WHERES = [
    ({"code": "B-ONLY-CODE"}, {"code": "NOWHERE"}),
    ({"code": {"starts_with": "B-ONLY"}}, {"code": {"starts_with": "Q-NONE"}}),
    ({"code": {"contains": "ONLY"}}, {"code": {"contains": "QQQQ"}}),
    ({"amount": 987654}, {"amount": 12345}),
    ({"amount": {"gt": 500}}, {"amount": {"gt": 99999999}}),
    ({"name": {"in": ["B-1", "B-2"]}}, {"name": {"in": ["C-1", "C-2"]}}),
    ({"account_name": "B Corp"}, {"account_name": "C Corp"}),
    ({"account_code": "BACC"}, {"account_code": "CACC"}),
    ({"or": [{"code": "B-ONLY-CODE"}, {"amount": 987654}]},
     {"or": [{"code": "NOWHERE"}, {"amount": 12345}]}),
]
FILTERS = [
    ("code = 'B-ONLY-CODE'", "code = 'NOWHERE'"),
    ("CONTAINS(code, 'ONLY')", "CONTAINS(code, 'QQQQ')"),
    ("amount = 987654", "amount = 12345"),
    ("amount > 500", "amount > 99999999"),
    ("account.code = 'BACC'", "account.code = 'CACC'"),
    ("account.name = 'B Corp'", "account.name = 'C Corp'"),
    ("BEGINS(account.name, 'B')", "BEGINS(account.name, 'Q')"),
    ("account_code = 'BACC'", "account_code = 'CACC'"),
]


@pytest.mark.parametrize(("b_only", "nowhere"), WHERES, ids=[dumps(w[0]) for w in WHERES])
def test_json_filters_on_values_only_b_has_answer_as_for_values_nobody_has(world, a1, b_only,
                                                                           nowhere):
    got = listing(a1, "/objects/Order/records", where=b_only)
    assert got == listing(a1, "/objects/Order/records", where=nowhere)
    assert got[0] == 200 and body_records(got) == []
    with world.engine.session(world.tenant, "a1") as s:
        assert s.count("Order", b_only) == s.count("Order", nowhere) == 0
    export = a1.get("/objects/Order/export", params={"where": dumps(b_only)})
    assert (export.status_code, export.text) == listing(a1, "/objects/Order/export",
                                                        where=nowhere)


@pytest.mark.parametrize(("b_only", "nowhere"), FILTERS, ids=[f[0] for f in FILTERS])
def test_formula_filters_on_values_only_b_has_answer_as_for_values_nobody_has(world, a1,
                                                                              b_only, nowhere):
    got = listing(a1, "/objects/Order/records", filter=b_only)
    assert got == listing(a1, "/objects/Order/records", filter=nowhere)
    assert got[0] == 200 and body_records(got) == []
    with world.engine.session(world.tenant, "a1") as s:
        assert s.count("Order", filter=b_only) == s.count("Order", filter=nowhere) == 0
    related = f"/objects/Account/records/{world.ids['A Corp']}/related/Order.account"
    assert listing(a1, related, filter=b_only) == listing(a1, related, filter=nowhere)


def body_records(got: tuple[int, str]) -> list:
    return loads(got[1])["records"]


def test_blank_checks_see_b_records_as_missing(world, a1):
    """A-link's account is B Corp, which a1 cannot read: to a1 it is blank behind the
    lookup (the lookup's own value is a1's record's)."""

    def names(filter_text: str) -> list[str]:
        return sorted(r["name"] for r in a1.list("Order", filter=filter_text, limit=200)[
            "records"])
    assert names("ISBLANK(account.name)") == ["A-2", "A-3", "A-link"]
    assert names("ISBLANK(account_code)") == ["A-2", "A-3", "A-link"]
    assert names("NOT(ISBLANK(account.code))") == ["A-1"]


# -- sorting ---------------------------------------------------------------------------

SORTS = ["name", "-amount", "code", "account_name", "-account_name", "account_code",
          "-account_code", "account", "account_name,-amount"]


def pages(api: Api, order_by: str) -> list[tuple[list[str], str | None]]:
    """Every page of a1's Orders, two records a page: (names, next cursor)."""
    out, after = [], None
    while True:
        params = {"order_by": order_by, "limit": 2, **({"after": after} if after else {})}
        page = api.list("Order", **params)
        out.append(([r["name"] for r in page["records"]], page["next"]))
        after = page["next"]
        if after is None:
            return out


def test_sorting_a_records_does_not_depend_on_b_records(world, a1):
    before = {order: pages(a1, order) for order in SORTS}
    for order, walked in before.items():
        assert sorted(n for names, _ in walked for n in names) == A_ORDERS, order
    b1, admin = world.api["b_buyer"], world.api["admin"]
    extreme = b1.create("Order", {"name": "0-first", "code": "0000", "amount": "0.01",
                                  "account": world.ids["B Corp"]})
    b_corp = f"/objects/Account/records/{world.ids['B Corp']}"
    saved = body(admin.get(b_corp))
    try:
        for rename in ("0 first", "zzz last"):
            version = body(admin.get(b_corp))["version"]
            assert admin.patch(b_corp, {"name": rename, "code": rename,
                                        "version": version}).status_code == 200
            for order in SORTS:
                assert pages(a1, order) == before[order], (rename, order)
    finally:
        version = body(admin.get(b_corp))["version"]
        admin.patch(b_corp, {"name": saved["name"], "code": saved["code"], "version": version})
        admin.delete(f"/objects/Order/records/{extreme['id']}")


# -- formulas and quotes ---------------------------------------------------------------


def test_formulas_quotes_and_rules_read_b_records_as_blank(world, a1):
    url = f"/objects/Order/records/{world.ids['A-link']}"
    seen = body(a1.get(url))
    assert (seen["account_name"], seen["account_code"]) == (None, None)
    listed = {r["name"]: r for r in a1.list("Order", limit=200)["records"]}
    assert (listed["A-link"]["account_name"], listed["A-link"]["account_code"]) == (None, None)
    assert listed["A-1"]["account_name"] == "A Corp"
    admin = body(world.api["admin"].get(url))
    assert (admin["account_name"], admin["account_code"]) == ("B Corp", "BACC")
    # the rule (code = 'CHECK' && account.code = 'BACC') cannot see B Corp for a1
    refused = world.api["admin"].patch(url, {"code": "CHECK", "version": seen["version"]})
    assert error(refused, 422)["details"][0]["hint"] == "rule blocked_account"
    saved = a1.patch(url, {"code": "CHECK", "version": seen["version"]})
    assert saved.status_code == 200, saved.text
    restored = a1.patch(url, {"code": "A-LINK", "version": body(saved)["version"]})
    assert restored.status_code == 200, restored.text
    assert_no_secrets(world, a1.get(url).text, asked=world.ids["B Corp"])  # A-link's lookup


# -- describe, objects, OpenAPI ----------------------------------------------------------


def test_describe_shows_no_hidden_field_and_no_object_not_opened(world, a1):
    objects = body(a1.get("/objects"))["objects"]
    assert [o["api_name"] for o in objects] == ["Account", "Order", "OrderLine"]
    for name in ("Account", "Order", "OrderLine"):
        described = a1.get(f"/objects/{name}")
        assert described.status_code == 200
        for word in HIDDEN_WORDS:
            assert word not in described.text, (name, word)
    relationships = body(a1.get("/objects/Account"))["child_relationships"]
    assert [r["object"] for r in relationships] == ["Order"]
    spec = a1.get("/openapi.json")
    assert spec.status_code == 200
    for word in HIDDEN_WORDS:
        assert word not in spec.text, word


@pytest.mark.parametrize("path", ["/objects/{}", "/objects/{}/records",
                                  "/objects/{}/records/" + MISSING, "/objects/{}/export"])
def test_an_object_not_opened_answers_like_one_that_does_not_exist(world, a1, path):
    hidden = a1.get(path.format("Ledger"))
    missing = a1.get(path.format("Ledgex"))
    assert shape(hidden, "Ledger") == shape(missing, "Ledgex")
    assert error(hidden, 404)["code"] == "unknown_object"
    created = a1.post("/objects/Ledger/records", {"name": "x"})
    assert shape(created, "Ledger") == shape(a1.post("/objects/Ledgex/records", {"name": "x"}),
                                             "Ledgex")
    for near in ("Ledgr", "Ledge", "ledger"):  # a hint never suggests it
        assert "Ledger" not in a1.get(f"/objects/{near}/records").text


# -- error messages --------------------------------------------------------------------

ORDERS_URL = "/objects/Order/records"
LINES_URL, ACCOUNTS_URL = "/objects/OrderLine/records", "/objects/Account/records"
A1_ORDER = ORDERS_URL + "/<A-1>"
BAD_REQUESTS: dict[str, tuple[str, str, Any, dict | None]] = {
    "where unknown field": ("GET", ORDERS_URL, None, {"where": dumps({"nosuch": 1})}),
    "where hidden field": ("GET", ORDERS_URL, None, {"where": dumps({"margin": 1})}),
    "where close to a hidden field": ("GET", ORDERS_URL, None, {"where": dumps({"margn": 1})}),
    "where hidden and a value": ("GET", ORDERS_URL, None,
                                 {"where": dumps({"margin": 7, "code": "A-CODE"})}),
    "where bad operator": ("GET", ORDERS_URL, None, {"where": dumps({"code": {"bogus": "x"}})}),
    "where bad value": ("GET", ORDERS_URL, None, {"where": dumps({"amount": "x"})}),
    "order by hidden": ("GET", ORDERS_URL, None, {"order_by": "margin"}),
    "order by close to hidden": ("GET", ORDERS_URL, None, {"order_by": "margn"}),
    "order by unknown": ("GET", ORDERS_URL, None, {"order_by": "nosuch"}),
    "filter hidden": ("GET", ORDERS_URL, None, {"filter": "margin > 1"}),
    "filter close to hidden": ("GET", ORDERS_URL, None, {"filter": "margn > 1"}),
    "filter unknown": ("GET", ORDERS_URL, None, {"filter": "nosuch > 1"}),
    "filter hidden across lookup": ("GET", ORDERS_URL, None, {"filter": "account.tier = 'x'"}),
    "filter close to hidden across lookup": ("GET", ORDERS_URL, None,
                                             {"filter": "account.tie = 'x'"}),
    "filter unknown across lookup": ("GET", ORDERS_URL, None, {"filter": "account.nosuch = 1"}),
    "filter syntax": ("GET", ORDERS_URL, None, {"filter": "code = = 'x'"}),
    "filter type": ("GET", ORDERS_URL, None, {"filter": "amount = 'x'"}),
    "filter unknown function": ("GET", ORDERS_URL, None, {"filter": "NOSUCH(code)"}),
    "bad cursor": ("GET", ORDERS_URL, None, {"after": "<B-1>"}),
    "related unknown": ("GET", A1_ORDER + "/related/nosuch", None, None),
    "related not opened": (
        "GET", "/objects/Account/records/<A Corp>/related/Ledger.account", None, None),
    "related close to not opened": (
        "GET", "/objects/Account/records/<A Corp>/related/Ledger.acount", None, None),
    "create hidden field": ("POST", ORDERS_URL, {"name": "x", "margin": 1}, None),
    "create unknown field": ("POST", ORDERS_URL, {"name": "x", "nosuch": 1}, None),
    "create close to a hidden field": ("POST", ORDERS_URL, {"name": "x", "margn": 1}, None),
    "create unknown account field": ("POST", ACCOUNTS_URL, {"name": "x", "nosuch": 1}, None),
    "create with B account": ("POST", ORDERS_URL, {"name": "x", "account": "<B Corp>"}, None),
    "create with missing account": ("POST", ORDERS_URL, {"name": "x", "account": MISSING}, None),
    "create line under B order": ("POST", LINES_URL, {"name": "x", "sales_order": "<B-1>"},
                                  None),
    "create line under missing": ("POST", LINES_URL, {"name": "x", "sales_order": MISSING},
                                  None),
    "create many with B account": ("POST", ORDERS_URL,
                                   [{"name": "x"}, {"name": "y", "account": "<B Corp>"}],
                                   None),
    "create many unknown field": ("POST", ORDERS_URL, [{"name": "x", "nosuch": 1}], None),
    "import with B account": ("POST", "/objects/Order/import",
                              [{"name": "y", "account": "<B Corp>"}], None),
    "import unknown field": ("POST", "/objects/Order/import",
                             [{"name": "y", "nosuch": 1}], None),
    "update with B account": ("PATCH", A1_ORDER, {"account": "<B Corp>", "version": 1},
                              None),
    "update hidden field": ("PATCH", A1_ORDER, {"margin": 1, "version": 1}, None),
    "update unknown field": ("PATCH", A1_ORDER, {"nosuch": 1, "version": 1}, None),
    "export hidden sort": ("GET", "/objects/Order/export", None, {"order_by": "margin"}),
    "team of B record": ("GET", "/objects/Order/records/<B-1>/team", None, None),
    "scene unknown": ("GET", ORDERS_URL, None, {"scene": "nosuch"}),
    "scene of an object not opened": ("GET", "/objects/Ledger/records", None, {"scene": "all"}),
    "scenes of an object not opened": ("GET", "/objects/Ledger/scenes", None, None),
    "personal scene hidden filter": ("POST", "/objects/Order/scenes",
                                     {"api_name": "x", "label": "X", "filter": "margin > 1"},
                                     None),
    "personal scene close to hidden filter": (
        "POST", "/objects/Order/scenes", {"api_name": "x", "label": "X", "filter": "margn > 1"},
        None),
    "personal scene hidden across lookup": (
        "POST", "/objects/Order/scenes",
        {"api_name": "x", "label": "X", "filter": "account.tier = 'x'"}, None),
    "personal scene hidden column": ("POST", "/objects/Order/scenes",
                                     {"api_name": "x", "label": "X", "columns": ["margin"]},
                                     None),
    "personal scene hidden sort": ("POST", "/objects/Order/scenes",
                                   {"api_name": "x", "label": "X", "sort": ["-margin"]}, None),
    "delete unknown scene": ("DELETE", "/objects/Order/scenes/nosuch", None, None),
    "admin users": ("GET", "/admin/users", None, None),
    "admin enterprises": ("GET", "/admin/enterprises", None, None),
    "admin permissions": ("GET", "/admin/enterprises/<Dealer B>/permissions", None, None),
}
"""name -> (method, path, JSON body or None, params) of requests a1 gets errors for;
``<name>`` stands for the id of the record (or enterprise) called so."""


def fill(value: Any, world: World) -> Any:
    """``value`` with each ``<name>`` replaced by the id of what is called so."""
    if isinstance(value, str):
        for name, record_id in (*world.ids.items(), ("Dealer B", world.dealers["Dealer B"].id)):
            value = value.replace(f"<{name}>", record_id)
        return value
    if isinstance(value, list | tuple):
        return type(value)(fill(v, world) for v in value)
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    return value


def send(api: Api, world: World, name: str):
    """Send ``BAD_REQUESTS[name]``."""
    method, path, sent, params = fill(BAD_REQUESTS[name], world)
    return api.call(method, path, **({"body": sent} if sent is not None else {}),
                    params=params)


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_no_error_names_b_records_people_hidden_fields_or_objects_not_opened(world, a1, name):
    response = send(a1, world, name)
    assert response.status_code >= 400, response.text
    _, path, sent, params = fill(BAD_REQUESTS[name], world)
    assert_no_secrets(world, response.text, asked=path + dumps(sent) + dumps(params))


@pytest.mark.parametrize(("hidden", "missing"), [
    ("create with B account", "create with missing account"),
    ("create line under B order", "create line under missing"),
])
def test_references_to_b_records_are_refused_like_missing_ids(world, a1, hidden, missing):
    asked = world.ids["B Corp"] if "account" in hidden else world.ids["B-1"]
    refused = shape(send(a1, world, hidden), asked)
    assert refused == shape(send(a1, world, missing), MISSING)
    assert refused[0] == 422


@pytest.mark.parametrize("params", [
    lambda name: {"where": dumps({name: 1})},
    lambda name: {"order_by": name},
    lambda name: {"filter": f"{name} > 1"},
    lambda name: {"where": dumps({"or": [{"code": "A-CODE"}, {name: {"gt": 1}}]})},
], ids=["where", "order_by", "filter", "where nested"])
def test_a_hidden_field_is_refused_like_a_field_that_does_not_exist(world, a1, params):
    hidden = a1.get(ORDERS_URL, params=params("margin"))
    assert shape(hidden, "margin") == shape(a1.get(ORDERS_URL, params=params("qzqzqz")),
                                            "qzqzqz")
    assert hidden.status_code == 400


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_writing_a_hidden_field_is_refused_like_a_field_that_does_not_exist(world, a1,
                                                                            method):
    url = ORDERS_URL if method == "POST" else f"{ORDERS_URL}/{world.ids['A-2']}"
    answers = [shape(a1.call(method, url, {"name": "A-2", name: 1, "version": 1}), name)
               for name in ("margin", "qzqzqz")]
    assert answers[0][0] == 422
    assert answers[0] == answers[1]


def test_a_team_cannot_probe_for_another_enterprises_people(world, a1):
    """Adding B's user to the team of a1's record answers as for a name nobody has."""
    url = f"{ORDERS_URL}/{world.ids['A-2']}/team/"
    try:
        b_user = a1.call("PUT", url + "b_buyer", {"access": "read"})
        nobody = a1.call("PUT", url + "b_nobody", {"access": "read"})
        assert shape(b_user, "b_buyer") == shape(nobody, "b_nobody")
    finally:
        world.api["admin"].delete(url + "b_buyer")


def test_b_cannot_learn_about_a_either(world):
    """The same, the other way round, in brief."""
    b1 = world.api["b_buyer"]
    assert sorted(r["name"] for r in b1.list("Order")["records"]) == ["B-1", "B-2"]
    hidden = world.ids["A-1"]
    assert shape(b1.get(f"/objects/Order/records/{hidden}"), hidden) == \
        shape(b1.get(f"/objects/Order/records/{MISSING}"), MISSING)
    assert listing(b1, "/objects/Order/records", where={"code": "A-CODE"}) == \
        listing(b1, "/objects/Order/records", where={"code": "NOWHERE"})
    seen = body(b1.get(f"/objects/Order/records/{world.ids['B-2']}"))
    assert (seen["account_name"], seen["account_code"]) == (None, None)  # A Corp


def test_the_python_errors_carry_nothing_either(world):
    """The Session raises the errors REST shows: none of their parts names B's records."""
    ids = world.ids
    with world.engine.session(world.tenant, "a1") as s:
        attempts = [
            lambda: s.get("Order", ids["B-1"]),
            lambda: s.query("Order", where={"margin": 1}),
            lambda: s.query("Order", filter="account.tier = 'x'"),
            lambda: s.create("Order", {"name": "x", "account": ids["B Corp"]}),
            lambda: s.related("Order", ids["B-1"], "lines"),
            lambda: s.describe("Ledger"),
        ]
        for attempt in attempts:
            with pytest.raises(HulianError) as raised:
                attempt()
            assert_no_secrets(world, dumps(raised.value.to_dict()),
                              asked=ids["B-1"] + ids["B Corp"] + "margin Ledger tier")
