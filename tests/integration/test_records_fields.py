"""Each field type through the public API: JSON input in, typed values out, on both databases.

A value is written in one session and read back in another, so what is checked
is what the database kept, not what the write path had in memory.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pytest

from hulian.engine import NotFoundError, RecordValidationError
from hulian.engine.ids import ALPHABET
from tests.packs import documents, field, obj, options, pack, pack_of

UTC = dt.UTC

ITEM = obj(
    "Item",
    field("name", "text", max_length=20),
    field("code", "text", max_length=7, pattern="[A-Z]{3}-[0-9]{3}"),
    field("notes", "textarea", max_length=50),
    field("qty", "number", precision=5, scale=0, minimum=0, maximum=1000),
    field("price", "currency", precision=10, scale=2),
    field("rate", "percent", precision=5, scale=2, minimum=0, maximum=100),
    field("weight", "number", precision=18, scale=4),
    field("active", "boolean"),
    field("due", "date"),
    field("happened_at", "datetime"),
    field("alarm", "time"),
    field("status", "picklist", options=options("new", "open", "old", inactive=("old",))),
    field("tags", "multi_picklist", options=options("red", "green", "blue")),
    field("email", "email"),
    field("phone", "phone"),
    field("site", "url"),
    field("partner", "lookup", target="Other"),
    field("seq", "auto_number", format="IT-{0000}"),
)
OTHER = obj("Other", field("name", "text"))


@pytest.fixture
def items(engine, tenant):
    engine.metadata(tenant).deploy(pack(ITEM, OTHER))
    return engine, tenant


@pytest.fixture(scope="module")
def shared_items(engine):
    """One tenant per database for the many one-record cases (each counts its own writes)."""
    tenant = f"fields{os.getpid()}_{engine.dialect[:2]}"
    engine.metadata(tenant).deploy(pack(ITEM, OTHER))
    return engine, tenant


def create_then_get(engine, tenant, object_name: str, data: dict[str, Any]) -> dict[str, Any]:
    with engine.session(tenant) as s:
        record_id = s.create(object_name, data)["id"]
    with engine.session(tenant) as s:
        return s.get(object_name, record_id)


def problems(exc: RecordValidationError) -> list[tuple[str | None, str]]:
    return [(e.field, e.code) for e in exc.errors]


# -- coercion: input -> stored value -------------------------------------------------------

COERCED = [
    # text: verbatim, any script; "" is blank
    ("name", "  Acme  ", "  Acme  "),
    ("name", "华信 🚀 'q' \"d\" \\", "华信 🚀 'q' \"d\" \\"),
    ("name", "x" * 20, "x" * 20),
    ("notes", "line 1\nline 2\ttab", "line 1\nline 2\ttab"),
    ("code", "ABC-123", "ABC-123"),
    ("code", "", None),
    # exact decimals from strings, ints, floats and Decimals; half up to the scale
    ("price", "0.1", Decimal("0.10")),
    ("price", 0.1, Decimal("0.10")),
    ("price", 12, Decimal("12.00")),
    ("price", Decimal("7.5"), Decimal("7.50")),
    ("price", " 7.5 ", Decimal("7.50")),
    ("price", "1e3", Decimal("1000.00")),
    ("price", "2.345", Decimal("2.35")),
    ("price", "2.344", Decimal("2.34")),
    ("price", "-2.345", Decimal("-2.35")),
    ("price", "99999999.994", Decimal("99999999.99")),
    ("price", "", None),
    ("qty", "12.5", Decimal("13")),
    ("qty", 0, Decimal("0")),
    ("weight", "0.00005", Decimal("0.0001")),
    ("weight", "12345678901234.5678", Decimal("12345678901234.5678")),
    ("rate", "99.999", Decimal("100.00")),
    # booleans; a blank checkbox is unchecked
    ("active", True, True),
    ("active", "false", False),
    ("active", "TRUE", True),
    ("active", None, False),
    # dates: ISO strings, the whole calendar
    ("due", "2024-02-29", dt.date(2024, 2, 29)),
    ("due", "0001-01-01", dt.date(1, 1, 1)),
    ("due", "9999-12-31", dt.date(9999, 12, 31)),
    # datetimes: aware input, stored and returned as the same instant in UTC
    ("happened_at", "2024-03-31T09:30:00+08:00", dt.datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),
    ("happened_at", "2024-03-31T01:30:00.123456Z",
     dt.datetime(2024, 3, 31, 1, 30, 0, 123456, tzinfo=UTC)),
    ("happened_at", "2024-01-01T00:30:00-05:30", dt.datetime(2024, 1, 1, 6, 0, tzinfo=UTC)),
    ("happened_at", "0001-01-01T00:00:00+00:00", dt.datetime(1, 1, 1, tzinfo=UTC)),
    ("happened_at", "9999-12-31T23:59:59.999999+00:00",
     dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    # times of day
    ("alarm", "09:30", dt.time(9, 30)),
    ("alarm", "23:59:59.999999", dt.time(23, 59, 59, 999999)),
    ("alarm", "00:00:00", dt.time(0, 0)),
    # picklists store option api_names; multi-picklists in option order, no repeats
    ("status", "open", "open"),
    ("status", "", None),
    ("tags", ["blue", "red", "blue"], ["red", "blue"]),
    ("tags", ["green"], ["green"]),
    ("tags", [], None),
    # email, phone, url: verbatim when valid
    ("email", "a.b+c@example.co.uk", "a.b+c@example.co.uk"),
    ("phone", "+86 (21) 5888-1234 ext. 12", "+86 (21) 5888-1234 ext. 12"),
    ("site", "https://example.com/a?b=c#d", "https://example.com/a?b=c#d"),
    ("site", "example.com", "example.com"),
]


@pytest.mark.parametrize(("name", "given", "expected"), COERCED,
                         ids=[f"{c[0]}-{c[1]!r}"[:40] for c in COERCED])
def test_value_is_coerced_and_kept(shared_items, name, given, expected):
    engine, tenant = shared_items
    data = {"name": "n", name: given} if name != "name" else {name: given}
    record = create_then_get(engine, tenant, "Item", data)
    assert record[name] == expected
    assert type(record[name]) is type(expected)
    if isinstance(expected, Decimal):
        assert str(record[name]) == str(expected)  # the scale's digits, exactly
    if isinstance(expected, dt.datetime):
        assert record[name].utcoffset() == dt.timedelta(0)


def test_query_returns_the_same_values_as_get(items):
    engine, tenant = items
    data = {"name": "全部", "price": "0.1", "qty": 3, "active": True, "due": "2024-02-29",
            "happened_at": "2024-03-31T09:30:00+08:00", "alarm": "07:05:03",
            "status": "new", "tags": ["blue", "red"], "email": "x@example.com"}
    with engine.session(tenant) as s:
        created = s.create("Item", data)
    with engine.session(tenant) as s:
        (listed,) = s.query("Item").records
        assert listed == s.get("Item", created["id"]) == created


def test_lookup_takes_the_id_of_a_live_record(items):
    engine, tenant = items
    with engine.session(tenant) as s:
        other = s.create("Other", {"name": "target"})
    record = create_then_get(engine, tenant, "Item", {"name": "n", "partner": other["id"]})
    assert record["partner"] == other["id"]


def test_lookup_to_a_deleted_record_is_refused(items):
    engine, tenant = items
    with engine.session(tenant) as s:
        other = s.create("Other", {"name": "gone"})
        s.delete("Other", other["id"])
        with pytest.raises(RecordValidationError) as exc:
            s.create("Item", {"name": "n", "partner": other["id"]})
        assert problems(exc.value) == [("partner", "unknown_reference")]


# -- validation: one wrong value, one error, nothing written -------------------------------

REFUSED = [
    ("name", "x" * 21, "too_long"),
    ("name", 5, "invalid_type"),
    ("name", None, "required"),
    ("name", "a\x00b", "invalid_character"),
    ("code", "abc-123", "pattern_mismatch"),
    ("code", "ABC-12", "pattern_mismatch"),
    ("notes", "x" * 51, "too_long"),
    ("qty", "-1", "too_small"),
    ("qty", 1001, "too_large"),
    ("qty", "1000.5", "too_large"),
    ("price", "100000000", "out_of_range"),
    ("price", "99999999.995", "out_of_range"),
    ("price", "1e30", "out_of_range"),
    ("price", "abc", "invalid_number"),
    ("price", "NaN", "invalid_number"),
    ("price", "Infinity", "invalid_number"),
    ("price", True, "invalid_type"),
    ("price", [1], "invalid_type"),
    ("rate", "100.01", "too_large"),
    ("active", 1, "invalid_type"),
    ("active", "yes", "invalid_type"),
    ("due", "2023-02-29", "invalid_date"),
    ("due", "2024/01/01", "invalid_date"),
    ("due", "2024-01-01T00:00:00", "invalid_date"),
    ("due", 20240101, "invalid_type"),
    ("happened_at", "2024-03-31T09:30:00", "missing_timezone"),
    ("happened_at", "yesterday", "invalid_datetime"),
    ("happened_at", "9999-12-31T23:30:00-01:00", "invalid_datetime"),
    ("happened_at", 1711848600, "invalid_type"),
    ("alarm", "25:00", "invalid_time"),
    ("alarm", "9:30", "invalid_time"),
    ("alarm", "09:30:00+08:00", "invalid_time"),
    ("status", "Open", "invalid_option"),
    ("status", "closed", "invalid_option"),
    ("status", "old", "inactive_option"),
    ("tags", "red", "invalid_type"),
    ("tags", ["red", "pink"], "invalid_option"),
    ("email", "not-an-email", "invalid_email"),
    ("email", "a@b", "invalid_email"),
    ("email", "a@example.com\n", "invalid_email"),
    ("phone", "+86 21 5888 1234\n", "invalid_phone"),
    ("site", "https://example.com/\n", "invalid_url"),
    ("site", "https://exa mple.com", "invalid_url"),
    ("phone", "call me", "invalid_phone"),
    ("site", "ftp://example.com", "invalid_url"),
    ("site", "http://[::1", "invalid_url"),
    ("partner", "not an id!", "invalid_reference"),
    ("partner", "01ABCDEFGHJKMNPQRSTVWXYZ00", "unknown_reference"),
    ("seq", "IT-9999", "read_only"),
    ("id", "01ABCDEFGHJKMNPQRSTVWXYZ00", "read_only"),
    ("version", 7, "read_only"),
    ("created_at", "2024-01-01T00:00:00Z", "read_only"),
    ("nmae", "typo", "unknown_field"),
    ("owner_id", "01ABCDEFGHJKMNPQRSTVWXYZ00", "unknown_user"),
]


@pytest.mark.parametrize(("name", "given", "code"), REFUSED,
                         ids=[f"{c[0]}-{c[2]}-{c[1]!r}"[:50] for c in REFUSED])
def test_bad_value_is_refused_with_its_code(shared_items, name, given, code):
    engine, tenant = shared_items
    data = {"name": "n", name: given} if name != "name" else {name: given}
    with engine.session(tenant) as s:
        before = s.count("Item", include_deleted=True)
        with pytest.raises(RecordValidationError) as exc:
            s.create("Item", data)
        assert problems(exc.value) == [(name, code)]
        assert exc.value.code == "validation_failed"
        assert s.count("Item", include_deleted=True) == before


def test_unknown_field_error_suggests_the_close_name(items):
    engine, tenant = items
    with engine.session(tenant) as s, pytest.raises(RecordValidationError) as exc:
        s.create("Item", {"name": "n", "prcie": 1})
    (error,) = exc.value.errors
    assert error.hint == "did you mean 'price'?"


def test_required_is_checked_on_update_only_for_fields_being_changed(items):
    engine, tenant = items
    with engine.session(tenant) as s:
        record = s.create("Item", {"name": "n"})
        assert s.update("Item", record["id"], {"notes": "fine"})["notes"] == "fine"
        with pytest.raises(RecordValidationError) as exc:
            s.update("Item", record["id"], {"name": ""})
        assert problems(exc.value) == [("name", "required")]
        assert s.get("Item", record["id"])["name"] == "n"


def test_unknown_object_is_not_found(items):
    engine, tenant = items
    with engine.session(tenant) as s, pytest.raises(NotFoundError) as exc:
        s.create("Itme", {"name": "n"})
    assert exc.value.code == "unknown_object"
    assert "Item" in exc.value.hint


# -- system columns ------------------------------------------------------------------------

def test_system_columns_of_a_new_and_an_updated_record(items):
    engine, tenant = items
    before = dt.datetime.now(UTC)
    with engine.session(tenant) as s:
        record_id = s.create("Item", {"name": "n"})["id"]
        user_id = s.user.id
    after = dt.datetime.now(UTC)
    with engine.session(tenant) as s:
        record = s.get("Item", record_id)
    assert len(record["id"]) == 26 and set(record["id"]) <= set(ALPHABET)
    assert record["owner_id"] == record["created_by"] == record["updated_by"] == user_id
    assert record["version"] == 1
    assert record["is_deleted"] is False
    assert record["business_type"] == "default"
    assert record["life_status"] == "normal"
    assert record["seq"] == "IT-0001"
    for name in ("created_at", "updated_at"):
        assert record[name].utcoffset() == dt.timedelta(0)
        assert before <= record[name] <= after
    with engine.session(tenant) as s:
        updated = s.update("Item", record_id, {"notes": "changed"})
    assert updated["version"] == 2
    assert updated["created_at"] == record["created_at"]
    assert updated["updated_at"] >= record["updated_at"]
    assert updated["seq"] == "IT-0001"


def test_owner_can_be_another_user_of_the_tenant(items):
    engine, tenant = items
    other = engine.people(tenant).create_user("li.lei", display_name="李雷")
    with engine.session(tenant) as s:
        record = s.create("Item", {"name": "n", "owner_id": other.id})
        assert record["owner_id"] == other.id
        assert record["created_by"] == s.user.id
    with engine.session(tenant, user="li.lei") as s:
        mine = s.create("Item", {"name": "m"})
        assert mine["owner_id"] == mine["created_by"] == other.id


# -- inactive options ----------------------------------------------------------------------

def _choices_pack(inactive: tuple[str, ...] = ()):
    return documents(obj(
        "Ticket",
        field("name", "text"),
        field("notes", "text"),
        field("status", "picklist", options=options("new", "legacy", inactive=inactive)),
        field("tags", "multi_picklist", options=options("a", "legacy", inactive=inactive)),
    ))


def test_inactive_option_is_refused_for_new_values_but_stored_ones_survive(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(_choices_pack()))
    with engine.session(tenant) as s:
        old = s.create("Ticket", {"name": "old", "status": "legacy", "tags": ["legacy", "a"]})
        fresh = s.create("Ticket", {"name": "fresh", "status": "new"})
    engine.metadata(tenant).deploy(pack_of(_choices_pack(inactive=("legacy",))))
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("Ticket", {"name": "x", "status": "legacy", "tags": ["legacy"]})
        assert problems(exc.value) == [("status", "inactive_option"), ("tags", "inactive_option")]
        with pytest.raises(RecordValidationError) as exc:
            s.update("Ticket", fresh["id"], {"status": "legacy"})
        assert problems(exc.value) == [("status", "inactive_option")]

        kept = s.update("Ticket", old["id"], {"notes": "still here"})
        assert (kept["status"], kept["tags"], kept["version"]) == ("legacy", ["a", "legacy"], 2)
        # sending the stored value back (as a form does) is not a new choice
        again = s.update("Ticket", old["id"], {"status": "legacy", "tags": ["a", "legacy"],
                                               "notes": "resent"})
        assert (again["status"], again["tags"]) == ("legacy", ["a", "legacy"])
        moved = s.update("Ticket", old["id"], {"status": "new"})
        assert moved["status"] == "new"
        with pytest.raises(RecordValidationError):
            s.update("Ticket", old["id"], {"status": "legacy"})
        assert s.get("Ticket", old["id"])["status"] == "new"


def test_default_values_fill_missing_fields_only(engine, tenant):
    docs = documents(obj(
        "Order",
        field("name", "text"),
        field("stage", "picklist", options=options("draft", "sent"), default="draft"),
        field("tags", "multi_picklist", options=options("a", "b", "c"), default=["c", "a"]),
        field("discount", "percent", scale=2, default=5),
        field("urgent", "boolean", default=True),
        field("note", "text", default="—"),
    ))
    engine.metadata(tenant).deploy(pack_of(docs))
    with engine.session(tenant) as s:
        defaulted = s.create("Order", {"name": "d"})
        given = s.create("Order", {"name": "g", "stage": "sent", "tags": ["b"], "discount": "0",
                                   "urgent": False, "note": "own"})
    assert (defaulted["stage"], defaulted["tags"], defaulted["discount"], defaulted["urgent"],
            defaulted["note"]) == ("draft", ["a", "c"], Decimal("5.00"), True, "—")
    assert (given["stage"], given["tags"], given["discount"], given["urgent"],
            given["note"]) == ("sent", ["b"], Decimal("0.00"), False, "own")
    with engine.session(tenant) as s:
        updated = s.update("Order", given["id"], {"name": "g2"})
    assert (updated["stage"], updated["urgent"]) == ("sent", False)

