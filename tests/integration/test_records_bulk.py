"""create_many: big batches (COPY on PostgreSQL), all or nothing, errors with row indexes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from hulian.engine import RecordValidationError
from tests.packs import field, obj, options, pack

THING = obj(
    "Thing",
    field("name", "text", max_length=40),
    field("body", "textarea"),
    field("qty", "number", precision=9, scale=3),
    field("price", "currency", precision=14, scale=2, minimum=0),
    field("share", "percent", precision=5, scale=2),
    field("ok", "boolean"),
    field("day", "date"),
    field("at", "datetime"),
    field("clock", "time"),
    field("kind", "picklist", options=options("small", "large"), default="small"),
    field("tags", "multi_picklist", options=options("p", "q", "r")),
    field("mail", "email", unique=True),
    field("tel", "phone"),
    field("web", "url"),
    field("parent", "lookup", target="Owner"),
    field("seq", "auto_number", format="TH-{00000}"),
)
OWNER = obj("Owner", field("name", "text"))
VALUE_FIELDS = ["name", "body", "qty", "price", "share", "ok", "day", "at", "clock", "kind",
                "tags", "mail", "tel", "web", "parent"]


@pytest.fixture
def things(engine, tenant):
    engine.metadata(tenant).deploy(pack(THING, OWNER))
    with engine.session(tenant) as s:
        owners = s.create_many("Owner", [{"name": "o1"}, {"name": "o2"}])
    return engine, tenant, owners


def row(i: int, owners: list[str]) -> dict[str, Any]:
    """Row ``i`` of a batch: every type, blanks here and there, keys differing per row."""
    data: dict[str, Any] = {"name": f"thing {i} «{i % 7}» 'q' \"d\" \\"}
    if i % 2:
        data["body"] = f"line one\r\nline two {i}\t%_ \\N \\."
    if i % 3:
        data["qty"] = f"{i}.{i % 1000:03d}5" if i % 5 else i
    data["price"] = Decimal(i) / 8 if i % 4 else None
    if i % 7:
        data["share"] = f"-{i % 100}.5"
    data["ok"] = [True, False, None, "true"][i % 4]
    if i % 6:
        data["day"] = f"{1 + i % 9999:04d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    if i % 5:
        offset = f"{'+-'[i % 2]}{i % 14:02d}:{(i % 2) * 30:02d}"
        year = 1 + (i * 13) % 9998
        data["at"] = f"{year:04d}-{1 + i % 12:02d}-15T{i % 24:02d}:{i % 60:02d}:07.{i:06d}{offset}"
    if i % 4 != 1:
        data["clock"] = f"{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}"
    if i % 3 == 0:
        data["kind"] = "large"
    if i % 2 == 0:
        data["tags"] = [["r", "p"], ["q"], [], ["p", "q", "r"]][i % 4]
    data["mail"] = f"user{i}@example.com" if i % 10 else None
    if i % 9:
        data["tel"] = f"+86 21 {i:04d} {i % 97:04d}"
    if i % 11:
        data["web"] = f"https://example.com/{i}?q=%20"
    if i % 3 == 1:
        data["parent"] = owners[i % 2]
    return data


def _half_up(value: Decimal, scale: int) -> Decimal:
    from decimal import ROUND_HALF_UP
    return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def expected(data: dict[str, Any]) -> dict[str, Any]:
    """What a row must read back as, computed here without the engine's coercers."""
    out: dict[str, Any] = {name: None for name in VALUE_FIELDS}
    out.update({k: v for k, v in data.items() if v not in ("", [])})
    for name, scale in (("qty", 3), ("price", 2), ("share", 2)):
        if out[name] is not None:
            out[name] = _half_up(Decimal(str(out[name])), scale)
    out["ok"] = {None: False, "true": True}.get(data.get("ok"), data.get("ok"))
    if out["day"] is not None:
        out["day"] = dt.date.fromisoformat(out["day"])
    if out["at"] is not None:
        out["at"] = dt.datetime.fromisoformat(out["at"]).astimezone(dt.UTC)
    if out["clock"] is not None:
        out["clock"] = dt.time.fromisoformat(out["clock"])
    out["kind"] = data.get("kind", "small")
    if out["tags"] is not None:
        out["tags"] = sorted(out["tags"])
    return out


