"""``hulian user password``, ``user create --password-stdin``, ``token list|revoke``, and the
passwords ``hulian demo`` sets."""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from hulian.engine import Engine
from hulian.engine.system import passwords
from hulian.engine.system.people import ensure_tenant
from hulian.engine.system.tenant_tables import tables_of
from hulian.runtime.cli import main

SECRET = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def site(engine, tenant):
    with engine.db.begin() as conn:
        ensure_tenant(conn, tenant)
    return engine, tenant


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _stored(engine, tenant, username):
    with engine.db.connect() as conn:
        users = tables_of(conn, tenant).users
        return conn.scalar(sa.select(users.c.password_hash).where(users.c.username == username))


def test_user_password_from_stdin(capsys, monkeypatch, site):
    engine, tenant = site
    code, out, err = run(capsys, "user", "password", "admin", "--db", engine.url, "--tenant",
                         tenant, "--password-stdin", stdin=SECRET + "\n", monkeypatch=monkeypatch)
    assert code == 0, err
    assert SECRET not in out + err
    assert passwords.verify(_stored(engine, tenant, "admin"), SECRET)
    assert engine.accounts.login(tenant, "admin", SECRET).user.username == "admin"


def test_user_password_prompts_twice(capsys, monkeypatch, site):
    engine, tenant = site
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or SECRET)
    code, _, err = run(capsys, "user", "password", "admin", "--db", engine.url,
                       "--tenant", tenant)
    assert code == 0, err
    assert len(prompts) == 2 and f"admin@{tenant}" in prompts[0]
    assert passwords.verify(_stored(engine, tenant, "admin"), SECRET)


