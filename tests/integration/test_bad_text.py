"""Text no database can store (NUL, lone surrogates) through the Python API and the CLI:
refused with a code, the same on SQLite (which would store it) and PostgreSQL (which
would fail on it), and never a driver error."""

from __future__ import annotations

import pytest

from hulian.engine import HulianError, NotFoundError, UnauthenticatedError
from hulian.engine.errors import QueryError, RecordValidationError
from hulian.engine.system import passwords
from tests.integration.test_cli import run

BAD = ["a\x00b", "lone \ud800"]


@pytest.mark.parametrize("name", BAD)
def test_names_are_refused_on_both_databases(crm, name):
    engine, tenant = crm
    with pytest.raises(HulianError) as exc:
        engine.people(tenant).create_department(name)
    assert exc.value.code == "invalid_department"
    with pytest.raises(HulianError) as exc:
        engine.people(tenant).create_enterprise(name, partner_manager="admin")
    assert exc.value.code == "invalid_enterprise"
    with pytest.raises(HulianError) as exc:
        engine.people(tenant).create_user(name)
    assert exc.value.code == "invalid_username"
    with pytest.raises(HulianError) as exc:
        engine.people(tenant).create_user("ok", display_name=name)
    assert exc.value.code == "invalid_display_name"
    with pytest.raises(HulianError) as exc:
        engine.people(tenant).create_token("admin", label=name)
    assert exc.value.code == "invalid_token_label"
    assert [d.name for d in engine.people(tenant).departments()] == []
    assert engine.people(tenant).enterprises(include_inactive=True) == []
    assert [u.username for u in engine.people(tenant).users(include_inactive=True)] == ["admin"]


@pytest.mark.parametrize("name", BAD)
def test_renames_are_refused(crm, name):
    engine, tenant = crm
    engine.people(tenant).create_department("Sales")
    engine.people(tenant).create_enterprise("Dealer", partner_manager="admin")
    for call, code in [
        (lambda: engine.people(tenant).update_department("Sales", name=name), "invalid_department"),
        (lambda: engine.people(tenant).update_enterprise("Dealer", name=name),
         "invalid_enterprise"),
        (lambda: engine.people(tenant).update_user("admin", display_name=name),
         "invalid_display_name"),
    ]:
        with pytest.raises(HulianError) as exc:
            call()
        assert exc.value.code == code


@pytest.mark.parametrize("ref", BAD)
def test_names_looked_up_are_not_found(crm, ref):
    engine, tenant = crm
    for call in (lambda: engine.people(tenant).update_department(ref, name="x"),
                 lambda: engine.people(tenant).update_enterprise(ref, name="x"),
                 lambda: engine.people(tenant).user_roles(ref),
                 lambda: engine.people(tenant).users(enterprise=ref),
                 lambda: engine.people(tenant).create_department("x", parent=ref),
                 lambda: engine.accounts.revoke_token_id(tenant, ref)):
        with pytest.raises(NotFoundError):
            call()


@pytest.mark.parametrize("record_id", BAD)
def test_a_record_id_no_record_can_have_is_record_not_found(crm, record_id):
    engine, tenant = crm
    with engine.session(tenant) as s:
        for call in (lambda: s.get("Account", record_id),
                     lambda: s.update("Account", record_id, {"name": "x"}),
                     lambda: s.delete("Account", record_id),
                     lambda: s.restore("Account", record_id),
                     lambda: s.team("Account", record_id),
                     lambda: s.related("Account", record_id, "Contact.account")):
            with pytest.raises(NotFoundError) as exc:
                call()
            assert exc.value.code == "record_not_found"


@pytest.mark.parametrize("owner", BAD)
def test_an_owner_id_no_user_can_have_is_a_field_error(crm, owner):
    engine, tenant = crm
    with engine.session(tenant) as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("Account", {"name": "Acme", "owner_id": owner})
        assert [(e.field, e.code) for e in exc.value.errors] == [("owner_id",
                                                                  "invalid_character")]
        with pytest.raises(NotFoundError):
            s.share("Account", s.create("Account", {"name": "Beta"})["id"], owner)


@pytest.mark.parametrize("text", BAD)
def test_a_formula_filter_with_bad_text_is_invalid_character(crm, text):
    engine, tenant = crm
    with engine.session(tenant) as s, pytest.raises(QueryError) as exc:
        s.query("Account", filter=f"name = '{text}'")
    assert exc.value.code == "invalid_character"
    assert exc.value.details() == [{"parameter": "filter", "code": "invalid_character",
                                    "message": exc.value.message}]


@pytest.mark.parametrize("tenant_name, username, password", [
    (None, "ad\x00min", "password"), (None, "\ud800", "password"),
    ("t\x00", "admin", "password"), (None, "admin", "pass\ud800word"),
])
def test_a_login_with_bad_text_is_invalid_credentials(crm, cheap_hashing, tenant_name,
                                                      username, password):
    engine, tenant = crm
    engine.people(tenant).set_password("admin", "a good password")
    with pytest.raises(UnauthenticatedError) as exc:
        engine.accounts.login(tenant_name or tenant, username, password)
    assert exc.value.code == "invalid_credentials"
    assert engine.accounts.login(tenant, "admin", "a good password").user.username == "admin"


def test_a_new_password_must_be_valid_unicode(crm, cheap_hashing):
    engine, tenant = crm
    with pytest.raises(passwords.PasswordPolicyError) as exc:
        engine.people(tenant).set_password("admin", "a good \ud800 password")
    assert exc.value.code == "invalid_password"
    engine.people(tenant).set_password("admin", "a good \x00 password")  # only its hash is stored
    assert engine.accounts.login(tenant, "admin", "a good \x00 password").user.username == "admin"


def test_the_cli_refuses_a_name_that_is_not_utf8(capsys, crm):
    """A shell passes byte 0xff through; Python turns it into the lone surrogate \\udcff."""
    engine, tenant = crm
    code, out, err = run(capsys, "department", "create", "Sales\udcff", "--db", engine.url,
                         "--tenant", tenant)
    assert code == 1 and "Traceback" not in out + err
    assert "invalid_department" in err or "not a valid department name" in err
    assert engine.people(tenant).departments() == []
