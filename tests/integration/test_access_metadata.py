"""Roles, apps, sharing rules, actions and data permissions through deploys and exports,
on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from hulian.engine import DeployError, MetadataError
from hulian.engine.deploy.plan import plan
from hulian.metadata import load_pack
from hulian.metadata.model import ObjectAccess
from tests.conftest import EXAMPLE_CRM
from tests.packs import Documents, documents, field, label, obj, pack_of

ORDER = obj("Order", field("name", "text"), field("amount", "currency"),
            field("cost", "currency"),
            sharing_rules=[{"api_name": "big_orders", "criteria": "amount > 10000",
                            "share_with": {"role": "director"}}])
CLERK = {"api_name": "clerk", "label": label("Clerk"),
         "objects": {"Order": {"read": True, "fields": {"cost": "hidden"}}}}
DIRECTOR = {"api_name": "director", "label": label("Director")}
DEALER = {"api_name": "dealer", "label": label("Dealer"), "kind": "interconnect",
          "objects": {"Order": {"create": True, "read": True}}}
APP = {"api_name": "order", "label": label("Ordering"), "objects": ["Order"],
       "roles": ["dealer"]}


def shop(order: dict[str, Any] = ORDER, **files: Any) -> Documents:
    docs = documents(order, name="shop")
    docs.update({"roles/clerk.json": CLERK, "roles/director.json": DIRECTOR,
                 "roles/dealer.json": DEALER, "apps/order.json": APP})
    docs.update(copy.deepcopy(files))
    return {name: doc for name, doc in docs.items() if doc is not None}


def with_order(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(ORDER), **changes}


def steps(report: Any) -> list[tuple[str, str | None, str]]:
    return [(s.action, s.object, s.description) for s in report.steps]


# -- a new version for every change of who may do what ---------------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    ({"roles/clerk.json": {**CLERK, "objects": {"Order": {"read": True, "edit": True}}}},
     [("update_access", None, "update role clerk (no data change)")]),
    ({"roles/auditor.json": {"api_name": "auditor", "label": label("Auditor")},
      "roles/clerk.json": None},
     [("update_access", None, "add role auditor (no data change)"),
      ("update_access", None, "remove role clerk (no data change)")]),
    ({"apps/order.json": {**APP, "objects": ["Order"], "description": "O2C"}},
     [("update_access", None, "update app order (no data change)")]),
])
def test_a_roles_or_apps_only_change_records_a_new_version(engine, tenant, change, expected):
    engine.metadata(tenant).deploy(pack_of(shop()))
    preview = engine.metadata(tenant).deploy(pack_of(shop(**change)), dry_run=True)
    assert steps(preview) == expected and preview.ok
    report = engine.metadata(tenant).deploy(pack_of(shop(**change)))
    assert (report.previous_version, report.version) == (1, 2)
    assert steps(report) == expected
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1, 2]
    again = engine.metadata(tenant).deploy(pack_of(shop(**change)))
    assert again.steps == () and again.version == 2


@pytest.mark.parametrize(("order", "what"), [
    (with_order(data_permission={"external": "public_read"}), "data permission"),
    (with_order(sharing_rules=[{"api_name": "big_orders", "criteria": "amount > 20000",
                                "share_with": {"role": "director"}, "access": "edit"}]),
     "sharing rules"),
    (with_order(actions=[{"api_name": "approve", "label": label("Approve")}]), "actions"),
    (with_order(data_permission={"internal": "private"}, label=label("Sales order")),
     "labels, description or validation rules, data permission"),
])
def test_an_objects_access_change_records_a_new_version(engine, tenant, order, what):
    engine.metadata(tenant).deploy(pack_of(shop()))
    report = engine.metadata(tenant).deploy(pack_of(shop(order)))
    assert report.version == 2
    assert steps(report) == [("update_object", "Order", f"update Order: {what} (no data change)")]
    with engine.session(tenant) as s:
        s.create("Order", {"name": "still works", "amount": "1.00"})


def test_a_deployed_version_keeps_its_roles_and_apps(engine, tenant, tmp_path):
    engine.metadata(tenant).deploy(pack_of(shop()))
    engine.metadata(tenant).deploy(pack_of(shop(**{"roles/clerk.json": None})))
    engine.metadata(tenant).rollback(1)
    engine.metadata(tenant).export(tmp_path / "out")
    exported = load_pack(tmp_path / "out")
    assert [r.api_name for r in exported.roles] == ["clerk", "dealer", "director"]
    clerk = exported.role("clerk")
    assert clerk is not None and clerk.objects["Order"] == ObjectAccess(
        read=True, fields={"cost": "hidden"})


# -- removing what a sharing rule, a role or an app uses -------------------------------------

def test_removing_a_field_a_sharing_rule_uses_is_refused(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(shop()))
    fields = [f for f in ORDER["fields"] if f["api_name"] != "amount"]
    gone = shop(with_order(fields=fields))
    for dry_run in (True, False):
        with pytest.raises(DeployError) as exc:
            engine.metadata(tenant).deploy(pack_of(gone), dry_run=dry_run)
        assert exc.value.code == "deploy_removed_in_use"
        assert exc.value.changes == [
            {"removed": "Order.amount", "used_by": "criteria of sharing rule Order.big_orders",
             "file": "objects/Order.json", "pointer": "/sharing_rules/0/criteria"}]
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1]


def test_removing_what_a_role_or_an_app_names_is_refused_when_the_pack_loads(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(shop()))
    fields = [f for f in ORDER["fields"] if f["api_name"] != "cost"]
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(pack_of(shop(with_order(fields=fields))))
    assert [(p.code, p.file, p.pointer) for p in exc.value.problems] == [
        ("role.unknown_field", "roles/clerk.json", "/objects/Order/fields/cost")]


def test_the_planner_lists_role_and_app_uses_of_removed_objects_and_fields():
    """Packs built in code skip the metadata checks; the planner still refuses."""
    old = pack_of(shop(**{"objects/Line.json": obj("Line", field("name", "text"))}))
    new = pack_of(shop())
    line = ObjectAccess(read=True)
    new = replace(new,
                  roles=tuple(replace(r, objects={**r.objects, "Line": line})
                              if r.api_name == "dealer" else r for r in new.roles),
                  apps=(replace(new.apps[0], objects=("Order", "Line")),),
                  objects=tuple(replace(o, fields=o.fields[:2]) for o in new.objects))
    with pytest.raises(DeployError) as exc:
        plan(old, new, new_schema=False)
    assert exc.value.code == "deploy_removed_in_use"
    assert sorted((u["removed"], u["used_by"], u["file"], u["pointer"])
                  for u in exc.value.changes) == [
        ("Line", "app order", "apps/order.json", "/objects/1"),
        ("Line", "object permissions of role dealer", "roles/dealer.json", "/objects/Line"),
        ("Order.cost", "field permissions of role clerk", "roles/clerk.json",
         "/objects/Order/fields/cost")]


# -- criteria are formulas -------------------------------------------------------------------

@pytest.mark.parametrize(("criteria", "code"), [
    ("amount + 1", "formula.result_type"),
    ("amont > 1", "formula.unknown_field"),
    ("ISCHANGED(amount)", "formula.context"),
])
def test_criteria_are_type_checked_like_rule_conditions(engine, tenant, criteria, code):
    bad = with_order(sharing_rules=[{"api_name": "big_orders", "criteria": criteria,
                                     "share_with": {"department": "HQ"}}])
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(pack_of(shop(bad)))
    assert [(p.code, p.file, p.pointer) for p in exc.value.problems] == [
        (code, "objects/Order.json", "/sharing_rules/0/criteria")]
    assert tenant not in engine.tenants()


def test_criteria_may_follow_lookups(engine, tenant):
    account = obj("Account", field("name", "text"), field("tier", "text"))
    order = with_order(fields=[*ORDER["fields"], field("account", "lookup", target="Account")],
                       sharing_rules=[{"api_name": "gold", "criteria": "account.tier = 'gold'",
                                       "share_with": {"role": "director"}}])
    docs = shop(order, **{"objects/Account.json": account})
    assert engine.metadata(tenant).deploy(pack_of(docs)).version == 1


# -- export ----------------------------------------------------------------------------------

def test_the_example_crm_exports_its_roles_and_app(engine, tenant, tmp_path):
    engine.metadata(tenant).deploy(EXAMPLE_CRM)
    written = engine.metadata(tenant).export(tmp_path / "out")
    names = sorted(str(p).removeprefix(f"{tmp_path / 'out'}/") for p in written)
    assert [n for n in names if n.startswith(("roles/", "apps/"))] == [
        "apps/order.json", "roles/dealer_boss.json", "roles/dealer_buyer.json",
        "roles/sales_director.json", "roles/sales_rep.json"]
    exported, crm = load_pack(tmp_path / "out"), load_pack(EXAMPLE_CRM)
    assert (exported.roles, exported.apps) == (crm.roles, crm.apps)
    assert exported.objects == crm.objects
    copy_report = engine.metadata(f"{tenant}_copy").deploy(tmp_path / "out")
    assert copy_report.version == 1
    again = engine.metadata(f"{tenant}_copy").deploy(tmp_path / "out")
    assert again.steps == ()


def test_a_layered_tenant_exports_the_overlays_roles(engine, tenant, tmp_path):
    engine.metadata(tenant).install_pack(pack_of(shop()))
    overlay = {"pack.json": {"name": "acme", "version": "1.0.0", "label": label("Acme"),
                             "kind": "tenant"},
               "roles/auditor.json": {"api_name": "auditor", "label": label("Auditor"),
                                      "objects": {"Order": {"read": True, "export": True}}}}
    report = engine.metadata(tenant).deploy(pack_of(overlay))
    assert steps(report) == [("update_access", None, "add role auditor (no data change)")]
    engine.metadata(tenant).export(tmp_path / "out")
    exported = load_pack(tmp_path / "out")
    assert [r.api_name for r in exported.roles] == ["auditor", "clerk", "dealer", "director"]
    assert exported.object("Order").sharing_rules == pack_of(shop()).object("Order").sharing_rules
