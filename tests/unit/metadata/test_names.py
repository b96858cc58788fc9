"""hulian.metadata.names: naming rules, keyword lists and proposed fixes."""

from __future__ import annotations

import pytest

from hulian.metadata.names import (
    PATTERNS,
    SQL_KEYWORDS,
    SYSTEM_COLUMNS,
    name_issues,
    suggest_name,
)
from hulian.metadata.schema_check import load_schema


def codes(kind: str, name: str, pack_kind: str | None = None) -> list[str]:
    return [i.code for i in name_issues(kind, name, pack_kind)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "name"), [
    ("field", "amount"), ("field", "unit_price"), ("field", "a1_b2"), ("field", "rating__c"),
    ("object", "SalesOrder"), ("object", "Account2"), ("object", "Review__c"),
    ("pack", "crm"), ("pack", "order_v2"), ("option", "in_progress"), ("option", "2024"),
])
def test_valid_names(kind: str, name: str) -> None:
    assert codes(kind, name) == []


@pytest.mark.parametrize(("kind", "name"), [
    ("field", "Amount"), ("field", "unit__price"), ("field", "price___c"), ("field", "1st"),
    ("field", "_x"), ("field", ""), ("field", "prix_€"), ("object", "salesOrder"),
    ("object", "Sales_Order"), ("object", "Order__C"), ("pack", "Crm"), ("pack", "crm-x"),
    ("option", "Open"), ("option", "_open"),
])
def test_pattern(kind: str, name: str) -> None:
    assert codes(kind, name) == ["name.pattern"]


@pytest.mark.parametrize("name", ['a"b', "a'b", "a`b", "a[b", "a]b", "a;b", "a b", "a\tb"])
def test_quote_characters_have_their_own_code(name: str) -> None:
    assert codes("field", name) == ["name.quote_char"]


def test_too_long() -> None:
    assert codes("field", "a" * 40) == []
    assert codes("field", "a" * 41) == ["name.too_long"]
    assert codes("object", "A" * 41) == ["name.too_long"]
    assert codes("option", "a" * 64) == []
    assert codes("option", "a" * 65) == ["name.too_long"]


@pytest.mark.parametrize("name", [
    "select", "from", "where", "order", "group", "table", "user", "default", "check", "primary",
    "references", "limit", "offset", "and", "or", "not", "null", "true", "false", "case", "when",
    "then", "else", "end", "in", "is", "like", "between", "join", "union", "all", "any", "as",
    "by", "create", "drop", "insert", "update", "delete", "into", "values", "column",
    "constraint", "distinct", "foreign", "grant", "having", "index", "on", "to", "unique",
    "with",
])
def test_sql_keywords(name: str) -> None:
    assert name in SQL_KEYWORDS
    assert codes("field", name) == ["name.sql_keyword"]


def test_keywords_only_apply_to_fields_and_whole_names() -> None:
    assert codes("field", "order_date") == []
    assert codes("field", "order__c") == []
    assert codes("option", "select") == []


@pytest.mark.parametrize("name", [*sorted(SYSTEM_COLUMNS - SQL_KEYWORDS),
                                  "sys_flag", "rowid", "xmin", "ctid"])
def test_reserved_fields(name: str) -> None:
    assert codes("field", name) == ["name.reserved"]


@pytest.mark.parametrize("name", ["User", "Department", "Tenant", "Role", "Token", "Group",
                                  "Team", "App", "Pack", "Metadata", "Audit", "USER"])
def test_reserved_objects(name: str) -> None:
    assert codes("object", name) == ["name.reserved"]


def test_system_names_are_free_as_custom_names() -> None:
    assert codes("object", "User__c", "tenant") == []
    assert codes("field", "owner_id__c", "tenant") == []


def test_custom_suffix() -> None:
    assert codes("field", "rating__c", "preset") == ["name.custom_suffix"]
    assert codes("field", "rating", "tenant") == ["name.custom_suffix"]
    assert codes("object", "Review__c", "preset") == ["name.custom_suffix"]
    assert codes("object", "Review", "tenant") == ["name.custom_suffix"]
    assert codes("field", "rating", None) == []
    assert codes("option", "x__c", "preset") == []


def test_problems_are_not_hidden_behind_each_other() -> None:
    assert codes("field", "Unit Price" + "x" * 40, "tenant") == [
        "name.quote_char", "name.too_long", "name.custom_suffix"]


@pytest.mark.parametrize(("kind", "name", "fixed"), [
    ("field", "Unit Price", "unit_price"), ("field", "UnitPrice", "unit_price"),
    ("field", "unit__price", "unit_price"), ("field", "HTTPStatus", "http_status"),
    ("field", "1st place", "field_1st_place"), ("field", "Rating__c", "rating__c"),
    ("object", "sales order", "SalesOrder"), ("object", "sales_order", "SalesOrder"),
    ("object", "review__c", "Review__c"), ("pack", "My Pack", "my_pack"),
    ("option", "In Progress", "in_progress"), ("field", "a" * 50, "a" * 40),
])
def test_suggest_name(kind: str, name: str, fixed: str) -> None:
    assert suggest_name(kind, name) == fixed  # type: ignore[arg-type]
    assert codes(kind, fixed) == []


def test_no_suggestion_without_latin_letters() -> None:
    assert suggest_name("field", "金额") is None
    [issue] = name_issues("field", "金额")
    assert issue.hint is not None and "unit_price" in issue.hint


def test_the_hint_proposes_the_fix() -> None:
    [issue] = name_issues("field", "Unit Price")
    assert issue.hint is not None and issue.hint.startswith("use 'unit_price'")


@pytest.mark.parametrize(("kind", "schema", "definition"), [
    ("pack", "pack", "packName"), ("object", "object", "objectName"),
    ("field", "object", "fieldName"), ("option", "object", "optionName"),
    ("role", "role", "roleName"), ("app", "app", "appName"), ("action", "object", "actionName"),
])
def test_the_schemas_carry_the_same_patterns(kind: str, schema: str, definition: str) -> None:
    assert load_schema(schema)["$defs"][definition]["pattern"] == PATTERNS[kind]


@pytest.mark.parametrize("name", ["first", "last", "plan", "range", "action", "key", "level",
                                  "status", "type", "name", "date"])
def test_common_words_that_sql_does_not_reserve_are_fine(name: str) -> None:
    assert [i.code for i in name_issues("field", name)] == []
