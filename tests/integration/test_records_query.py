"""List queries: the filter language, sorting and keyset pagination, on both databases.

Expected results are written out by hand (filters) or computed in Python with
"blank is largest" (sorting), so both databases must agree with the same answer.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import os
from decimal import Decimal
from typing import Any

import pytest

from hulian.engine import QueryError
from hulian.metadata.jsontext import dumps
from tests.packs import field, obj, options, pack

DEAL = obj(
    "Deal",
    field("name", "text"),
    field("amount", "currency", precision=12, scale=2),
    field("qty", "number", precision=6, scale=0),
    field("closed", "boolean"),
    field("close_date", "date"),
    field("next_at", "datetime"),
    field("call_time", "time"),
    field("stage", "picklist", options=options("a", "b", "c")),
    field("tags", "multi_picklist", options=options("x", "y", "z")),
    field("note", "textarea"),
    field("seq", "auto_number", format="D-{000}"),
)

DEALS = [
    {"name": "alpha", "amount": "10.00", "qty": 1, "closed": True, "close_date": "2024-01-15",
     "next_at": "2024-01-15T08:00:00+08:00", "call_time": "09:00", "stage": "a",
     "tags": ["x"], "note": "Hello World"},
    {"name": "Bravo", "amount": "10.01", "qty": 2, "closed": False, "close_date": "2024-02-01",
     "next_at": "2024-01-15T00:00:00.000001Z", "call_time": "13:30", "stage": "b",
     "tags": ["y", "x"], "note": "100% sure"},
    {"name": "charlie", "amount": "-5.50", "qty": 3, "closed": False,
     "close_date": "2023-12-31", "next_at": "2023-12-31T23:59:59.999999Z",
     "call_time": "08:59:59", "stage": "c", "tags": ["z"], "note": "under_score"},
    {"name": "delta", "closed": True},
    {"name": "echo", "amount": 10, "qty": 5, "closed": False, "close_date": "2024-01-15",
     "next_at": "2024-01-14T19:00:00-05:00", "call_time": "09:00:00", "stage": "a",
     "tags": ["z", "y"], "note": "50%_off\\now"},
    {"name": "foxtrot", "amount": "0", "qty": 0, "closed": False, "close_date": "2024-03-01",
     "next_at": "2024-06-01T12:00:00Z", "call_time": "23:59:59.999999", "stage": "b",
     "tags": ["x", "y", "z"], "note": "hello"},
    {"name": "高尔夫 golf", "amount": "123456789.99", "qty": 999999, "closed": False,
     "stage": "c", "note": "ÄRGER mit Straße"},
]
ALL = {d["name"] for d in DEALS}
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def deals(engine):
    """One tenant per database holding DEALS; the tests here only read it."""
    tenant = f"q{os.getpid()}_{next(_numbers)}"
    engine.metadata(tenant).deploy(pack(DEAL))
    with engine.session(tenant) as s:
        s.create_many("Deal", DEALS)
    return engine, tenant


def names(engine, tenant, where: Any) -> set[str]:
    with engine.session(tenant) as s:
        found = {r["name"] for r in s.query("Deal", where, limit=100)}
        assert s.count("Deal", where) == len(found)
    return found


def but(*excluded: str) -> set[str]:
    return ALL - set(excluded)


FILTERS = [
    # eq / ne, blanks
    ({"name": "alpha"}, {"alpha"}),
    ({"name": {"eq": "ALPHA"}}, set()),
    ({"amount": None}, {"delta"}),
    ({"amount": {"eq": None}}, {"delta"}),
    ({"amount": {"ne": None}}, but("delta")),
    ({"stage": {"ne": "a"}}, but("alpha", "echo")),
    ({"amount": {"ne": "10"}}, but("alpha", "echo")),
    ({"close_date": {"ne": "2024-01-15"}}, but("alpha", "echo")),
    # ordered comparisons on numbers
    ({"amount": {"lt": 10}}, {"charlie", "foxtrot"}),
    ({"amount": {"le": "10.00"}}, {"alpha", "charlie", "echo", "foxtrot"}),
    ({"amount": {"gt": "10"}}, {"Bravo", "高尔夫 golf"}),
    ({"amount": {"ge": 10, "lt": "10.01"}}, {"alpha", "echo"}),
    ({"qty": {"ge": 3}}, {"charlie", "echo", "高尔夫 golf"}),
    # more decimals than the scale: compared exactly, never rounded
    ({"amount": {"gt": 10.005}}, {"Bravo", "高尔夫 golf"}),
    ({"amount": {"ge": "10.005"}}, {"Bravo", "高尔夫 golf"}),
    ({"amount": {"lt": "10.005"}}, {"alpha", "charlie", "echo", "foxtrot"}),
    ({"amount": {"le": "10.009"}}, {"alpha", "charlie", "echo", "foxtrot"}),
    ({"amount": {"eq": "10.005"}}, set()),
    ({"amount": {"ne": "10.005"}}, ALL),
    ({"amount": {"gt": "-5.505"}}, but("delta")),
    ({"amount": {"gt": "-5.495"}}, but("charlie", "delta")),
    ({"amount": {"lt": "-5.495"}}, {"charlie"}),
    ({"qty": {"lt": "2.5"}}, {"alpha", "Bravo", "foxtrot"}),
    # the largest value the field holds (10 digits before the point) and a tiny one
    ({"amount": {"lt": "9999999999.99"}}, but("delta")),
    ({"amount": {"gt": "-9999999999.999"}}, but("delta")),
    ({"amount": {"gt": "1e-40"}}, {"alpha", "Bravo", "echo", "高尔夫 golf"}),
    # in
    ({"qty": {"in": [1, "5", 7]}}, {"alpha", "echo"}),
    ({"stage": {"in": ["a", "c"]}}, {"alpha", "charlie", "echo", "高尔夫 golf"}),
    ({"stage": {"in": []}}, set()),
    ({"amount": {"in": ["10.00", "-5.5"]}}, {"alpha", "charlie", "echo"}),
    # contains / starts_with: case-insensitive, % _ and \ taken literally
    ({"note": {"contains": "HELLO"}}, {"alpha", "foxtrot"}),
    ({"note": {"contains": "%"}}, {"Bravo", "echo"}),
    ({"note": {"contains": "_"}}, {"charlie", "echo"}),
    ({"note": {"contains": "0%_"}}, {"echo"}),
    ({"note": {"contains": "\\"}}, {"echo"}),
    ({"note": {"contains": "\\n"}}, {"echo"}),
    ({"note": {"contains": "ärger"}}, {"高尔夫 golf"}),
    ({"name": {"contains": "高尔"}}, {"高尔夫 golf"}),
    ({"name": {"starts_with": "b"}}, {"Bravo"}),
    ({"note": {"starts_with": "100%"}}, {"Bravo"}),
    ({"note": {"starts_with": "%"}}, set()),
    ({"stage": {"starts_with": "a"}}, {"alpha", "echo"}),
    ({"seq": {"starts_with": "D-00"}}, ALL),
    # is_null
    ({"stage": {"is_null": True}}, {"delta"}),
    ({"note": {"is_null": False}}, but("delta")),
    ({"tags": {"is_null": True}}, {"delta", "高尔夫 golf"}),
    # booleans (never blank)
    ({"closed": True}, {"alpha", "delta"}),
    ({"closed": "false"}, but("alpha", "delta")),
    ({"closed": {"ne": True}}, but("alpha", "delta")),
    # dates, datetimes (instants, whatever the offset), times
    ({"close_date": {"ge": "2024-01-15", "lt": "2024-03-01"}}, {"alpha", "Bravo", "echo"}),
    ({"close_date": {"lt": "2024-01-01"}}, {"charlie"}),
    ({"next_at": "2024-01-15T08:00:00+08:00"}, {"alpha", "echo"}),
    ({"next_at": {"eq": "2024-01-15T00:00:00Z"}}, {"alpha", "echo"}),
    ({"next_at": {"gt": "2024-01-15T00:00:00Z"}}, {"Bravo", "foxtrot"}),
    ({"next_at": {"lt": "2024-01-15T07:59:59.999999+08:00"}}, {"charlie"}),
    ({"next_at": {"ge": "2024-01-14T19:00:00.000001-05:00"}}, {"Bravo", "foxtrot"}),
    ({"call_time": {"lt": "09:00"}}, {"charlie"}),
    ({"call_time": "09:00:00"}, {"alpha", "echo"}),
    ({"call_time": {"ge": "13:30"}}, {"Bravo", "foxtrot"}),
    # multi-picklists
    ({"tags": {"contains": "y"}}, {"Bravo", "echo", "foxtrot"}),
    ({"tags": {"contains": ["x", "y"]}}, {"Bravo", "foxtrot"}),
    ({"tags": {"eq": ["y", "x"]}}, {"Bravo"}),
    ({"tags": ["z"]}, {"charlie"}),
    ({"tags": {"ne": ["x"]}}, but("alpha")),
    # and / or / not, nested; not is the complement (blanks included, as ne)
    ({"or": [{"stage": "a"}, {"amount": {"lt": 0}}]}, {"alpha", "charlie", "echo"}),
    ({"and": [{"closed": False}, {"qty": {"ge": 2}}]},
     {"Bravo", "charlie", "echo", "高尔夫 golf"}),
    ({"not": {"stage": "a"}}, but("alpha", "echo")),
    ({"not": {"amount": {"gt": 0}}}, {"charlie", "delta", "foxtrot"}),
    ({"not": {"note": {"contains": "hello"}}}, but("alpha", "foxtrot")),
    ({"not": {"not": {"stage": "a"}}}, {"alpha", "echo"}),
    ({"or": [{"and": [{"stage": "b"}, {"qty": {"gt": 0}}]}, {"not": {"closed": False}}]},
     {"alpha", "Bravo", "delta"}),
    ({"and": []}, ALL),
    ({"or": []}, set()),
    ({"stage": "a", "qty": 5}, {"echo"}),
    ({}, ALL),
    (None, ALL),
    # system fields
    ({"version": 1}, ALL),
    ({"is_deleted": False}, ALL),
]


@pytest.mark.parametrize(("where", "expected"), FILTERS, ids=[dumps(f[0])[:60] for f in FILTERS])
def test_filter(deals, where, expected):
    engine, tenant = deals
    assert names(engine, tenant, where) == expected


def test_not_is_the_complement_of_every_filter(deals):
    engine, tenant = deals
    for where, expected in FILTERS:
        if where:
            assert names(engine, tenant, {"not": where}) == ALL - expected, where


BAD_FILTERS = [
    ({"nmae": "x"}, "unknown_field"),
    ({"or": [{"stage": "a"}, {"bogus": 1}]}, "unknown_field"),
    ({"name": {"like": "a%"}}, "invalid_operator"),
    ({"name": {}}, "invalid_filter"),
    ({"closed": {"lt": True}}, "invalid_operator"),
    ({"amount": {"contains": "1"}}, "invalid_operator"),
    ({"close_date": {"starts_with": "2024"}}, "invalid_operator"),
    ({"tags": {"lt": "x"}}, "invalid_operator"),
    ({"tags": {"in": ["x"]}}, "invalid_operator"),
    ({"amount": {"gt": "ten"}}, "invalid_filter_value"),
    ({"amount": {"gt": "NaN"}}, "invalid_filter_value"),
    ({"amount": {"gt": True}}, "invalid_filter_value"),
    ({"amount": {"lt": None}}, "invalid_filter_value"),
    ({"amount": {"in": "10"}}, "invalid_filter_value"),
    ({"qty": {"in": ["1", "x"]}}, "invalid_filter_value"),
    ({"close_date": "15/01/2024"}, "invalid_filter_value"),
    ({"next_at": {"gt": "2024-01-15T00:00:00"}}, "invalid_filter_value"),
    ({"call_time": "9am"}, "invalid_filter_value"),
    ({"closed": "yes"}, "invalid_filter_value"),
    ({"stage": {"is_null": "yes"}}, "invalid_filter_value"),
    ({"tags": {"contains": "w"}}, "invalid_filter_value"),
    ({"name": {"contains": ["a"]}}, "invalid_filter_value"),
    ({"version": {"eq": "1.5"}}, "invalid_filter_value"),
    # numbers beyond what the field can hold, refused before any arithmetic
    ({"amount": {"gt": "1e20"}}, "invalid_filter_value"),
    ({"amount": {"lt": "-1e20"}}, "invalid_filter_value"),
    ({"amount": {"in": ["1", "1e10"]}}, "invalid_filter_value"),
    ({"amount": {"lt": "10000000000"}}, "invalid_filter_value"),
    ({"amount": {"gt": "1e999999999"}}, "invalid_filter_value"),
    ({"amount": {"gt": "-1e-999999"}}, "invalid_filter_value"),
    ({"amount": {"gt": "1." + "0" * 40 + "1"}}, "invalid_filter_value"),
    ({"version": "1e999999999"}, "invalid_filter_value"),
    ({"version": {"eq": 99999999999999999999}}, "invalid_filter_value"),
    ({"version": {"gt": 2**31}}, "invalid_filter_value"),
    ({"or": {"stage": "a"}}, "invalid_filter"),
    ({"not": [{"stage": "a"}]}, "invalid_filter"),
    (["stage", "a"], "invalid_filter"),
    ("stage = 'a'", "invalid_filter"),
]


@pytest.mark.parametrize(("where", "code"), BAD_FILTERS,
                         ids=[dumps(f[0])[:60] for f in BAD_FILTERS])
def test_bad_filter_is_refused_with_a_code(deals, where, code):
    engine, tenant = deals
    with engine.session(tenant) as s:
        with pytest.raises(QueryError) as exc:
            s.query("Deal", where)
        assert exc.value.code == code
        with pytest.raises(QueryError):
            s.count("Deal", where)


def test_unknown_field_error_names_the_field_and_a_suggestion(deals):
    engine, tenant = deals
    with engine.session(tenant) as s, pytest.raises(QueryError) as exc:
        s.query("Deal", {"ammount": {"gt": 1}})
    assert exc.value.field == "ammount"
    assert exc.value.hint == "did you mean 'amount'?"
    assert exc.value.details() == [{"field": "ammount", "code": "unknown_field",
                                    "message": exc.value.message}]


def test_deeply_nested_filter_is_refused(deals):
    engine, tenant = deals
    where: dict[str, Any] = {"stage": "a"}
    for _ in range(40):
        where = {"not": where}
    with engine.session(tenant) as s, pytest.raises(QueryError) as exc:
        s.query("Deal", where)
    assert exc.value.code == "too_deep"


@pytest.mark.parametrize("limit", [0, -1, 1001, 2.5, "10", True])
def test_bad_limit_is_refused(deals, limit):
    engine, tenant = deals
    with engine.session(tenant) as s, pytest.raises(QueryError) as exc:
        s.query("Deal", limit=limit)
    assert exc.value.code == "invalid_limit"


# -- sorting -------------------------------------------------------------------------------

def _typed(name: str, raw: dict[str, Any]) -> Any:
    """The value a DEALS row holds for ``name``, as a comparable Python value."""
    value = raw.get(name)
    if value is None:
        return None
    if name in ("amount", "qty"):
        return Decimal(str(value))
    if name == "close_date":
        return dt.date.fromisoformat(value)
    if name == "next_at":
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    if name == "call_time":
        return dt.time.fromisoformat(value)
    return value


def blanks_largest(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def expected_order(rows: list[dict[str, Any]], keys: list[str]) -> list[str]:
    """Names in the order ``keys`` gives (blank largest); ties by id in the last key's way."""
    ordered = sorted(rows, key=lambda r: r["id"], reverse=keys[-1].startswith("-"))
    for key in reversed(keys):
        name = key.lstrip("-")
        ordered.sort(key=lambda r, n=name: blanks_largest(r[n]), reverse=key.startswith("-"))
    return [r["name"] for r in ordered]


