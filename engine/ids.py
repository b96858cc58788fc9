"""Record ids: 26-character, time-ordered, URL-safe (Crockford base32, like ULID).

The first 10 characters encode the millisecond timestamp, the other 16 are
random, so ids sort by creation time and never collide in practice.

>>> len(new_id()), new_id() < new_id() or True
(26, True)
"""

from __future__ import annotations

import base64
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


_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET.encode())


def new_ids(count: int) -> list[str]:
    """``count`` ids sharing one clock read (bulk inserts).

    10 random bytes are exactly 16 base-32 characters, so one b32encode of all the
    randomness, translated to Crockford's alphabet, gives every id's random part.
    """
    prefix = _encode(time.time_ns() // 1_000_000, 10)
    text = base64.b32encode(os.urandom(10 * count)).translate(_TO_CROCKFORD).decode()
    return [prefix + text[i:i + 16] for i in range(0, 16 * count, 16)]
