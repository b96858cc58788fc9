"""A subscription's filter: run on the record as it stood right after each change (own
fields, formula fields, lookups), and refused with its caret when it does not type-check;
on both databases."""

from __future__ import annotations

import pytest

from hulian.engine import MetadataError, WebhookError
from tests.integration.test_rest_support import Api
from tests.integration.webhook_world import SECRET, World


@pytest.fixture
def world(webhook_world):
    return webhook_world


def _delivered(world: World) -> list[int]:
    return sorted(change for _, change in world.receiver.acknowledged())


def test_the_filter_sees_the_record_as_it_stood_after_each_change(world):
    """draft -> confirmed -> cancelled: only the change that made it confirmed passes,
    although the record is cancelled by the time the worker looks."""
    world.subscribe(filter="ISPICKVAL(status, 'confirmed')")
    with world.writing() as (session, made):
        order = session.create("Order", {"status": "draft", "notes": "n"})["id"]
        session.update("Order", order, {"status": "confirmed"}, version=1)
        session.update("Order", order, {"status": "cancelled"}, version=2)
    created, confirmed, cancelled = made
    assert [(c.kind, c.after.get("status")) for c in made] == [
        ("create", "draft"), ("update", "confirmed"), ("update", "cancelled")]
    world.run()
    assert _delivered(world) == [confirmed.id]
    assert created.id < confirmed.id < cancelled.id


def test_a_deleted_record_is_judged_on_its_values(world):
    world.subscribe(filter="ISPICKVAL(status, 'draft') && notes = 'gone'", events=["delete"])
    with world.writing() as (session, made):
        kept = session.create("Order", {"status": "draft", "notes": "kept"})["id"]
        gone = session.create("Order", {"status": "draft", "notes": "gone"})["id"]
        session.delete("Order", kept)
        session.delete("Order", gone)
    (wanted,) = [c.id for c in made if c.kind == "delete" and c.record_id == gone]
    world.run()
    assert _delivered(world) == [wanted]


def test_filters_follow_lookups_and_compute_formula_fields(world):
    with world.engine.session(world.tenant) as session:
        acme = session.create("Account", {"name": "Acme"})["id"]
        other = session.create("Account", {"name": "Other"})["id"]
        ours = session.create("Order", {"status": "draft", "account": acme})
        theirs = session.create("Order", {"status": "draft", "account": other})["id"]
        owner = session.get("Order", ours["id"])["account_owner"]
    assert owner
    world.subscribe("by_account", filter="account.name = 'Acme'")
    world.subscribe("by_formula", filter=f"account_owner = '{owner}' && "
                                         "account.name <> 'Other'")
    mine = world.update(ours["id"], {"notes": "x"})
    world.update(theirs, {"notes": "x"})
    world.run()
    assert sorted(world.receiver.acknowledged()) == [("by_account", mine),
                                                     ("by_formula", mine)]


@pytest.mark.parametrize(("text", "code", "column", "excerpt"), [
    ("totl_amount > 1", "formula.unknown_field", 1, "totl_amount > 1\n^^^^^^^^^^^"),
    ("owner_id = $User.id", "formula.unknown_field", 12, "owner_id = $User.id\n"
                                                         "           ^^^^^^^^"),
    ("notes", "formula.result_type", 1, "notes\n^^^^^"),
    ("status = ", "formula.syntax", 9, None),
])
def test_a_filter_that_does_not_type_check_is_refused_with_its_caret(world, text, code, column,
                                                                      excerpt):
    with pytest.raises(WebhookError) as caught:
        world.subscribe(filter=text)
    error = caught.value
    assert (error.code, error.parameter) == (code, "filter")
    (detail,) = error.details()
    assert (detail["parameter"], detail["line"], detail["column"]) == ("filter", 1, column)
    if excerpt is not None:
        assert detail["excerpt"] == excerpt
    assert world.engine.webhooks(world.tenant).list() == []


def test_over_rest_a_bad_filter_is_a_422_with_its_position(world):
    api = Api(world.engine, world.tenant)
    response = api.post("/admin/webhooks", {"name": "erp", "object": "Order",
                                            "url": world.receiver.url, "secret": SECRET,
                                            "filter": "total_amount > 'a lot'"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "formula.type"
    assert error["details"][0]["parameter"] == "filter"
    assert {"line", "column", "excerpt"} <= set(error["details"][0])
    changed = api.post("/admin/webhooks", {"name": "erp", "object": "Order",
                                           "url": world.receiver.url, "secret": SECRET})
    assert changed.status_code == 201
    response = api.patch("/admin/webhooks/erp", {"filter": "$User.name = 'x'"})
    assert (response.status_code, response.json()["error"]["code"]) == \
        (422, "formula.unknown_field")


def test_a_filter_in_metadata_that_does_not_type_check_is_a_problem_with_its_caret(engine,
                                                                                    tenant):
    from tests.packs import documents, field, obj, pack_of

    docs = documents(obj("Deal", field("name", "text"), field("amount", "currency", scale=2)))
    docs["webhooks/big_deals.json"] = {"api_name": "big_deals", "object": "Deal",
                                       "url": "https://erp.example.com/deals",
                                       "filter": "amount > 10 && $User.name = 'x'"}
    with pytest.raises(MetadataError) as caught:
        engine.metadata(tenant).deploy(pack_of(docs))
    (problem,) = caught.value.problems
    assert (problem.code, problem.file, problem.pointer) == \
        ("formula.unknown_field", "webhooks/big_deals.json", "/filter")
    assert problem.excerpt == "amount > 10 && $User.name = 'x'\n" \
                              "               ^^^^^^^^^^"