SORTS = [["name"], ["-name"], ["amount"], ["-amount"], ["qty", "name"], ["close_date"],
         ["-close_date", "name"], ["next_at"], ["-next_at"], ["call_time"], ["-call_time"],
         ["stage", "-amount"], ["-stage", "name"], ["closed", "-name"], ["-closed"], ["seq"],
         ["-seq"], ["id"], ["-id"], ["name", "-id"]]


@pytest.mark.parametrize("order_by", SORTS, ids=[",".join(s) for s in SORTS])
def test_sorting_puts_blanks_last_ascending_and_first_descending(deals, order_by):
    engine, tenant = deals
    with engine.session(tenant) as s:
        records = s.query("Deal", order_by=order_by, limit=100).records
        by_string = s.query("Deal", order_by=",".join(order_by), limit=100).records
    rows = [{**{k: _typed(k, next(d for d in DEALS if d["name"] == r["name"]))
                for k in ("amount", "qty", "close_date", "next_at", "call_time", "stage")},
             "name": r["name"], "closed": r["closed"], "seq": r["seq"], "id": r["id"]}
            for r in records]
    assert [r["name"] for r in records] == expected_order(rows, order_by)
    assert [r["name"] for r in by_string] == [r["name"] for r in records]


def test_blank_sorts_last_ascending_first_descending(deals):
    engine, tenant = deals
    with engine.session(tenant) as s:
        ascending = [r["name"] for r in s.query("Deal", order_by="amount")]
        descending = [r["name"] for r in s.query("Deal", order_by="-amount")]
    assert ascending[-1] == "delta"
    assert descending[0] == "delta"
    assert ascending[:2] == ["charlie", "foxtrot"]
    assert descending[1] == "高尔夫 golf"


