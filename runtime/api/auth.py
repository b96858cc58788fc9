"""Who is calling: a bearer token (``Authorization: Bearer hl_...``) or a login session cookie.

Both name the tenant and the user, so no request carries a tenant of its own. Tokens are
made with ``hulian token create``, ``PeopleAdmin.create_token`` or ``POST /api/v1/auth/tokens``;
sessions by ``POST /api/v1/auth/login``. When a request has an ``Authorization`` header,
the token decides (a cookie is then ignored); otherwise the ``hulian_session`` cookie does.

The cookie holds the session's random id signed with itsdangerous (HMAC-SHA256): a
tampered cookie is refused before the database is asked. A request authenticated by the
cookie with an unsafe method (anything but GET, HEAD, OPTIONS) must also prove it comes
from hulian's own pages: header ``X-CSRF-Token`` (or form field ``csrf_token``) equal to
the session's CSRF token, else 403 ``csrf_failed``. Bearer requests are exempt: a browser
never adds an ``Authorization`` header to a cross-site request on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from itsdangerous import BadSignature, Signer
from starlette.requests import Request
from starlette.responses import Response

from hulian.engine import (
    BearerToken,
    Credential,
    Engine,
    HulianError,
    LoginCookie,
    PermissionDenied,
    User,
)
from hulian.engine.accounts import LoginSession
from hulian.engine.errors import UnauthenticatedError
from hulian.engine.system.login_sessions import LIFETIME
from hulian.runtime.api.jsonio import read_body

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "SAFE_METHODS", "SECRET_KEY_ENV", "SESSION_COOKIE",
           "AuthConfig", "Caller", "authenticate", "bearer_token", "check_csrf",
           "check_csrf_token", "clear_session_cookie", "credential", "csrf_from_form",
           "is_form", "session_id", "set_session_cookie"]

SESSION_COOKIE = "hulian_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SECRET_KEY_ENV = "HULIAN_SECRET_KEY"
MIN_SECRET_KEY = 32
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_CODES = frozenset({"invalid_session", "session_expired"})

HOW_TO_GET_ONE = "create a token with: hulian token create --db URL --tenant T --user U"


class AuthConfig:
    """How an app signs and sends session cookies (``create_app`` makes one).

    ``secret_key``: given, else env ``HULIAN_SECRET_KEY``, else the engine's stored key
    (fetched on first use). ``clock``: the current time (tests move it).
    """

    def __init__(self, *, secret_key: str | None = None, secure_cookies: bool = False,
                 clock: Callable[[], dt.datetime] | None = None):
        key = secret_key if secret_key is not None else os.environ.get(SECRET_KEY_ENV) or None
        if key is not None and len(key) < MIN_SECRET_KEY:
            raise HulianError(f"the session secret key is shorter than {MIN_SECRET_KEY} "
                              "characters", code="invalid_secret_key",
                              hint="make one with: python -c 'import secrets; "
                                   "print(secrets.token_urlsafe(32))'")
        self._key = key
        self._signer: Signer | None = None
        self._lock = threading.Lock()
        self.secure_cookies = secure_cookies
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def now(self) -> dt.datetime:
        return self.clock()

    def signer(self, engine: Engine) -> Signer:
        """The cookie signer (blocking the first time when the key comes from the database)."""
        if self._signer is None:
            key = self._key or engine.accounts.session_signing_key()
            with self._lock:
                self._signer = Signer(key, salt="hulian.session",
                                      digest_method=hashlib.sha256)
        return self._signer


@dataclass(frozen=True)
class Caller:
    """The authenticated user, and the login session when the cookie authenticated them."""

    user: User
    login: LoginSession | None = None


def _config(request: Request) -> AuthConfig:
    return request.app.state.auth


def bearer_token(request: Request) -> str:
    """The token of the ``Authorization`` header; UnauthenticatedError when there is none."""
    header = request.headers.get("authorization")
    if not header or not header.strip():
        raise UnauthenticatedError("this request needs an API token or a login session",
                                   code="missing_token",
                                   hint=f"send 'Authorization: Bearer <token>' ({HOW_TO_GET_ONE}),"
                                        " or log in: POST /api/v1/auth/login")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthenticatedError("the Authorization header must use the Bearer scheme",
                                   code="invalid_auth_scheme",
                                   hint="send 'Authorization: Bearer <token>'")
    return token.strip()


def session_id(engine: Engine, request: Request) -> str | None:
    """The session id in the request's cookie (None without one); a cookie whose signature
    does not hold is UnauthenticatedError ``invalid_session``."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return _config(request).signer(engine).unsign(cookie).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        raise UnauthenticatedError("the session cookie is not valid", code="invalid_session",
                                   hint="log in again: POST /api/v1/auth/login") from None


