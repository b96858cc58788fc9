"""The OpenAPI 3.1 document: valid, typed per object, and true to what the API returns."""

from __future__ import annotations

import jsonschema
import pytest
from openapi_spec_validator import validate

from tests.integration.test_rest_support import Api, body, error

OBJECTS = ["Account", "Contact", "Opportunity", "Order", "OrderLine", "Product"]


@pytest.fixture
def api(crm):
    return Api(*crm)


@pytest.fixture
def document(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    return body(response)


def validator(document, name):
    """A Draft 2020-12 validator (formats asserted) for components.schemas[name]."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["servers"] == [{"url": "/"}]
    assert document["components"]["securitySchemes"]["bearer"] == {
        **document["components"]["securitySchemes"]["bearer"], "type": "http",
        "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}, {"session": []}]
    assert document["paths"]["/api/v1/health"]["get"]["security"] == []


def test_the_document_needs_a_token(api):
    assert error(api.client.get("/api/v1/openapi.json"), 401)["code"] == "missing_token"


def test_every_object_has_its_schemas_and_paths(document):
    schemas, paths = document["components"]["schemas"], document["paths"]
    for name in OBJECTS:
        for suffix in ("", "Input", "Update", "Page"):
            assert name + suffix in schemas
        assert set(paths[f"/api/v1/objects/{name}/records"]) == {"get", "post"}
        assert set(paths[f"/api/v1/objects/{name}/records/{{record_id}}"]) >= \
            {"get", "patch", "delete"}
    assert "Error" in schemas
    operation_ids = [op["operationId"] for item in paths.values() for key, op in item.items()
                     if key != "parameters"]
    assert len(operation_ids) == len(set(operation_ids))


def test_field_schemas_carry_types_labels_and_limits(document):
    account = document["components"]["schemas"]["Account"]["properties"]
    assert account["name"]["type"] == "string" and account["name"]["maxLength"] == 120
    assert account["name"]["title"] == "Account name"
    assert account["name"]["x-hulian-label"] == {"zh": "客户名称", "en": "Account name"}
    assert account["annual_revenue"]["type"] == ["number", "null"]
    assert "exact decimal" in account["annual_revenue"]["description"]
    assert account["industry"]["enum"][-1] is None and "telex" in account["industry"]["enum"]
    assert account["channels"]["items"]["enum"] == ["online", "dealer", "direct"]
    assert "format" not in account["website"]  # a bare host name is a url too
    assert "Account record" in account["parent"]["description"]
    assert account["account_number"]["readOnly"] is True
    assert account["is_partner"]["type"] == "boolean"
    assert account["id"]["readOnly"] is True and account["version"]["readOnly"] is True
    contact = document["components"]["schemas"]["Contact"]["properties"]
    assert contact["email"]["format"] == "email"
    assert contact["birthday"]["format"] == "date"
    assert contact["last_contacted_at"]["format"] == "date-time"


def test_input_schemas_hold_writable_fields_and_what_is_required(document):
    schemas = document["components"]["schemas"]
    new_opportunity = schemas["OpportunityInput"]
    assert new_opportunity["required"] == ["title", "account"]  # stage has a default
    assert "number" not in new_opportunity["properties"]  # auto-number
    assert "owner_id" in new_opportunity["properties"]
    assert "version" not in new_opportunity["properties"]
    assert "telex" not in schemas["AccountInput"]["properties"]["industry"]["enum"]
    assert schemas["AccountUpdate"]["required"] == ["version"]


def test_created_records_validate_against_their_schemas(api, document):
    account = api.create("Account", {
        "name": "Acme", "industry": "retail", "channels": ["online", "direct"],
        "annual_revenue": "12345678901234.57", "employees": 12, "phone": "+86 21 5555 0100",
        "website": "https://acme.example.com", "tax_number": "91310000MA1FL1234X",
        "is_partner": True, "description": "A customer"})
    contact = api.create("Contact", {
        "name": "Li Lei", "account": account["id"], "email": "li@example.com",
        "birthday": "1990-02-28", "preferred_call_time": "09:30:00",
        "last_contacted_at": "2024-03-31T09:30:00+08:00"})
    product = api.create("Product", {"name": "Widget", "unit_price": 9.9})
    opportunity = api.create("Opportunity", {"title": "Big deal", "account": account["id"],
                                             "product": product["id"], "amount": 100,
                                             "probability": "12.5", "quantity": "1.25"})
    blank = api.create("Account", {"name": "Blank"})
    for name, record in [("Account", account), ("Contact", contact), ("Product", product),
                         ("Opportunity", opportunity), ("Account", blank)]:
        validator(document, name).validate(record)
    validator(document, "AccountPage").validate(api.list("Account", limit=1))


def test_blank_derived_fields_and_bare_host_names_validate(api, document):
    """A formula, roll-up or quote field can be blank, whatever its type (is_big_deal is a
    boolean formula over a blank amount); a url may be a bare host name."""
    account = api.create("Account", {"name": "Northwind", "website": "northwind.example.com"})
    opportunity = api.create("Opportunity", {"title": "No amount yet", "account": account["id"]})
    assert opportunity["is_big_deal"] is None
    validator(document, "Account").validate(account)
    validator(document, "Opportunity").validate(opportunity)
    validator(document, "OpportunityPage").validate(api.list("Opportunity"))
    properties = document["components"]["schemas"]["Opportunity"]["properties"]
    for name in ("is_big_deal", "expected_revenue", "account_name"):
        assert "null" in properties[name]["type"], name


def test_input_schemas_agree_with_the_api(api, document):
    good = {"name": "Acme", "industry": "retail", "annual_revenue": 10}
    validator(document, "AccountInput").validate(good)
    assert api.post("/objects/Account/records", good).status_code == 201
    for bad in ({"name": "Acme", "industry": "telex"}, {"name": "Acme", "nope": 1},
                {"name": "x" * 121}):
        assert not validator(document, "AccountInput").is_valid(bad)
        assert api.post("/objects/Account/records", bad).status_code == 422
    assert not validator(document, "OpportunityInput").is_valid({"title": "No account"})


def test_error_responses_validate_against_the_error_schema(api, document):
    responses = [api.get("/objects/Nope"), api.post("/objects/Account/records", {"bogus": 1}),
                 api.client.get("/api/v1/objects"), api.post("/objects/Account/records", raw=b"{")]
    for response in responses:
        assert response.status_code >= 400
        validator(document, "Error").validate(body(response))


def test_every_documented_path_is_served(api, document):
    account = api.create("Account", {"name": "Acme"})["id"]
    product = api.create("Product", {"name": "Widget", "unit_price": 1})["id"]
    order = api.create("Order", {"account": account})["id"]
    ids = {"Account": account,
           "Contact": api.create("Contact", {"name": "Li Lei"})["id"],
           "Product": product,
           "Opportunity": api.create("Opportunity", {"title": "Deal", "account": account})["id"],
           "Order": order,
           "OrderLine": api.create("OrderLine", {"sales_order": order, "product": product,
                                                 "quantity": 1})["id"]}
    api.engine.people(api.tenant).create_enterprise("Dealer", partner_manager="admin")
    for path, item in document["paths"].items():
        if (path.startswith("/api/v1/auth/") or "/team/" in path or path.endswith("/import")
                or path.startswith("/api/v1/admin/") or path.endswith("/restore")
                or path.startswith("/api/v1/notifications/") or "/approval/" in path) \
                and "get" not in item:
            continue   # login, logout, revoke: test_rest_login.py; the others test_rest_people.py
            #            and test_rest_people_lifecycle.py (PATCH /admin/...); restore:
            #            test_rest_bin_activities.py; notifications: test_notifications.py;
            #            approvals: test_approvals_rest.py
        name = path.split("/")[4] if path.count("/") > 4 else "Account"
        concrete = path.removeprefix("/api/v1").replace("{object}", "Account") \
            .replace("{record_id}", ids.get(name, "")).replace("{user}", "admin") \
            .replace("{enterprise}", "Dealer").replace("{scene}", "all") \
            .replace("{path}", "pack.json")
        if path.endswith("/admin/metadata/diff"):
            concrete += "?from=1"  # its one required query parameter
        for parameter in item.get("parameters", []):
            if "enum" in parameter.get("schema", {}):
                concrete = concrete.replace(f"{{{parameter['name']}}}",
                                            parameter["schema"]["enum"][0])
        assert "get" in item
        assert api.get(concrete).status_code == 200, path


def test_every_authenticated_operation_documents_400_and_413(document):
    """Any route refuses a query parameter it does not take (400) and one over 64 KiB
    (413); schemathesis holds the API to the statuses the document lists."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or operation.get("security") == []:
                continue
            assert {"400", "401", "413", "500"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize("operation_id", ["createDepartment", "createEnterprise",
                                          "setUserRoles", "updateDepartment"])
def test_people_changes_that_can_conflict_document_409(document, operation_id):
    (operation,) = [op for item in document["paths"].values() for key, op in item.items()
                    if key != "parameters" and op["operationId"] == operation_id]
    assert "409" in operation["responses"]


def test_a_taken_department_name_is_a_409(api):
    assert api.post("/admin/departments", {"name": "Sales"}).status_code == 201
    assert error(api.post("/admin/departments", {"name": "Sales"}), 409)["code"] == \
        "department_exists"
