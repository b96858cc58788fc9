"""Write plans: what each step of a write needs, worked out once from the metadata."""

from __future__ import annotations

import pytest

from hulian.engine.records.plan import FormulaNeeds, write_plan
from hulian.engine.schema.compiled import compile_schema
from hulian.metadata import load_pack
from tests.conftest import EXAMPLE_CRM


@pytest.fixture(scope="module")
def schema():
    return compile_schema(load_pack(str(EXAMPLE_CRM)), "acme", "sqlite", 1)


def test_a_default_of_today_needs_nothing_else(schema):
    assert write_plan(schema, "Opportunity").default_needs["close_date"] == FormulaNeeds()
    assert write_plan(schema, "Order").default_needs["order_date"] == FormulaNeeds()


def test_rules_need_only_what_they_read(schema):
    needs = write_plan(schema, "Opportunity").rule_needs
    assert not needs.reads_others  # stage, probability, amount: the record's own values
    assert needs.own == ()


def test_the_steps_fields(schema):
    plan = write_plan(schema, "OrderLine")
    assert [f.api_name for f in plan.references] == ["sales_order", "product"]
    assert plan.master is not None and plan.master.api_name == "sales_order"
    assert [f.api_name for f in plan.auto_numbers] == ["number"]
    assert plan.required == ("sales_order", "product", "quantity")  # a master is required
    order = write_plan(schema, "Order")
    assert dict(order.roll_up_starts)["line_count"] == 0
    assert dict(order.roll_up_starts)["max_quantity"] is None


def test_roll_ups_fed_and_read(schema):
    lines = write_plan(schema, "OrderLine")
    assert [(parent, via) for parent, via, _ in lines.feeds] == [("Order", "sales_order")]
    assert lines.feeds_through == {"sales_order"}
    # a product's price reaches order totals through the lines' amount formula
    assert {(link.parent, path) for link, path in write_plan(schema, "Product").read_by} >= {
        ("Order", ("product",))}
    assert write_plan(schema, "Contact").feeds == ()


def test_a_plan_is_built_once_per_schema(schema):
    assert write_plan(schema, "Order") is write_plan(schema, "Order")
