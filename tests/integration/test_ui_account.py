"""The portal and its branding, password change, notifications and the pages an
interconnect user may not reach (TestClient, both databases)."""

from __future__ import annotations

from hulian.engine import NotFoundError, PermissionDenied
from hulian.engine import notifications as notes
from hulian.runtime.api.auth import SESSION_COOKIE
from hulian.runtime.ui.pages import error_page
from tests.integration.ui_support import BUYER, PASSWORD, REP, hidden_csrf


def test_the_portal_shows_the_tenants_name_logo_and_colour(ui_site):
    client = ui_site.client(**{"accept-language": "zh"})
    page = client.get(f"/portal/{ui_site.tenant}")
    assert page.status_code == 200
    assert "欢迎登录 艾克米订货" in page.text
    assert 'src="data:image/svg+xml;base64,' in page.text
    assert f'href="/theme/{ui_site.tenant}.css?v=c2410c"' in page.text
    assert f'name="tenant" value="{ui_site.tenant}"' in page.text
    assert 'id="tenant"' not in page.text                    # the tenant is fixed
    css = client.get(f"/theme/{ui_site.tenant}.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--primary: #c2410c;" in css.text
    assert client.get("/theme/no_such_tenant.css").text == ""
    logged = ui_site.login(client, BUYER, path=f"/portal/{ui_site.tenant}")
    assert logged.status_code == 303 and logged.headers["location"] == "/app"
    assert "艾克米订货" in client.get("/app").text


def test_an_unknown_portal_looks_like_any_other_login(ui_site):
    client = ui_site.client(**{"accept-language": "en"})
    page = client.get("/portal/no_such_tenant")
    assert page.status_code == 200
    assert "Welcome" not in page.text
    response = ui_site.login(client, BUYER, path="/portal/no_such_tenant")
    assert response.status_code == 401
    # the message of any portal's wrong login: it tells nobody which tenants exist
    assert "The username or password is not right." in response.text


def _password_form(client, **fields):
    token = hidden_csrf(client.get("/account/password").text)
    return client.post("/account/password", data={"csrf_token": token, **fields})


def test_changing_the_password_keeps_this_browser_logged_in(ui_site):
    client = ui_site.logged_in(**{"accept-language": "en"})
    other = ui_site.logged_in()
    page = client.get("/account/password")
    for label in ("Current password", "New password", "Repeat new password", "Save"):
        assert label in page.text
    new = "battery staple horse"
    response = _password_form(client, current_password=PASSWORD, new_password=new,
                              repeat_password=new)
    assert response.status_code == 303, response.text
    assert "Your password has been changed." in client.get(response.headers["location"]).text
    assert other.get("/app").status_code == 303               # other sessions ended
    fresh = ui_site.client()
    assert ui_site.login(fresh, REP, new).status_code == 303


def test_password_mistakes_are_shown_beside_their_fields(ui_site):
    client = ui_site.logged_in(**{"accept-language": "en"})
    cases = [({"current_password": "wrong one!", "new_password": "battery staple horse",
               "repeat_password": "battery staple horse"}, "current_password",
              "The current password is not right."),
             ({"current_password": PASSWORD, "new_password": "short",
               "repeat_password": "short"}, "new_password",
              "The new password needs at least 8 characters."),
             ({"current_password": PASSWORD, "new_password": "battery staple horse",
               "repeat_password": "battery staple HORSE"}, "repeat_password",
              "The two new passwords differ."),
             ({"current_password": "", "new_password": "battery staple horse",
               "repeat_password": "battery staple horse"}, "current_password",
              "Fill this in.")]
    for fields, field, message in cases:
        response = _password_form(client, **fields)
        assert response.status_code == 422, field
        assert f'<p class="error-text" id="{field}-error">{message}</p>' in response.text
        assert f'aria-describedby="{field}-error"' in response.text
    assert client.get("/app").status_code == 200               # still logged in
    refused = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "x" * 12, "repeat_password": "x" * 12})
    assert refused.status_code == 403                          # no CSRF token
    assert ui_site.login(ui_site.client(), REP, PASSWORD).status_code == 303


def test_notifications_are_listed_and_marked_read(ui_site):
    engine, tenant = ui_site.engine, ui_site.tenant
    rep = next(u.id for u in engine.people(tenant).users() if u.username == REP)
    with engine.session(tenant) as s:
        for title in ("Order <b>approved</b>", "Second"):
            notes.send(s._conn, tenant, [rep], title=title, body="Body", source="test")
    client = ui_site.logged_in(**{"accept-language": "en"})
    page = client.get("/app/notifications")
    assert page.status_code == 200
    assert "Order &lt;b&gt;approved&lt;/b&gt;" in page.text
    assert page.text.count("Mark read") == 2
    marked = client.post("/app/notifications/read", data={
        "csrf_token": hidden_csrf(page.text), "ids": "01ABCDEFGHJKMNPQRSTVWXYZ0"})
    assert marked.status_code == 303
    assert client.get("/app/notifications").text.count("Mark read") == 2
    client.post("/app/notifications/read", data={"csrf_token": hidden_csrf(page.text)})
    assert "No notifications." in client.get("/app/notifications?unread=1").text
    assert client.post("/app/notifications/read", data={}).status_code == 403


def test_a_page_refused_to_an_interconnect_user_is_the_missing_page(ui_site):
    buyer = ui_site.logged_in(BUYER, **{"accept-language": "en"})
    rep = ui_site.logged_in(REP, **{"accept-language": "en"})
    missing = buyer.get("/app/no/such/page")
    assert missing.status_code == 404
    assert buyer.get("/app?app=crm").status_code == 200
    assert 'href="/app?app=crm"' not in buyer.get("/app?app=crm").text
    # the error mapping every page goes through
    from starlette.requests import Request

    users = {u.username: u for u in ui_site.engine.people(ui_site.tenant).users()}
    request = Request({"type": "http", "method": "GET", "path": "/app/o/Account",
                       "query_string": b"", "headers": [(b"accept-language", b"en")],
                       "app": ui_site.app})
    denied = PermissionDenied("no", code="permission_denied")
    as_buyer = error_page(request, denied, users[BUYER])
    assert as_buyer.status_code == 404
    missing_record = error_page(request, NotFoundError("x", code="record_not_found"),
                                users[BUYER])
    assert as_buyer.body == missing_record.body
    assert error_page(request, denied, users[REP]).status_code == 403
    assert SESSION_COOKIE in rep.cookies