def check(record: dict[str, Any], data: dict[str, Any]) -> None:
    want = expected(data)
    got = {name: record[name] for name in VALUE_FIELDS}
    assert got == want
    for name, value in want.items():
        assert type(got[name]) is type(value), name


def test_a_thousand_rows_read_back_equal(things):
    engine, tenant, owners = things
    inputs = [row(i, owners) for i in range(1000)]
    with engine.session(tenant) as s:
        ids = s.create_many("Thing", inputs)
    assert len(ids) == len(set(ids)) == 1000
    with engine.session(tenant) as s:
        assert s.count("Thing") == 1000
        records: dict[str, dict[str, Any]] = {}
        cursor = None
        while True:
            page = s.query("Thing", order_by="seq", limit=1000, after=cursor)
            records.update((r["id"], r) for r in page)
            if not (cursor := page.next):
                break
        user_id = s.user.id
    assert set(records) == set(ids)
    for i, (record_id, data) in enumerate(zip(ids, inputs, strict=True)):
        record = records[record_id]
        check(record, data)
        assert record["seq"] == f"TH-{i + 1:05d}"  # numbered in input order
        assert (record["version"], record["owner_id"], record["is_deleted"]) == (1, user_id, False)
        assert record["created_at"].utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("size", [2, 5, 19, 20, 21])
def test_batches_of_any_size_keep_every_value(things, size):
    """Small batches take another path than COPY; rows with different keys included."""
    engine, tenant, owners = things
    inputs = [row(i, owners) for i in range(size)]
    with engine.session(tenant) as s:
        ids = s.create_many("Thing", inputs)
    with engine.session(tenant) as s:
        for record_id, data in zip(ids, inputs, strict=True):
            check(s.get("Thing", record_id), data)


def test_bulk_and_single_creates_store_the_same(things):
    engine, tenant, owners = things
    inputs = [{**row(i, owners), "mail": None} for i in range(30)]
    with engine.session(tenant) as s:
        bulk = [s.get("Thing", i) for i in s.create_many("Thing", inputs)]
        single = [s.create("Thing", data) for data in inputs]
    system = {"id", "seq", "created_at", "updated_at"}
    for a, b in zip(bulk, single, strict=True):
        assert {k: v for k, v in a.items() if k not in system} == \
            {k: v for k, v in b.items() if k not in system}


def test_one_bad_row_writes_nothing_and_names_its_index(things):
    engine, tenant, owners = things
    inputs = [row(i, owners) for i in range(1000)]
    inputs[637] = {**inputs[637], "price": "-1"}
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create_many("Thing", inputs)
        assert [(e.row, e.field, e.code) for e in exc.value.errors] == [
            (637, "price", "too_small")]
        assert exc.value.details()[0]["row"] == 637
        assert s.count("Thing", include_deleted=True) == 0
        # the refused batch took no numbers
        assert s.create("Thing", {"name": "after"})["seq"] == "TH-00001"


def test_every_bad_row_is_reported(things):
    engine, tenant, owners = things
    inputs: list[Any] = [row(i, owners) for i in range(50)]
    inputs[3] = {"name": None}
    inputs[10] = {**inputs[10], "mail": inputs[21]["mail"]}
    inputs[31] = "not a record"
    inputs[42] = {**inputs[42], "parent": "01ABCDEFGHJKMNPQRSTVWXYZ00", "kind": "huge"}
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create_many("Thing", inputs)
        assert sorted((e.row, e.field or "", e.code) for e in exc.value.errors) == [
            (3, "name", "required"),
            (21, "mail", "duplicate_value"),
            (31, "", "invalid_record"),
            (42, "kind", "invalid_option"),
            (42, "parent", "unknown_reference"),
        ]
        assert s.count("Thing") == 0


def test_empty_batch_creates_nothing(things):
    engine, tenant, _ = things
    with engine.session(tenant) as s:
        assert s.create_many("Thing", []) == []
        assert s.create_many("Thing", iter([])) == []
        assert s.count("Thing") == 0