@pytest.mark.parametrize(("order_by", "code"), [
    ("nope", "unknown_field"), (["tags"], "invalid_sort"), ([""], "invalid_sort"),
    (["-"], "invalid_sort"), ([3], "invalid_sort"), ("name; DROP TABLE x", "unknown_field"),
])
def test_bad_sort_is_refused(deals, order_by, code):
    engine, tenant = deals
    with engine.session(tenant) as s, pytest.raises(QueryError) as exc:
        s.query("Deal", order_by=order_by)
    assert exc.value.code == code


# -- keyset pagination ---------------------------------------------------------------------

ROW = obj(
    "Row",
    field("name", "text"),
    field("rank", "number", precision=4, scale=0),
    field("score", "currency", precision=8, scale=2),
    field("day", "date"),
    field("flag", "boolean"),
)
TOTAL = 23


def _row(i: int) -> dict[str, Any]:
    return {
        "name": f"r{i % 7:02d}",                                  # ties on text
        "rank": None if i % 5 == 0 else i % 4,                     # blanks and ties
        "score": None if i % 6 == 0 else f"{(i * 37) % 11}.{i % 3}5",
        "day": None if i % 8 == 3 else f"2024-0{1 + i % 3}-0{1 + i % 2}",
        "flag": i % 2 == 0,
    }


