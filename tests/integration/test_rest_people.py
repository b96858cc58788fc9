"""People over REST (issue 6): the admin routes (enterprises, their data permissions,
users, roles, departments), record teams, CSV export and import, on both databases.

People::

    admin                      is_admin
    ops                        internal, role ``ops_admin`` ("admin": true)
    pm, rep                    internal (``member``; rep also ``sales_rep``)
    clerk                      internal, only ``sales_rep`` (reads and creates orders)
    Dealer A: a_buyer, a_boss  interconnect (``dealer_buyer`` / ``dealer_boss``)
    Dealer B: b_buyer          interconnect (``dealer_buyer``)

Enterprises and interconnect users are made over REST in the tests that need them.
"""

from __future__ import annotations

import csv
import io

import pytest
from openapi_spec_validator import validate

from hulian.metadata.jsontext import dumps
from tests.integration.test_rest_support import Api, body, error
from tests.packs import documents, field, label, obj, pack_of

PRODUCT = obj("Product", field("name", "text"), field("price", "currency", scale=2),
              field("cost", "currency", scale=2),
              data_permission={"internal": "company_read", "external": "public_read"})
ORDER = obj("Order", field("name", "text"), field("amount", "currency", scale=2),
            data_permission={"internal": "private", "external": "company_read"})
LINE = obj("OrderLine", field("name", "text"), field("quantity", "number"),
           field("sales_order", "master_detail", target="Order", relationship_name="lines"))
NOTE = obj("Note", field("name", "text"))

BUYER = {"Order": {"create": True, "read": True, "edit": True},
         "OrderLine": {"create": True, "read": True, "edit": True},
         "Product": {"read": True, "fields": {"cost": "hidden"}},
         "Note": {"read": True}}
BOSS = {**BUYER, "Order": {**BUYER["Order"], "export": True, "import": True},
        "Product": {**BUYER["Product"], "export": True}}
ROLES = {"dealer_buyer": ("interconnect", BUYER), "dealer_boss": ("interconnect", BOSS),
         "sales_rep": ("internal", {"Order": {"read": True, "create": True}})}
DOCS = documents(PRODUCT, ORDER, LINE, NOTE)
for _name, (_kind, _objects) in ROLES.items():
    DOCS[f"roles/{_name}.json"] = {"api_name": _name, "label": label(_name), "kind": _kind,
                                   "objects": _objects}
DOCS["roles/ops_admin.json"] = {"api_name": "ops_admin", "label": label("Ops"), "admin": True}
DOCS["apps/order.json"] = {"api_name": "order", "label": label("Order"),
                           "objects": ["Order", "OrderLine", "Product"],
                           "roles": ["dealer_buyer", "dealer_boss"]}

ADMIN_GETS = ["/admin/enterprises", "/admin/users", "/admin/roles", "/admin/departments",
              "/admin/users/pm/roles"]


