"""A tenant moves as a unit (PostgreSQL): what its record queries, team changes, role
grants, enterprise overrides, auto-numbers and personal scenes touch lives in its schema
``t_<tenant>``, apart from the global tables that have not moved yet (docs/scaling.md).

The paths run as a database role that may use the tenant's schema and only the global
tables listed in :data:`STILL_GLOBAL`: a table of the tenant's that moved back to
``public`` (or a new global table on these paths) fails with "permission denied".
"""

from __future__ import annotations

import itertools
import os

import pytest
import sqlalchemy as sa

from hulian.engine import Engine
from hulian.engine.system.tenant_tables import tenant_tables
from tests.integration.tenant_world import build, editable, visible

STILL_GLOBAL = ("hulian_tenants", "hulian_users", "hulian_departments", "hulian_enterprises",
                "hulian_metadata_versions", "hulian_schema_items")
"""The global tables a tenant's paths still read or write (to move later; docs/scaling.md)."""
INSTALLATION = ("hulian_settings",)
"""Settings of the whole installation, read (not written) once per process: the key that
signs session cookies and page cursors. Under Citus a reference table."""
_numbers = itertools.count(1)


@pytest.fixture
def confined(pg_url):
    """(an engine confined to the tenant, tenant) over a tenant built as tenant_world's."""
    tenant = f"unit{os.getpid()}_{next(_numbers)}"
    role = f"hulian_{tenant}"
    owner = Engine(pg_url)
    build(owner, tenant, tickets=2)
    with owner.db.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'unit'")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA t_{tenant} TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                             f"t_{tenant} TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON "
                             f"{', '.join(STILL_GLOBAL)} TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT ON {', '.join(INSTALLATION)} TO {role}")
    url = sa.make_url(pg_url).set(username=role, password="unit")
    inside = Engine(url.render_as_string(hide_password=False), migrate=False)
    yield inside, tenant
    inside.close()
    with owner.db.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}")
        conn.exec_driver_sql(f"DROP ROLE {role}")
    owner.close()


def test_the_tenants_own_tables_are_in_its_schema():
    tables = tenant_tables("postgresql", "acme")
    assert {t.schema for t in tables.metadata.tables.values()} == {"t_acme"}


def test_records_teams_roles_overrides_and_numbers_need_only_the_tenants_schema(confined):
    inside, tenant = confined
    with inside.session(tenant, "seller") as s:                      # auto-number
        made = s.create("Ticket", {"subject": "third"})
        assert made["number"] == "T-0004"
        s.share("Ticket", made["id"], "peer", access="edit")        # team change
    assert visible(inside, tenant, "peer") == {"T-0001", "T-0004"}  # record query
    assert editable(inside, tenant, "peer", made["id"])
    with inside.session(tenant, "seller") as s:
        s.unshare("Ticket", made["id"], "peer")
    assert visible(inside, tenant, "peer") == {"T-0001"}
    assert inside.people(tenant).grant_roles("newbie", ["auditor"]) == ["auditor", "member"]
    assert visible(inside, tenant, "newbie") == {"T-0001", "T-0002", "T-0003", "T-0004"}
    inside.people(tenant).set_enterprise_permission("Dealer", "Ticket", None)  # override
    assert visible(inside, tenant, "buyer2") == set()
    with inside.session(tenant, "seller") as s:                      # personal scenes
        assert [r["number"] for r in s.query("Ticket", scene="first")] == ["T-0001"]
        s.save_scene("Ticket", "second", label="Second", filter="number = 'T-0002'")
        assert [x["count"] for x in s.scenes("Ticket", counts=True)[-2:]] == [1, 1]
        s.delete_scene("Ticket", "first")


def test_a_table_outside_the_schema_is_refused(confined):
    """The confinement is real: the role cannot read a global table it was not given."""
    inside, _ = confined
    with inside.db.connect() as conn, pytest.raises(sa.exc.ProgrammingError,
                                                    match="permission denied"):
        conn.exec_driver_sql("SELECT count(*) FROM hulian_tokens")