@pytest.fixture(scope="module")
def rows(engine):
    tenant = f"p{os.getpid()}_{next(_numbers)}"
    engine.metadata(tenant).deploy(pack(ROW))
    with engine.session(tenant) as s:
        s.create_many("Row", [_row(i) for i in range(TOTAL)])
    with engine.session(tenant) as s:
        everything = s.query("Row", limit=100).records
    return engine, tenant, everything


def _expected_ids(records: list[dict[str, Any]], keys: list[str]) -> list[str]:
    ordered = sorted(records, key=lambda r: r["id"], reverse=keys[-1].startswith("-"))
    for key in reversed(keys):
        name = key.lstrip("-")
        ordered.sort(key=lambda r, n=name: blanks_largest(r[n]), reverse=key.startswith("-"))
    return [r["id"] for r in ordered]


PAGINGS = [["rank"], ["-rank"], ["rank", "-name"], ["-rank", "score"], ["name"],
           ["-name", "rank"], ["score"], ["-score"], ["day", "rank"], ["-day", "-rank"],
           ["flag", "-day"], ["-flag", "day", "rank"], ["-created_at"], ["created_at"],
           ["id"], ["-id"], ["version", "name"]]


@pytest.mark.parametrize("order_by", PAGINGS, ids=[",".join(p) for p in PAGINGS])
def test_paging_visits_every_record_once_in_order(rows, order_by):
    engine, tenant, everything = rows
    seen: list[str] = []
    sizes: list[int] = []
    cursor = None
    with engine.session(tenant) as s:
        while True:
            page = s.query("Row", order_by=order_by, limit=5, after=cursor)
            seen += [r["id"] for r in page]
            sizes.append(len(page))
            cursor = page.next
            if cursor is None:
                break
            assert len(sizes) < 10, "paging does not end"
        unpaged = [r["id"] for r in s.query("Row", order_by=order_by, limit=100)]
    assert sizes == [5, 5, 5, 5, 3]
    assert len(set(seen)) == TOTAL
    assert seen == unpaged == _expected_ids(everything, order_by)


