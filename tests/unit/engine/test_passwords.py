"""Passwords: argon2id hashes, the policy, rehash upgrades, the dummy check."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from hulian.engine.errors import HulianError
from hulian.engine.system import passwords

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", CHEAP)


def test_a_hash_is_argon2id_salted_and_never_the_password():
    first, second = passwords.hash_password("correct horse"), passwords.hash_password(
        "correct horse")
    assert first.startswith("$argon2id$") and "correct horse" not in first
    assert first != second   # a fresh salt each time
    assert passwords.verify(first, "correct horse") and passwords.verify(second, "correct horse")


@pytest.mark.parametrize("attempt", ["correct hors", "Correct horse", "", "correct horse "])
def test_only_the_exact_password_matches(attempt):
    assert not passwords.verify(passwords.hash_password("correct horse"), attempt)


@pytest.mark.parametrize("stored", ["", "not a hash", "$argon2id$v=19$m=1,t=1,p=1$xx$yy"])
def test_a_malformed_hash_matches_nothing(stored):
    assert not passwords.verify(stored, "correct horse")
    assert passwords.needs_rehash(stored) or stored.startswith("$argon2id$")


def test_a_too_long_password_never_matches():
    long = "x" * (passwords.MAX_LENGTH + 1)
    assert not passwords.verify(passwords.hash_password(long[:passwords.MAX_LENGTH]), long)


def test_hashes_made_with_other_parameters_need_a_rehash():
    assert not passwords.needs_rehash(passwords.hash_password("correct horse"))
    assert passwords.needs_rehash(PasswordHasher(time_cost=2, memory_cost=1024,
                                                 parallelism=1).hash("correct horse"))


def test_the_default_parameters_are_rfc_9106_low_memory(monkeypatch):
    monkeypatch.undo()
    assert (passwords.HASHER.time_cost, passwords.HASHER.memory_cost,
            passwords.HASHER.parallelism) == (3, 65536, 4)


@pytest.mark.parametrize(("password", "username", "code"), [
    ("s3cr#t", "mei", "password_too_short"),
    ("1234567", "mei", "password_too_short"),
    ("dealer_li", "dealer_li", "password_is_username"),
    (" Dealer_Li ", "dealer_li", "password_is_username"),
    ("x" * (passwords.MAX_LENGTH + 1), "mei", "password_too_long"),
    (12345678, "mei", "invalid_password"),
    (None, "mei", "invalid_password"),
])
def test_the_policy_refuses(password, username, code):
    with pytest.raises(HulianError) as caught:
        passwords.check_policy(password, username)
    assert caught.value.code == code and caught.value.hint
    if isinstance(password, str) and len(password) > 3:
        assert password.strip() not in str(caught.value)   # never echoed


@pytest.mark.parametrize("password", ["12345678", "correct horse", "密码是八个字符呀", "mei mei!"])
def test_the_policy_accepts(password):
    passwords.check_policy(password, "mei")


def test_the_dummy_check_runs_with_the_current_parameters():
    passwords.dummy_verify("anything at all")
    assert passwords._dummy_hash(1, 1024, 1).startswith("$argon2id$v=19$m=1024,t=1,p=1$")
