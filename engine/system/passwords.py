"""Passwords: argon2id hashes (argon2-cffi), a small policy, and a dummy hash for timing.

The policy (:func:`check_policy`) is the one place that says what a new password may be;
``PeopleAdmin.set_password`` (the CLI, the admin) and ``Accounts.change_password`` (the
user, over REST) both apply it, and refuse with :class:`PasswordPolicyError`.

Only the PHC-format hash (``$argon2id$v=19$m=...,t=...,p=...$salt$hash``) is stored, in
``hulian_users.password_hash``; a password itself is never stored, logged or printed.
The cost parameters are argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB,
3 passes, 4 lanes), held by :data:`HASHER`; a hash made with other parameters is upgraded
at the next successful login (:func:`needs_rehash`).

>>> check_policy("correct horse", "mei")
>>> verify(hash_password("correct horse"), "correct horse")
True
"""

from __future__ import annotations

import contextlib
import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hulian.engine.errors import HulianError

__all__ = ["HASHER", "MAX_LENGTH", "MIN_LENGTH", "PasswordPolicyError", "check_policy",
           "dummy_verify", "hash_password", "needs_rehash", "verify"]

MIN_LENGTH = 8
MAX_LENGTH = 1024
"""Longer passwords are refused (and never match at login): hashing costs grow with length."""

HASHER = PasswordHasher()


class PasswordPolicyError(HulianError):
    """A new password the policy refuses (too short, too long, the username...): the
    request is understood but the password cannot be used (REST: 422)."""


def check_policy(password: object, username: str) -> None:
    """Raise PasswordPolicyError when ``password`` may not be used by ``username``."""
    if not isinstance(password, str) or not encodable(password):
        raise PasswordPolicyError("a password must be text (valid Unicode: no lone surrogate)",
                                  code="invalid_password",
                                  hint=f"send a string of at least {MIN_LENGTH} characters")
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(
            f"the password is too short ({len(password)} characters)",
            code="password_too_short",
            hint=f"use at least {MIN_LENGTH} characters; a few unrelated words make a long "
                 "password that is easy to remember")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"the password is longer than {MAX_LENGTH} characters",
                                  code="password_too_long",
                                  hint=f"use at most {MAX_LENGTH} characters")
    if password.strip().casefold() == username.strip().casefold():
        raise PasswordPolicyError(
            "the password must not be the username", code="password_is_username",
            hint="choose something a person who knows the username cannot guess")


def encodable(password: str) -> bool:
    """Whether ``password`` is valid Unicode (argon2 hashes its UTF-8 bytes; a lone
    surrogate has none)."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (a fresh random salt each time)."""
    return HASHER.hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False for a malformed hash."""
    if len(password) > MAX_LENGTH or not encodable(password):  # no password can be so
        dummy_verify(password[:MAX_LENGTH])
        return False
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (upgrade it on login)."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@functools.cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    """A hash of a random password, made with the current parameters (so checking it
    costs what checking a real hash costs)."""
    return hash_password(secrets.token_urlsafe(16))


def dummy_verify(password: str) -> None:
    """Spend the time a real check takes, for unknown users and users without a password,
    so the answer's timing does not tell whether the user exists."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        HASHER.verify(_dummy_hash(HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism),
                      password[:MAX_LENGTH].encode("utf-8", "surrogatepass"))