def test_default_order_is_newest_first(rows):
    engine, tenant, everything = rows
    with engine.session(tenant) as s:
        newest = s.query("Row", limit=100).records
    assert newest == everything
    assert [r["id"] for r in newest] == _expected_ids(everything, ["-created_at"])


def test_cursor_only_fits_the_order_it_came_from(rows):
    engine, tenant, _ = rows
    with engine.session(tenant) as s:
        page = s.query("Row", order_by=["rank"], limit=5)
        assert page.next is not None
        for other in (["-rank"], ["rank", "name"], ["name"], None):
            with pytest.raises(QueryError) as exc:
                s.query("Row", order_by=other, limit=5, after=page.next)
            assert exc.value.code == "invalid_cursor"
        assert len(s.query("Row", order_by="rank", limit=5, after=page.next)) == 5


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "garbage", "!!!!", "e30", _b64(b"\xff\xfe\x00"), _b64(b"[" * 3000),
    _b64(b'{"o": ["rank", "id"], "v": [1]}'),
    _b64(b'{"o": ["rank", "id"], "v": ["one", "01ABCDEFGHJKMNPQRSTVWXYZ00"]}'),
    _b64(b'{"o": ["rank", "id"], "v": [1, 2, 3]}'),
    "A" * 5000,
], ids=["word", "punctuation", "empty-object", "bad-utf8", "deep", "short", "bad-value",
        "long", "too-long"])
