"""REST object routes: the tenant's objects and their descriptions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hulian.engine.system import people
from tests.integration.test_rest_support import Api, body, error


@pytest.fixture
def api(crm):
    return Api(*crm)


def test_objects_lists_every_object_with_its_labels(api):
    response = api.get("/objects")
    assert response.status_code == 200
    objects = body(response)["objects"]
    assert [o["api_name"] for o in objects] == ["Account", "Contact", "Opportunity", "Order",
                                            "OrderLine", "Product"]
    assert objects[0] == {"api_name": "Account", "label": {"zh": "客户", "en": "Account"},
                          "plural_label": {"zh": "客户", "en": "Accounts"}}


def test_describe_gives_fields_options_and_system_fields(api):
    described = body(api.get("/objects/Account"))
    assert described["api_name"] == "Account" and described["name_field"] == "name"
    fields = {f["api_name"]: f for f in described["fields"]}
    assert list(fields)[:3] == ["name", "account_number", "industry"]
    assert fields["name"]["max_length"] == 120 and fields["name"]["label"]["zh"] == "客户名称"
    assert fields["annual_revenue"]["type"] == "currency"
    assert (fields["annual_revenue"]["precision"], fields["annual_revenue"]["scale"]) == (18, 2)
    assert fields["annual_revenue"]["minimum"] == Decimal(0)
    assert fields["parent"]["target"] == "Account"
    assert fields["account_number"]["read_only"] is True
    # the form widget of each field's type
    assert [fields[n]["widget"] for n in ("name", "account_number", "industry", "channels",
                                          "annual_revenue", "parent")] == \
        ["text", "read-only", "select", "multi-select", "money", "lookup"]
    # name field, reference and auto-number have an index; a plain number has none
    assert [fields[n]["indexed"] for n in ("name", "parent", "account_number",
                                           "annual_revenue")] == [True, True, True, False]
    ordered = {f["api_name"]: f for f in body(api.get("/objects/Order"))["fields"]}
    assert ordered["order_date"]["indexed"] is True  # "indexed": true in examples/crm
    telex = next(o for o in fields["industry"]["options"] if o["api_name"] == "telex")
    assert telex["active"] is False
    system = {f["api_name"]: f for f in described["system_fields"]}
    assert {"id", "owner_id", "version", "created_at", "is_deleted"} <= set(system)
    assert system["version"]["read_only"] is True and system["owner_id"]["read_only"] is False


def test_describe_keeps_typed_defaults(api):
    fields = {f["api_name"]: f for f in body(api.get("/objects/Product"))["fields"]}
    assert fields["tax_rate"]["default"] == Decimal(13)
    assert fields["unit"]["default"] == "piece"
    assert fields["is_active"]["default"] is True


def test_describe_an_unknown_object_is_404_with_a_suggestion(api):
    err = error(api.get("/objects/Contacts"), 404)
    assert err["code"] == "unknown_object" and err["hint"] == "did you mean 'Contact'?"


def test_a_tenant_with_nothing_deployed_is_404(engine, tenant):
    with engine.db.begin() as conn:
        people.ensure_tenant(conn, tenant)
    api = Api(engine, tenant)
    err = error(api.get("/objects"), 404)
    assert err["code"] == "tenant_not_deployed"
    assert body(api.client.get("/api/v1/health"))["status"] == "ok"
