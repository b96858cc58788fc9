"""REST tokens and passwords: tokens over REST, changing one's password, an admin's
reset, what is stored hashed, the auth routes in OpenAPI."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from hulian.engine import UnauthenticatedError
from hulian.engine.system import passwords
from hulian.engine.system.tables import login_sessions, tokens
from hulian.engine.system.tenant_tables import tables_of, tenant_tables
from hulian.runtime.api.auth import SESSION_COOKIE
from tests.integration.login_support import PASSWORD, _attributes, _cookie
from tests.integration.test_rest_support import body, error

# -- tokens over REST ------------------------------------------------------------------------

def test_tokens_are_made_listed_and_revoked_over_rest(site):
    client, csrf = site.logged_in()
    headers = {"X-CSRF-Token": csrf}
    response = client.post("/api/v1/auth/tokens", json={"label": "laptop",
                                                        "expires_in_days": 30}, headers=headers)
    assert response.status_code == 201
    made = body(response)
    assert made["token"].startswith("hl_") and made["label"] == "laptop"
    expires = dt.datetime.fromisoformat(made["expires_at"])
    assert abs(expires - (site.clock.now + dt.timedelta(days=30))) < dt.timedelta(seconds=1)
    bearer = site.client()
    auth = {"Authorization": f"Bearer {made['token']}"}
    assert body(bearer.get("/api/v1/auth/me", headers=auth))["user"]["username"] == "mei"
    assert body(bearer.get("/api/v1/auth/me", headers=auth))["auth"] == "token"
    forever = body(bearer.post("/api/v1/auth/tokens", json={}, headers=auth))
    assert forever["expires_at"] is None and forever["label"] is None

    listed = body(client.get("/api/v1/auth/tokens"))["tokens"]
    assert [t["id"] for t in listed] == [forever["id"], made["id"]]
    assert set(listed[0]) == {"id", "label", "created_at", "expires_at", "revoked_at"}
    assert made["token"] not in str(listed)

    assert client.delete(f"/api/v1/auth/tokens/{made['id']}", headers=headers).status_code == 204
    assert error(bearer.get("/api/v1/auth/me", headers=auth), 401)["code"] == "invalid_token"
    listed = body(client.get("/api/v1/auth/tokens"))["tokens"]
    assert listed[1]["revoked_at"] is not None and listed[0]["revoked_at"] is None
    assert client.delete(f"/api/v1/auth/tokens/{made['id']}", headers=headers).status_code == 204


def test_one_cannot_list_or_revoke_someone_elses_tokens(site):
    client, csrf = site.logged_in()
    admin_token = site.engine.people(site.tenant).create_token("admin", label="admin's")
    listed = body(client.get("/api/v1/auth/tokens"))["tokens"]
    assert listed == []
    admin_id = site.engine.accounts.list_tokens(site.tenant, "admin")[0].id
    response = client.delete(f"/api/v1/auth/tokens/{admin_id}", headers={"X-CSRF-Token": csrf})
    assert error(response, 404)["code"] == "token_not_found"
    assert site.engine.accounts.authenticate(admin_token).username == "admin"


@pytest.mark.parametrize("sent", [{"expires_in_days": 0}, {"expires_in_days": "30"},
                                  {"expires_in_days": True}, {"label": 5},
                                  {"label": "x" * 201}, {"secret": "mine"}])
def test_a_bad_token_request_is_refused(site, sent):
    client, csrf = site.logged_in()
    response = client.post("/api/v1/auth/tokens", json=sent, headers={"X-CSRF-Token": csrf})
    assert error(response, 400)["code"] in ("invalid_parameter", "unknown_parameter")


def test_making_a_token_with_the_cookie_needs_the_csrf_token(site):
    client, _ = site.logged_in()
    assert error(client.post("/api/v1/auth/tokens", json={}), 403)["code"] == "csrf_failed"


# -- changing one's own password -------------------------------------------------------------

NEW = "battery staple horse"


def _change(client, current=PASSWORD, new=NEW, **headers):
    return client.post("/api/v1/auth/password",
                       json={"current_password": current, "new_password": new}, headers=headers)


def _hash(site, username="mei"):
    with site.engine.db.connect() as conn:
        users = tables_of(conn, site.tenant).users
        return conn.scalar(sa.select(users.c.password_hash).where(users.c.username == username))


def _with_cookie(site, cookie):
    client = site.client()
    client.cookies.set(SESSION_COOKIE, cookie)
    return client


def test_a_session_changes_its_password_and_gets_a_new_session(site):
    client, csrf = site.logged_in()
    old_cookie = client.cookies[SESSION_COOKIE]
    elsewhere, _ = site.logged_in()
    token = site.engine.people(site.tenant).create_token("mei")
    response = _change(client, **{"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    found = body(response)
    assert found["auth"] == "session" and found["user"]["username"] == "mei"
    assert found["csrf_token"] != csrf and response.headers["cache-control"] == "no-store"
    assert client.cookies[SESSION_COOKIE] != old_cookie
    assert "httponly" in _attributes(_cookie(response))
    # the new cookie and CSRF token work; the old cookie and the other session do not
    assert body(client.get("/api/v1/auth/me"))["csrf_token"] == found["csrf_token"]
    assert client.post("/api/v1/auth/tokens", json={},
                       headers={"X-CSRF-Token": found["csrf_token"]}).status_code == 201
    assert error(_with_cookie(site, old_cookie).get("/api/v1/auth/me"), 401)["code"] == \
        "invalid_session"
    assert error(elsewhere.get("/api/v1/auth/me"), 401)["code"] == "invalid_session"
    # API tokens stay
    auth = {"Authorization": f"Bearer {token}"}
    assert site.client().get("/api/v1/auth/me", headers=auth).status_code == 200
    # the old password no longer logs in, the new one does
    assert error(site.login(site.client()), 401)["code"] == "invalid_credentials"
    assert site.login(site.client(), password=NEW).status_code == 200


def test_a_token_changes_its_password_without_csrf_and_ends_every_session(site):
    client, _ = site.logged_in()
    token = site.engine.people(site.tenant).create_token("mei")
    bearer = site.client()
    auth = {"Authorization": f"Bearer {token}"}
    response = _change(bearer, **auth)
    assert response.status_code == 200, response.text
    assert body(response) == {**body(response), "auth": "token", "csrf_token": None,
                              "expires_at": None}
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert error(client.get("/api/v1/auth/me"), 401)["code"] == "invalid_session"
    assert bearer.get("/api/v1/auth/me", headers=auth).status_code == 200
    assert site.login(site.client(), password=NEW).status_code == 200


@pytest.mark.parametrize("sent", [None, "wrong-token"])
def test_a_cookie_change_without_the_csrf_token_is_refused(site, sent):
    client, _ = site.logged_in()
    before = _hash(site)
    headers = {} if sent is None else {"X-CSRF-Token": sent}
    assert error(_change(client, **headers), 403)["code"] == "csrf_failed"
    assert _hash(site) == before
    assert client.get("/api/v1/auth/me").status_code == 200
    assert site.login(site.client()).status_code == 200


def test_a_wrong_current_password_is_refused_and_throttled(site):
    client, csrf = site.logged_in()
    before = _hash(site)
    for _ in range(5):
        err = error(_change(client, current="not my password", **{"X-CSRF-Token": csrf}), 403)
        assert err["code"] == "wrong_current_password" and "failed login" in err["hint"]
        site.clock.advance(seconds=10)
    response = _change(client, **{"X-CSRF-Token": csrf})   # the right one, but locked
    assert error(response, 429)["code"] == "login_throttled"
    assert int(response.headers["retry-after"]) == 15 * 60 - 50
    assert error(site.login(site.client()), 429)["code"] == "login_throttled"
    assert _hash(site) == before
    assert client.get("/api/v1/auth/me").status_code == 200   # still logged in
    site.clock.advance(seconds=15 * 60 - 50)   # the first failure ages out, four remain
    assert _change(client, **{"X-CSRF-Token": csrf}).status_code == 200
    for _ in range(4):   # the success cleared those four
        _change(client, current="not my password",
                **{"X-CSRF-Token": body(client.get("/api/v1/auth/me"))["csrf_token"]})
    assert site.login(site.client(), password=NEW).status_code == 200


def test_a_user_without_a_password_cannot_change_it(site):
    site.engine.people(site.tenant).create_user("tokens_only")
    token = site.engine.people(site.tenant).create_token("tokens_only")
    auth = {"Authorization": f"Bearer {token}"}
    assert error(_change(site.client(), **auth), 403)["code"] == "wrong_current_password"
    assert _hash(site, "tokens_only") is None


@pytest.mark.parametrize(("new", "code"), [
    ("short", "password_too_short"), ("", "password_too_short"),
    ("x" * (passwords.MAX_LENGTH + 1), "password_too_long"),
    (PASSWORD, "password_unchanged")])
def test_a_weak_new_password_is_refused_and_nothing_changes(site, new, code):
    client, csrf = site.logged_in()
    before = _hash(site)
    for _ in range(6):   # refused by the policy: not counted as failed logins
        assert error(_change(client, new=new, **{"X-CSRF-Token": csrf}), 422)["code"] == code
    assert _hash(site) == before
    assert client.get("/api/v1/auth/me").status_code == 200
    assert site.login(site.client()).status_code == 200


def test_the_new_password_may_not_be_the_username(site):
    site.engine.people(site.tenant).create_user("wangxiaoming")
    site.engine.people(site.tenant).set_password("wangxiaoming", PASSWORD)
    client, csrf = site.logged_in("wangxiaoming")
    err = error(_change(client, new="WangXiaoming", **{"X-CSRF-Token": csrf}), 422)
    assert err["code"] == "password_is_username" and err["hint"]


@pytest.mark.parametrize("sent", [{"new_password": NEW},
                                  {"current_password": PASSWORD},
                                  {"current_password": PASSWORD, "new_password": 12345678},
                                  {"current_password": "", "new_password": NEW},
                                  {"current_password": PASSWORD, "new_password": NEW, "x": 1}])
def test_a_malformed_change_is_a_bad_request(site, sent):
    client, csrf = site.logged_in()
    response = client.post("/api/v1/auth/password", json=sent, headers={"X-CSRF-Token": csrf})
    assert error(response, 400)["code"] in ("invalid_parameter", "unknown_parameter")
    assert site.login(site.client()).status_code == 200


def test_change_password_in_python(site):
    first = site.engine.accounts.login(site.tenant, "mei", PASSWORD, now=site.clock.now)
    second = site.engine.accounts.login(site.tenant, "mei", PASSWORD, now=site.clock.now)
    assert site.engine.accounts.change_password(site.tenant, "mei", PASSWORD, NEW,
                                       now=site.clock.now) is None
    for ended in (first, second):
        with pytest.raises(UnauthenticatedError) as raised:
            site.engine.accounts.login_session(ended.secret, now=site.clock.now)
        assert raised.value.code == "invalid_session"
    kept = site.engine.accounts.login(site.tenant, "mei", NEW, now=site.clock.now)
    other = site.engine.accounts.login(site.tenant, "mei", NEW, now=site.clock.now)
    renewed = site.engine.accounts.change_password(site.tenant, "mei", NEW, PASSWORD,
                                          session_id=kept.secret, now=site.clock.now)
    assert renewed is not None and renewed.user.username == "mei"
    assert renewed.secret != kept.secret and renewed.csrf_token != kept.csrf_token
    assert site.engine.accounts.login_session(renewed.secret, now=site.clock.now).id == renewed.id
    for ended in (kept, other):
        with pytest.raises(UnauthenticatedError):
            site.engine.accounts.login_session(ended.secret, now=site.clock.now)


def test_someone_elses_session_is_not_renewed(site):
    site.engine.people(site.tenant).set_password("admin", "the admin's password")
    admins = site.engine.accounts.login(site.tenant, "admin", "the admin's password",
                               now=site.clock.now)
    before = _hash(site)
    with pytest.raises(UnauthenticatedError) as raised:
        site.engine.accounts.change_password(site.tenant, "mei", PASSWORD, NEW,
                                    session_id=admins.secret, now=site.clock.now)
    assert raised.value.code == "invalid_session"
    assert _hash(site) == before
    assert site.engine.accounts.login_session(admins.secret, now=site.clock.now).user.username == \
        "admin"


def test_an_admin_reset_ends_every_session_and_lifts_the_lock(site):
    sessions = [site.logged_in()[0] for _ in range(2)]
    token = site.engine.people(site.tenant).create_token("mei")
    for _ in range(5):
        site.login(site.client(), password="wrong one")
    assert error(site.login(site.client()), 429)["code"] == "login_throttled"
    site.engine.people(site.tenant).set_password("mei", NEW)
    for client in sessions:
        assert error(client.get("/api/v1/auth/me"), 401)["code"] == "invalid_session"
    assert site.engine.accounts.authenticate(token).username == "mei"
    assert error(site.login(site.client()), 401)["code"] == "invalid_credentials"
    assert site.login(site.client(), password=NEW).status_code == 200


# -- what is stored --------------------------------------------------------------------------

def test_passwords_and_session_ids_are_never_stored_in_clear(site):
    client, csrf = site.logged_in()
    with site.engine.db.connect() as conn:
        users = tables_of(conn, site.tenant).users
        stored = conn.scalar(sa.select(users.c.password_hash).where(users.c.username == "mei"))
        sessions = [dict(r._mapping) for r in conn.execute(sa.select(login_sessions).where(
            login_sessions.c.tenant == site.tenant))]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    session_id = client.cookies[SESSION_COOKIE].split(".")[0]
    assert len(sessions) == 1
    assert session_id not in str(sessions)
    assert sessions[0]["csrf_token"] == csrf


def test_an_old_hash_is_upgraded_at_login(site, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher())
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    users = tenant_tables(site.engine.dialect, site.tenant).users
    where = users.c.username == "mei"
    with site.engine.db.begin() as conn:
        conn.execute(users.update().where(where).values(password_hash=weak))
    assert site.login(site.client()).status_code == 200
    with site.engine.db.connect() as conn:
        upgraded = conn.scalar(sa.select(users.c.password_hash).where(where))
    assert upgraded != weak and "m=65536,t=3,p=4" in upgraded
    assert site.login(site.client()).status_code == 200


def test_a_token_made_over_rest_is_stored_hashed(site):
    client, csrf = site.logged_in()
    made = body(client.post("/api/v1/auth/tokens", json={}, headers={"X-CSRF-Token": csrf}))
    with site.engine.db.connect() as conn:
        row = conn.execute(sa.select(tokens).where(tokens.c.id == made["id"])).one()
    assert made["token"] not in str(tuple(row))


def test_openapi_lists_the_auth_routes_and_the_cookie_scheme(crm_site):
    site = crm_site
    client, _ = site.logged_in()
    document = body(client.get("/api/v1/openapi.json"))
    assert document["components"]["securitySchemes"]["session"] == {
        **document["components"]["securitySchemes"]["session"],
        "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE}
    assert {"bearer": []} in document["security"] and {"session": []} in document["security"]
    paths = document["paths"]
    assert set(paths["/api/v1/auth/tokens"]) == {"get", "post"}
    assert paths["/api/v1/auth/login"]["post"]["security"] == []
    assert "429" in paths["/api/v1/auth/login"]["post"]["responses"]
    assert {"/api/v1/auth/logout", "/api/v1/auth/me", "/api/v1/auth/tokens/{token_id}"} <= \
        set(paths)
