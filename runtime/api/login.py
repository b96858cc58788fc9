"""Authentication routes: log in and out with a password, change it, who am I, the caller's
API tokens.

``POST /auth/login`` is the only public one. It opens a login session: a signed
``hulian_session`` cookie plus a CSRF token in the body, which the browser UI sends back
as ``X-CSRF-Token`` on every unsafe request (``hulian.runtime.api.auth``). Login is
exempt from the CSRF check (there is no session yet), so a page of another site must not
be able to log a victim into the attacker's account: a request whose ``Origin`` header is
not this server's own host is refused (403 ``origin_refused``), and the body must be sent
as ``application/json``, which a cross-site form cannot send.

``POST /auth/password`` changes the caller's own password (``Engine.accounts.change_password``):
a cookie caller's session is replaced by a new one (new cookie, new CSRF token in the
body), every other login session of the user ends, API tokens stay. A new password the
policy refuses is 422 with the policy's code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hulian.engine import PermissionDenied, UnauthenticatedError
from hulian.engine.accounts import LoginSession
from hulian.runtime.api.auth import (
    clear_session_cookie,
    session_id,
    set_session_cookie,
)
from hulian.runtime.api.endpoint import Call, by_method, endpoint
from hulian.runtime.api.errors import BadRequest
from hulian.runtime.api.jsonio import JSONResponse

__all__ = ["MAX_TOKEN_DAYS", "routes"]

MAX_TOKEN_DAYS = 3650
NO_STORE = {"Cache-Control": "no-store"}


def _fields(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(repr, unknown))}",
                         code="unknown_parameter", hint=f"send only: {', '.join(allowed)}")


LOGIN_EXAMPLE = '{"tenant": "acme", "username": "mei", "password": "..."}'
PASSWORD_EXAMPLE = '{"current_password": "...", "new_password": "..."}'


def _text(body: dict[str, Any], name: str, *, required: bool = True,
          example: str | None = LOGIN_EXAMPLE) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise BadRequest(f"{name!r} must be a non-empty string", code="invalid_parameter",
                         hint=f"e.g. {example}" if required and example else None)
    return value


def _check_origin(request: Request) -> None:
    """A browser names the page a request comes from in ``Origin``: it must be this host."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    host = request.headers.get("host", "").lower()
    if origin == "null" or urlsplit(origin).netloc.lower() != host:
        raise PermissionDenied(f"a login from {origin!r} is not allowed on {host!r}",
                               code="origin_refused",
                               hint="log in from a page served by this host; behind a proxy, "
                                    "pass the original Host header on")


def _check_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise BadRequest(f"a login must be sent as application/json, not {content_type!r}",
                         code="invalid_content_type",
                         hint="send the header Content-Type: application/json")


def _session_body(call: Call, login: LoginSession) -> dict[str, Any]:
    return {"user": call.engine.accounts.user_profile(login.user), "auth": "session",
            "csrf_token": login.csrf_token, "expires_at": login.expires_at}


def _token_body(call: Call) -> dict[str, Any]:
    assert call.user is not None
    return {"user": call.engine.accounts.user_profile(call.user), "auth": "token",
            "csrf_token": None, "expires_at": None}


def login(call: Call) -> Response:
    """POST /auth/login: check a password, open a session, set its cookie."""
    request = call.request
    _check_origin(request)
    _check_json(request)
    body = call.body
    _fields(body, ("tenant", "username", "password"))
    tenant, username, password = (_text(body, name) for name in
                                  ("tenant", "username", "password"))
    config = request.app.state.auth
    found = call.engine.accounts.login(tenant, username, password,  # type: ignore[arg-type]
                              client_ip=request.client.host if request.client else None,
                              now=config.now())
    try:
        previous = session_id(call.engine, request)
    except UnauthenticatedError:
        previous = None
    if previous is not None:
        call.engine.accounts.logout(previous, now=config.now())
    response = JSONResponse(_session_body(call, found), headers=NO_STORE)
    set_session_cookie(response, call.engine, request, found)
    return response


