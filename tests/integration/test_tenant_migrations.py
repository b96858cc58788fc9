"""Each tenant's own system tables: created with the tenant, equal to the model, and
evolved by the per-tenant migrations, one transaction per tenant, on both databases."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from hulian.engine import Engine
from hulian.engine.schema.naming import system_table_name, tenant_schema
from hulian.engine.system import tenant_migrations
from hulian.engine.system.migrate import upgrade
from hulian.engine.system.people import ensure_tenant, now
from hulian.engine.system.tables import tenants
from hulian.engine.system.tenant_tables import create_tenant_tables, tenant_tables


def _version(db: sa.Engine, tenant: str) -> int:
    with db.connect() as conn:
        return conn.scalar(sa.text("SELECT system_version FROM hulian_tenants "
                                   "WHERE name = :t"), {"t": tenant})


def _differences(db: sa.Engine, tenant: str) -> list:
    """What Alembic's autogenerate finds between the tenant's tables and the model."""
    dialect = db.dialect.name
    schema = tenant_schema(dialect, tenant)
    prefix = system_table_name(dialect, tenant, "hulian_")

    def mine(name, type_, parent_names) -> bool:
        if type_ == "schema":
            return name == schema
        return type_ != "table" or (name or "").startswith(prefix)

    with db.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_schemas": schema is not None,
            "include_name": mine})
        return compare_metadata(context, tenant_tables(dialect, tenant).metadata)


def test_a_new_tenant_has_exactly_the_models_tables_at_the_newest_version(engine, tenant):
    with engine.db.begin() as conn:
        ensure_tenant(conn, tenant)
    assert _version(engine.db, tenant) == tenant_migrations.LATEST
    assert _differences(engine.db, tenant) == []


def test_the_model_check_sees_a_table_that_differs(engine, tenant):
    with engine.db.begin() as conn:
        ensure_tenant(conn, tenant)
        table = tenant_tables(engine.dialect, tenant).user_roles
        conn.execute(sa.schema.DropTable(table))
    assert [d[0] for d in _differences(engine.db, tenant)] == ["add_table"]


def _probe(calls: list[str], fail_for: set[str]):
    """A next per-tenant migration: adds ``hulian_probe``; raises for ``fail_for`` after."""
    def add_probe(conn: sa.Connection, tenant: str) -> None:
        dialect = conn.dialect.name
        sa.Table(system_table_name(dialect, tenant, "hulian_probe"), sa.MetaData(),
                 sa.Column("id", sa.Integer, primary_key=True),
                 schema=tenant_schema(dialect, tenant)).create(conn)
        calls.append(tenant)
        if tenant in fail_for:
            raise RuntimeError(f"probe refused {tenant}")
    return add_probe


def _has_probe(db: sa.Engine, tenant: str) -> bool:
    dialect = db.dialect.name
    return sa.inspect(db).has_table(system_table_name(dialect, tenant, "hulian_probe"),
                                    schema=tenant_schema(dialect, tenant))


@pytest.fixture
def three_tenants(fresh_db_url):
    """A database of its own with the tenants a, b and c at the newest version."""
    engine = Engine(fresh_db_url)
    with engine.db.begin() as conn:
        for name in ("a", "b", "c"):
            ensure_tenant(conn, name)
    yield engine
    engine.close()


def _next_migration(monkeypatch, migration) -> int:
    monkeypatch.setattr(tenant_migrations, "MIGRATIONS",
                        (*tenant_migrations.MIGRATIONS, migration))
    monkeypatch.setattr(tenant_migrations, "LATEST", tenant_migrations.LATEST + 1)
    return tenant_migrations.LATEST


def test_upgrade_migrates_each_tenant_in_its_own_transaction(three_tenants, monkeypatch):
    db = three_tenants.db
    calls: list[str] = []
    fail_for = {"b"}
    newest = _next_migration(monkeypatch, _probe(calls, fail_for))
    with pytest.raises(RuntimeError, match="probe refused b"):
        upgrade(db)
    assert [(_version(db, t), _has_probe(db, t)) for t in "abc"] == [
        (newest, True), (newest - 1, False), (newest - 1, False)]   # b rolled back, c not run
    fail_for.clear()
    assert upgrade(db) == ["b", "c"]
    assert [(_version(db, t), _has_probe(db, t)) for t in "abc"] == [(newest, True)] * 3
    assert upgrade(db) == []
    assert calls == ["a", "b", "b", "c"]


def test_a_new_tenant_is_made_from_the_model_at_the_newest_version(three_tenants,
                                                                     monkeypatch):
    """A new tenant's tables come from the model in one go, not from the migrations: it
    stands at the newest version and a later migration is never run for it."""
    calls: list[str] = []
    newest = _next_migration(monkeypatch, _probe(calls, set()))
    with three_tenants.db.begin() as conn:
        ensure_tenant(conn, "d")
    assert _version(three_tenants.db, "d") == newest
    assert calls == []
    assert upgrade(three_tenants.db) == ["a", "b", "c"]
    assert calls == ["a", "b", "c"]


def _shape(db: sa.Engine, tenant: str) -> dict[str, object]:
    """Every table of ``tenant`` (its name without the tenant) with its columns (name,
    type, nullability, default), primary key, indexes, unique, foreign-key and check
    constraints, and its rows; the tenant's name in any of them written ``<tenant>``."""
    dialect = db.dialect.name
    schema = tenant_schema(dialect, tenant)
    prefix = system_table_name(dialect, tenant, "hulian_")

    def named(value: object) -> object:
        return str(value).replace(tenant, "<tenant>") if value is not None else None

    def constraints(found: list[dict]) -> list[tuple]:
        return sorted((named(c.get("name")), repr({k: v for k, v in c.items()
                                                   if k not in ("name", "dialect_options")}))
                      for c in found)

    shape: dict[str, object] = {}
    with db.connect() as conn:
        inspector = sa.inspect(conn)
        for name in sorted(inspector.get_table_names(schema=schema)):
            if not name.startswith(prefix):
                continue
            columns = inspector.get_columns(name, schema=schema)
            pk = inspector.get_pk_constraint(name, schema=schema)
            rows = conn.execute(sa.select(sa.table(name, *(sa.column(c["name"])
                                                          for c in columns), schema=schema)))
            shape[named(name)] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], named(c["default"]))
                            for c in columns],
                "primary_key": (named(pk.get("name")), pk["constrained_columns"]),
                "indexes": sorted((named(i["name"]), i["column_names"], i["unique"])
                                  for i in inspector.get_indexes(name, schema=schema)),
                "unique": constraints(inspector.get_unique_constraints(name, schema=schema)),
                "foreign_keys": constraints(inspector.get_foreign_keys(name, schema=schema)),
                "checks": constraints(inspector.get_check_constraints(name, schema=schema)),
                "rows": sorted(tuple(map(repr, row)) for row in rows),
            }
    return shape


