"""The browser UI's login, logout, redirects, CSRF and security headers (TestClient, both
databases)."""

from __future__ import annotations

from hulian.runtime.api.auth import SESSION_COOKIE
from hulian.runtime.ui.headers import CONTENT_SECURITY_POLICY
from tests.integration.ui_support import BUYER, PASSWORD, REP, hidden_csrf


def test_pages_need_a_login_and_come_back_after_it(ui_site):
    client = ui_site.client()
    assert client.get("/").headers["location"] == "/login"
    response = client.get("/app?app=order")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/app%3Fapp%3Dorder"
    page = client.get(response.headers["location"])
    assert 'name="next" value="/app?app=order"' in page.text
    logged = client.post("/login", data={"csrf_token": hidden_csrf(page.text),
                                         "tenant": ui_site.tenant, "username": REP,
                                         "password": PASSWORD, "next": "/app?app=order"})
    assert logged.status_code == 303
    assert logged.headers["location"] == "/app?app=order"
    assert SESSION_COOKIE in client.cookies
    assert client.get("/").headers["location"] == "/app"
    shell = client.get("/app")
    assert shell.status_code == 200
    assert "Rep &lt;b&gt;Mei&lt;/b&gt;" in shell.text


def test_next_may_only_be_a_path_of_this_site(ui_site):
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example",
                 "javascript:alert(1)"):
        client = ui_site.client()
        response = ui_site.login(client, next=evil)
        assert response.status_code == 303
        assert response.headers["location"] == "/app", evil


def test_a_wrong_login_says_one_thing_whatever_was_wrong(ui_site):
    texts = set()
    for tenant, username, password in ((ui_site.tenant, REP, "wrong password!"),
                                       (ui_site.tenant, "nobody", PASSWORD),
                                       ("no_such_tenant", REP, PASSWORD)):
        client = ui_site.client(**{"accept-language": "en"})
        response = ui_site.login(client, username, password, tenant=tenant)
        assert response.status_code == 401
        assert SESSION_COOKIE not in client.cookies
        assert "The tenant, username or password is not right." in response.text
        assert f'value="{username}"' in response.text          # typed again, not the password
        assert password not in response.text
        texts.add(response.text.replace(username, "").replace(tenant, "")
                  .replace(hidden_csrf(response.text), ""))
    assert len(texts) == 1


def test_login_labels_follow_the_language(ui_site):
    zh = ui_site.client().get("/login").text
    for text in ("租户", "用户名", "密码", "登录", 'lang="zh-CN"'):
        assert text in zh
    en = ui_site.client(**{"accept-language": "en-US,en;q=0.9"}).get("/login").text
    for text in (">Tenant<", ">Username<", ">Password<", "Log in", 'lang="en"'):
        assert text in en
    chosen = ui_site.client(**{"accept-language": "en"})
    switched = chosen.get("/prefs?lang=zh&next=/login")
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert "用户名" in chosen.get("/login").text


def test_a_login_form_without_its_token_or_from_another_site_is_refused(ui_site):
    client = ui_site.client()
    client.get("/login")
    response = client.post("/login", data={"tenant": ui_site.tenant, "username": REP,
                                           "password": PASSWORD})
    assert response.status_code == 403
    assert "登录表单已过期" in response.text
    assert SESSION_COOKIE not in client.cookies
    page = client.get("/login")
    response = client.post("/login", headers={"origin": "https://evil.example"}, data={
        "csrf_token": hidden_csrf(page.text), "tenant": ui_site.tenant, "username": REP,
        "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_logout_needs_the_csrf_token_and_ends_the_session(ui_site):
    client = ui_site.logged_in(**{"accept-language": "en"})
    token = hidden_csrf(client.get("/app").text)
    refused = client.post("/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert "The form has expired" in refused.text
    assert client.get("/app").status_code == 200            # still logged in
    cookie = client.cookies[SESSION_COOKIE]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    client.cookies.set(SESSION_COOKIE, cookie)              # a copy of the old cookie
    assert client.get("/app").headers["location"] == "/login?next=/app"


def test_a_dealer_logs_out_to_the_portal(ui_site):
    client = ui_site.logged_in(BUYER)
    token = hidden_csrf(client.get("/app").text)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.headers["location"] == f"/portal/{ui_site.tenant}"


def test_a_forged_session_cookie_goes_to_the_login_page(ui_site):
    client = ui_site.client()
    client.cookies.set(SESSION_COOKIE, "forged.cookie")
    response = client.get("/app")
    assert response.headers["location"] == "/login?next=/app"


def test_every_page_has_the_security_headers(ui_site):
    client = ui_site.logged_in()
    for path in ("/login", "/app", "/account/password", "/static/hulian.css", "/no/such/page"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    api = client.get("/api/v1/health")
    assert api.headers["content-type"].startswith("application/json")


def test_unknown_pages_are_html_and_unknown_api_routes_json(ui_site):
    client = ui_site.client(**{"accept-language": "en"})
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    api = client.get("/api/v1/no/such/route")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "route_not_found"


def test_static_files_are_cached_and_linked_by_version(ui_site):
    client = ui_site.client()
    html = client.get("/login").text
    assert '/static/hulian.css?v=' in html
    assert '<script src="/static/hulian.js?v=' in html and " defer" in html
    css = client.get("/static/hulian.css")
    assert css.status_code == 200
    assert css.headers["cache-control"] == "public, max-age=86400"
    assert "--primary" in css.text
    assert client.get("/static/../templates/base.html").status_code == 404


def test_without_the_ui_only_the_api_is_served(crm, clock):
    from starlette.testclient import TestClient

    from hulian.runtime.api import create_app

    client = TestClient(create_app(crm[0], clock=clock, ui=False))
    response = client.get("/login")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "route_not_found"
    assert "content-security-policy" not in response.headers


def test_a_portal_host_shows_the_tenants_portal(crm, clock):
    from tests.integration.ui_support import UISite

    site = UISite(*crm, clock, portal_hosts={"dealers.acme.test": crm[1]})
    client = site.client()
    page = client.get("/", headers={"host": "dealers.acme.test"})
    assert page.status_code == 200
    assert f'action="/portal/{crm[1]}"' in page.text
    assert 'name="tenant" value="' + crm[1] + '"' in page.text
    assert client.get("/", headers={"host": "other.test"}).headers["location"] == "/login"
