"""Signed page cursors: a client can hand a cursor back, never forge or alter one.

A cursor is ``<payload>.<mac>``, both base64url: the payload is the JSON of the page's
sort keys and the last row's values; the mac is HMAC-SHA256 over the tenant, the object
and the payload, so a cursor of another tenant or object does not verify either.

>>> signer = CursorSigner("a secret of the installation")
>>> cursor = signer.sign(("acme", "Account"), b'{"v": [1]}')
>>> signer.verify(("acme", "Account"), cursor)
b'{"v": [1]}'
>>> signer.verify(("acme", "Contact"), cursor) is None
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

__all__ = ["PURPOSE", "CursorSigner"]

PURPOSE = b"hulian.cursor"
"""Derives the cursor key from the installation's secret, so that no other use of that
secret (session cookies) can ever produce a valid cursor mac, or the reverse."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorSigner:
    """Signs and checks cursors with a key derived once from ``secret``
    (``Engine.session_signing_key()``: random, stored in the database, the same for every
    process on it)."""

    def __init__(self, secret: str | bytes):
        raw = secret.encode("utf-8") if isinstance(secret, str) else secret
        self._key = hmac.new(raw, PURPOSE, hashlib.sha256).digest()

    @classmethod
    def ephemeral(cls) -> CursorSigner:
        """A signer with a random key: its cursors hold only while it lives."""
        return cls(secrets.token_bytes(32))

    def _mac(self, scope: tuple[str, str], payload: bytes) -> bytes:
        tenant, object_name = scope
        message = b"\x00".join((tenant.encode("utf-8"), object_name.encode("utf-8"), payload))
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def sign(self, scope: tuple[str, str], payload: bytes) -> str:
        """The cursor of ``payload`` for ``scope`` = (tenant, object api_name)."""
        return f"{_b64(payload)}.{_b64(self._mac(scope, payload))}"

    def verify(self, scope: tuple[str, str], cursor: str) -> bytes | None:
        """The payload of ``cursor`` if this signer made it for ``scope``, else None."""
        body, dot, mac = cursor.partition(".")
        if not dot or not body.isascii() or not mac.isascii():
            return None
        try:
            payload, given = _unb64(body), _unb64(mac)
        except (binascii.Error, ValueError):
            return None
        if _b64(payload) != body or _b64(given) != mac:  # one spelling per cursor: base64
            return None  # decoding ignores stray characters and the last digit's spare bits
        return payload if hmac.compare_digest(given, self._mac(scope, payload)) else None