def test_two_different_passwords_are_refused(capsys, monkeypatch, site):
    engine, tenant = site
    answers = iter([SECRET, SECRET + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    code, out, err = run(capsys, "user", "password", "admin", "--db", engine.url,
                         "--tenant", tenant)
    assert code == 1 and "password_mismatch" in err
    assert SECRET not in out + err
    assert _stored(engine, tenant, "admin") is None


@pytest.mark.parametrize(("given", "code"), [("short\n", "password_too_short"),
                                             ("wangxiaoming\n", "password_is_username"),
                                             ("", "password_too_short")])
def test_the_policy_is_applied(capsys, monkeypatch, site, given, code):
    engine, tenant = site
    engine.people(tenant).create_user("wangxiaoming")
    status, _, err = run(capsys, "user", "password", "wangxiaoming", "--db", engine.url,
                           "--tenant", tenant, "--password-stdin", stdin=given,
                           monkeypatch=monkeypatch)
    assert status == 1 and f"error: {code}:" in err and "hint:" in err
    assert _stored(engine, tenant, "wangxiaoming") is None


def test_an_unknown_user_is_a_clear_error(capsys, monkeypatch, site):
    engine, tenant = site
    code, _, err = run(capsys, "user", "password", "nobody", "--db", engine.url, "--tenant",
                       tenant, "--password-stdin", stdin=SECRET, monkeypatch=monkeypatch)
    assert code == 1 and "unknown_user" in err


def test_user_create_with_a_password(capsys, monkeypatch, site):
    engine, tenant = site
    code, out, err = run(capsys, "user", "create", "wang", "--db", engine.url, "--tenant",
                         tenant, "--password-stdin", stdin=SECRET + "\r\n",
                         monkeypatch=monkeypatch)
    assert code == 0, err
    assert "with a password" in out and SECRET not in out
    assert engine.accounts.login(tenant, "wang", SECRET).user.username == "wang"


def test_user_create_checks_the_password_before_creating(capsys, monkeypatch, site):
    engine, tenant = site
    code, _, err = run(capsys, "user", "create", "wangxiaoming", "--db", engine.url,
                       "--tenant", tenant, "--password-stdin", stdin="WangXiaoming\n",
                       monkeypatch=monkeypatch)
    assert code == 1 and "password_is_username" in err
    with engine.db.connect() as conn:
        users = tables_of(conn, tenant).users
        assert conn.scalar(sa.select(users.c.id).where(
            users.c.username == "wangxiaoming")) is None


def test_token_list_and_revoke_by_id(capsys, site):
    engine, tenant = site
    token = engine.people(tenant).create_token("admin", label="ci")
    code, out, _ = run(capsys, "token", "list", "--db", engine.url, "--tenant", tenant,
                       "--user", "admin", "--format", "json")
    assert code == 0
    listed = json.loads(out)["tokens"]
    assert [t["label"] for t in listed] == ["ci"] and token not in out
    code, out, _ = run(capsys, "token", "revoke", listed[0]["id"], "--db", engine.url,
                       "--tenant", tenant)
    assert code == 0 and "revoked" in out
    code, out, _ = run(capsys, "token", "revoke", listed[0]["id"], "--db", engine.url,
                       "--tenant", tenant)
    assert code == 0 and "already revoked" in out
    code, out, _ = run(capsys, "token", "list", "--db", engine.url, "--tenant", tenant,
                       "--user", "admin")
    assert "revoked" in out and "ci" in out


def test_token_revoke_by_the_token_itself(capsys, site):
    engine, tenant = site
    token = engine.people(tenant).create_token("admin")
    code, out, _ = run(capsys, "token", "revoke", token, "--db", engine.url)
    assert code == 0 and token not in out
    code, _, err = run(capsys, "token", "revoke", token, "--db", engine.url)
    assert code == 1 and "token_not_found" in err


def test_token_revoke_by_id_needs_the_tenant_and_an_existing_id(capsys, site):
    engine, tenant = site
    code, _, err = run(capsys, "token", "revoke", "01ABC", "--db", engine.url)
    assert code == 1 and "--tenant" in err
    code, _, err = run(capsys, "token", "revoke", "01ABC", "--db", engine.url, "--tenant",
                       tenant)
    assert code == 1 and "token_not_found" in err


def test_token_create_works_for_an_interconnect_user(capsys, site):
    engine, tenant = site
    enterprise = engine.people(tenant).create_enterprise("Dealer A", partner_manager="admin")
    engine.people(tenant).create_user("li", enterprise=enterprise.name)
    code, out, _ = run(capsys, "token", "create", "--db", engine.url, "--tenant", tenant,
                       "--user", "li")
    assert code == 0
    assert engine.accounts.authenticate(out.strip().splitlines()[-1]).username == "li"


def test_the_demo_prints_passwords_that_log_in(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, err = run(capsys, "demo", "--db", url, "--no-serve")
    assert code == 0, err
    dealer = re.search(r"'dealer\.buyer' .* password (\S+) token hl_", out)
    admin = re.search(r"token \(user admin, password (\S+); export it as TOKEN\):\n(hl_\S+)\n$",
                      out)
    assert dealer is not None and admin is not None, out
    assert (dealer[1], admin[1]) == ("demo-dealer-pass", "demo-admin-pass")
    assert f'"password": "{admin[1]}"' in out   # the curl line of the tour
    engine = Engine(url)
    try:
        assert engine.accounts.login("demo", "admin", admin[1]).user.username == "admin"
        buyer = engine.accounts.login("demo", "dealer.buyer", dealer[1]).user
        assert buyer.enterprise_id is not None
        assert engine.accounts.authenticate(admin[2]).username == "admin"
        # a second run prints the same passwords, and they still log in
        code, again, _ = run(capsys, "demo", "--db", url, "--no-serve")
        assert code == 0 and "password demo-dealer-pass token hl_" in again
        assert engine.accounts.login("demo", "admin", "demo-admin-pass").user.username == "admin"
    finally:
        engine.close()


def test_nothing_but_the_demo_gives_a_password(site):
    engine, tenant = site
    engine.people(tenant).create_user("dealer.buyer")
    for username in ("admin", "dealer.buyer"):
        assert _stored(engine, tenant, username) is None
