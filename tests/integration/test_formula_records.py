"""Formulas in records, on both databases: formula fields computed in SQL on read (also
across lookups), filtered and sorted in lists; default formulas; validation rules; formula
filters; and formula mistakes reported at deploy with file, pointer, position and excerpt."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hulian.engine import MetadataError, RecordValidationError
from hulian.formula import FormulaError
from tests.packs import documents, field, label, obj, options, pack_of

RULES = [
    {"api_name": "discount_limit", "condition": "discount > 0.5",
     "message": label("The discount is at most 50%", "折扣不能超过50%"), "error_field": "discount"},
    {"api_name": "no_price_rise", "condition": "!ISNEW() && unit_price > PRIORVALUE(unit_price)",
     "message": label("The price may not rise"), "error_field": "unit_price"},
    {"api_name": "closed_needs_customer",
     "condition": "ISPICKVAL(status, 'closed') && ISBLANK(customer)",
     "message": label("A closed line needs a customer")},
]


def _docs():
    return documents(
        obj("Customer", field("name", "text"), field("tier", "text"),
            field("credit", "currency", scale=2)),
        obj("Line",
            field("name", "text"),
            field("customer", "lookup", target="Customer"),
            field("quantity", "number", precision=12, scale=3),
            field("unit_price", "currency", scale=2),
            field("discount", "number", precision=5, scale=4),
            field("status", "picklist", options=options("open", "closed"), default="open"),
            field("amount", "currency", scale=2,
                  formula="quantity * unit_price * (1 - discount)"),
            field("amount_or_zero", "currency", scale=2, blank_as="zero",
                  formula="quantity * unit_price"),
            field("big", "boolean", formula="amount >= 1000"),
            field("customer_tier", "text", formula="customer.tier & '/' & name"),
            field("headroom", "currency", scale=2, formula="customer.credit - amount"),
            field("label_text", "text", default_formula="'line of ' & name"),
            validation_rules=RULES))


@pytest.fixture
def lines(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(_docs()))
    return engine, tenant


def test_formula_fields_are_computed_on_read(lines):
    engine, tenant = lines
    with engine.session(tenant) as s:
        customer = s.create("Customer", {"name": "Acme", "tier": "gold", "credit": "5000"})
        line = s.create("Line", {"name": "L1", "customer": customer["id"], "quantity": "3",
                                 "unit_price": "400.10", "discount": "0.1"})
        assert line["amount"] == Decimal("1080.27")
        assert line["big"] is True
        assert line["customer_tier"] == "gold/L1"
        assert line["headroom"] == Decimal("3919.73")
        assert line["label_text"] == "line of L1"
        s.update("Customer", customer["id"], {"tier": "platinum"})
        assert s.get("Line", line["id"])["customer_tier"] == "platinum/L1"


def test_blank_as_blank_and_blank_as_zero(lines):
    engine, tenant = lines
    with engine.session(tenant) as s:
        line = s.create("Line", {"name": "L2", "unit_price": "10"})
        assert line["amount"] is None
        assert line["amount_or_zero"] == Decimal("0.00")
        assert line["big"] is None
        assert line["customer_tier"] == "/L2"


def test_formula_fields_cannot_be_written(lines):
    engine, tenant = lines
    with engine.session(tenant) as s, pytest.raises(RecordValidationError) as refused:
        s.create("Line", {"name": "L", "amount": 5})
    assert [(e.field, e.code) for e in refused.value.errors] == [("amount", "read_only")]


def test_lists_filter_and_sort_on_formula_fields(lines):
    engine, tenant = lines
    with engine.session(tenant) as s:
        for i, (qty, price) in enumerate([(1, 100), (5, 300), (2, 900), (10, 11), (3, None)]):
            s.create("Line", {"name": f"L{i}", "quantity": qty, "unit_price": price,
                              "discount": 0})
        big = s.query("Line", where={"amount": {"ge": 1000}}, order_by=["-amount"])
        assert [r["name"] for r in big] == ["L2", "L1"]
        ordered = s.query("Line", order_by=["amount"], limit=2)
        names = [r["name"] for r in ordered]
        while ordered.next:
            ordered = s.query("Line", order_by=["amount"], limit=2, after=ordered.next)
            names += [r["name"] for r in ordered]
        assert names == ["L0", "L3", "L1", "L2", "L4"]  # blank last
        assert s.count("Line", filter="amount > 105 && amount < 1700") == 2
        assert [r["name"] for r in s.query("Line", filter="big", order_by=["name"])] \
            == ["L1", "L2"]


def test_formula_filter_mistakes_are_formula_errors(lines):
    engine, tenant = lines
    with engine.session(tenant) as s:
        with pytest.raises(FormulaError) as wrong:
            s.query("Line", filter="amount > 'x'")
        assert wrong.value.code == "formula.type"
        with pytest.raises(FormulaError) as unknown:
            s.query("Line", filter="amont > 1")
        assert unknown.value.code == "formula.unknown_field"
        assert "amount" in (unknown.value.hint or "")


def test_sql_looking_filter_values_stay_values(lines):
    engine, tenant = lines
    with engine.session(tenant) as s:
        s.create("Line", {"name": "x'); DROP TABLE line; --"})
        found = s.query("Line", filter="name = \"x'); DROP TABLE line; --\"")
        assert [r["name"] for r in found] == ["x'); DROP TABLE line; --"]
        assert s.count("Line") == 1


def test_validation_rules_report_every_failure_with_other_errors(lines):
    engine, tenant = lines
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as refused:
            s.create("Line", {"name": "L", "discount": "0.6", "status": "closed",
                              "quantity": "abc"})
        got = {(e.field, e.code, e.message) for e in refused.value.errors}
        assert got == {("discount", "validation_rule", "The discount is at most 50%"),
                       (None, "validation_rule", "A closed line needs a customer"),
                       ("quantity", "invalid_number", "'abc' is not a number")}
        assert s.count("Line") == 0


def test_rules_see_the_prior_values_on_update(lines):
    engine, tenant = lines
    with engine.session(tenant) as s:
        line = s.create("Line", {"name": "L", "unit_price": "10"})
        s.update("Line", line["id"], {"unit_price": "9"})
        with pytest.raises(RecordValidationError) as refused:
            s.update("Line", line["id"], {"unit_price": "11"})
        assert [(e.field, e.code) for e in refused.value.errors] == \
            [("unit_price", "validation_rule")]
        assert s.get("Line", line["id"])["unit_price"] == Decimal("9.00")


def test_formula_mistakes_fail_the_deploy_with_positions(engine, tenant):
    docs = _docs()
    fields = docs["objects/Line.json"]["fields"]
    fields[6]["formula"] = "quantity * 'x'"
    fields[9]["formula"] = "custmer.tier"
    docs["objects/Line.json"]["validation_rules"][0]["condition"] = "discount"
    with pytest.raises(MetadataError) as refused:
        engine.metadata(tenant).deploy(pack_of(docs))
    found = {(p.code, p.pointer): p for p in refused.value.problems}
    assert set(found) == {("formula.type", "/fields/6/formula"),
                          ("formula.unknown_field", "/fields/9/formula"),
                          ("formula.result_type", "/validation_rules/0/condition")}
    problem = found[("formula.type", "/fields/6/formula")]
    assert problem.file == "objects/Line.json"
    assert problem.message.startswith("1:")
    assert problem.excerpt.splitlines()[0] == "quantity * 'x'"
    assert "^" in problem.excerpt
    assert tenant not in engine.tenants()


def test_formula_cycles_are_named(engine, tenant):
    docs = documents(obj("Thing", field("name", "text"),
                         field("a", "number", formula="b + 1"),
                         field("b", "number", formula="a + 1")))
    with pytest.raises(MetadataError) as refused:
        engine.metadata(tenant).deploy(pack_of(docs))
    cycle = [p for p in refused.value.problems if p.code == "formula.cycle"]
    assert len(cycle) == 1 and "Thing.a -> Thing.b -> Thing.a" in cycle[0].message


def test_percent_fields_read_as_fractions_as_in_salesforce(engine, tenant):
    docs = documents(obj(
        "Deal", field("name", "text"), field("amount", "currency", scale=2),
        field("probability", "percent", scale=2),
        field("expected", "currency", scale=2, formula="amount * probability"),
        field("doubled", "percent", scale=2, formula="probability * 2"),
        field("likely", "boolean", formula="probability >= 0.5"),
        field("start", "percent", scale=2, default_formula="0.1"),
        validation_rules=[{"api_name": "at_most_all", "condition": "probability > 1",
                           "message": label("At most 100%"), "error_field": "probability"}]))
    engine.metadata(tenant).deploy(pack_of(docs))
    with engine.session(tenant) as s:
        deal = s.create("Deal", {"name": "D", "amount": "1000", "probability": "12.5"})
        assert deal["expected"] == Decimal("125.00")
        assert deal["doubled"] == Decimal("25.00")
        assert deal["likely"] is False
        assert deal["start"] == Decimal("10.00")
        with pytest.raises(RecordValidationError):
            s.create("Deal", {"name": "E", "probability": "150"})
        s.create("Deal", {"name": "F", "amount": "10", "probability": "60"})
        assert [r["name"] for r in s.query("Deal", where={"doubled": {"gt": 100}})] == ["F"]
        assert [r["name"] for r in s.query("Deal", filter="likely")] == ["F"]
        page = s.query("Deal", order_by=["doubled"], limit=1)
        assert [r["name"] for r in s.query("Deal", order_by=["doubled"], after=page.next)] == ["F"]


def test_rules_see_formula_fields_that_read_related_records(engine, tenant):
    """``headroom`` (a formula field) reads the customer's credit through the lookup: the
    rule sees it computed with that value, not with a blank one."""
    docs = _docs()
    docs["objects/Line.json"]["validation_rules"] = [
        {"api_name": "within_credit", "condition": "headroom < 0",
         "message": label("Over the customer's credit"), "error_field": "unit_price"}]
    engine.metadata(tenant).deploy(pack_of(docs))
    with engine.session(tenant) as s:
        customer = s.create("Customer", {"name": "Acme", "credit": "100"})
        s.create("Line", {"name": "ok", "customer": customer["id"], "quantity": "1",
                          "unit_price": "90", "discount": "0"})
        with pytest.raises(RecordValidationError) as refused:
            s.create("Line", {"name": "too much", "customer": customer["id"],
                              "quantity": "1", "unit_price": "400", "discount": "0"})
    assert [(e.field, e.message) for e in refused.value.errors] == \
        [("unit_price", "Over the customer's credit")]
