"""Packs of creates (hulian.engine.changes.packs): what is packed reads back as the single
creates it stands for, and a pack never mixes records of two id prefixes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from hulian.engine.changes import packs
from hulian.engine.changes.packs import MAX_SPAN, Packed, key, pack, unpack
from hulian.engine.ids import new_ids

AT = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
KEYS = ("name", "amount", "due", "done", "count", "tags", "when")


def _row(packed: Packed, first_id: int) -> SimpleNamespace:
    """The outbox row a pack becomes (as :func:`outbox.append` writes it)."""
    return SimpleNamespace(id=first_id, kind="create", object=packed.object,
                           record_id=packed.record_key, before=None, after=packed.after,
                           span=packed.span, user_id="u", enterprise_id=None, channel="import",
                           request_id="r", at=AT)


def _created(row: dict) -> dict:
    return {k: row[k] for k in KEYS if row.get(k) is not None}


values = st.fixed_dictionaries({
    "name": st.none() | st.text(),
    "amount": st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=2,
                                      min_value=-10**12, max_value=10**12),
    "due": st.none() | st.dates(),
    "done": st.none() | st.booleans(),
    "count": st.none() | st.integers(-2**63, 2**63 - 1),
    "tags": st.none() | st.lists(st.text(max_size=5), max_size=3),
    "when": st.none() | st.datetimes(timezones=st.just(dt.UTC)),
})


@given(st.lists(values, min_size=2, max_size=40))
def test_a_pack_reads_back_as_the_single_creates_it_stands_for(records):
    rows = [{"id": i, **r} for i, r in zip(new_ids(len(records)), records, strict=True)]
    (packed,) = pack("Deal", "obj1", rows, KEYS)
    changes = unpack(_row(packed, 41))
    assert [c.id for c in changes] == list(range(41, 41 + len(rows)))
    assert [c.record_id for c in changes] == [r["id"] for r in rows]
    expected = [{k: (v.isoformat() if isinstance(v, dt.date) else
                     list(v) if isinstance(v, list) else v) for k, v in _created(r).items()}
                for r in rows]
    assert [c.after for c in changes] == expected
    assert {(c.kind, c.before, c.object, c.user, c.channel, c.at) for c in changes} == {
        ("create", None, "Deal", "u", "import", AT)}


def test_decimals_keep_their_digits_and_text_its_characters():
    rows = [{"id": i, "name": n, "amount": a} for i, n, a in zip(
        new_ids(3), ['say "hi"\n', "互联 ✓", None], [Decimal("12.50"), Decimal("1E+3"), None],
        strict=True)]
    changes = unpack(_row(pack("Deal", "o", rows, ("name", "amount"))[0], 1))
    assert [c.after for c in changes] == [
        {"name": 'say "hi"\n', "amount": Decimal("12.50")},
        {"name": "互联 ✓", "amount": Decimal("1000")}, {}]
    assert str(changes[0].after["amount"]) == "12.50"


def test_runs_split_where_the_id_prefix_changes_and_every_max_span():
    early = [f"0000000001{i:016d}" for i in range(3)]
    late = [f"0000000002{i:016d}" for i in range(MAX_SPAN + 2)]
    ones = ["0000000003" + "0" * 16]
    rows = [{"id": i, "name": i[-4:]} for i in (*early, *late, *ones)]
    out = pack("Deal", "o", rows, ("name",))
    assert [o.span if isinstance(o, Packed) else 1 for o in out] == [3, MAX_SPAN, 2, 1]
    assert [o.record_key if isinstance(o, Packed) else o["id"] for o in out] == [
        "0000000001~", "0000000002~", "0000000002~", ones[0]]
    assert out[3] is rows[-1]  # one record alone: written as a single create


def test_a_packs_key_is_never_a_record_id():
    record_id = new_ids(1)[0]
    assert key(record_id) == record_id[:packs.PREFIX] + "~" != record_id
    assert len(key(record_id)) < len(record_id)


def test_a_single_row_reads_back_as_itself():
    row = SimpleNamespace(id=7, kind="update", object="Deal", record_id="r", span=1,
                          before='{"amount":1.5}', after='{"amount":2}', user_id=None,
                          enterprise_id=None, channel="system", request_id=None, at=AT)
    (change,) = unpack(row)
    assert (change.id, change.before, change.after) == (7, {"amount": Decimal("1.5")},
                                                        {"amount": 2})


def test_a_value_every_record_has_is_written_once_and_read_back_for_each():
    owner = new_ids(1)[0]
    rows = [{"id": i, "owner_id": owner, "amount": a, "stage": "new"}
            for i, a in zip(new_ids(3), [Decimal("1.5"), Decimal("1.50"), Decimal("1.5")],
                            strict=True)]
    (packed,) = pack("Deal", "o", rows, ("owner_id", "amount", "stage"))
    assert packed.after.count(owner) == 1 and '"stage":{"=":"new"}' in packed.after
    changes = unpack(_row(packed, 1))
    assert [c.after for c in changes] == [{"owner_id": owner, "amount": Decimal(a), "stage": "new"}
                                          for a in ("1.5", "1.50", "1.5")]
    assert [str(c.after["amount"]) for c in changes] == ["1.5", "1.50", "1.5"]
