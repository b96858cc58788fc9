"""REST login sessions: logging in and out, the session cookie, CSRF, throttling."""

from __future__ import annotations

import pytest

from hulian.runtime.api.auth import SESSION_COOKIE
from tests.integration.login_support import PASSWORD, Site, _attributes, _cookie
from tests.integration.test_rest_support import body, error

# -- logging in ------------------------------------------------------------------------------

def test_a_login_opens_a_session_that_every_endpoint_accepts(crm_site):
    site = crm_site
    client = site.client()
    response = site.login(client)
    assert response.status_code == 200
    found = body(response)
    mei = site.engine.accounts.authenticate(site.engine.people(site.tenant).create_token("mei"))
    assert found["user"] == {"id": mei.id, "username": "mei", "display_name": "Mei",
                             "tenant": site.tenant, "is_admin": False, "enterprise_id": None}
    assert found["auth"] == "session" and len(found["csrf_token"]) >= 32
    assert response.headers["cache-control"] == "no-store"
    assert "Account" in {o["api_name"] for o in body(client.get("/api/v1/objects"))["objects"]}
    assert client.get("/api/v1/openapi.json").status_code == 200
    me = body(client.get("/api/v1/auth/me"))
    assert me["user"]["username"] == "mei" and me["csrf_token"] == found["csrf_token"]
    record = client.post("/api/v1/objects/Account/records", json={"name": "Mei's"},
                         headers={"X-CSRF-Token": found["csrf_token"]})
    assert record.status_code == 201 and body(record)["created_by"] == mei.id


@pytest.mark.parametrize("case", ["wrong_password", "unknown_user", "no_password",
                                  "unknown_tenant"])
def test_every_failed_login_looks_the_same(site, case):
    site.engine.people(site.tenant).create_user("tokens_only")
    username, password, tenant = {
        "wrong_password": ("mei", "not the password", None),
        "unknown_user": ("nobody", PASSWORD, None),
        "no_password": ("tokens_only", PASSWORD, None),
        "unknown_tenant": ("mei", PASSWORD, "no_such_tenant"),
    }[case]
    response = site.login(site.client(), username, password, tenant)
    assert error(response, 401) == {
        "code": "invalid_credentials", "message": "the tenant, username or password is wrong",
        "hint": "check all three; after 5 failures logins for the user pause for 15 minutes",
        "details": []}
    assert response.headers["www-authenticate"] == 'Bearer realm="hulian"'
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_the_cookie_is_http_only_same_site_lax_and_not_secure_by_default(site):
    attributes = _attributes(_cookie(site.login(site.client())))
    assert "httponly" in attributes and attributes["samesite"].lower() == "lax"
    assert attributes["path"] == "/" and attributes["max-age"] == str(12 * 3600)
    assert "secure" not in attributes


def test_secure_cookies_when_configured(site):
    secure = Site(site.engine, site.tenant, site.clock, secure_cookies=True)
    attributes = _attributes(_cookie(secure.login(secure.client())))
    assert "secure" in attributes and "httponly" in attributes


def test_a_tampered_cookie_is_refused_and_cleared(site):
    client, _ = site.logged_in()
    value = client.cookies[SESSION_COOKIE]
    session_part, signature = value.split(".")
    for forged in (session_part[:-1] + ("A" if session_part[-1] != "A" else "B") + "."
                   + signature, session_part, "x" * 300):
        stranger = site.client()
        stranger.cookies.set(SESSION_COOKIE, forged)
        response = stranger.get("/api/v1/auth/me")
        assert error(response, 401)["code"] == "invalid_session"
        assert _attributes(_cookie(response))["max-age"] == "0"


def test_a_cookie_signed_with_another_key_is_refused(site):
    other = Site(site.engine, site.tenant, site.clock, secret_key="k" * 40)
    client = other.client()
    assert other.login(client).status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200
    stranger = site.client()
    stranger.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
    assert error(stranger.get("/api/v1/auth/me"), 401)["code"] == "invalid_session"


def test_the_stored_key_survives_a_restart(site):
    client, _ = site.logged_in()
    restarted = Site(site.engine, site.tenant, site.clock).client()
    restarted.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
    assert restarted.get("/api/v1/auth/me").status_code == 200


