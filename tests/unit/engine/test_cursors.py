"""Signed cursors: a cursor verifies for the scope it was made for, and nothing else."""

from __future__ import annotations

import base64

import pytest

from hulian.engine.records.cursors import CursorSigner

SCOPE = ("acme", "Account")
PAYLOAD = b'{"o": ["name", "id"], "v": ["Acme", "01ABC"]}'


@pytest.fixture
def signer() -> CursorSigner:
    return CursorSigner("the installation's secret")


def test_a_cursor_verifies_for_its_scope(signer):
    assert signer.verify(SCOPE, signer.sign(SCOPE, PAYLOAD)) == PAYLOAD


@pytest.mark.parametrize("scope", [("acme", "Contact"), ("other", "Account"),
                                   ("acm", "eAccount"), ("", "")])
def test_a_cursor_of_another_tenant_or_object_does_not_verify(signer, scope):
    assert signer.verify(scope, signer.sign(SCOPE, PAYLOAD)) is None


def test_another_secret_does_not_verify(signer):
    assert CursorSigner("another secret").verify(SCOPE, signer.sign(SCOPE, PAYLOAD)) is None
    assert CursorSigner.ephemeral().verify(SCOPE, signer.sign(SCOPE, PAYLOAD)) is None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_any_change_to_a_cursor_is_refused(signer):
    cursor = signer.sign(SCOPE, PAYLOAD)
    body, mac = cursor.split(".")
    changed = [cursor[:i] + ("A" if cursor[i] != "A" else "B") + cursor[i + 1:]
               for i in range(len(cursor)) if cursor[i] != "."]
    others = [cursor[:-1], cursor[1:], body, mac, f"{body}.", f".{mac}", "", ".", "..",
              _b64(PAYLOAD), f"{_b64(PAYLOAD + b' ')}.{mac}", f"{cursor}.{mac}",
              cursor.replace("-", "+"), "é" + cursor, cursor + "\x00", "\ud800"]
    for bad in changed + others:
        assert signer.verify(SCOPE, bad) is None, bad


def test_a_cursor_has_one_spelling(signer):
    """The last base64 digit of the mac carries spare bits, and decoding skips characters
    outside the alphabet: those other spellings of the same bytes are refused too."""
    cursor = signer.sign(SCOPE, PAYLOAD)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(cursor[-1])
    spare = [cursor[:-1] + alphabet[(last & ~3) | bits] for bits in range(4)
             if (last & ~3) | bits != last]
    assert spare and all(signer.verify(SCOPE, bad) is None for bad in spare)
    body, mac = cursor.split(".")
    assert signer.verify(SCOPE, f"{body}.{mac[:5]}!{mac[5:]}") is None


def test_the_key_is_derived_for_cursors_only():
    """A cursor mac is not the plain HMAC of the secret: session cookies, signed with the
    same secret, can never pass for cursors or the reverse."""
    import hashlib
    import hmac

    signer = CursorSigner("s")
    cursor = signer.sign(SCOPE, PAYLOAD)
    plain = hmac.new(b"s", b"acme\x00Account\x00" + PAYLOAD, hashlib.sha256).digest()
    assert cursor.split(".")[1] != _b64(plain)
