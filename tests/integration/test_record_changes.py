"""Every write path leaves its record changes in the outbox, in the write's transaction, on
both databases: single and bulk creates, updates, deletes with their cascades and cleared
lookups, restores, roll-ups as system changes, REST request ids, and nothing from a write
that failed."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from hulian.engine import RecordValidationError
from hulian.engine.changes import outbox
from tests.integration.test_rest_support import Api
from tests.packs import documents, field, label, obj, options, pack_of

ACCOUNT = obj("Account", field("name", "text"),
              {**field("order_total", "currency", scale=2),
               "roll_up": {"object": "Order", "relationship": "account", "function": "SUM",
                           "field": "amount"}})
ORDER = obj("Order", field("name", "text"), field("amount", "currency", scale=2),
            field("status", "picklist", options=options("draft", "open")),
            field("account", "lookup", target="Account", relationship_name="orders",
                  on_delete="set_null"),
            field("due", "date"),
            validation_rules=[{"api_name": "positive", "condition": "amount < 0",
                               "message": label("Amount must not be negative"),
                               "error_field": "amount"}])
LINE = obj("Line", field("name", "text"),
           field("sales_order", "master_detail", target="Order", relationship_name="lines"))


@pytest.fixture
def shop(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(documents(ACCOUNT, ORDER, LINE)))
    return engine, tenant


def changes(engine, tenant, after=0):
    with engine.db.connect() as conn:
        return outbox.read_after(conn, tenant, after, limit=1000)


def test_a_create_records_what_it_stored(shop):
    engine, tenant = shop
    start = len(changes(engine, tenant))
    with engine.session(tenant, request_id="req-7") as s:
        order = s.create("Order", {"name": "A", "amount": "12.50", "due": "2026-12-31"})
    (change,) = changes(engine, tenant)[start:]
    assert (change.kind, change.object, change.record_id, change.before) == \
        ("create", "Order", order["id"], None)
    assert change.after["amount"] == Decimal("12.50")
    assert change.after["due"] == "2026-12-31"
    assert {k: change.after[k] for k in ("name", "business_type", "owner_id")} == \
        {"name": "A", "business_type": "default", "owner_id": order["owner_id"]}
    assert "status" not in change.after  # blank values are not listed
    assert (change.user, change.channel, change.request_id) == \
        (order["created_by"], "api", "req-7")


def test_an_update_records_only_what_changed_and_a_no_op_nothing(shop):
    engine, tenant = shop
    with engine.session(tenant) as s:
        order = s.create("Order", {"name": "A", "amount": "1", "status": "draft"})
        s.update("Order", order["id"], {"name": "A", "status": "open", "amount": "1.00"})
        s.update("Order", order["id"], {"name": "A"})  # nothing changes: no change
    found = [c for c in changes(engine, tenant) if c.record_id == order["id"]]
    assert [c.kind for c in found] == ["create", "update"]
    assert (found[1].before, found[1].after) == ({"status": "draft"}, {"status": "open"})


def test_roll_ups_are_system_changes_after_the_users(shop):
    engine, tenant = shop
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Acme"})["id"]
    before = len(changes(engine, tenant))
    with engine.session(tenant) as s:
        s.create("Order", {"name": "A", "amount": "10", "account": account})
    user_change, roll_up = changes(engine, tenant)[before:]
    assert user_change.kind == "create" and user_change.channel == "api"
    assert (roll_up.kind, roll_up.object, roll_up.record_id) == ("update", "Account", account)
    assert (roll_up.before, roll_up.after) == ({"order_total": Decimal(0)},
                                               {"order_total": Decimal("10.00")})
    assert (roll_up.user, roll_up.channel) == (None, "system")
    assert roll_up.id == user_change.id + 1


def test_a_delete_records_its_details_cleared_lookups_and_roll_ups(shop):
    engine, tenant = shop
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Acme"})["id"]
        order = s.create("Order", {"name": "A", "amount": "5", "account": account})["id"]
        lines = s.create_many("Line", [{"name": "l1", "sales_order": order},
                                       {"name": "l2", "sales_order": order}])
    marks = [changes(engine, tenant)[-1].id]
    for step in (lambda s: s.delete("Account", account), lambda s: s.delete("Order", order),
                 lambda s: s.restore("Order", order)):
        with engine.session(tenant) as s:
            step(s)
        marks.append(changes(engine, tenant)[-1].id)
    part = [[c for c in changes(engine, tenant, low) if c.id <= high]
            for low, high in itertools.pairwise(marks)]
    assert [(c.kind, c.object, c.after, c.channel) for c in part[0]] == [
        ("delete", "Account", {"is_deleted": True}, "api"),
        ("update", "Order", {"account": None}, "api"),  # on_delete: set_null
        ("update", "Account", {"order_total": Decimal("0.00")}, "system")]
    assert sorted((c.kind, c.object, c.record_id) for c in part[1]) == sorted(
        [("delete", "Order", order)] + [("delete", "Line", line) for line in lines])
    assert sorted((c.kind, c.object, c.record_id) for c in part[2]) == sorted(
        [("restore", "Order", order)] + [("restore", "Line", line) for line in lines])


def test_a_bulk_create_records_one_change_per_row_with_consecutive_ids(shop):
    engine, tenant = shop
    start = len(changes(engine, tenant))
    with engine.session(tenant) as s:
        s.import_records("Order", [{"name": f"o{i}", "amount": str(i)} for i in range(120)])
    found = changes(engine, tenant)[start:]
    assert [c.id for c in found] == list(range(found[0].id, found[0].id + 120))
    assert {(c.kind, c.channel) for c in found} == {("create", "import")}
    assert [c.after["name"] for c in found] == [f"o{i}" for i in range(120)]


def test_a_failed_write_leaves_no_change_and_no_gap(shop):
    engine, tenant = shop
    with engine.session(tenant) as s:
        s.create("Order", {"name": "ok"})
        with pytest.raises(RecordValidationError):
            s.create_many("Order", [{"name": "fine"}, {"name": "bad", "amount": "-1"}])
        with pytest.raises(RecordValidationError):
            s.create("Order", {"name": "bad", "amount": "-1"})
        s.create("Order", {"name": "after"})
    found = changes(engine, tenant)
    assert [c.after["name"] for c in found if c.kind == "create"] == ["ok", "after"]
    assert [c.id for c in found] == list(range(1, len(found) + 1))


def test_a_rolled_back_session_leaves_no_change(shop):
    engine, tenant = shop
    before = len(changes(engine, tenant))
    with pytest.raises(RuntimeError), engine.session(tenant) as s:
        s.create("Order", {"name": "lost"})
        raise RuntimeError("the caller gives up")
    assert len(changes(engine, tenant)) == before


def test_a_session_without_recording_writes_no_change(db_url, shop):
    from hulian.engine import Engine

    _, tenant = shop
    with Engine(db_url, migrate=False, record_changes=False) as quiet:
        with quiet.session(tenant) as s:
            s.create("Order", {"name": "quiet"})
        assert changes(quiet, tenant) == []


def test_rest_writes_carry_the_request_id_and_echo_it(shop):
    engine, tenant = shop
    api = Api(engine, tenant)
    response = api.post("/objects/Order/records", {"name": "web"},
                        headers={"X-Request-Id": "trace-42"})
    assert response.status_code == 201
    assert response.headers["X-Request-Id"] == "trace-42"
    made = api.post("/objects/Order/records", {"name": "web2"},
                    headers={"X-Request-Id": "not a token!"})
    generated = made.headers["X-Request-Id"]
    assert len(generated) == 32 and generated != "not a token!"
    last_two = changes(engine, tenant)[-2:]
    assert [(c.request_id, c.channel) for c in last_two] == [("trace-42", "api"),
                                                             (generated, "api")]


def test_a_deploy_backfill_is_a_system_change(shop):
    engine, tenant = shop
    with engine.session(tenant) as s:
        ids = s.create_many("Order", [{"name": "a"}, {"name": "b", "status": "open"}])
    start = changes(engine, tenant)[-1].id
    order = {**ORDER, "fields": [*ORDER["fields"][:2],
                                 {**ORDER["fields"][2], "required": True, "backfill": "draft"},
                                 *ORDER["fields"][3:]]}
    engine.metadata(tenant).deploy(pack_of(documents(ACCOUNT, order, LINE)))
    (change,) = changes(engine, tenant, start)
    assert (change.record_id, change.before, change.after, change.channel, change.user) == \
        (ids[0], {"status": None}, {"status": "draft"}, "system", None)
    assert isinstance(change.at, dt.datetime)