def test_garbage_cursor_is_refused(rows, cursor):
    engine, tenant, _ = rows
    with engine.session(tenant) as s, pytest.raises(QueryError) as exc:
        s.query("Row", order_by="rank", limit=5, after=cursor)
    assert exc.value.code == "invalid_cursor"


def test_a_page_that_holds_the_rest_has_no_next(rows):
    engine, tenant, _ = rows
    with engine.session(tenant) as s:
        assert s.query("Row", limit=TOTAL).next is None
        almost = s.query("Row", limit=TOTAL - 1)
        assert almost.next is not None
        assert len(s.query("Row", limit=TOTAL, after=almost.next)) == 1


def test_multi_picklist_contains_takes_option_names_literally(engine, tenant):
    engine.metadata(tenant).deploy(pack(obj("Tagged", field("name", "text"), field(
        "tags", "multi_picklist", options=options("a_b", "axb", "a", "b")))))
    with engine.session(tenant) as s:
        s.create_many("Tagged", [{"name": "one", "tags": ["axb"]},
                                 {"name": "two", "tags": ["a", "b"]},
                                 {"name": "three", "tags": ["a_b", "b"]}])
    cases = [({"contains": "a_b"}, {"three"}), ({"contains": "a"}, {"two"}),
             ({"contains": ["b", "a"]}, {"two"}), ({"eq": ["b", "a_b"]}, {"three"})]
    with engine.session(tenant) as s:
        for condition, expected in cases:
            assert {r["name"] for r in s.query("Tagged", {"tags": condition})} == expected


def test_pages_neither_skip_nor_repeat_when_records_arrive_meanwhile(engine, tenant):
    engine.metadata(tenant).deploy(pack(ROW))
    with engine.session(tenant) as s:
        s.create_many("Row", [{"name": f"n{i:02d}", "rank": i} for i in range(0, 20, 2)])
    with engine.session(tenant) as s:
        first = s.query("Row", order_by="rank", limit=4)
    assert [r["rank"] for r in first] == [0, 2, 4, 6]
    with engine.session(tenant) as s:
        s.create("Row", {"name": "early", "rank": 1})   # before the cursor: not shown
        s.create("Row", {"name": "late", "rank": 7})    # after it: shown
        s.delete("Row", s.query("Row", {"rank": 8}).records[0]["id"])
    with engine.session(tenant) as s:
        rest = [r["rank"] for r in s.query("Row", order_by="rank", limit=100, after=first.next)]
    assert rest == [7, 10, 12, 14, 16, 18]
