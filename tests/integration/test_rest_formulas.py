"""Formulas over HTTP: formula fields in records and describe, formula filters, their errors."""

from __future__ import annotations

import pytest

from tests.integration.test_rest_support import Api, body, error


@pytest.fixture
def api(crm):
    return Api(*crm)


def test_formula_fields_show_in_records_and_describe(api):
    account = api.create("Account", {"name": "Acme"})
    opportunity = api.create("Opportunity", {"title": "Deal", "account": account["id"],
                                             "amount": 200000, "probability": 25})
    assert opportunity["expected_revenue"] == 50000
    assert opportunity["is_big_deal"] is True
    assert opportunity["account_name"] == "Acme"
    fields = {f["api_name"]: f for f in body(api.get("/objects/Opportunity"))["fields"]}
    assert fields["expected_revenue"]["formula"] == "amount * probability"
    assert fields["expected_revenue"]["read_only"] is True


def test_formula_filter_parameter(api):
    account = api.create("Account", {"name": "Acme"})
    for title, amount in (("small", 10), ("large", 500000), ("blank", None)):
        api.create("Opportunity", {"title": title, "account": account["id"], "amount": amount})
    page = api.list("Opportunity", filter="is_big_deal || amount < 100", order_by="title")
    assert [r["title"] for r in page["records"]] == ["large", "small"]


def test_a_bad_formula_filter_is_a_400_with_its_position(api):
    response = api.get("/objects/Opportunity/records", params={"filter": "amount > 'x'"})
    problem = error(response, 400)
    assert problem["code"] == "formula.type"
    assert problem["details"][0]["line"] == 1
    assert "^" in problem["details"][0]["excerpt"]


def test_validation_rules_answer_422_with_the_rule_message(api):
    account = api.create("Account", {"name": "Acme"})
    response = api.post("/objects/Opportunity/records",
                        {"title": "t", "account": account["id"], "stage": "won",
                         "probability": 50})
    problem = error(response, 422)
    assert {"field": "probability", "code": "validation_rule",
            "message": "A won opportunity has a probability of 100%",
            "hint": "rule won_means_certain",
            "messages": {"zh": "赢单的赢率必须是100%",
                         "en": "A won opportunity has a probability of 100%"}} \
        in problem["details"]
