"""Dependent packs through the engine, on SQLite and PostgreSQL: a preset that requires the
example CRM pack names its objects, extends its Account, its dealer role and its order app,
and installs, is used by a dealer, is customised by the tenant, upgrades, uninstalls and
installs again (docs/packs.md, "Dependent packs")."""

from __future__ import annotations

import copy

import pytest

from hulian.engine import DeployError, MetadataError, RecordValidationError
from tests.conftest import EXAMPLE_CRM
from tests.packs import documents, field, label, obj, pack_of

PRICE_BOOK = obj("PriceBook", field("name", "text"),
                 field("account", "lookup", target="Account"),
                 field("account_name", "text", formula="account.name"),
                 field("discount", "percent", precision=5, scale=2),
                 data_permission={"internal": "company_read_write", "external": "public_read"})


def _order_pack(version: str = "1.0.0") -> dict:
    docs = documents(PRICE_BOOK, name="ordering", version=version)
    docs["pack.json"]["requires"] = {"crm": "^1.0.0"}
    docs["extensions/Account.json"] = {
        "object": "Account",
        "fields": [field("credit_limit", "currency", precision=18, scale=2)],
        "validation_rules": [{"api_name": "credit_not_negative", "condition": "credit_limit < 0",
                              "message": label("The credit limit cannot be negative"),
                              "error_field": "credit_limit"}]}
    docs["extensions/roles/dealer_buyer.json"] = {
        "role": "dealer_buyer", "objects": {"PriceBook": {"read": True}}}
    docs["extensions/apps/order.json"] = {"app": "order", "objects": ["PriceBook"]}
    return docs


@pytest.fixture
def dealer(engine, tenant):
    """crm and the dependent pack installed, with Dealer A's buyer; yields the buyer's name."""
    engine.metadata(tenant).deploy(EXAMPLE_CRM)
    report = engine.metadata(tenant).install_pack(pack_of(_order_pack()))
    assert "add field Account.credit_limit (currency)" in "\n".join(report.lines())
    people = engine.people(tenant)
    people.create_user("pm")
    people.create_enterprise("Dealer A", partner_manager="pm")
    people.create_user("buyer", enterprise="Dealer A", roles=["dealer_buyer"])
    return "buyer"


def test_a_dealer_reads_the_dependent_pack_object_through_the_extended_app(
        engine, tenant, dealer):
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Huaxin", "credit_limit": "5000"})
        s.create("PriceBook", {"name": "gold", "account": account["id"], "discount": 12})
        [book] = s.query("PriceBook").records
        assert book["account_name"] == "Huaxin"     # the formula reaches crm's Account
    with engine.session(tenant, dealer) as s:
        assert [b["name"] for b in s.query("PriceBook").records] == ["gold"]


def test_the_extension_rule_guards_the_base_object(engine, tenant, dealer):
    with engine.session(tenant) as s, pytest.raises(Exception) as exc:
        s.create("Account", {"name": "Bad", "credit_limit": "-1"})
    assert "The credit limit cannot be negative" in str(exc.value)
    with engine.session(tenant) as s:
        assert s.count("Account", filter="name = 'Bad'") == 0


def test_the_base_pack_stays_while_a_dependent_pack_needs_it(engine, tenant, dealer):
    with pytest.raises(DeployError) as exc:
        engine.metadata(tenant).uninstall_pack("crm")
    assert exc.value.code == "pack_required"


def test_uninstall_archives_the_extension_fields_and_install_restores_them(
        engine, tenant, dealer):
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Huaxin", "credit_limit": "5000"})
    report = engine.metadata(tenant).uninstall_pack("ordering")
    steps = {(step.action, step.object) for step in report.steps}
    assert ("archive_object", "PriceBook") in steps
    with engine.session(tenant) as s:
        assert "credit_limit" not in s.get("Account", account["id"])
        s.create("Account", {"name": "After"})      # crm still works without the pack
    engine.metadata(tenant).install_pack(pack_of(_order_pack()))
    with engine.session(tenant) as s:
        assert s.get("Account", account["id"])["credit_limit"] == 5000


def test_the_overlay_customises_the_fields_a_dependent_pack_added(engine, tenant, dealer):
    overlay = {"pack.json": {"name": "acme", "version": "1.0.0", "label": label("acme"),
                             "kind": "tenant"},
               "extensions/Account.json": {
                   "object": "Account",
                   "field_overrides": {"credit_limit": {"label": label("Credit line")}}}}
    engine.metadata(tenant).deploy(pack_of(overlay))
    newer = _order_pack("1.1.0")
    newer["objects/PriceBook.json"]["fields"].append(field("valid_until", "date"))
    engine.metadata(tenant).upgrade_pack(pack_of(newer))
    with engine.session(tenant) as s:
        fields = {f["api_name"]: f for f in s.describe("Account")["fields"]}
        assert fields["credit_limit"]["label"]["en"] == "Credit line"
        assert "valid_until" in {f["api_name"] for f in s.describe("PriceBook")["fields"]}


def test_a_dependent_pack_that_breaks_the_merge_installs_nothing(engine, tenant, dealer):
    engine.metadata(tenant).uninstall_pack("ordering")
    before = engine.metadata(tenant).installed()
    broken = copy.deepcopy(_order_pack())
    broken["extensions/Account.json"]["field_overrides"] = {"nmae": {"label": label("x")}}
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).install_pack(pack_of(broken))
    assert [(p.code, p.pointer) for p in exc.value.problems] == [
        ("extension.unknown_field", "/field_overrides/nmae")]
    assert engine.metadata(tenant).installed() == before


def test_a_rule_reads_related_records_as_the_system_whoever_writes(engine, tenant, dealer):
    """The dealer reads its own account but not the account above it, yet the rule on its
    price books reads the parent's credit (a validation rule is integrity, not a view)."""
    pack = _order_pack("1.1.0")
    pack["objects/PriceBook.json"]["validation_rules"] = [{
        "api_name": "no_discount_on_hold",
        "condition": "discount > 0 && account.parent.credit_limit = 0",
        "message": label("No discount under a parent without credit"),
        "error_field": "discount"}]
    pack["extensions/roles/dealer_buyer.json"]["objects"].update(
        PriceBook={"read": True, "create": True, "edit": True}, Account={"read": True})
    pack["extensions/apps/order.json"]["objects"] = ["PriceBook", "Account"]
    pack["extensions/Account.json"]["data_permission"] = {"external": "company_read"}
    engine.metadata(tenant).upgrade_pack(pack_of(pack))
    dealer_a = engine.people(tenant).enterprises()[0].id
    with engine.session(tenant) as s:
        held = s.create("Account", {"name": "Held", "credit_limit": "0"})["id"]
        good = s.create("Account", {"name": "Good", "credit_limit": "900"})["id"]
        under_held = s.create("Account", {"name": "A east", "parent": held,
                                          "out_tenant_id": dealer_a})["id"]
        under_good = s.create("Account", {"name": "A west", "parent": good,
                                          "out_tenant_id": dealer_a})["id"]
    with engine.session(tenant, dealer) as s:
        assert s.query("Account", filter=f"id = '{held}'").records == []
        with pytest.raises(RecordValidationError) as exc:
            s.create("PriceBook", {"name": "x", "account": under_held, "discount": 5})
        assert "No discount under a parent without credit" in str(exc.value.errors)
        s.create("PriceBook", {"name": "y", "account": under_good, "discount": 5})
