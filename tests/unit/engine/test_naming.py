"""Tenant names, table names and short constraint names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hulian.engine import HulianError
from hulian.engine.deploy.catalog import archive_table
from hulian.engine.schema.naming import (
    PG_MAX_IDENTIFIER,
    SYSTEM_TABLE_PREFIX,
    TENANT_RE,
    check_tenant_name,
    short_name,
    system_table_name,
    table_name,
    tenant_schema,
)
from hulian.metadata.names import MAX_LENGTH, PATTERNS


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


def test_a_tenants_system_tables_sit_beside_its_object_tables():
    assert system_table_name("postgresql", "acme", "hulian_sequences") == "hulian_sequences"
    assert tenant_schema("postgresql", "acme") == "t_acme"
    assert system_table_name("sqlite", "acme", "hulian_sequences") == "acme__hulian_sequences"
    with pytest.raises(ValueError):
        system_table_name("sqlite", "acme", "account")


OBJECT_NAMES = st.from_regex(PATTERNS["object"], fullmatch=True).filter(
    lambda n: len(n) <= MAX_LENGTH["object"])
TENANTS = st.from_regex(TENANT_RE, fullmatch=True).filter(lambda n: len(n) <= 30)
ITEM_IDS = st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=26, max_size=26)


@given(TENANTS, OBJECT_NAMES, ITEM_IDS)
def test_no_object_or_archive_table_is_named_like_a_system_table(tenant, name, item_id):
    for dialect in ("postgresql", "sqlite"):
        own = table_name(dialect, tenant, "x").removesuffix("x")   # "" or "<tenant>__"
        for table in (table_name(dialect, tenant, name), archive_table(dialect, tenant, item_id)):
            assert not table.removeprefix(own).startswith(SYSTEM_TABLE_PREFIX)
