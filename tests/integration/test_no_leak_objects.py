"""An object a user may not read is named in nothing they can get, through the REST API
and the Python API, on both databases: not its api name, not its labels (zh, en), not its
fields, though objects they read point at it, sum it up and quote it.

Objects: ``Order`` (opened to the dealers by the app ``portal``, read by the internal
role ``clerk``) has a lookup ``funding`` to ``RebateBudget`` (no app opens it, the clerk's
role leaves it out), with a lookup filter over it, formulas, a default formula, a quote
and a rule reading through it, and roll-ups over the budgets pointing back at the order
(``rb_claimed_by``). ``Claim`` is a detail (master-detail) of a RebateBudget, opened too.
``OrderLine`` (a detail of Order) and ``Account`` are what a related list and a lookup
to a readable object look like. Every field of RebateBudget starts with ``rb_``, so a
formula text that reaches it shows.

People: ``a1`` (Dealer A, interconnect role ``dealer``) and ``clerk`` (internal role
``clerk``). The admin points a1's order at a budget, so a1 reads an id of a record
whose object they may not know (an opaque reference).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from hulian.engine import Engine, HulianError
from hulian.metadata.jsontext import dumps
from tests.integration.test_rest_support import Api, body
from tests.packs import documents, field, label, obj, pack_of

MISSING = "01ABCDEFGHJKMNPQRSTVWXYZ00"
BUDGET = {**obj(
    "RebateBudget", field("name", "text"), field("rb_code", "text"),
    field("rb_remaining", "currency", scale=2), field("rb_active", "boolean"),
    field("rb_claimed_by", "lookup", target="Order"),
    field("rb_parent", "lookup", target="RebateBudget")),
    "label": {"zh": "返利预算", "en": "Rebate budget"},
    "plural_label": {"zh": "返利预算池", "en": "Rebate budgets"}}
SECRETS = ("RebateBudget", "Rebate budget", "返利预算", "rb_", "rb ", "Rebate", "rebate")
"""What no response to a1 or the clerk may hold: the object's api name, labels and
fields (their api names and labels)."""

SUM = {"object": "RebateBudget", "relationship": "rb_claimed_by", "function": "SUM",
       "field": "rb_remaining"}
ORDER = obj(
    "Order", field("name", "text"), field("amount", "currency", scale=2),
    field("account", "lookup", target="Account"),
    field("account_name", "text", formula="account.name"),
    {**field("funding", "lookup", target="RebateBudget"), "lookup_filter": "rb_active",
     "relationship_name": "funded_orders", "label": {"zh": "资金来源", "en": "Funding"}},
    {**field("funding_code", "text"), "quote": "funding.rb_code"},
    field("funding_left", "currency", scale=2, formula="funding.rb_remaining"),
    field("funding_owner", "text", formula="funding.owner.name"),
    field("reader", "text", formula="$User.name"),
    {**field("note", "text"), "default_formula": "funding.rb_code"},
    {**field("funds_total", "currency", scale=2), "roll_up": SUM},
    {**field("funds_count", "number"),
     "roll_up": {**SUM, "function": "COUNT", "filter": "rb_active"}},
    data_permission={"internal": "company_read_write", "external": "company_read"},
    validation_rules=[{"api_name": "over", "condition": "funding.rb_remaining < amount",
                       "message": label("over the funds"), "error_field": "amount"}])
ORDER["fields"][-1]["roll_up"].pop("field")
LINE = obj("OrderLine", field("name", "text"),
           field("sales_order", "master_detail", target="Order", relationship_name="lines"))
CLAIM = obj("Claim", field("name", "text"),
            field("budget", "master_detail", target="RebateBudget"))
ACCOUNT = obj("Account", field("name", "text"))
OPENED = ["Account", "Claim", "Order", "OrderLine"]
RIGHTS = {"create": True, "read": True, "edit": True, "export": True, "import": True}
DOCS = documents(ACCOUNT, ORDER, LINE, CLAIM, BUDGET)
DOCS["roles/dealer.json"] = {"api_name": "dealer", "label": label("Dealer"),
                             "kind": "interconnect",
                             "objects": {**dict.fromkeys(OPENED, RIGHTS),
                                         "RebateBudget": {"read": True}}}
DOCS["roles/clerk.json"] = {"api_name": "clerk", "label": label("Clerk"), "kind": "internal",
                            "objects": dict.fromkeys(OPENED, RIGHTS)}
DOCS["apps/portal.json"] = {"api_name": "portal", "label": label("Portal"),
                            "objects": OPENED, "roles": ["dealer"]}
READERS = ["a1", "clerk"]


class World:
    def __init__(self, engine: Engine, tenant: str):
        self.engine, self.tenant = engine, tenant
        engine.metadata(tenant).deploy(pack_of(DOCS))
        engine.people(tenant).create_user("pm")
        engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
        engine.people(tenant).create_user("a1", enterprise="Dealer A", roles=["dealer"])
        engine.people(tenant).create_user("clerk", roles=["clerk"])
        self.api = {name: Api(engine, tenant, name) for name in ("admin", *READERS)}
        self.client = self.api["admin"].client.__enter__()
        for api in self.api.values():
            api.client = self.client
        admin, a1 = self.api["admin"], self.api["a1"]
        ids = self.ids = {}
        ids["account"] = a1.create("Account", {"name": "A Corp"})["id"]
        ids["order"] = a1.create("Order", {"name": "A-1", "amount": "5",
                                           "account": ids["account"]})["id"]
        ids["line"] = a1.create("OrderLine", {"name": "L-1", "sales_order": ids["order"]})["id"]
        ids["budget"] = admin.create("RebateBudget", {
            "name": "B-2024", "rb_code": "RB-CODE", "rb_remaining": "100",
            "rb_active": True, "rb_claimed_by": ids["order"]})["id"]
        ids["claim"] = admin.create("Claim", {"name": "C-1", "budget": ids["budget"]})["id"]
        url = f"/objects/Order/records/{ids['order']}"
        changed = admin.patch(url, {"funding": ids["budget"], "version": 1})
        assert changed.status_code == 200, changed.text
        seen = body(changed)  # what the admin sees: the budget's values
        assert (seen["funding_code"], seen["funds_total"], seen["funds_count"]) == (
            "RB-CODE", 100, 1)


@pytest.fixture(scope="module")
def world(engine) -> Iterator[World]:
    built = World(engine, f"t{os.getpid()}_noleakobj_{engine.dialect[:2]}")
    yield built
    built.client.__exit__(None, None, None)


def assert_unnamed(text: str, what: Any = "") -> None:
    for secret in SECRETS:
        assert secret not in text, (secret, what, text)


# -- describe, objects, OpenAPI ----------------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_describe_and_openapi_name_no_object_the_reader_may_not_read(world, reader):
    api = world.api[reader]
    objects = body(api.get("/objects"))["objects"]
    assert [o["api_name"] for o in objects] == OPENED
    for name in OPENED:
        described = api.get(f"/objects/{name}")
        assert described.status_code == 200
        assert_unnamed(described.text, name)
    spec = api.get("/openapi.json")
    assert spec.status_code == 200
    assert_unnamed(spec.text, "openapi")
    with world.engine.session(world.tenant, reader) as s:
        for name in s.objects():
            assert_unnamed(dumps(s.describe(name)), name)


def fields(api: Api, name: str) -> dict[str, dict[str, Any]]:
    return {f["api_name"]: f for f in body(api.get(f"/objects/{name}"))["fields"]}


@pytest.mark.parametrize("reader", READERS)
def test_a_lookup_to_an_unreadable_object_is_an_opaque_reference(world, reader):
    order = fields(world.api[reader], "Order")
    funding = order["funding"]
    assert (funding["target"], funding["opaque"], funding["type"]) == (None, True, "lookup")
    assert not {"relationship_name", "lookup_filter"} & set(funding)
    assert fields(world.api[reader], "Claim")["budget"]["target"] is None
    assert (order["funds_total"]["roll_up"], order["funds_total"]["opaque"]) == (
        {"function": "SUM"}, True)
    assert order["funds_count"]["roll_up"] == {"function": "COUNT"}
    for name, setting in (("funding_code", "quote"), ("funding_left", "formula"),
                          ("funding_owner", "formula"), ("note", "default_formula")):
        assert setting not in order[name], name
    # what names only what the reader may read stays
    assert order["account"]["target"] == "Account" and "opaque" not in order["account"]
    assert order["account_name"]["formula"] == "account.name"
    assert order["reader"]["formula"] == "$User.name"
    (rule,) = body(world.api[reader].get("/objects/Order"))["validation_rules"]
    assert "condition" not in rule and rule["error_field"] == "amount"
    relationships = body(world.api[reader].get("/objects/Order"))["child_relationships"]
    assert [r["name"] for r in relationships] == ["lines"]
    spec = body(world.api[reader].get("/openapi.json"))["components"]["schemas"]
    assert spec["Order"]["properties"]["funding"]["description"] == \
        "The id of a record of an object not open to you."
    assert "RelatedPage" not in "".join(k for k in spec if k.startswith("Claim"))


def test_the_admin_still_sees_every_name(world):
    order = fields(world.api["admin"], "Order")
    assert order["funding"]["target"] == "RebateBudget" and "opaque" not in order["funding"]
    assert order["funding"]["lookup_filter"] == "rb_active"
    assert order["funds_total"]["roll_up"] == SUM
    assert order["funding_code"]["quote"] == "funding.rb_code"


# -- records, related lists, exports ----------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_records_hold_an_opaque_id_and_blanks(world, reader):
    api, ids = world.api[reader], world.ids
    record = body(api.get(f"/objects/Order/records/{ids['order']}"))
    assert record["funding"] == ids["budget"]      # an id, naming nothing
    assert (record["funding_code"], record["funding_left"], record["funding_owner"]) == (
        None, None, None)
    for path in ("/objects/Order/records", f"/objects/Order/records/{ids['order']}",
                 f"/objects/Order/records/{ids['order']}/related/lines",
                 f"/objects/Account/records/{ids['account']}/related/Order.account",
                 "/objects/Order/export", "/objects/Claim/records",
                 f"/objects/Order/records/{ids['order']}/team"):
        response = api.get(path)
        assert response.status_code == 200, (path, response.text)
        assert_unnamed(response.text, path)
    for params in ({"order_by": "funding,-funding_code,funds_total"},
                   {"where": dumps({"funding": ids["budget"]})},
                   {"filter": "NOT(ISBLANK(funding)) && funds_total > 0"}):
        response = api.get("/objects/Order/records", params=params)
        assert [r["name"] for r in body(response)["records"]] == ["A-1"], params
        assert_unnamed(response.text, params)


# -- errors ----------------------------------------------------------------------------

ORDERS = "/objects/Order/records"
ONE = ORDERS + "/<order>"
BAD_REQUESTS: dict[str, tuple[str, str, Any, dict | None]] = {
    "filter across": ("GET", ORDERS, None, {"filter": "funding.rb_code = 'x'"}),
    "filter across name": ("GET", ORDERS, None, {"filter": "funding.name = 'x'"}),
    "filter across unknown": ("GET", ORDERS, None, {"filter": "funding.nosuch = 1"}),
    "filter two hops": ("GET", ORDERS, None, {"filter": "funding.rb_parent.name = 'x'"}),
    "filter unknown hop": ("GET", ORDERS, None, {"filter": "funding.nohop.name = 'x'"}),
    "filter close hop": ("GET", ORDERS, None, {"filter": "funding.rb_paren.name = 'x'"}),
    "filter type": ("GET", ORDERS, None, {"filter": "funding = 5"}),
    "filter quote type": ("GET", ORDERS, None, {"filter": "funding_code > 5"}),
    "filter roll-up type": ("GET", ORDERS, None, {"filter": "funds_total = 'x'"}),
    "filter formula type": ("GET", ORDERS, None, {"filter": "funding_left = 'x'"}),
    "where across": ("GET", ORDERS, None, {"where": dumps({"funding.rb_code": "x"})}),
    "where bad operator": ("GET", ORDERS, None, {"where": dumps({"funding": {"bogus": 1}})}),
    "where roll-up value": ("GET", ORDERS, None, {"where": dumps({"funds_total": "x"})}),
    "sort across": ("GET", ORDERS, None, {"order_by": "funding.rb_code"}),
    "related unreadable": ("GET", "/objects/Order/records/<order>/related/"
                           "RebateBudget.rb_claimed_by", None, None),
    "related of unreadable": ("GET", "/objects/RebateBudget/records/<budget>/related/"
                              "funded_orders", None, None),
    "create funding": ("POST", ORDERS, {"name": "x", "funding": "<budget>"}, None),
    "create missing funding": ("POST", ORDERS, {"name": "x", "funding": MISSING}, None),
    "create bad funding": ("POST", ORDERS, {"name": "x", "funding": 5}, None),
    "create roll-up": ("POST", ORDERS, {"name": "x", "funds_total": 1}, None),
    "create quote": ("POST", ORDERS, {"name": "x", "funding_code": "x"}, None),
    "create formula": ("POST", ORDERS, {"name": "x", "funding_left": 1}, None),
    "create many": ("POST", ORDERS, [{"name": "x"}, {"name": "y", "funding": "<budget>"}],
                    None),
    "import": ("POST", "/objects/Order/import", [{"name": "y", "funding": "<budget>"}], None),
    "update funding": ("PATCH", ONE, {"funding": MISSING, "version": 2}, None),
    "update roll-up": ("PATCH", ONE, {"funds_count": 3, "version": 2}, None),
    "claim": ("POST", "/objects/Claim/records", {"name": "c", "budget": "<budget>"}, None),
    "claim owner": ("POST", "/objects/Claim/records",
                    {"name": "c", "owner_id": "x", "budget": "<budget>"}, None),
    "claim no budget": ("POST", "/objects/Claim/records", {"name": "c"}, None),
}
"""name -> (method, path, JSON body or None, params) of requests refused to the readers;
``<name>`` stands for the id of world.ids[name]."""


def fill(value: Any, world: World) -> Any:
    if isinstance(value, str):
        for name, record_id in world.ids.items():
            value = value.replace(f"<{name}>", record_id)
        return value
    if isinstance(value, list | tuple):
        return type(value)(fill(v, world) for v in value)
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_no_error_names_the_unreadable_object(world, reader, name):
    method, path, sent, params = fill(BAD_REQUESTS[name], world)
    response = world.api[reader].call(method, path, **(
        {"body": sent} if sent is not None else {}), params=params)
    assert response.status_code >= 400, response.text
    asked = path + dumps(sent) + dumps(params)
    for secret in SECRETS:
        if secret not in asked:
            assert secret not in response.text, (secret, response.text)


def test_a_reference_to_an_unreadable_object_is_refused_like_a_missing_id(world):
    a1, budget = world.api["a1"], world.ids["budget"]
    for reader in READERS:
        refused = [world.api[reader].post(ORDERS, {"name": "x", "funding": ref})
                   for ref in (budget, MISSING)]
        assert [r.status_code for r in refused] == [422, 422]
        assert refused[0].text.replace(budget, "<id>") == refused[1].text.replace(MISSING,
                                                                                  "<id>")
    detail = body(a1.post(ORDERS, {"name": "x", "funding": MISSING}))["error"]["details"]
    assert detail == [{"field": "funding", "code": "unknown_reference",
                       "message": f"there is no record with id {MISSING!r}"}]


def test_the_python_errors_name_it_nowhere_either(world):
    ids = world.ids
    for reader in READERS:
        with world.engine.session(world.tenant, reader) as s:
            attempts = {  # what the caller asked -> the call
                "funding.rb_code": lambda s=s: s.query("Order", filter="funding.rb_code = 'x'"),
                "funding.nohop": lambda s=s: s.query("Order", filter="funding.nohop.name = 'x'"),
                ids["budget"]: lambda s=s: s.create("Order", {"name": "x",
                                                             "funding": ids["budget"]}),
                "funds_total": lambda s=s: s.create("Order", {"name": "x", "funds_total": 1}),
                "owner_id": lambda s=s: s.create("Claim", {"name": "c", "owner_id": "x"}),
                "RebateBudget.rb_claimed_by": lambda s=s: s.related(
                    "Order", ids["order"], "RebateBudget.rb_claimed_by"),
            }
            for asked, attempt in attempts.items():
                with pytest.raises(HulianError) as raised:
                    attempt()
                text = dumps(raised.value.to_dict())
                for secret in SECRETS:
                    if secret not in asked:
                        assert secret not in text, (secret, text)
