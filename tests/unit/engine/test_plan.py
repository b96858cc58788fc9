"""Deploy planning on hand-built packs: which steps, and which changes are refused."""

from __future__ import annotations

import pytest

from hulian.engine import DeployError
from hulian.engine.deploy.plan import Step, plan
from tests.packs import documents, edit, field, label, obj, options, pack_of

ACCOUNT = obj("Account", field("name", "text"),
              field("amount", "currency", precision=12, scale=2),
              field("stage", "picklist", options=options("a", "b")),
              field("code", "text", max_length=100))
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


@pytest.mark.parametrize(("old_keys", "new_keys", "named"), [
    ({}, {"track_history": True}, "field history"),
    ({}, {"track_history": ["amount", "owner_id"]}, "field history"),
    ({"track_history": ["amount"]}, {"track_history": ["amount", "stage"]}, "field history"),
    ({"track_history": True}, {}, "field history"),
    ({"track_history": True}, {"track_history": True, "history_retention_days": 30},
     "history retention"),
])
def test_field_history_changes_are_one_metadata_only_object_step(old_keys, new_keys, named):
    before = documents(obj("Account", *ACCOUNT["fields"], **old_keys), CONTACT)
    after = documents(obj("Account", *ACCOUNT["fields"], **new_keys), CONTACT)
    [step] = plan(pack_of(before), pack_of(after), new_schema=False)
    assert (step.action, step.object, step.kind) == ("update_object", "Account", "safe")
    assert step.description == f"update Account: {named} (no data change)"


def kinds(old, new) -> list[tuple[str, str | None, str]]:
    return [(s.action, s.field, s.kind) for s in plan(pack_of(old), pack_of(new),
                                                      new_schema=False)]


def test_required_dropped_is_metadata_added_needs_a_data_check():
    strict = edit(BASE, "Account", "amount", required=True)
    assert actions(plan(pack_of(strict), pack_of(BASE), new_schema=False)) == [
        ("update_field", "Account", "amount")]
    assert kinds(BASE, strict) == [("make_required", "amount", "needs-data-check")]
    filled = edit(strict, "Account", "amount", backfill=0)
    [step] = plan(pack_of(BASE), pack_of(filled), new_schema=False)
    assert "filled with Decimal('0.00')" in step.description


def test_removing_archives_and_is_destructive():
    removed = documents(obj("Account", field("name", "text"),
                            field("stage", "picklist", options=options("a", "b"))))
    assert kinds(BASE, removed) == [("archive_object", None, "destructive"),
                                    ("archive_field", "amount", "destructive"),
                                    ("archive_field", "code", "destructive")]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: edit(d, "Account", "code", max_length=50),
     [("shrink_field", "code", "needs-data-check")]),
    (lambda d: edit(d, "Account", "code", max_length=500), [("grow_field", "code", "safe")]),
    (lambda d: edit(d, "Account", "code", type="textarea", max_length=None),
     [("retype_field", "code", "safe")]),
    (lambda d: edit(d, "Account", "code", type="email", max_length=None),
     [("retype_field", "code", "needs-data-check")]),
    (lambda d: edit(d, "Account", "amount", type="number"),
     [("retype_field", "amount", "safe")]),
    (lambda d: edit(d, "Account", "amount", precision=10),
     [("retype_field", "amount", "needs-data-check")]),
    (lambda d: edit(d, "Account", "amount", precision=16), [("retype_field", "amount", "safe")]),
    (lambda d: edit(d, "Account", "amount", precision=14, scale=4),
     [("retype_field", "amount", "safe")]),
    (lambda d: edit(d, "Account", "amount", scale=4),
     [("retype_field", "amount", "needs-data-check")]),
    (lambda d: edit(d, "Account", "amount", scale=0),
     [("retype_field", "amount", "destructive")]),
    (lambda d: edit(d, "Account", "amount", type="text", precision=None, scale=None),
     [("retype_field", "amount", "needs-data-check")]),
    (lambda d: edit(d, "Account", "stage", type="text", options=None),
     [("retype_field", "stage", "needs-data-check"), ("update_field", "stage", "safe")]),
    (lambda d: edit(d, "Account", "name", unique=True),
     [("make_unique", "name", "needs-data-check")]),
])
def test_each_change_is_classed(change, expected):
    assert kinds(BASE, change(BASE)) == expected


