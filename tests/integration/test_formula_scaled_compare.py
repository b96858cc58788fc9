"""Comparisons of a stored decimal field with a number literal in formula filters: on
SQLite they compare the scaled integer column directly when the literal fits the field's
scale (formula/sql.py ``_scaled_comparison``), with exactly the answers of the exact decimal
comparison, blanks included; on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hulian.engine.formulas.select import base_select
from hulian.engine.records.filters import formula_condition
from tests.packs import field, obj, pack

ITEMS = {  # name: (amount, pct, qty)
    "a": (Decimal("1000.00"), Decimal("12.50"), Decimal("3")),
    "b": (Decimal("10.01"), Decimal("0.00"), Decimal("2")),
    "c": (Decimal("-7.50"), Decimal("99.99"), Decimal("0")),
    "d": (None, None, None),
    "e": (Decimal("10.00"), Decimal("12.34"), Decimal("-1")),
}
CASES = {
    "amount >= 1000": {"a"},
    "1000 <= amount": {"a"},
    "amount > 10.005": {"a", "b"},
    "amount < 10.005": {"c", "e"},
    "amount = 10.01": {"b"},
    "amount != 10.01": {"a", "c", "e"},
    "!(amount = 10.01)": {"a", "c", "e"},
    "amount = 10.015": set(),
    "!(amount = 10.015)": {"a", "b", "c", "e"},
    "amount < -5": {"c"},
    "-5 > amount": {"c"},
    "pct > 0.125": {"c"},
    "pct >= 0.125": {"a", "c"},
    "pct = 0.1234": {"e"},
    "pct < 0.12345": {"b", "e"},
    "qty = 3": {"a"},
    "qty > 2.5": {"a"},
    "qty <= 0": {"c", "e"},
    "amount > 5 && qty > 1": {"a", "b"},
    "ISBLANK(amount) || amount < 0": {"c", "d"},
}


@pytest.fixture
def items(engine, tenant):
    engine.metadata(tenant).deploy(pack(obj(
        "Item", field("name", "text"), field("amount", "currency", precision=18, scale=2),
        field("pct", "percent", precision=5, scale=2),
        field("qty", "number", precision=9, scale=0))))
    with engine.session(tenant) as s:
        s.create_many("Item", [{"name": name, "amount": a, "pct": p, "qty": q}
                               for name, (a, p, q) in ITEMS.items()])
    return engine, tenant


@pytest.mark.parametrize("formula", sorted(CASES))
def test_a_comparison_lists_what_exact_decimals_say(items, formula):
    engine, tenant = items
    with engine.session(tenant) as s:
        assert {r["name"] for r in s.query("Item", filter=formula)} == CASES[formula]
        assert s.count("Item", filter=f"NOT({formula})") == \
            len(ITEMS) - 1 - len(CASES[formula]) + (formula.startswith("ISBLANK"))


def test_sqlite_compares_the_column_itself_when_the_literal_fits(items):
    engine, tenant = items
    with engine.session(tenant) as s:
        obj_ = s.schema.object("Item")
        sql = {text: str(formula_condition(base_select(s.schema, obj_), text))
               for text in ("amount >= 1000", "pct > 0.125", "amount > 10.005")}
    if engine.dialect != "sqlite":
        return
    assert "hl_cmp" not in sql["amount >= 1000"] and "hl_dec" not in sql["amount >= 1000"]
    assert "hl_cmp" not in sql["pct > 0.125"]
    assert "hl_cmp" in sql["amount > 10.005"]  # 1000.5 cents: the exact comparison