def credential(engine: Engine, request: Request) -> Credential:
    """What the request authenticates with: the bearer token when there is an
    ``Authorization`` header, else the session cookie (its signature checked here), else
    UnauthenticatedError ``missing_token``."""
    if request.headers.get("authorization") is None:
        found = session_id(engine, request)
        if found is not None:
            return LoginCookie(found, _config(request).now())
    return BearerToken(bearer_token(request))


def authenticate(engine: Engine, request: Request) -> Caller:
    """The caller of a request, in a read-only transaction of its own (blocking: run it in
    a thread). Routes with a session authenticate in it instead
    (:meth:`hulian.engine.Engine.request_session`)."""
    found = credential(engine, request)
    if isinstance(found, LoginCookie):
        login = engine.accounts.login_session(found.session_id, now=found.now)
        return Caller(login.user, login)
    return Caller(engine.accounts.authenticate(found.secret))


def is_form(request: Request) -> bool:
    """Whether the body is a URL-encoded form (which may carry the CSRF token)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/x-www-form-urlencoded"


def _csrf_refused(why: str) -> PermissionDenied:
    return PermissionDenied(f"{why}: requests authenticated by the session cookie must prove "
                            "they come from hulian's own pages", code="csrf_failed",
                            hint=f"send header {CSRF_HEADER} with the csrf_token that login (or "
                                 "GET /api/v1/auth/me) returned, or a form field csrf_token")


def _replay(request: Request, raw: bytes) -> Request:
    """The request again, its body already read (so the handler can read it too)."""
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return Request(request.scope, receive)


def csrf_from_form(request: Request, raw: bytes | None) -> str | None:
    """The ``csrf_token`` field of a URL-encoded form body (None: not a form, or no field)."""
    if raw is None or not is_form(request):
        return None
    try:
        fields = parse_qsl(raw.decode("utf-8", "replace"), max_num_fields=1000)
    except ValueError:  # too many fields
        fields = []
    return next((value for name, value in fields if name == CSRF_FIELD), None)


def check_csrf_token(login: LoginSession, token: str | None) -> None:
    """Refuse (403 ``csrf_failed``) an unsafe cookie request whose CSRF token (header
    ``X-CSRF-Token`` or form field ``csrf_token``) is missing or not the session's."""
    if not token:
        raise _csrf_refused("the CSRF token is missing")
    if not hmac.compare_digest(token.encode("utf-8", "replace"),
                               login.csrf_token.encode("utf-8")):
        raise _csrf_refused("the CSRF token does not match the session")


async def check_csrf(request: Request, login: LoginSession, limit: int
                     ) -> tuple[Request, bytes | None]:
    """:func:`check_csrf_token` for a request whose body is not read yet. A URL-encoded
    form may carry the token as field ``csrf_token``: its body is then read here, and
    returned with a request the handler can read again."""
    token = request.headers.get(CSRF_HEADER)
    raw: bytes | None = None
    if token is None and is_form(request):
        raw = await read_body(request, limit)
        request = _replay(request, raw)
        token = csrf_from_form(request, raw)
    check_csrf_token(login, token)
    return request, raw


def set_session_cookie(response: Response, engine: Engine, request: Request,
                       login: LoginSession) -> None:
    """Send the signed session id: HttpOnly, SameSite=Lax, Path=/, Secure when configured,
    for the session's lifetime."""
    assert login.secret is not None, "only a new login carries its secret"
    config = _config(request)
    value = config.signer(engine).sign(login.secret).decode("ascii")
    response.set_cookie(SESSION_COOKIE, value, max_age=int(LIFETIME.total_seconds()), path="/",
                        secure=config.secure_cookies, httponly=True, samesite="lax")


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_config(request).secure_cookies,
                           httponly=True, samesite="lax")
