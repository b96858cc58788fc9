"""Signing in and out: ``/`` , ``/login``, ``/logout``, ``/portal/{tenant}``, ``/prefs``.

The browser login is the API's login session (:class:`hulian.engine.Accounts`): the same
signed ``hulian_session`` cookie, so a page and ``/api/v1`` calls from it share a login.
A wrong tenant, username or password gives one message that does not say which was
wrong. ``next`` (where to go after logging in) must be a path of this site.

``HULIAN_PORTAL_HOSTS="dealers.acme.com=acme,..."`` maps host names to tenants: such a
host shows the tenant's portal at ``/``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hulian.engine import UnauthenticatedError
from hulian.engine.errors import ThrottledError
from hulian.runtime.api.auth import clear_session_cookie, session_id, set_session_cookie
from hulian.runtime.ui import branding
from hulian.runtime.ui.channel import CHANNEL_COOKIE, CHANNELS
from hulian.runtime.ui.forms import (
    login_token,
    login_token_ok,
    safe_next,
    set_login_token,
)
from hulian.runtime.ui.i18n import LANG_COOKIE, LANGS
from hulian.runtime.ui.pages import Page, UIPage, page_endpoint, public_endpoint

__all__ = ["PORTAL_HOSTS_ENV", "portal_hosts", "routes"]

PORTAL_HOSTS_ENV = "HULIAN_PORTAL_HOSTS"
PREFERENCE_SECONDS = 365 * 24 * 3600


def portal_hosts(value: str | None = None) -> dict[str, str]:
    """Host name -> tenant, from ``HULIAN_PORTAL_HOSTS`` (``host=tenant,host=tenant``).

    >>> portal_hosts("dealers.acme.com=acme, Portal.Example:8000=globex")
    {'dealers.acme.com': 'acme', 'portal.example:8000': 'globex'}
    """
    text = os.environ.get(PORTAL_HOSTS_ENV, "") if value is None else value
    found: dict[str, str] = {}
    for item in text.split(","):
        host, sep, tenant = item.partition("=")
        if sep and host.strip() and tenant.strip():
            found[host.strip().lower()] = tenant.strip()
    return found


def _host_tenant(request: Request) -> str | None:
    hosts: Mapping[str, str] = request.app.state.portal_hosts
    host = request.headers.get("host", "").lower()
    return hosts.get(host) or hosts.get(host.split(":")[0])


def _logged_in(page: Page) -> bool:
    try:
        found = session_id(page.engine, page.request)
        if found is None:
            return False
        page.engine.accounts.login_session(found, now=page.request.app.state.auth.now())
    except UnauthenticatedError:
        return False
    return True


def _login_form(page: Page, *, tenant: str | None, status: int = 200,
                message: str | None = None, values: Mapping[str, str] | None = None,
                next_path: str = "/app") -> Response:
    """The login page (``tenant`` fixed: the tenant's portal)."""
    token = login_token(page.request)
    brand = branding.of_tenant(page.engine, tenant) if tenant else None
    context: dict[str, Any] = {
        "login_csrf": token, "message": message, "fixed_tenant": tenant,
        "values": {"tenant": "", "username": "", **(values or {})}, "next": next_path,
        "action": f"/portal/{tenant}" if tenant else "/login",
        "brand": brand, "theme": branding.theme_url(tenant, brand) if tenant and brand else None,
        "portal": tenant,
    }
    response = page.render("login.html", context, status=status)
    set_login_token(response, token, secure=page.request.app.state.auth.secure_cookies)
    return response


def _sign_in(page: Page, tenant: str | None) -> Response:
    """GET: the form; POST: check the password, open a session, go to ``next``."""
    request, form = page.request, page.form
    next_path = safe_next(request.query_params.get("next") or _text(form, "next"))
    if request.method == "GET":
        if _logged_in(page):
            return page.redirect(next_path)
        return _login_form(page, tenant=tenant, next_path=next_path)
    values = {"tenant": tenant or _text(form, "tenant").strip(),
              "username": _text(form, "username").strip()}
    if not login_token_ok(request, form):
        return _login_form(page, tenant=tenant, status=403, values=values,
                           message=page.t("login_form_expired"), next_path=next_path)
    config = request.app.state.auth
    try:
        found = page.engine.accounts.login(
            values["tenant"], values["username"], _text(form, "password"),
            client_ip=request.client.host if request.client else None, now=config.now())
    except UnauthenticatedError:
        return _login_form(page, tenant=tenant, status=401, values=values,
                           message=page.t("login_failed_portal" if tenant else "login_failed"),
                           next_path=next_path)
    except ThrottledError as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        return _login_form(page, tenant=tenant, status=429, values=values,
                           message=page.t("login_throttled", minutes=minutes),
                           next_path=next_path)
    try:
        previous = session_id(page.engine, request)
    except UnauthenticatedError:
        previous = None
    if previous is not None:
        page.engine.accounts.logout(previous, now=config.now())
    response = page.redirect(next_path)
    set_session_cookie(response, page.engine, request, found)
    return response


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def login(page: Page) -> Response:
    """GET,POST /login: tenant, username and password."""
    return _sign_in(page, None)


def portal(page: Page) -> Response:
    """GET,POST /portal/{tenant}: the tenant's own login page, with its branding."""
    tenant = page.request.path_params["tenant"]
    return _sign_in(page, tenant)


def root(page: Page) -> Response:
    """GET /: the shell when logged in; else the login page (the portal on a portal host)."""
    tenant = _host_tenant(page.request)
    if _logged_in(page):
        return page.redirect("/app")
    if tenant is not None:
        return _login_form(page, tenant=tenant)
    return page.redirect("/login")


def logout(page: UIPage) -> Response:
    """POST /logout: end the session; back to the login page (a portal user's portal)."""
    assert page.user is not None
    found = session_id(page.engine, page.request)
    if found is not None:
        page.engine.accounts.logout(found, now=page.request.app.state.auth.now())
    target = f"/portal/{page.user.tenant}" if page.user.is_interconnect else "/login"
    response = page.redirect(target)
    clear_session_cookie(response, page.request)
    return response


def prefs(page: Page) -> Response:
    """GET /prefs?lang=&channel=&next=: remember the language and channel (cookies), then
    go back to ``next``. Links in the shell, so no JavaScript is needed."""
    params = page.request.query_params
    response = page.redirect(safe_next(params.get("next"), default="/"))
    secure = page.request.app.state.auth.secure_cookies
    for name, allowed in ((LANG_COOKIE, LANGS), (CHANNEL_COOKIE, CHANNELS)):
        value = params.get(name)
        if value in allowed:
            response.set_cookie(name, value, max_age=PREFERENCE_SECONDS, path="/",
                                samesite="lax", secure=secure)
    return response


routes = [
    Route("/", public_endpoint(root), methods=["GET"], name="ui_root"),
    Route("/login", public_endpoint(login), methods=["GET", "POST"], name="ui_login"),
    Route("/portal/{tenant}", public_endpoint(portal), methods=["GET", "POST"],
          name="ui_portal"),
    Route("/logout", page_endpoint(logout, session=False), methods=["POST"], name="ui_logout"),
    Route("/prefs", public_endpoint(prefs), methods=["GET"], name="ui_prefs"),
]
