"""A tenant moves as a unit (PostgreSQL): what its record queries, people, arrivals and
deploys touch lives in its schema ``t_<tenant>``, apart from the tenant directory and the
token and login tables (docs/scaling.md).

The paths run as a database role that may use the tenant's schema and only the global
tables listed in :data:`GLOBAL`: a table of the tenant's that moved back to ``public`` (or a
new global table on these paths) fails with "permission denied".
"""

from __future__ import annotations

import itertools
import os

import pytest
import sqlalchemy as sa

from hulian.engine import Engine
from hulian.engine.system.arrival import BearerToken
from hulian.engine.system.tenant_tables import tenant_tables
from tests.integration.tenant_world import DOCS, build, editable, visible
from tests.packs import field, obj, pack_of

GLOBAL = ("hulian_tenants", "hulian_tokens", "hulian_login_sessions", "hulian_login_failures")
"""The global tables a tenant's paths read or write: the tenant directory (its people and
system versions, the row deploys lock) and the credentials, looked up by hash before the
tenant is known."""
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
        conn.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA t_{tenant} TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                             f"t_{tenant} TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON "
                             f"{', '.join(GLOBAL)} TO {role}")
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


def test_people_admin_needs_only_the_tenants_schema(confined):
    inside, tenant = confined
    admin = inside.people(tenant)
    admin.create_department("Sales")
    admin.create_department("East", parent="Sales")
    admin.create_user("li", display_name="Li Lei", department="East", roles=["seller"])
    admin.set_department_leader("Sales", "peer")
    admin.update_user("li", display_name="Li L.")
    admin.update_department("East", name="East China")
    assert [d.name for d in admin.departments()] == ["East China", "Sales"]
    with inside.session(tenant, "li") as s:
        s.create("Ticket", {"subject": "by li"})
    assert "T-0004" in visible(inside, tenant, "peer")         # the leader sees li's ticket
    admin.create_enterprise("Agent", partner_manager="li")
    admin.create_user("agent1", enterprise="Agent", roles=["dealer"])
    assert [u.username for u in admin.users(enterprise="Agent")] == ["agent1"]
    admin.update_enterprise("Agent", active=False)
    assert [e.name for e in admin.enterprises()] == ["Dealer"]
    admin.update_user("newbie", active=False)
    assert "newbie" not in {u.username for u in admin.users()}


def test_the_arrival_and_logins_need_only_the_tenants_schema_and_the_credentials(confined):
    inside, tenant = confined
    admin = inside.people(tenant)
    secret = admin.create_token("seller", label="laptop")
    with inside.request_session(BearerToken(secret), readonly=True) as s:  # two statements
        assert s.user.username == "seller"
        assert [r["number"] for r in s.query(                             # formula hops
            "Ticket", filter="AND(owner.name = 'seller', created_by.username = 'buyer')")] == \
            ["T-0003"]
    admin.set_password("seller", "correct horse battery")
    login = inside.accounts.login(tenant, "seller", "correct horse battery")
    assert inside.accounts.login_session(login.secret).user.username == "seller"
    with pytest.raises(Exception, match="wrong"):
        inside.accounts.login(tenant, "seller", "wrong horse battery")
    inside.accounts.change_password(tenant, "seller", "correct horse battery",
                                    "battery staple horse")
    assert not inside.accounts.logout(login.secret)                      # the change ended it
    assert [t.label for t in inside.accounts.list_tokens(tenant, "seller")] == ["laptop"]


def test_a_deploy_needs_only_the_tenants_schema_and_the_directory(confined):
    inside, tenant = confined
    docs = dict(DOCS)
    docs["objects/Note.json"] = obj("Note", field("body", "text"),
                                    field("owner_user", "lookup", target="User"),
                                    name_field="body")
    report = inside.metadata(tenant).deploy(pack_of(docs))
    assert report.version == 2
    assert [v["version"] for v in inside.metadata(tenant).history()] == [1, 2]
    with inside.session(tenant, "admin") as s:
        peer = next(u.id for u in inside.people(tenant).users() if u.username == "peer")
        made = s.create("Note", {"body": "hello", "owner_user": peer})
        assert s.get("Note", made["id"])["owner_user"] == peer


def test_a_table_outside_the_schema_is_refused(confined):
    """The confinement is real: the role cannot read a global table it was not given."""
    inside, _ = confined
    with inside.db.connect() as conn, pytest.raises(sa.exc.ProgrammingError,
                                                    match="permission denied"):
        conn.exec_driver_sql("SELECT count(*) FROM hulian_alembic_version")
