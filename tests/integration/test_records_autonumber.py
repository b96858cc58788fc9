"""Auto-numbers: rendering, consecutive counters, no duplicates under concurrent writers."""

from __future__ import annotations

import re
import threading

import pytest

from hulian.engine import RecordValidationError
from tests.packs import field, obj, pack

THREADS = 4
CREATES_PER_THREAD = 25


def test_account_numbers_render_the_format_and_count_up(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        first = s.create("Account", {"name": "a"})["account_number"]
        second = s.create("Account", {"name": "b"})["account_number"]
    with engine.session(tenant) as s:
        ids = s.create_many("Account", [{"name": f"bulk {i}"} for i in range(3)])
        bulk = [s.get("Account", i)["account_number"] for i in ids]
        last = s.create("Account", {"name": "c"})["account_number"]
    assert [first, second, *bulk, last] == [f"AC-{n:06d}" for n in range(1, 7)]


def test_opportunity_numbers_carry_year_and_month(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "a"})
        records = [s.create("Opportunity", {"title": f"o{i}", "account": account["id"]})
                   for i in range(3)]
    for n, record in enumerate(records, 1):
        stamp = record["created_at"]
        assert record["number"] == f"OPP-{stamp.year:04d}{stamp.month:02d}-{n:04d}"
        assert re.fullmatch(r"OPP-\d{6}-\d{4}", record["number"])


def test_auto_number_is_read_only_and_kept_on_update(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        record = s.create("Account", {"name": "a"})
        with pytest.raises(RecordValidationError) as exc:
            s.update("Account", record["id"], {"account_number": "AC-999999"})
        assert [(e.field, e.code) for e in exc.value.errors] == [("account_number", "read_only")]
        updated = s.update("Account", record["id"], {"name": "renamed"})
    assert updated["account_number"] == record["account_number"] == "AC-000001"


def test_failed_creates_consume_no_number(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        s.create("Account", {"name": "one"})
        with pytest.raises(RecordValidationError):
            s.create("Account", {"name": "bad", "employees": -1})
        with pytest.raises(RecordValidationError):
            s.create_many("Account", [{"name": "ok"}, {"name": "bad", "industry": "nope"}])
        assert s.create("Account", {"name": "two"})["account_number"] == "AC-000002"
    with pytest.raises(RuntimeError), engine.session(tenant) as s:
        s.create("Account", {"name": "rolled back"})
        raise RuntimeError("abort the unit of work")
    with engine.session(tenant) as s:
        assert s.create("Account", {"name": "three"})["account_number"] == "AC-000003"


def test_start_and_counter_wider_than_its_zeros(engine, tenant):
    engine.metadata(tenant).deploy(pack(obj(
        "Ticket", field("number", "auto_number", format="T{yy}-{00}", start=98),
        field("subject", "text"), name_field="number")))
    with engine.session(tenant) as s:
        records = [s.create("Ticket", {"subject": str(i)}) for i in range(3)]
    yy = f"{records[0]['created_at'].year % 100:02d}"
    assert [r["number"] for r in records] == [f"T{yy}-98", f"T{yy}-99", f"T{yy}-100"]


def test_concurrent_creates_get_distinct_consecutive_numbers(crm):
    """4 threads x 25 creates, each create its own session (and transaction)."""
    engine, tenant = crm
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work(worker: int) -> None:
        try:
            start.wait()
            for i in range(CREATES_PER_THREAD):
                with engine.session(tenant) as s:
                    number = s.create("Account", {"name": f"w{worker}-{i}"})["account_number"]
                with lock:
                    numbers.append(number)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    total = THREADS * CREATES_PER_THREAD
    assert len(numbers) == total
    assert sorted(numbers) == [f"AC-{n:06d}" for n in range(1, total + 1)]
    with engine.session(tenant) as s:
        assert s.count("Account") == total
        stored = [r["account_number"] for r in s.query("Account", order_by="account_number",
                                                       limit=total)]
    assert stored == sorted(numbers)
