"""Tenant names, table names and short constraint names."""

from __future__ import annotations

import pytest

from hulian.engine import HulianError
from hulian.engine.schema.naming import (
    PG_MAX_IDENTIFIER,
    check_tenant_name,
    short_name,
    table_name,
    tenant_schema,
)


@pytest.mark.parametrize("name", ["acme", "a", "acme_cn", "t1", "a1_b2_c3", "x" * 30])
def test_valid_tenant_names(name):
    assert check_tenant_name(name) == name


@pytest.mark.parametrize("name", [
    "", "Acme", "1acme", "_acme", "acme_", "a__b", "acme-cn", "acme cn", "acme;drop", "x" * 31,
    "ａｃｍｅ", "acmé", None, 3, "acme\n",
])
def test_invalid_tenant_names(name):
    with pytest.raises(HulianError) as exc:
        check_tenant_name(name)
    assert exc.value.code == "invalid_tenant"
    assert exc.value.hint


def test_tables_per_dialect():
    assert tenant_schema("postgresql", "acme") == "t_acme"
    assert tenant_schema("sqlite", "acme") is None
    assert table_name("postgresql", "acme", "SalesOrder") == "salesorder"
    assert table_name("sqlite", "acme", "SalesOrder") == "acme__salesorder"
    # tenant names cannot hold "__", so prefixes never overlap
    assert table_name("sqlite", "a_b", "C") != table_name("sqlite", "a", "B__c")


def test_short_names_are_kept():
    assert short_name("ix", "account", "owner_id") == "ix_account_owner_id"
    exact = "x" * PG_MAX_IDENTIFIER
    assert short_name(exact) == exact


def test_long_names_are_shortened_stably_and_distinctly():
    long_a = short_name("ux", "t" * 40 + "__salesorderline", "external_reference_number")
    long_b = short_name("ux", "t" * 40 + "__salesorderline", "external_reference_code")
    assert len(long_a) == len(long_b) == PG_MAX_IDENTIFIER
    assert long_a != long_b
    assert long_a == short_name("ux", "t" * 40 + "__salesorderline", "external_reference_number")
    assert long_a.startswith("ux_tttt")
    assert short_name("x" * 64) != short_name("x" * 65)
    assert all(len(short_name("a" * n)) <= PG_MAX_IDENTIFIER for n in range(1, 200))
