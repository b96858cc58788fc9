"""The signature of a webhook delivery: HMAC-SHA256 over ``timestamp + "." + body``.

Each delivery carries ``X-Hulian-Signature: t=<unix seconds>,v1=<hex digest>``, where the
digest is ``HMAC-SHA256(secret, f"{t}.".encode() + body)`` over the exact bytes of the
body. A receiver recomputes it with its copy of the secret, compares in constant time
and refuses a timestamp too far from its clock (a replayed old request); docs/integration.md
has the same check to copy, standard library only.

>>> header = signature_header("s3cret-s3cret-s3cret", 1765000000, b'{"id": 1}')
>>> header.startswith("t=1765000000,v1=")
True
>>> verify("s3cret-s3cret-s3cret", header, b'{"id": 1}', now=1765000100)
True
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["TOLERANCE_S", "digest", "signature_header", "verify"]

TOLERANCE_S = 300
"""How far from the receiver's clock a signature's timestamp may be (five minutes)."""


def digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body,
                    hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={digest(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: int,
           tolerance: int = TOLERANCE_S) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance``
    seconds of ``now``."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp, signed = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(digest(secret, int(timestamp), body), signed)