def test_a_tenant_made_from_the_model_equals_one_migrated_from_version_0(engine, tenant):
    """The two ways a tenant's tables come to be cannot drift apart: a tenant made from the
    model (every new tenant) and one that ran every migration from version 0 (every tenant
    of an installation older than a migration) have the same tables, columns, types,
    nullability, keys, indexes and constraints, and the same seeded rows."""
    made, migrated = f"{tenant}_made", f"{tenant}_run"
    with engine.db.begin() as conn:
        for name in (made, migrated):
            conn.execute(tenants.insert().values(name=name, created_at=now()))
        create_tenant_tables(conn, made)
        assert tenant_migrations.bring_up_to_date(conn, migrated) == tenant_migrations.LATEST
    assert _version(engine.db, made) == _version(engine.db, migrated) == tenant_migrations.LATEST
    shape = _shape(engine.db, made)
    assert len(shape) == len(tenant_tables(engine.dialect, made).metadata.tables)
    assert shape == _shape(engine.db, migrated)
    assert _differences(engine.db, made) == []


def test_outbox_values_are_lz4_compressed_on_postgresql_made_or_migrated(engine, tenant):
    """A pack of a bulk write's creates is a long text: PostgreSQL compresses it with lz4,
    in a new tenant and in one that ran version 9, not with the slower default."""
    if engine.dialect != "postgresql":
        pytest.skip("column compression is PostgreSQL's")
    made, migrated = f"{tenant}_lz_made", f"{tenant}_lz_run"
    with engine.db.begin() as conn:
        for name in (made, migrated):
            conn.execute(tenants.insert().values(name=name, created_at=now()))
        create_tenant_tables(conn, made)
        tenant_migrations.bring_up_to_date(conn, migrated)
        for name in (made, migrated):
            table = tenant_tables("postgresql", name).changes
            found = conn.execute(sa.text(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid = CAST(:t AS regclass) AND attname IN ('before', 'after')"),
                {"t": f'"{table.schema}"."{table.name}"'}).all()
            assert sorted(found) == [("after", "l"), ("before", "l")]


def test_two_processes_upgrading_at_once_run_each_migration_once(three_tenants, monkeypatch):
    calls: list[str] = []
    _next_migration(monkeypatch, _probe(calls, set()))
    others = [Engine(three_tenants.url, migrate=False) for _ in range(2)]
    start = threading.Barrier(2)
    migrated: list[list[str]] = []

    def run(engine: Engine) -> None:
        start.wait()
        migrated.append(upgrade(engine.db))

    threads = [threading.Thread(target=run, args=(e,)) for e in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in others:
        engine.close()
    assert sorted(calls) == ["a", "b", "c"]
    assert sorted(t for done in migrated for t in done) == ["a", "b", "c"]


def test_a_tenant_from_before_personal_scenes_gets_their_table(three_tenants):
    """Versions 2, 3, 4, 7 and 8 add ``hulian_personal_scenes``, the outbox
    ``hulian_changes``, the recycle bin and activities, webhooks and their deliveries, and
    scheduled actions to tenants that stand at version 1 (5 and 6 find the notification,
    approval, people and metadata tables there already, and 9 the outbox's ``span``)."""
    db = three_tenants.db
    tables = tenant_tables(db.dialect.name, "b")
    with db.begin() as conn:
        for table in (tables.personal_scenes, tables.changes, tables.recycle_bin,
                      tables.activities, tables.webhooks, tables.webhook_deliveries,
                      tables.scheduled_actions):
            conn.execute(sa.schema.DropTable(table))
        conn.execute(sa.text("UPDATE hulian_tenants SET system_version = 1 WHERE name = 'b'"))
    assert sorted(d[0] for d in _differences(db, "b")) == ["add_index"] * 9 + ["add_table"] * 7
    assert upgrade(db) == ["b"]
    assert _version(db, "b") == tenant_migrations.LATEST == 9
    assert _differences(db, "b") == []
    assert upgrade(db) == []


def test_the_people_and_metadata_migration_runs_again_without_harm(three_tenants):
    """Version 6 (the people and the deployed metadata, moved by Alembic revision 0009,
    which runs it before the per-tenant migrations come to it) makes only what is missing
    and keeps every row."""
    db = three_tenants.db
    tables = tenant_tables(db.dialect.name, "b")
    with db.connect() as conn:
        before = conn.execute(sa.select(tables.users).order_by(tables.users.c.id)).all()
    assert [u.username for u in before] == ["admin"]
    with db.begin() as conn:
        conn.execute(sa.schema.DropTable(tables.schema_items))
        conn.execute(sa.text("UPDATE hulian_tenants SET system_version = 5 WHERE name = 'b'"))
    assert [d[0] for d in _differences(db, "b")] == ["add_table"]
    assert upgrade(db) == ["b"]
    assert _differences(db, "b") == []
    with db.connect() as conn:
        assert conn.execute(sa.select(tables.users).order_by(tables.users.c.id)).all() == before