def test_logout_revokes_the_session(site):
    client, csrf = site.logged_in()
    kept = client.cookies[SESSION_COOKIE]
    response = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert _attributes(_cookie(response))["max-age"] == "0"
    again = site.client()
    again.cookies.set(SESSION_COOKIE, kept)
    assert error(again.get("/api/v1/auth/me"), 401)["code"] == "invalid_session"


def test_a_session_ends_twelve_hours_after_login(site):
    client, _ = site.logged_in()
    site.clock.advance(hours=11, minutes=59)
    assert client.get("/api/v1/auth/me").status_code == 200
    site.clock.advance(minutes=1)
    assert error(client.get("/api/v1/auth/me"), 401)["code"] == "session_expired"


def test_a_new_password_ends_the_users_sessions(site):
    client, _ = site.logged_in()
    site.engine.people(site.tenant).set_password("mei", "another good password")
    assert error(client.get("/api/v1/auth/me"), 401)["code"] == "invalid_session"
    assert error(site.login(site.client()), 401)["code"] == "invalid_credentials"
    assert site.login(site.client(), password="another good password").status_code == 200


def test_logging_in_again_ends_the_previous_session(site):
    client, _ = site.logged_in()
    first = client.cookies[SESSION_COOKIE]
    assert site.login(client).status_code == 200
    old = site.client()
    old.cookies.set(SESSION_COOKIE, first)
    assert error(old.get("/api/v1/auth/me"), 401)["code"] == "invalid_session"
    assert client.get("/api/v1/auth/me").status_code == 200


def test_an_interconnect_user_logs_in_through_the_same_endpoint(site):
    enterprise = site.engine.people(site.tenant).create_enterprise("华信商贸",
                                                                  partner_manager="admin")
    site.engine.people(site.tenant).create_user("dealer_li", enterprise=enterprise.name)
    site.engine.people(site.tenant).set_password("dealer_li", "dealer password")
    response = site.login(site.client(), "dealer_li", "dealer password")
    assert response.status_code == 200
    user = body(response)["user"]
    assert user["tenant"] == site.tenant and user["enterprise_id"] == enterprise.id
    assert user["is_admin"] is False


# -- login CSRF ------------------------------------------------------------------------------

def test_a_login_from_another_site_is_refused(site):
    response = site.login(site.client(), origin="https://evil.example")
    assert error(response, 403)["code"] == "origin_refused"
    assert error(site.login(site.client(), origin="null"), 403)["code"] == "origin_refused"
    assert site.login(site.client(), origin="http://testserver").status_code == 200


def test_a_login_must_be_json(site):
    client = site.client()
    sent = f'{{"tenant": "{site.tenant}", "username": "mei", "password": "{PASSWORD}"}}'
    response = client.post("/api/v1/auth/login", content=sent,
                           headers={"Content-Type": "text/plain"})
    assert error(response, 400)["code"] == "invalid_content_type"
    response = client.post("/api/v1/auth/login", data={"tenant": site.tenant,
                                                       "username": "mei", "password": PASSWORD})
    assert error(response, 400)["code"] == "invalid_json"


@pytest.mark.parametrize("sent", [{"tenant": "x", "username": "mei"},
                                  {"tenant": "x", "username": "mei", "password": 12345678},
                                  {"tenant": "x", "username": "mei", "password": "p", "x": 1}])
def test_a_malformed_login_is_a_bad_request(site, sent):
    response = site.client().post("/api/v1/auth/login", json=sent)
    assert error(response, 400)["code"] in ("invalid_parameter", "unknown_parameter")


# -- CSRF ------------------------------------------------------------------------------------

@pytest.mark.parametrize("sent", [None, "", "wrong-token"])
def test_unsafe_cookie_requests_need_the_csrf_token(crm_site, sent):
    site = crm_site
    client, _ = site.logged_in()
    headers = {} if sent is None else {"X-CSRF-Token": sent}
    response = client.post("/api/v1/objects/Account/records", json={"name": "Forged"},
                           headers=headers)
    assert error(response, 403)["code"] == "csrf_failed"
    assert error(client.post("/api/v1/auth/logout", headers=headers), 403)["code"] == \
        "csrf_failed"
    assert client.get("/api/v1/auth/me").status_code == 200   # still logged in
    with site.engine.session(site.tenant) as session:
        assert session.count("Account") == 0


