"""Filters on derived fields with operands of the wrong kind, and on quoted multi-picklists:
a 400 the caller can act on, never a crash; on both databases."""

from __future__ import annotations

import pytest

from hulian.engine import QueryError
from tests.packs import documents, field, obj, options, pack_of

PRODUCT = obj("Product", field("name", "text"),
              field("tags", "multi_picklist", options=options("new", "sale", "eco")))
LINE = obj("Line", field("name", "text"),
           field("product", "lookup", target="Product", relationship_name="lines"),
           {**field("tags", "multi_picklist", options=options("new", "sale", "eco")),
            "quote": "product.tags"},
           {**field("shout", "text"), "formula": "UPPER(name)"})


@pytest.fixture
def shop(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(documents(PRODUCT, LINE)))
    with engine.session(tenant) as s:
        eco = s.create("Product", {"name": "Tea", "tags": ["eco", "new"]})["id"]
        plain = s.create("Product", {"name": "Cup", "tags": ["sale"]})["id"]
        s.create_many("Line", [{"name": "a", "product": eco}, {"name": "b", "product": plain},
                               {"name": "c"}])
    return engine, tenant


def _names(engine, tenant, where):
    with engine.session(tenant) as s:
        return sorted(r["name"] for r in s.query("Line", where).records)


def test_a_quoted_multi_picklist_filters_like_the_field_it_quotes(shop):
    engine, tenant = shop
    assert _names(engine, tenant, {"tags": {"contains": "eco"}}) == ["a"]
    assert _names(engine, tenant, {"tags": {"eq": ["sale"]}}) == ["b"]
    assert _names(engine, tenant, {"tags": {"is_null": True}}) == ["c"]
    assert _names(engine, tenant, {"tags": {"ne": ["sale"]}}) == ["a", "c"]


def test_a_quoted_multi_picklist_refuses_an_unknown_option(shop):
    engine, tenant = shop
    with pytest.raises(QueryError) as exc:
        _names(engine, tenant, {"tags": {"contains": "ecco"}})
    assert exc.value.code == "invalid_filter_value"


@pytest.mark.parametrize("operand", [True, None, ["x"], {"a": 1}])
def test_contains_on_a_formula_field_with_a_non_text_operand_is_a_query_error(shop, operand):
    engine, tenant = shop
    with pytest.raises(QueryError) as exc:
        _names(engine, tenant, {"shout": {"contains": operand}})
    assert (exc.value.code, exc.value.field) == ("invalid_filter_value", "shout")
    assert _names(engine, tenant, {"shout": {"starts_with": "B"}}) == ["b"]
