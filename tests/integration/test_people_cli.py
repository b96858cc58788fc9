"""``hulian enterprise``, ``hulian user create|list|roles`` and ``hulian role list``, run
in-process on both databases: what a person reads, exit codes, no tracebacks."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_cli import run
from tests.integration.test_rest_people import DOCS
from tests.packs import pack_of


@pytest.fixture
def world(engine, tenant):
    engine.deploy(pack_of(DOCS), tenant)
    engine.create_user(tenant, "pm")
    return engine, tenant


def hulian(capsys, world, *argv):
    engine, tenant = world
    code, out, err = run(capsys, *argv, "--db", engine.url, "--tenant", tenant)
    assert "Traceback" not in out + err
    return code, out, err


def test_enterprises_are_created_listed_and_given_permissions(capsys, world):
    engine, tenant = world
    code, out, _ = hulian(capsys, world, "enterprise", "create", "Dealer A",
                          "--partner-manager", "pm")
    assert code == 0 and out.startswith("created enterprise Dealer A (") and tenant in out
    (dealer,) = engine.enterprises(tenant)
    code, out, _ = hulian(capsys, world, "enterprise", "permission", "Dealer A", "Order",
                          "private")
    assert code == 0 and "Order is private" in out
    assert engine.enterprise_permissions(tenant, "Dealer A") == {"Order": "private"}
    code, out, _ = hulian(capsys, world, "enterprise", "list")
    assert code == 0
    assert out.splitlines() == [f"Dealer A  {dealer.id}  partner manager: pm",
                                "    Order: private"]
    code, out, _ = hulian(capsys, world, "enterprise", "list", "--format", "json")
    assert json.loads(out)["enterprises"] == [
        {"id": dealer.id, "name": "Dealer A", "partner_manager_id": dealer.partner_manager_id,
         "partner_manager": "pm", "permissions": {"Order": "private"}}]
    code, out, _ = hulian(capsys, world, "enterprise", "permission", dealer.id, "Order",
                          "--clear")
    assert code == 0 and "follows the object's own" in out
    assert engine.enterprise_permissions(tenant, "Dealer A") == {}


@pytest.mark.parametrize(("argv", "code_text"), [
    (("enterprise", "create", "Dealer X", "--partner-manager", "nobody"),
     "invalid_partner_manager"),
    (("enterprise", "permission", "Nope", "Order", "private"), "unknown_enterprise"),
    (("enterprise", "permission", "Dealer A", "Nope", "private"), "unknown_object"),
    (("enterprise", "permission", "Dealer A", "Order", "everyone"), "invalid_data_permission"),
    (("enterprise", "permission", "Dealer A", "Order"), "invalid_parameter"),
    (("enterprise", "permission", "Dealer A", "Order", "private", "--clear"),
     "invalid_parameter"),
    (("user", "create", "x", "--enterprise", "Dealer A", "--role", "sales_rep"),
     "unknown_role"),
    (("user", "create", "x", "--enterprise", "Nope"), "unknown_enterprise"),
    (("user", "roles", "nobody"), "unknown_user"),
    (("user", "roles", "pm", "--grant", "dealer_buyer"), "unknown_role"),
    (("user", "roles", "pm", "--grant", "sales_rep", "--revoke", "sales_rep"),
     "invalid_parameter"),
    (("user", "list", "--enterprise", "Nope"), "unknown_enterprise"),
])
def test_mistakes_are_clear_errors(capsys, world, argv, code_text):
    engine, tenant = world
    engine.create_enterprise(tenant, "Dealer A", partner_manager="pm")
    code, _, err = hulian(capsys, world, *argv)
    assert code == 1
    assert err.startswith(f"error: {code_text}: "), err
    assert "x" not in {u.username for u in engine.users(tenant)}


def test_users_with_enterprises_and_roles(capsys, world):
    engine, tenant = world
    engine.create_enterprise(tenant, "Dealer A", partner_manager="pm")
    engine.create_department(tenant, "Sales")
    code, out, _ = hulian(capsys, world, "user", "create", "li", "--enterprise", "Dealer A",
                          "--role", "dealer_buyer", "--role", "dealer_boss")
    assert code == 0 and out.startswith("created user li (")
    code, _, _ = hulian(capsys, world, "user", "create", "mei", "--department", "Sales",
                        "--role", "sales_rep", "--display-name", "Han Mei")
    assert code == 0
    li = next(u for u in engine.users(tenant) if u.username == "li")
    assert li.is_interconnect
    assert engine.user_roles(tenant, "li") == ["dealer_boss", "dealer_buyer"]
    code, out, _ = hulian(capsys, world, "user", "list")
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert set(lines) == {"admin", "li", "mei", "pm"}
    assert "enterprise: Dealer A" in lines["li"] and "roles: dealer_boss, dealer_buyer" in \
        lines["li"]
    assert "department: Sales" in lines["mei"] and "'Han Mei'" in lines["mei"]
    assert "roles: sales_rep" in lines["mei"] and "  admin  " in lines["admin"]
    code, out, _ = hulian(capsys, world, "user", "list", "--enterprise", "Dealer A",
                          "--format", "json")
    assert [(u["username"], u["roles"]) for u in json.loads(out)["users"]] == \
        [("li", ["dealer_boss", "dealer_buyer"])]


def test_user_roles_shows_grants_and_revokes(capsys, world):
    code, out, _ = hulian(capsys, world, "user", "roles", "pm")
    assert (code, out) == (0, "pm: member\n")
    code, out, _ = hulian(capsys, world, "user", "roles", "pm", "--grant", "sales_rep",
                          "ops_admin", "--revoke", "member")
    assert (code, out) == (0, "pm: ops_admin, sales_rep\n")
    code, out, _ = hulian(capsys, world, "user", "roles", "pm", "--revoke", "sales_rep",
                          "--revoke", "ops_admin")
    assert (code, out) == (0, "pm: no roles\n")
    assert world[0].user_roles(world[1], "pm") == []


def test_role_list(capsys, world):
    code, out, _ = hulian(capsys, world, "role", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["admin  internal  admin  Administrator", "member  internal  Member"]
    assert "dealer_buyer  interconnect  dealer_buyer" in lines
    assert "ops_admin  internal  admin  Ops" in lines
    code, out, _ = hulian(capsys, world, "role", "list", "--format", "json")
    roles = {r["api_name"]: r for r in json.loads(out)["roles"]}
    assert roles["dealer_boss"]["kind"] == "interconnect" and roles["ops_admin"]["admin"]


def test_an_unknown_tenant_is_a_clear_error(capsys, world):
    engine, _ = world
    code, _, err = run(capsys, "enterprise", "list", "--db", engine.url, "--tenant", "nosuch")
    assert code == 1 and err.startswith("error: unknown_tenant: ")
