"""``hulian enterprise``, ``hulian user create|list|update|roles``, ``hulian department
update`` and ``hulian role list``, run in-process on both databases: what a person reads,
exit codes, no tracebacks."""

from __future__ import annotations

import copy
import json

import pytest

from tests.integration.test_cli import run
from tests.integration.test_rest_people import DOCS
from tests.packs import pack_of


@pytest.fixture
def world(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_user("pm")
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
    (dealer,) = engine.people(tenant).enterprises()
    code, out, _ = hulian(capsys, world, "enterprise", "permission", "Dealer A", "Order",
                          "private")
    assert code == 0 and "Order is private" in out
    assert engine.people(tenant).enterprise_permissions("Dealer A") == {"Order": "private"}
    code, out, _ = hulian(capsys, world, "enterprise", "list")
    assert code == 0
    assert out.splitlines() == [f"Dealer A  {dealer.id}  partner manager: pm",
                                "    Order: private"]
    code, out, _ = hulian(capsys, world, "enterprise", "list", "--format", "json")
    assert json.loads(out)["enterprises"] == [
        {"id": dealer.id, "name": "Dealer A", "is_active": True,
         "partner_manager_id": dealer.partner_manager_id, "partner_manager": "pm",
         "permissions": {"Order": "private"}}]
    code, out, _ = hulian(capsys, world, "enterprise", "permission", dealer.id, "Order",
                          "--clear")
    assert code == 0 and "follows the object's own" in out
    assert engine.people(tenant).enterprise_permissions("Dealer A") == {}


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
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    code, _, err = hulian(capsys, world, *argv)
    assert code == 1
    assert err.startswith(f"error: {code_text}: "), err
    assert "x" not in {u.username for u in engine.people(tenant).users()}


def test_users_with_enterprises_and_roles(capsys, world):
    engine, tenant = world
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    engine.people(tenant).create_department("Sales")
    code, out, _ = hulian(capsys, world, "user", "create", "li", "--enterprise", "Dealer A",
                          "--role", "dealer_buyer", "--role", "dealer_boss")
    assert code == 0 and out.startswith("created user li (")
    code, _, _ = hulian(capsys, world, "user", "create", "mei", "--department", "Sales",
                        "--role", "sales_rep", "--display-name", "Han Mei")
    assert code == 0
    li = next(u for u in engine.people(tenant).users() if u.username == "li")
    assert li.is_interconnect
    assert engine.people(tenant).user_roles("li") == ["dealer_boss", "dealer_buyer"]
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
    assert world[0].people(world[1]).user_roles("pm") == []


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


# -- people change --------------------------------------------------------------------------

def test_user_update_moves_renames_deactivates_and_reactivates(capsys, world):
    engine, tenant = world
    engine.people(tenant).create_department("Sales")
    code, out, _ = hulian(capsys, world, "user", "update", "pm", "--display-name", "Wang",
                          "--department", "Sales")
    pm = next(u for u in engine.people(tenant).users() if u.username == "pm")
    assert (code, out) == (0, f"updated user pm ({pm.id}): display name 'Wang', "
                              "department Sales, active\n")
    code, out, _ = hulian(capsys, world, "user", "update", "pm", "--no-department",
                          "--deactivate")
    assert code == 0 and out.endswith("display name 'Wang', department none, inactive\n")
    assert "pm" not in {u.username for u in engine.people(tenant).users()}
    code, out, _ = hulian(capsys, world, "user", "list")
    assert [line.split("  ")[0] for line in out.splitlines()] == ["admin"]
    code, out, _ = hulian(capsys, world, "user", "list", "--all")
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert "  inactive  " in lines["pm"] and "inactive" not in lines["admin"]
    code, out, _ = hulian(capsys, world, "user", "list", "--all", "--format", "json")
    assert {u["username"]: u["is_active"] for u in json.loads(out)["users"]} == \
        {"admin": True, "pm": False}
    code, out, _ = hulian(capsys, world, "user", "update", pm.id, "--activate")
    assert code == 0 and out.endswith(", active\n")
    assert "pm" in {u.username for u in engine.people(tenant).users()}


def test_department_update_renames_and_moves(capsys, world):
    engine, tenant = world
    engine.people(tenant).create_department("HQ")
    engine.people(tenant).create_department("Sales")
    code, out, _ = hulian(capsys, world, "department", "update", "Sales", "--rename",
                          "Field Sales", "--parent", "HQ")
    sales = next(d for d in engine.people(tenant).departments() if d.name == "Field Sales")
    assert (code, out) == (0, f"updated department Field Sales ({sales.id}): under HQ\n")
    code, out, _ = hulian(capsys, world, "department", "update", sales.id, "--root")
    assert code == 0 and out.endswith(": at the top\n")
    departments = engine.people(tenant).departments()
    assert next(d for d in departments if d.id == sales.id).parent_id is None


def test_enterprise_update_renames_deactivates_and_lists_all(capsys, world):
    engine, tenant = world
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    code, out, _ = hulian(capsys, world, "enterprise", "update", "Dealer A", "--rename",
                          "Dealer Alpha", "--deactivate")
    (dealer,) = engine.people(tenant).enterprises(include_inactive=True)
    assert (code, out) == (0, f"updated enterprise Dealer Alpha ({dealer.id}): partner "
                              "manager pm, inactive\n")
    code, out, _ = hulian(capsys, world, "enterprise", "list")
    assert out == f"tenant {tenant} has no downstream enterprises\n"
    code, out, _ = hulian(capsys, world, "enterprise", "list", "--all")
    assert out.splitlines() == [f"Dealer Alpha  {dealer.id}  partner manager: pm  inactive"]
    code, out, _ = hulian(capsys, world, "enterprise", "list", "--all", "--format", "json")
    assert [(e["name"], e["is_active"]) for e in json.loads(out)["enterprises"]] == \
        [("Dealer Alpha", False)]
    code, out, _ = hulian(capsys, world, "enterprise", "update", "Dealer Alpha",
                          "--activate", "--partner-manager", "admin")
    assert code == 0 and out.endswith("partner manager admin, active\n")


@pytest.mark.parametrize(("argv", "code_text"), [
    (("user", "update", "pm"), "invalid_parameter"),
    (("user", "update", "nobody", "--activate"), "unknown_user"),
    (("user", "update", "admin", "--deactivate"), "last_admin"),
    (("user", "update", "pm", "--deactivate"), "partner_manager_in_use"),
    (("user", "update", "li", "--department", "HQ"), "invalid_interconnect_user"),
    (("user", "update", "pm", "--department", "Nope"), "unknown_department"),
    (("department", "update", "HQ"), "invalid_parameter"),
    (("department", "update", "HQ", "--parent", "Sales"), "department_cycle"),
    (("department", "update", "Sales", "--rename", "HQ"), "department_exists"),
    (("enterprise", "update", "Dealer A"), "invalid_parameter"),
    (("enterprise", "update", "Dealer A", "--rename", "Dealer B"), "enterprise_exists"),
    (("enterprise", "update", "Nope", "--deactivate"), "unknown_enterprise"),
])
def test_refused_updates_are_clear_errors_and_change_nothing(capsys, world, argv, code_text):
    engine, tenant = world
    engine.people(tenant).create_department("HQ")
    engine.people(tenant).create_department("Sales", parent="HQ")
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    engine.people(tenant).create_enterprise("Dealer B", partner_manager="pm")
    engine.people(tenant).create_user("li", enterprise="Dealer A")
    staff = engine.people(tenant)
    before = (staff.users(include_inactive=True), staff.departments(),
              engine.people(tenant).enterprises(include_inactive=True))
    code, out, err = hulian(capsys, world, *argv)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {code_text}: "), err
    assert (engine.people(tenant).users(include_inactive=True), engine.people(tenant).departments(),
            engine.people(tenant).enterprises(include_inactive=True)) == before


def test_update_options_that_exclude_each_other(capsys, world):
    for argv in (("user", "update", "pm", "--department", "X", "--no-department"),
                 ("user", "update", "pm", "--activate", "--deactivate"),
                 ("department", "update", "HQ", "--parent", "X", "--root"),
                 ("enterprise", "update", "D", "--activate", "--deactivate")):
        with pytest.raises(SystemExit) as caught:
            hulian(capsys, world, *argv)
        assert caught.value.code == 2
        assert "not allowed with argument" in capsys.readouterr().err


def test_a_rename_warns_of_sharing_rules_naming_the_old_name(capsys, world):
    engine, tenant = world
    shared = copy.deepcopy(DOCS)
    shared["objects/Order.json"]["sharing_rules"] = [
        {"api_name": "to_dealer", "criteria": "amount > 100",
         "share_with": {"enterprise": "Dealer A"}}]
    engine.metadata(tenant).deploy(pack_of(shared))
    engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
    code, _, err = hulian(capsys, world, "enterprise", "update", "Dealer A", "--rename",
                          "Dealer One")
    assert code == 0
    assert err == ("warning: sharing rule Order.to_dealer names the enterprise 'Dealer A': it "
                   "shares nothing until it names 'Dealer One' (change it in the tenant's "
                   "overlay: sharing_rule_overrides)\n")