def logout(call: Call) -> Response:
    """POST /auth/logout: end the cookie's session and clear the cookie."""
    if call.login is not None:
        found = session_id(call.engine, call.request)
        if found is not None:
            call.engine.accounts.logout(found, now=call.request.app.state.auth.now())
    response = Response(status_code=204)
    clear_session_cookie(response, call.request)
    return response


def me(call: Call) -> Response:
    """GET /auth/me: the caller, how they authenticated and, for a session, its CSRF token."""
    assert call.user is not None
    if call.login is not None:
        return JSONResponse(_session_body(call, call.login), headers=NO_STORE)
    return JSONResponse(_token_body(call), headers=NO_STORE)


def change_password(call: Call) -> Response:
    """POST /auth/password: the caller changes their own password, giving the current one;
    a session caller gets a new session (cookie and CSRF token), the same body as /auth/me."""
    assert call.user is not None
    request = call.request
    body = call.body
    _fields(body, ("current_password", "new_password"))
    current = _text(body, "current_password", example=PASSWORD_EXAMPLE)
    new = body.get("new_password")
    if not isinstance(new, str):
        raise BadRequest("'new_password' must be a string", code="invalid_parameter",
                         hint=f"e.g. {PASSWORD_EXAMPLE}")
    own = session_id(call.engine, request) if call.login is not None else None
    renewed = call.engine.accounts.change_password(
        call.user.tenant, call.user, current, new,  # type: ignore[arg-type]
        client_ip=request.client.host if request.client else None, session_id=own,
        now=request.app.state.auth.now())
    if renewed is None:
        return JSONResponse(_token_body(call), headers=NO_STORE)
    response = JSONResponse(_session_body(call, renewed), headers=NO_STORE)
    set_session_cookie(response, call.engine, request, renewed)
    return response


def list_tokens(call: Call) -> Response:
    """GET /auth/tokens: the caller's API tokens (never their secrets)."""
    assert call.user is not None
    found = call.engine.accounts.list_tokens(call.user.tenant, call.user)
    return JSONResponse({"tokens": [t.to_dict() for t in found]})


def create_token(call: Call) -> Response:
    """POST /auth/tokens: a new API token for the caller, shown once."""
    assert call.user is not None
    body = call.body
    _fields(body, ("label", "expires_in_days"))
    label = _text(body, "label", required=False)
    if label is not None and len(label) > 200:
        raise BadRequest("'label' is longer than 200 characters", code="invalid_parameter")
    days = body.get("expires_in_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 1 <= days <= MAX_TOKEN_DAYS):
        raise BadRequest(f"'expires_in_days' must be a whole number from 1 to {MAX_TOKEN_DAYS}",
                         code="invalid_parameter",
                         hint="leave it out (or null) for a token that does not expire")
    expires = None if days is None else \
        call.request.app.state.auth.now() + dt.timedelta(days=days)
    secret, info = call.engine.accounts.issue_token(call.user, label=label, expires_at=expires)
    return JSONResponse({"token": secret, **info.to_dict()}, status_code=201, headers=NO_STORE)


def revoke_token(call: Call) -> Response:
    """DELETE /auth/tokens/{token_id}: revoke one of the caller's tokens."""
    assert call.user is not None
    call.engine.accounts.revoke_token_id(call.user.tenant, call.param("token_id"), user=call.user)
    return Response(status_code=204)


def _own(handler: Any, **options: Any) -> Any:
    """An endpoint whose handler calls Engine methods with transactions of their own."""
    return endpoint(handler, session=False, **options)


routes = [
    Route("/auth/login", endpoint(login, body="object", public=True), methods=["POST"],
          name="login"),
    Route("/auth/logout", _own(logout), methods=["POST"], name="logout"),
    Route("/auth/me", _own(me), methods=["GET"], name="me"),
    Route("/auth/password", _own(change_password, body="object"), methods=["POST"],
          name="password"),
    Route("/auth/tokens", by_method(GET=_own(list_tokens),
                                    POST=_own(create_token, body="object")),
          methods=["GET", "POST"], name="tokens"),
    Route("/auth/tokens/{token_id}", _own(revoke_token), methods=["DELETE"], name="token"),
]