def test_patch_and_delete_need_it_too(crm_site):
    site = crm_site
    client, csrf = site.logged_in()
    created = body(client.post("/api/v1/objects/Account/records", json={"name": "A"},
                               headers={"X-CSRF-Token": csrf}))
    path = f"/api/v1/objects/Account/records/{created['id']}"
    assert error(client.patch(path, json={"name": "B", "version": 1}), 403)["code"] == \
        "csrf_failed"
    assert error(client.delete(path), 403)["code"] == "csrf_failed"
    assert client.patch(path, json={"name": "B", "version": 1},
                        headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.delete(path, headers={"X-CSRF-Token": csrf}).status_code == 204


def test_a_form_post_may_carry_the_token_as_a_field(crm_site):
    site = crm_site
    client, csrf = site.logged_in()
    response = client.post("/api/v1/objects/Account/records",
                           data={"csrf_token": csrf, "name": "Form"})
    assert error(response, 400)["code"] == "invalid_json"   # past the CSRF check
    response = client.post("/api/v1/objects/Account/records",
                           data={"csrf_token": "wrong", "name": "Form"})
    assert error(response, 403)["code"] == "csrf_failed"


def test_bearer_requests_are_exempt_from_csrf_even_with_a_cookie(crm_site):
    site = crm_site
    client, _ = site.logged_in()
    token = site.engine.people(site.tenant).create_token("admin")
    response = client.post("/api/v1/objects/Account/records", json={"name": "By token"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    admin = site.engine.accounts.authenticate(token)
    assert body(response)["created_by"] == admin.id   # the token decides, not the cookie


def test_no_credentials_is_the_existing_401(crm_site):
    site = crm_site
    response = site.client().post("/api/v1/objects/Account/records", json={"name": "x"})
    err = error(response, 401)
    assert err["code"] == "missing_token" and "auth/login" in err["hint"]


# -- throttling ------------------------------------------------------------------------------

def test_five_failures_lock_the_user_for_fifteen_minutes(site):
    client = site.client()
    for _ in range(5):
        assert error(site.login(client, password="wrong one"), 401)["code"] == \
            "invalid_credentials"
        site.clock.advance(seconds=10)
    response = site.login(client)   # the right password, but locked
    assert error(response, 429)["code"] == "login_throttled"
    assert int(response.headers["retry-after"]) == 15 * 60 - 50
    site.clock.advance(seconds=15 * 60 - 50 - 1)
    assert error(site.login(client), 429)["code"] == "login_throttled"
    site.clock.advance(seconds=1)
    assert site.login(client).status_code == 200


def test_other_users_are_not_locked_by_one_users_failures(site):
    site.engine.people(site.tenant).create_user("lei")
    site.engine.people(site.tenant).set_password("lei", "lei's password")
    for _ in range(5):
        site.login(site.client(), password="wrong one")
    assert error(site.login(site.client()), 429)["code"] == "login_throttled"
    assert site.login(site.client(), "lei", "lei's password").status_code == 200


def test_a_success_clears_the_users_failures(site):
    client = site.client()
    for _ in range(4):
        site.login(client, password="wrong one")
    assert site.login(client).status_code == 200
    for _ in range(4):
        site.login(client, password="wrong one")
    assert site.login(client).status_code == 200


def test_unknown_users_are_throttled_too(site):
    for _ in range(5):
        site.login(site.client(), "ghost", "whatever it is")
    assert error(site.login(site.client(), "ghost", "whatever it is"), 429)["code"] == \
        "login_throttled"


def test_twenty_failures_from_one_address_lock_that_address(site):
    for n in range(20):
        site.login(site.client(), f"guess{n}", "wrong password")
    response = site.login(site.client())
    assert error(response, 429)["code"] == "login_throttled"
    assert "client address" in error(response, 429)["message"]
    assert site.login(site.client("192.0.2.77")).status_code == 200
    site.clock.advance(minutes=15)
    assert site.login(site.client()).status_code == 200
