"""Record ids: 26 Crockford base32 characters, time-ordered, unique."""

from __future__ import annotations

import time

from hulian.engine.ids import ALPHABET, new_id, new_ids

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _timestamp(record_id: str) -> int:
    number = 0
    for char in record_id[:10]:
        number = number * 32 + CROCKFORD.index(char)
    return number


def test_alphabet_is_crockford_base32():
    assert ALPHABET == CROCKFORD
    assert not set("ILOU") & set(ALPHABET)


def test_an_id_is_26_crockford_characters():
    for _ in range(100):
        record_id = new_id()
        assert len(record_id) == 26
        assert set(record_id) <= set(CROCKFORD)


def test_the_first_ten_characters_are_the_millisecond_clock():
    before = time.time_ns() // 1_000_000
    record_id = new_id()
    after = time.time_ns() // 1_000_000
    assert before <= _timestamp(record_id) <= after
    assert _timestamp(new_id(now_ms=1_700_000_000_123)) == 1_700_000_000_123
    assert new_id(now_ms=0).startswith("0000000000")


def test_ids_sort_by_time_across_milliseconds_whatever_their_random_part():
    base = 1_700_000_000_000
    ids = [new_id(now_ms=base + ms) for ms in range(0, 2000, 7) for _ in range(3)]
    by_time = sorted(ids, key=_timestamp)
    assert [_timestamp(i) for i in sorted(ids)] == [_timestamp(i) for i in by_time]
    for earlier, later in zip(ids[::3], ids[3::3], strict=False):
        assert earlier < later
    assert new_id(now_ms=base) < new_id(now_ms=base + 1) < new_id(now_ms=base + 32)


def test_an_id_from_the_next_millisecond_sorts_later():
    first = new_id()
    later = new_id()
    while later[:10] == first[:10]:  # spins for at most a millisecond
        later = new_id()
    assert later > first


def test_ten_thousand_ids_are_unique():
    ids = {new_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    bulk = new_ids(10_000)
    assert len(set(bulk)) == 10_000
    assert not ids & set(bulk)


def test_a_bulk_of_ids_shares_one_clock_reading():
    before = time.time_ns() // 1_000_000
    bulk = new_ids(500)
    after = time.time_ns() // 1_000_000
    assert len({i[:10] for i in bulk}) == 1
    assert before <= _timestamp(bulk[0]) <= after
    assert all(len(i) == 26 and set(i) <= set(CROCKFORD) for i in bulk)
    assert new_ids(0) == []


def test_the_random_part_of_bulk_ids_uses_every_character_evenly():
    """16 characters of 32 equally likely symbols each: 80 random bits per id."""
    ids = new_ids(4000)
    assert len(set(ids)) == 4000
    counts = {c: 0 for c in CROCKFORD}
    for record_id in ids:
        for char in record_id[10:]:
            counts[char] += 1
    expected = 4000 * 16 / 32
    assert all(0.85 * expected < n < 1.15 * expected for n in counts.values()), counts
