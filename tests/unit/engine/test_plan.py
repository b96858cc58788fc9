"""Deploy planning on hand-built packs: which steps, and which changes are refused."""

from __future__ import annotations

import pytest

from hulian.engine import DeployError
from hulian.engine.deploy.plan import Step, plan
from tests.packs import documents, edit, field, label, obj, options, pack_of

ACCOUNT = obj("Account", field("name", "text"), field("amount", "currency", scale=2),
              field("stage", "picklist", options=options("a", "b")))
CONTACT = obj("Contact", field("name", "text"), field("account", "lookup", target="Account"))
BASE = documents(ACCOUNT, CONTACT)


def actions(steps: list[Step]) -> list[tuple[str, str | None, str | None]]:
    return [(s.action, s.object, s.field) for s in steps]


def refused(old, new) -> list[str]:
    with pytest.raises(DeployError) as exc:
        plan(pack_of(old), pack_of(new), new_schema=False)
    assert exc.value.code == "deploy_change_unsupported"
    return [c["change"] for c in exc.value.changes]


def test_first_deploy_creates_storage_then_every_table():
    steps = plan(None, pack_of(BASE), new_schema=True)
    assert actions(steps) == [("create_schema", None, None), ("create_table", "Account", None),
                              ("create_table", "Contact", None)]
    assert "account (lookup -> Account)" in steps[2].description
    assert all(s.kind == "safe" for s in steps)
    assert steps[0].to_dict() == {"action": "create_schema",
                                  "description": "create the tenant's storage", "kind": "safe"}


def test_tables_for_an_existing_tenant_without_storage_step():
    assert actions(plan(None, pack_of(BASE), new_schema=False)) == [
        ("create_table", "Account", None), ("create_table", "Contact", None)]


def test_same_pack_needs_no_steps():
    assert plan(pack_of(BASE), pack_of(BASE), new_schema=False) == []


def test_added_fields_and_objects():
    grown = documents(obj("Account", *ACCOUNT["fields"], field("vip", "boolean"),
                          field("site", "url")),
                      CONTACT, obj("Lead", field("name", "text")))
    assert actions(plan(pack_of(BASE), pack_of(grown), new_schema=False)) == [
        ("add_field", "Account", "vip"), ("add_field", "Account", "site"),
        ("create_table", "Lead", None)]


@pytest.mark.parametrize(("change", "step"), [
    (lambda d: edit(d, "Account", "name", label=label("Company")), ("update_field", "name")),
    (lambda d: edit(d, "Account", "amount", help=label("Yuan")), ("update_field", "amount")),
    (lambda d: edit(d, "Account", "amount", minimum=0, maximum=10),
     ("update_field", "amount")),
    (lambda d: edit(d, "Account", "stage", options=options("a", "b", "c")),
     ("update_field", "stage")),
    (lambda d: edit(d, "Account", "stage", options=options("a", "b", inactive=("b",))),
     ("update_field", "stage")),
    (lambda d: edit(d, "Account", "stage", default="a"), ("update_field", "stage")),
    (lambda d: edit(d, "Account", "name", description="the name"), ("update_field", "name")),
    (lambda d: edit(d, "Contact", "account", on_delete="restrict"),
     ("update_field", "account")),
    (lambda d: edit(d, "Account", label=label("Customer")), ("update_object", None)),
    (lambda d: edit(d, "Account", plural_label=label("Customers")), ("update_object", None)),
    (lambda d: edit(d, "Account", description="who we sell to"), ("update_object", None)),
])
def test_metadata_only_changes(change, step):
    steps = plan(pack_of(BASE), pack_of(change(BASE)), new_schema=False)
    assert [(s.action, s.field) for s in steps] == [step]
    assert "no data change" in steps[0].description


def test_required_may_be_dropped_but_not_added():
    strict = edit(BASE, "Account", "amount", required=True)
    assert actions(plan(pack_of(strict), pack_of(BASE), new_schema=False)) == [
        ("update_field", "Account", "amount")]
    (change,) = refused(BASE, strict)
    assert "amount" in change and "required" in change


def test_every_unsupported_change_is_listed():
    changed = documents(obj("Account", field("name", "text", max_length=50),
                            field("amount", "number", scale=2),
                            field("stage", "picklist", options=options("a"))))
    listed = refused(BASE, changed)
    assert len(listed) == 4, listed
    expected = [("Contact", "removing an object"), ("name", "max_length"),
                ("amount", "type", "'currency'", "'number'"), ("stage", "'b'", "removed")]
    for words in expected:
        assert any(all(w in c for w in words) for c in listed), (words, listed)


def test_a_refused_plan_says_how_many_changes_and_hints():
    with pytest.raises(DeployError) as exc:
        plan(pack_of(BASE), pack_of(documents(ACCOUNT)), new_schema=False)
    assert "1 way(s)" in exc.value.message
    assert exc.value.hint
    assert exc.value.to_dict()["details"] == [{"change": "Contact: removing an object"}]


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: edit(d, "Account", "amount", precision=10), ("amount", "precision")),
    (lambda d: edit(d, "Account", "amount", scale=4), ("amount", "scale")),
    (lambda d: edit(d, "Account", "name", unique=True), ("name", "unique")),
    (lambda d: edit(d, "Contact", "account", target="Contact"), ("account", "target")),
    (lambda d: edit(d, "Account", "name", pattern="[a-z]+"), None),
])
def test_structural_field_changes(change, words):
    if words is None:  # pattern is validation only
        steps = plan(pack_of(BASE), pack_of(change(BASE)), new_schema=False)
        assert actions(steps) == [("update_field", "Account", "name")]
        return
    (listed,) = refused(BASE, change(BASE))
    assert all(w in listed for w in words), listed
