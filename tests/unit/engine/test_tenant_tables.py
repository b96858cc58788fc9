"""The tables of a tenant's own system rows: named beside its object tables, built once
per (dialect, tenant) and shared between threads."""

from __future__ import annotations

import threading

from hulian.engine.system import tenant_tables as module
from hulian.engine.system.tenant_tables import tenant_tables

NAMES = {"record_teams": "hulian_record_teams", "user_roles": "hulian_user_roles",
         "enterprise_permissions": "hulian_enterprise_permissions",
         "sequences": "hulian_sequences", "personal_scenes": "hulian_personal_scenes",
         "recycle_bin": "hulian_recycle_bin", "activities": "hulian_activities"}


def test_postgresql_tables_live_in_the_tenants_schema():
    tables = tenant_tables("postgresql", "acme")
    for attribute, name in NAMES.items():
        table = getattr(tables, attribute)
        assert (table.schema, table.name) == ("t_acme", name)
    assert "tenant" not in tables.record_teams.c
    assert [i.name for i in tables.record_teams.indexes] == ["ix_hulian_record_teams_member"]


def test_sqlite_tables_carry_the_tenants_prefix():
    tables = tenant_tables("sqlite", "acme")
    for attribute, name in NAMES.items():
        table = getattr(tables, attribute)
        assert (table.schema, table.name) == (None, f"acme__{name}")
    # SQLite index names are global to the file: the prefix keeps them apart too
    assert [i.name for i in tables.record_teams.indexes] == \
        ["ix_acme__hulian_record_teams_member"]


def test_built_once_per_dialect_and_tenant():
    assert tenant_tables("sqlite", "acme") is tenant_tables("sqlite", "acme")
    assert tenant_tables("sqlite", "acme") is not tenant_tables("postgresql", "acme")
    assert tenant_tables("sqlite", "acme") is not tenant_tables("sqlite", "beta")


def test_threads_asking_at_once_get_the_same_tables():
    start = threading.Barrier(8)
    found = []

    def ask() -> None:
        start.wait()
        found.append(tenant_tables("postgresql", "raced"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and all(t is found[0] for t in found)


def test_only_the_tenants_used_last_are_kept(monkeypatch):
    monkeypatch.setattr(module, "KEPT", 3)
    first = tenant_tables("sqlite", "kept_a")
    evicted = tenant_tables("sqlite", "kept_b")
    for name in ("kept_c", "kept_a", "kept_d", "kept_e"):
        tenant_tables("sqlite", name)
    assert list(module._built) == [("sqlite", "kept_a"), ("sqlite", "kept_d"),
                                   ("sqlite", "kept_e")]
    assert tenant_tables("sqlite", "kept_a") is first       # used again: kept
    rebuilt = tenant_tables("sqlite", "kept_b")
    assert rebuilt is not evicted and rebuilt.sequences.name == evicted.sequences.name
