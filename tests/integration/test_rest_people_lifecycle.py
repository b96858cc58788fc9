"""People change over REST: PATCH /admin/users/{user}, /admin/departments/{department},
/admin/enterprises/{enterprise} and ``include_inactive`` on the lists, on both databases.

People (besides the tenant's ``admin``)::

    HQ [pm]
    └── Sales: rep
    pm: partner manager of Dealer A
    Dealer A: buyer (interconnect)
"""

from __future__ import annotations

import copy

import pytest
from openapi_spec_validator import validate

from tests.integration.test_rest_people import DOCS
from tests.integration.test_rest_support import Api, body, error
from tests.packs import pack_of

PASSWORD = "correct horse battery"


@pytest.fixture
def api(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_department("HQ")
    engine.people(tenant).create_department("Sales", parent="HQ")
    engine.people(tenant).create_user("pm", department="HQ")
    engine.people(tenant).set_department_leader("HQ", "pm")
    engine.people(tenant).create_user("rep", department="Sales")
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    engine.people(tenant).create_user("buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    return Api(engine, tenant)


def state(api: Api):
    engine, tenant = api.engine, api.tenant
    return (engine.people(tenant).users(include_inactive=True), engine.people(tenant).departments(),
            engine.people(tenant).enterprises(include_inactive=True))


def refused(api: Api, path: str, data: object, status: int, code: str, **kwargs) -> dict:
    before = state(api)
    problem = error(api.patch(path, data, **kwargs), status)
    assert problem["code"] == code, (path, data, problem)
    assert state(api) == before
    return problem


def ids(api: Api) -> dict[str, str]:
    return {d.name: d.id for d in api.engine.people(api.tenant).departments()}


def test_a_user_is_changed_deactivated_and_reactivated(api):
    rep = body(api.patch("/admin/users/rep", {"display_name": "Wang Wei",
                                              "department": "HQ"}))
    assert (rep["display_name"], rep["department_id"], rep["is_active"]) == \
        ("Wang Wei", ids(api)["HQ"], True)
    assert body(api.patch(f"/admin/users/{rep['id']}", {"department": None}))[
        "department_id"] is None
    api.engine.people(api.tenant).set_password("rep", PASSWORD)
    login = api.client.post("/api/v1/auth/login", json={
        "tenant": api.tenant, "username": "rep", "password": PASSWORD})
    assert login.status_code == 200
    assert api.client.get("/api/v1/auth/me").status_code == 200  # the session cookie
    api.client.cookies.clear()
    token = api.engine.people(api.tenant).create_token("rep")
    assert api.get("/objects", token=token).status_code == 200

    gone = body(api.patch("/admin/users/rep", {"active": False}))
    assert gone["is_active"] is False and gone["display_name"] == "Wang Wei"
    assert error(api.get("/objects", token=token), 401)["code"] == "invalid_token"
    api.client.cookies.update(login.cookies)
    assert error(api.client.get("/api/v1/auth/me"), 401)["code"] == "invalid_session"
    api.client.cookies.clear()
    assert error(api.client.post("/api/v1/auth/login", json={
        "tenant": api.tenant, "username": "rep", "password": PASSWORD}), 401)["code"] == \
        "invalid_credentials"
    listed = body(api.get("/admin/users"))["users"]
    assert "rep" not in {u["username"] for u in listed}
    listed = body(api.get("/admin/users", params={"include_inactive": "true"}))["users"]
    assert {u["username"]: u["is_active"] for u in listed}["rep"] is False

    back = body(api.patch("/admin/users/rep", {"active": True}))
    assert back["is_active"] is True
    assert api.get("/objects", token=token).status_code == 200


def test_refused_user_changes(api):
    refused(api, "/admin/users/admin", {"active": False}, 409, "last_admin")
    problem = refused(api, "/admin/users/pm", {"active": False}, 409,
                      "partner_manager_in_use")
    assert "Dealer A" in problem["message"]
    refused(api, "/admin/users/buyer", {"department": "HQ"}, 400,
            "invalid_interconnect_user")
    refused(api, "/admin/users/rep", {"department": "Nope"}, 404, "unknown_department")
    refused(api, "/admin/users/nobody", {"active": True}, 404, "unknown_user")
    refused(api, "/admin/users/rep", {"display_name": None}, 400, "invalid_parameter")
    refused(api, "/admin/users/rep", {"display_name": ""}, 400, "invalid_display_name")
    refused(api, "/admin/users/rep", {"active": "no"}, 400, "invalid_parameter")
    refused(api, "/admin/users/rep", {"active": False, "is_admin": True}, 400,
            "unknown_parameter")
    refused(api, "/admin/users/rep", {}, 400, "invalid_parameter")
    rep = api.engine.people(api.tenant).create_token("rep")
    refused(api, "/admin/users/rep", {"active": False}, 403, "admin_required", token=rep)
    assert error(api.get("/admin/users", params={"include_inactive": "maybe"}), 400)[
        "code"] == "invalid_parameter"


def test_a_department_is_renamed_and_moved(api):
    sales = body(api.patch("/admin/departments/Sales", {"name": "Field Sales",
                                                        "parent": None}))
    assert (sales["name"], sales["parent_id"]) == ("Field Sales", None)
    moved = body(api.patch(f"/admin/departments/{sales['id']}", {"parent": "HQ"}))
    assert moved == {**sales, "parent_id": ids(api)["HQ"]}
    refused(api, "/admin/departments/HQ", {"parent": "Field Sales"}, 400, "department_cycle")
    refused(api, "/admin/departments/HQ", {"parent": "HQ"}, 400, "department_cycle")
    refused(api, "/admin/departments/HQ", {"name": "Field Sales"}, 409, "department_exists")
    refused(api, "/admin/departments/Nope", {"name": "X"}, 404, "unknown_department")
    refused(api, "/admin/departments/HQ", {"leader": "rep"}, 400, "unknown_parameter")
    refused(api, "/admin/departments/HQ", {"name": None}, 400, "invalid_parameter")


def test_a_leader_sees_what_follows_a_move(api):
    rep = api.engine.people(api.tenant).create_token("rep")
    assert api.post("/objects/Order/records", {"name": "r1", "amount": "1"},
                    token=rep).status_code == 201
    pm = api.engine.people(api.tenant).create_token("pm")

    def seen() -> list[str]:
        return [r["name"] for r in body(api.get("/objects/Order/records", token=pm))[
            "records"]]

    assert seen() == ["r1"]
    api.patch("/admin/departments/Sales", {"parent": None})
    assert seen() == []
    api.patch("/admin/users/rep", {"department": "HQ"})
    assert seen() == ["r1"]


def test_an_enterprise_is_renamed_deactivated_and_reactivated(api):
    buyer = api.engine.people(api.tenant).create_token("buyer")
    assert api.post("/objects/Order/records", {"name": "b1", "amount": "1"},
                    token=buyer).status_code == 201
    dealer = body(api.patch("/admin/enterprises/Dealer A", {"name": "Dealer Alpha",
                                                            "active": False}))
    assert (dealer["name"], dealer["is_active"]) == ("Dealer Alpha", False)
    assert body(api.get("/admin/enterprises"))["enterprises"] == []
    assert body(api.get("/admin/enterprises", params={"include_inactive": "true"}))[
        "enterprises"] == [dealer]
    assert error(api.get("/objects/Order/records", token=buyer), 401)["code"] == \
        "invalid_token"
    assert body(api.patch("/admin/users/pm", {"active": False}))["is_active"] is False
    refused(api, f"/admin/enterprises/{dealer['id']}", {"active": True}, 400,
            "invalid_partner_manager")
    back = body(api.patch(f"/admin/enterprises/{dealer['id']}",
                          {"active": True, "partner_manager": "admin"}))
    assert back["is_active"] and back["partner_manager_id"] != dealer["partner_manager_id"]
    assert [r["name"] for r in body(api.get("/objects/Order/records", token=buyer))[
        "records"]] == ["b1"]


def test_refused_enterprise_changes(api):
    api.post("/admin/enterprises", {"name": "Dealer B", "partner_manager": "pm"})
    refused(api, "/admin/enterprises/Dealer A", {"name": "Dealer B"}, 409, "enterprise_exists")
    refused(api, "/admin/enterprises/Nope", {"active": False}, 404, "unknown_enterprise")
    refused(api, "/admin/enterprises/Dealer A", {"partner_manager": "buyer"}, 400,
            "invalid_partner_manager")
    refused(api, "/admin/enterprises/Dealer A", {"active": 0}, 400, "invalid_parameter")
    refused(api, "/admin/enterprises/Dealer A", {"levels": {}}, 400, "unknown_parameter")
    refused(api, "/admin/enterprises/Dealer A", {}, 400, "invalid_parameter")


def test_the_openapi_document_has_the_patch_routes(api):
    document = body(api.get("/openapi.json"))
    validate(document)
    paths = document["paths"]
    for path, operation in (("users/{user}", "updateUser"),
                            ("departments/{department}", "updateDepartment"),
                            ("enterprises/{enterprise}", "updateEnterprise")):
        assert paths[f"/api/v1/admin/{path}"]["patch"]["operationId"] == operation
    listing = paths["/api/v1/admin/users"]["get"]["parameters"]
    assert "include_inactive" in {p["name"] for p in listing}
    schemas = document["components"]["schemas"]
    assert "is_active" in schemas["Person"]["required"]
    assert set(schemas["PersonUpdate"]["properties"]) == {"display_name", "department", "active"}


def test_a_rename_warns_of_sharing_rules_naming_the_old_name(api):
    shared = copy.deepcopy(DOCS)
    shared["objects/Order.json"]["sharing_rules"] = [
        {"api_name": "sales_to_hq", "owned_by": {"department": "Sales"},
         "share_with": {"department": "HQ"}}]
    api.engine.metadata(api.tenant).deploy(pack_of(shared))
    renamed = body(api.patch("/admin/departments/Sales", {"name": "Field Sales"}))
    assert renamed["name"] == "Field Sales"
    (warning,) = renamed["warnings"]
    assert warning["code"] == "sharing_rules_name_old_name"
    assert "Order.sales_to_hq" in warning["message"] and "'Sales'" in warning["message"]
    assert "sharing_rule_overrides" in warning["hint"]
    shared_with = body(api.patch("/admin/departments/HQ", {"name": "Head office"}))
    assert "'HQ'" in shared_with["warnings"][0]["message"]   # share_with names it too
    assert "warnings" not in body(api.patch("/admin/departments/Head office", {"name": "HQ"}))
    assert "warnings" not in body(api.patch("/admin/enterprises/Dealer A", {"name": "Dealer 1"}))