def test_a_batch_accepts_any_iterable(things):
    engine, tenant, owners = things
    with engine.session(tenant) as s:
        ids = s.create_many("Thing", (row(i, owners) for i in range(25)))
        assert [s.get("Thing", i)["name"] for i in ids] == [f"thing {i} «{i % 7}» 'q' \"d\" \\"
                                                             for i in range(25)]


def test_errors_in_later_chunks_carry_their_index_in_the_whole_batch(crm):
    """More rows than one internal chunk: duplicates across chunks and indexes still hold."""
    engine, tenant = crm
    rows = [{"name": f"c{i}", "email": f"u{i}@example.com"} for i in range(5003)]
    rows[5001] = {"name": "dup", "email": "u0@example.com"}
    rows[5002] = {"name": "bad", "email": "nope"}
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create_many("Contact", rows)
        assert sorted((e.row, e.field, e.code) for e in exc.value.errors) == [
            (5001, "email", "duplicate_value"), (5002, "email", "invalid_email")]
        assert s.count("Contact") == 0


def test_every_row_is_checked_before_any_batch_is_written(crm):
    """Rows 10 and 5,500 are bad, in different batches: both are reported, and nothing is
    written (the first batch is not written before the second is checked)."""
    engine, tenant = crm
    rows = [{"name": f"c{i}", "email": f"u{i}@example.com"} for i in range(6000)]
    rows[10] = {"name": "bad early", "email": "nope"}
    rows[5500] = {"name": "bad late", "email": "also nope"}
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create_many("Contact", rows)
        assert sorted((e.row, e.field, e.code) for e in exc.value.errors) == [
            (10, "email", "invalid_email"), (5500, "email", "invalid_email")]
        assert s.count("Contact") == 0


def test_the_error_list_is_capped(crm):
    from hulian.engine.session import MAX_BULK_ERRORS

    engine, tenant = crm
    rows = [{"name": f"c{i}", "email": "nope"} for i in range(MAX_BULK_ERRORS + 500)]
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create_many("Contact", rows)
        assert [e.row for e in exc.value.errors] == list(range(MAX_BULK_ERRORS))
        assert s.count("Contact") == 0


KEYED = obj("Keyed", field("code", "text", unique=True), field("qty", "number", precision=9,
                                                                scale=2, unique=True),
            field("day", "date", unique=True), field("at", "datetime", unique=True),
            field("parent", "lookup", target="Owner"), name_field="code")


def test_unique_values_of_every_kind_are_checked_against_stored_records_in_bulk(engine,
                                                                                tenant):
    """Each unique field's values (text, number, date, date-time) are looked up among the
    stored records in one statement per batch (an array on PostgreSQL), and lookups the
    same way: a repeat of a stored value is an error on its row and field, the rest pass."""
    engine.metadata(tenant).deploy(pack(KEYED, OWNER))
    with engine.session(tenant) as s:
        (owner,) = s.create_many("Owner", [{"name": "o"}])
        s.create("Keyed", {"code": "A", "qty": "1.50", "day": "2026-01-02",
                           "at": "2026-01-02T03:04:05Z"})
    rows = [{"code": f"C{i}", "qty": f"{i}.25", "at": f"2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
             "day": f"2025-{1 + i % 12:02d}-{1 + i // 12:02d}", "parent": owner}
            for i in range(300)]
    rows[7] = {**rows[7], "code": "A"}
    rows[8] = {**rows[8], "qty": "1.5"}
    rows[9] = {**rows[9], "day": "2026-01-02"}
    rows[10] = {**rows[10], "at": "2026-01-02T04:04:05+01:00"}
    rows[11] = {**rows[11], "parent": "01ZZZZZZZZZZZZZZZZZZZZZZZZ"}
    with pytest.raises(RecordValidationError) as exc, engine.session(tenant) as s:
        s.create_many("Keyed", rows)
    assert sorted((e.row, e.field, e.code) for e in exc.value.errors) == [
        (7, "code", "duplicate_value"), (8, "qty", "duplicate_value"),
        (9, "day", "duplicate_value"), (10, "at", "duplicate_value"),
        (11, "parent", "unknown_reference")]
    with engine.session(tenant) as s:
        assert len(s.create_many("Keyed", rows[12:])) == 288
