"""hulian's system tables: the Alembic revisions and the SQLAlchemy models agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from hulian.engine import Engine
from hulian.engine.system.migrate import VERSION_TABLE, current_revision, head_revision
from hulian.engine.system.tables import metadata
from hulian.runtime.cli import main


def test_autogenerate_finds_no_difference(engine):
    with engine.db.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE,
                                                         "compare_type": True,
                                                         "include_name": _system_name})
        differences = compare_metadata(context, metadata)
    assert [d for d in differences if _is_system(d)] == []


def _system_name(name, type_, parent_names) -> bool:
    """Reflect hulian's own tables only: on SQLite the tenants' object tables share the
    database, and the suite leaves thousands of them behind (reflecting them took 50 s)."""
    return type_ != "table" or (name or "").startswith("hulian_")


def _is_system(difference) -> bool:
    """Object tables of tenants are planned by deploys, not by Alembic: ignore them."""
    text = repr(difference)
    return "hulian_" in text


def test_db_upgrade_brings_a_new_database_to_head(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert "head" in capsys.readouterr().out
    engine = Engine(url, migrate=False)
    try:
        assert current_revision(engine.db) == head_revision()
    finally:
        engine.close()