def test_a_retype_step_keeps_the_deployed_definition():
    [step] = plan(pack_of(BASE), pack_of(edit(BASE, "Account", "amount", scale=0)),
                  new_schema=False)
    assert step.before is not None and step.before.scale == 2
    assert "before" not in step.to_dict()


def test_every_unsupported_change_is_listed():
    changed = documents(obj("Account", field("name", "text"),
                            field("amount", "date"),
                            field("stage", "picklist", options=options("a")),
                            field("code", "text", max_length=100)),
                        obj("Contact", field("name", "text"),
                            field("account", "lookup", target="Contact")))
    listed = refused(BASE, changed)
    assert len(listed) == 3, listed
    expected = [("amount", "currency", "date"), ("stage", "'b'", "deactivate"),
                ("account", "Contact")]
    for words in expected:
        assert any(all(w in c for w in words) for c in listed), (words, listed)


def test_a_refused_plan_says_how_many_changes_and_hints():
    changed = edit(BASE, "Contact", "account", target="Contact")
    with pytest.raises(DeployError) as exc:
        plan(pack_of(BASE), pack_of(changed), new_schema=False)
    assert "1 way(s)" in exc.value.message
    assert exc.value.hint
    [detail] = exc.value.to_dict()["details"]
    assert "Contact.account" in detail["change"]


def test_renamed_object_keeps_lookups_pointing_at_it():
    renamed = documents(obj("Customer", *ACCOUNT["fields"], renamed_from="Account"),
                        obj("Contact", field("name", "text"),
                            field("account", "lookup", target="Customer")))
    steps = plan(pack_of(BASE), pack_of(renamed), new_schema=False)
    assert [(s.action, s.object, s.from_object) for s in steps] == [
        ("rename_object", "Customer", "Account"), ("update_object", "Customer", None)]


def test_removing_a_field_a_formula_uses_lists_every_use():
    with_formulas = documents(
        obj("Account", *ACCOUNT["fields"], field("double", "currency", formula="amount * 2")),
        obj("Contact", *CONTACT["fields"],
            field("big", "boolean", formula="account.amount > 100")))
    without_amount = edit(with_formulas, "Account", "amount", api_name="amount_x")
    with pytest.raises(DeployError) as exc:
        plan(pack_of(with_formulas), pack_of(without_amount), new_schema=False)
    assert exc.value.code == "deploy_removed_in_use"
    assert [(u["removed"], u["used_by"], u["pointer"]) for u in exc.value.changes] == [
        ("Account.amount", "formula field Account.double", "/fields/4/formula"),
        ("Account.amount", "formula field Contact.big", "/fields/2/formula")]


def test_lookup_and_roll_up_filters_count_as_uses():
    """(Quotes and roll-up fields naming a removed field are metadata problems already.)"""
    docs = documents(
        obj("Account", field("name", "text"), field("tier", "text"),
            {**field("spend", "currency"),
             "roll_up": {"object": "Contact", "relationship": "account", "function": "SUM",
                         "field": "budget", "filter": "vip"}}),
        obj("Contact", field("name", "text"), field("budget", "currency"),
            field("vip", "boolean"),
            {**field("account", "lookup", target="Account"), "lookup_filter": "tier <> 'x'"}))
    gone = documents(obj("Account", *[f for f in docs["objects/Account.json"]["fields"]
                                      if f["api_name"] != "tier"]),
                     obj("Contact", *[f for f in docs["objects/Contact.json"]["fields"]
                                      if f["api_name"] != "vip"]))
    with pytest.raises(DeployError) as exc:
        plan(pack_of(docs), pack_of(gone), new_schema=False)
    assert sorted((u["removed"], u["used_by"], u["pointer"]) for u in exc.value.changes) == [
        ("Account.tier", "lookup filter of Contact.account", "/fields/2/lookup_filter"),
        ("Contact.vip", "roll-up filter of Account.spend", "/fields/1/roll_up/filter")]