@pytest.fixture
def world(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_user("ops", roles=["ops_admin"])
    engine.people(tenant).create_user("pm")
    engine.people(tenant).create_user("rep", roles=["member", "sales_rep"])
    engine.people(tenant).create_user("clerk", roles=["sales_rep"])
    return engine, tenant


@pytest.fixture
def api(world):
    return Api(*world)


def as_user(api: Api, username: str) -> str:
    return api.engine.people(api.tenant).create_token(username)


def put(api: Api, path: str, data: object, **kwargs):
    return api.call("PUT", path, data, **kwargs)


@pytest.fixture
def dealers(api):
    """Dealer A (a_buyer, a_boss) and Dealer B (b_buyer), made over REST; their tokens."""
    for name in ("Dealer A", "Dealer B"):
        assert api.post("/admin/enterprises", {"name": name, "partner_manager": "pm"}
                        ).status_code == 201
    for username, company, role in (("a_buyer", "Dealer A", "dealer_buyer"),
                                    ("a_boss", "Dealer A", "dealer_boss"),
                                    ("b_buyer", "Dealer B", "dealer_buyer")):
        response = api.post("/admin/users", {"username": username, "enterprise": company,
                                             "roles": [role]})
        assert response.status_code == 201, response.text
    return {name: as_user(api, name)
            for name in ("a_buyer", "a_boss", "b_buyer", "pm", "rep", "clerk")}


def create(api: Api, token: str, object_name: str, data: dict) -> dict:
    response = api.post(f"/objects/{object_name}/records", data, token=token)
    assert response.status_code == 201, response.text
    return body(response)


def names(api: Api, token: str, object_name: str = "Order") -> set[str]:
    response = api.get(f"/objects/{object_name}/records", token=token, params={"limit": 200})
    assert response.status_code == 200, response.text
    return {r["name"] for r in body(response)["records"]}


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


# -- who may administer ---------------------------------------------------------------------

def test_admin_routes_refuse_everyone_but_admins(api, dealers):
    for token in (dealers["pm"], dealers["a_boss"]):
        for path in ADMIN_GETS:
            assert error(api.get(path, token=token), 403)["code"] == "admin_required", path
        for path, data in (("/admin/enterprises", {"name": "X", "partner_manager": "pm"}),
                           ("/admin/users", {"username": "sneaky", "is_admin": True}),
                           ("/admin/departments", {"name": "X"})):
            assert error(api.post(path, data, token=token), 403)["code"] == "admin_required"
        assert error(put(api, "/admin/users/pm/roles", {"roles": ["ops_admin"]}, token=token),
                     403)["code"] == "admin_required"
        assert error(put(api, "/admin/enterprises/Dealer A/permissions/Order",
                         {"level": "public_read"}, token=token), 403)["code"] == "admin_required"
    assert api.engine.people(api.tenant).user_roles("pm") == ["member"]
    assert [u.username for u in api.engine.people(api.tenant).users()].count("sneaky") == 0


def test_an_admin_role_is_enough(api):
    ops = as_user(api, "ops")
    for path in ADMIN_GETS:
        assert api.get(path, token=ops).status_code == 200, path
    assert api.post("/admin/departments", {"name": "Ops"}, token=ops).status_code == 201


# -- enterprises, users, roles --------------------------------------------------------------

def test_an_interconnect_user_made_over_rest_sees_only_what_it_may(api, dealers):
    admin = api
    found = body(admin.get("/admin/enterprises"))["enterprises"]
    pm_id = next(u.id for u in api.engine.people(api.tenant).users() if u.username == "pm")
    assert [(e["name"], e["partner_manager_id"]) for e in found] == [("Dealer A", pm_id),
                                                                    ("Dealer B", pm_id)]
    dealer_a = found[0]["id"]
    users = body(admin.get("/admin/users", params={"enterprise": "Dealer A"}))["users"]
    assert [(u["username"], u["enterprise_id"]) for u in users] == [("a_boss", dealer_a),
                                                                    ("a_buyer", dealer_a)]
    created = body(admin.post("/admin/users", {"username": "a_new", "enterprise": dealer_a,
                                               "display_name": "Xiao Li",
                                               "roles": ["dealer_buyer"]}))
    assert created["roles"] == ["dealer_buyer"] and created["enterprise_id"] == dealer_a
    assert created["display_name"] == "Xiao Li" and created["is_admin"] is False
    new = as_user(api, "a_new")
    objects = body(admin.get("/objects", token=new))["objects"]
    assert [o["api_name"] for o in objects] == ["Order", "OrderLine", "Product"]
    assert error(admin.get("/objects/Note", token=new), 404)["code"] == "unknown_object"
    product = body(admin.get("/objects/Product", token=new))
    assert "cost" not in {f["api_name"] for f in product["fields"]}
    assert product["permissions"]["read"] and not product["permissions"]["edit"]
    assert not product["permissions"]["export"]
    create(api, dealers["a_buyer"], "Order", {"name": "a1", "amount": "10"})
    create(api, dealers["b_buyer"], "Order", {"name": "b1", "amount": "10"})
    assert names(api, new) == {"a1"}
    assert names(api, dealers["b_buyer"]) == {"b1"}


def test_user_roles_are_read_and_replaced(api, dealers):
    assert body(api.get("/admin/users/a_buyer/roles")) == {"roles": ["dealer_buyer"]}
    assert body(put(api, "/admin/users/a_buyer/roles", {"roles": ["dealer_boss"]})) == \
        {"roles": ["dealer_boss"]}
    assert api.engine.people(api.tenant).user_roles("a_buyer") == ["dealer_boss"]
    refused = error(put(api, "/admin/users/a_buyer/roles", {"roles": ["sales_rep"]}), 400)
    assert refused["code"] == "unknown_role"
    assert api.engine.people(api.tenant).user_roles("a_buyer") == ["dealer_boss"]
    rep = next(u for u in api.engine.people(api.tenant).users() if u.username == "rep")
    assert body(put(api, f"/admin/users/{rep.id}/roles", {"roles": []})) == {"roles": []}
    assert error(api.get("/admin/users/nobody/roles"), 404)["code"] == "unknown_user"
    assert error(put(api, "/admin/users/pm/roles", {}), 400)["code"] == "invalid_parameter"
    assert error(put(api, "/admin/users/pm/roles", {"roles": "member"}), 400)["code"] == \
        "invalid_parameter"


def test_creating_users_checks_what_it_is_given(api, dealers):
    cases = [({"username": "x", "enterprise": "Dealer A", "roles": ["sales_rep"]}, 400,
              "unknown_role"),
             ({"username": "x", "roles": ["dealer_buyer"]}, 400, "unknown_role"),
             ({"username": "x", "enterprise": "Nope"}, 404, "unknown_enterprise"),
             ({"username": "x", "enterprise": "Dealer A", "is_admin": True}, 400,
              "invalid_interconnect_user"),
             ({"username": "a_buyer"}, 400, "user_exists"),
             ({"username": "x", "password": "secret"}, 400, "unknown_parameter"),
             ({"display_name": "x"}, 400, "invalid_parameter"),
             ({"username": "x", "is_admin": "yes"}, 400, "invalid_parameter")]
    for data, status, code in cases:
        assert error(api.post("/admin/users", data), status)["code"] == code, data
    assert "x" not in {u.username for u in api.engine.people(api.tenant).users()}
    internal = body(api.post("/admin/users", {"username": "mei", "roles": ["sales_rep"]}))
    assert internal["roles"] == ["sales_rep"] and internal["enterprise_id"] is None
    assert body(api.post("/admin/users", {"username": "wu"}))["roles"] == ["member"]
    assert error(api.post("/admin/enterprises", {"name": "Dealer A", "partner_manager": "pm"}),
                 409)["code"] == "enterprise_exists"
    assert error(api.post("/admin/enterprises", {"name": "C", "partner_manager": "a_boss"}),
                 400)["code"] == "invalid_partner_manager"


def test_enterprise_permissions_override_one_dealer(api, dealers):
    for who in ("a_buyer", "a_boss"):
        create(api, dealers[who], "Order", {"name": who, "amount": "1"})
    assert names(api, dealers["a_buyer"]) == {"a_buyer", "a_boss"}
    path = "/admin/enterprises/Dealer A/permissions"
    assert body(put(api, f"{path}/Order", {"level": "private"})) == \
        {"permissions": {"Order": "private"}}
    assert body(api.get(path)) == {"permissions": {"Order": "private"}}
    assert names(api, dealers["a_buyer"]) == {"a_buyer"}
    assert body(api.get("/admin/enterprises/Dealer B/permissions")) == {"permissions": {}}
    assert body(api.delete(f"{path}/Order")) == {"permissions": {}}
    assert names(api, dealers["a_buyer"]) == {"a_buyer", "a_boss"}
    for url, data, status, code in (
            (f"{path}/Order", {"level": "everyone"}, 400, "invalid_data_permission"),
            (f"{path}/Order", {}, 400, "invalid_parameter"),
            (f"{path}/Order", {"level": "private", "x": 1}, 400, "unknown_parameter"),
            (f"{path}/Nope", {"level": "private"}, 404, "unknown_object"),
            ("/admin/enterprises/Nope/permissions/Order", {"level": "private"}, 404,
             "unknown_enterprise")):
        assert error(put(api, url, data), status)["code"] == code, (url, data)


def test_roles_and_departments(api):
    roles = body(api.get("/admin/roles"))["roles"]
    assert [r["api_name"] for r in roles][:2] == ["admin", "member"]
    kinds = {r["api_name"]: (r["kind"], r["admin"]) for r in roles}
    assert kinds["dealer_buyer"] == ("interconnect", False)
    assert kinds["ops_admin"] == ("internal", True)
    hq = api.post("/admin/departments", {"name": "HQ", "leader": "pm"})
    assert hq.status_code == 201
    channel = body(api.post("/admin/departments", {"name": "Channel", "parent": "HQ"}))
    assert channel["parent_id"] == body(hq)["id"] and channel["leader_id"] is None
    listed = body(api.get("/admin/departments"))["departments"]
    assert [d["name"] for d in listed] == ["Channel", "HQ"]
    assert error(api.post("/admin/departments", {"name": "HQ"}), 409)["code"] == \
        "department_exists"
    assert error(api.post("/admin/departments", {"name": "X", "parent": "Nope"}), 404)[
        "code"] == "unknown_department"
    user = body(api.post("/admin/users", {"username": "zhao", "department": "Channel"}))
    assert user["department_id"] == channel["id"]


# -- teams ----------------------------------------------------------------------------------

def test_team_endpoints_share_and_unshare(api, dealers):
    order = create(api, dealers["pm"], "Order", {"name": "shared", "amount": "5"})
    url = f"/objects/Order/records/{order['id']}"
    assert error(api.get(url, token=dealers["b_buyer"]), 404)["code"] == "record_not_found"
    assert body(api.get(f"{url}/team", token=dealers["pm"])) == {"team": []}
    team = body(put(api, f"{url}/team/b_buyer", {"access": "read"}, token=dealers["pm"]))["team"]
    assert [(m["username"], m["access"], m["external"]) for m in team] == \
        [("b_buyer", "read", True)]
    assert api.get(url, token=dealers["b_buyer"]).status_code == 200
    assert error(api.patch(url, {"amount": "1", "version": 1}, token=dealers["b_buyer"]),
                 403)["code"] == "edit_denied"
    assert error(put(api, f"{url}/team/a_buyer", {}, token=dealers["b_buyer"]), 403)[
        "code"] == "edit_denied"
    assert body(api.get(f"{url}/team", token=dealers["b_buyer"]))["team"] == team
    rep_id = next(u.id for u in api.engine.people(api.tenant).users() if u.username == "rep")
    team = body(put(api, f"{url}/team/{rep_id}", {"access": "edit"}, token=dealers["pm"]))["team"]
    assert [(m["username"], m["access"]) for m in team] == [("b_buyer", "read"), ("rep", "edit")]
    assert api.patch(url, {"amount": "7", "version": 1}, token=dealers["rep"]).status_code == 200
    team = body(api.delete(f"{url}/team/b_buyer", token=dealers["pm"]))["team"]
    assert [m["username"] for m in team] == ["rep"]
    assert error(api.get(url, token=dealers["b_buyer"]), 404)["code"] == "record_not_found"
    assert body(put(api, f"{url}/team/rep", None, raw=b"{}", token=dealers["pm"]))["team"][0][
        "access"] == "read"


def test_team_errors(api, dealers):
    order = create(api, dealers["pm"], "Order", {"name": "o", "amount": "5"})
    line = create(api, dealers["pm"], "OrderLine", {"name": "l", "sales_order": order["id"]})
    url = f"/objects/Order/records/{order['id']}/team"
    for path, data, status, code in (
            (f"{url}/rep", {"access": "owner"}, 400, "invalid_access"),
            (f"{url}/rep", {"acces": "read"}, 400, "unknown_parameter"),
            (f"{url}/nobody", {"access": "read"}, 404, "unknown_user"),
            ("/objects/Order/records/nope/team/rep", {"access": "read"}, 404,
             "record_not_found"),
            (f"/objects/OrderLine/records/{line['id']}/team/rep", {"access": "read"}, 400,
             "team_on_detail")):
        assert error(put(api, path, data), status)["code"] == code, path
    assert error(api.get(url, token=dealers["b_buyer"]), 404)["code"] == "record_not_found"


# -- export and import ----------------------------------------------------------------------

def test_export_is_csv_of_what_the_caller_may_read(api, dealers):
    for name in ("Widget", "=HYPERLINK(\"x\")", "Gadget"):
        create(api, api.token, "Product", {"name": name, "price": "10.50", "cost": "4"})
    for who in ("a_buyer", "a_boss", "b_buyer"):
        create(api, dealers[who], "Order", {"name": f"order of {who}", "amount": "100"})
    products = rows(api.get("/objects/Product/export", token=dealers["a_boss"],
                            params={"order_by": "-price"}))
    assert {p["name"] for p in products} == {"'=HYPERLINK(\"x\")", "Gadget", "Widget"}
    assert "cost" not in products[0] and products[0]["price"] == "10.50"
    assert list(products[0])[:3] == ["id", "name", "price"]
    orders = rows(api.get("/objects/Order/export", token=dealers["a_boss"]))
    assert {o["name"] for o in orders} == {"order of a_buyer", "order of a_boss"}
    response = api.get("/objects/Order/export", token=dealers["a_boss"],
                       params={"where": dumps({"name": {"contains": "boss"}})})
    assert response.headers["content-disposition"] == 'attachment; filename="Order.csv"'
    assert [o["name"] for o in rows(response)] == ["order of a_boss"]
    everything = rows(api.get("/objects/Product/export", params={"filter": "price > 1"}))
    assert len(everything) == 3 and everything[0]["cost"] == "4.00"
    empty = api.get("/objects/Order/export", params={"where": dumps({"name": "none"})})
    assert empty.text.splitlines()[0].startswith("id,name,amount,") and len(rows(empty)) == 0


def test_export_pages_through_every_record(api):
    ids = body(api.post("/objects/Note/import", [{"name": f"n{i:04}"} for i in range(2345)]))
    exported = rows(api.get("/objects/Note/export", params={"order_by": "name"}))
    assert [r["name"] for r in exported] == [f"n{i:04}" for i in range(2345)]
    assert {r["id"] for r in exported} == set(ids["ids"])


def test_export_needs_the_right(api, dealers):
    for path, token, status, code in (
            ("/objects/Order/export", dealers["a_buyer"], 403, "action_denied"),
            ("/objects/Note/export", dealers["a_boss"], 404, "unknown_object"),
            ("/objects/Order/export", dealers["clerk"], 403, "action_denied"),
            ("/objects/Product/export", dealers["clerk"], 403, "action_denied"),
            ("/objects/Product/export?where=%7Bbad", api.token, 400, "invalid_filter"),
            ("/objects/Product/export?limit=5", api.token, 400, "unknown_parameter")):
        assert error(api.get(path, token=token), status)["code"] == code, path
    filtered = api.get("/objects/Product/export", token=dealers["a_boss"],
                       params={"where": dumps({"cost": {"gt": 1}})})
    assert error(filtered, 400)["code"] == "unknown_field"


def test_import_is_all_or_nothing(api, dealers):
    good = [{"name": "o1", "amount": "1"}, {"name": "o2", "amount": "2"}]
    response = api.post("/objects/Order/import", good, token=dealers["a_boss"])
    assert response.status_code == 201, response.text
    assert len(body(response)["ids"]) == 2
    bad = api.post("/objects/Order/import", [{"name": "o3"}, {"name": "o4", "amount": "x"}],
                   token=dealers["a_boss"])
    problem = error(bad, 422)
    assert problem["code"] == "validation_failed"
    assert [(d["row"], d["field"]) for d in problem["details"]] == [(1, "amount")]
    assert names(api, dealers["a_boss"]) == {"o1", "o2"}
    assert error(api.post("/objects/Order/import", good, token=dealers["a_buyer"]), 403)[
        "code"] == "action_denied"
    assert error(api.post("/objects/Product/import", [{"name": "p"}], token=dealers["a_boss"]),
                 403)["code"] == "action_denied"
    assert error(api.post("/objects/Order/import", {"name": "o5"}), 400)["code"] == \
        "invalid_json"
    too_many = api.post("/objects/Note/import", [{"name": "n"}] * 10_001)
    assert error(too_many, 400)["code"] == "batch_too_large"
    assert names(api, api.token) == {"o1", "o2"}


# -- OpenAPI --------------------------------------------------------------------------------

def test_the_openapi_document_lists_the_routes_for_the_caller(api, dealers):
    document = body(api.get("/openapi.json"))
    validate(document)
    paths = document["paths"]
    assert set(paths["/api/v1/admin/users"]) == {"get", "post"}
    assert set(paths["/api/v1/admin/enterprises/{enterprise}/permissions/{object}"]) >= \
        {"put", "delete"}
    assert "get" in paths["/api/v1/objects/Order/export"]
    assert "post" in paths["/api/v1/objects/Order/import"]
    assert set(paths["/api/v1/objects/Order/records/{record_id}/team/{user}"]) >= \
        {"put", "delete"}
    assert "/api/v1/objects/OrderLine/records/{record_id}/team" not in paths
    dealer = body(api.get("/openapi.json", token=dealers["a_boss"]))
    validate(dealer)
    assert not [p for p in dealer["paths"] if p.startswith("/api/v1/admin")]
    assert "/api/v1/objects/Note/export" not in dealer["paths"]
