"""Reading a posted form and checking its CSRF token.

Pages post URL-encoded forms (``<form method="post">``, no file uploads); the body is read
with the app's size limit and parsed here, so no multipart library is needed. Every POST
form carries the login session's CSRF token in the hidden field ``csrf_token``
(``{{ csrf_field() }}`` in templates); a missing or wrong one is refused with 403
``csrf_failed`` (:func:`hulian.runtime.api.auth.check_csrf_token`).

Before login there is no session: the login forms carry the value of a random
``hulian_login_csrf`` cookie instead (a double-submitted token, :func:`login_token`),
and a request whose ``Origin`` is another site is refused.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qsl, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from hulian.runtime.api.auth import is_form
from hulian.runtime.api.jsonio import read_body

__all__ = ["LOGIN_CSRF_COOKIE", "MAX_FIELDS", "login_token", "login_token_ok",
           "read_form", "safe_next", "same_origin", "set_login_token"]

LOGIN_CSRF_COOKIE = "hulian_login_csrf"
MAX_FIELDS = 2000


async def read_form(request: Request, limit: int) -> FormData:
    """The URL-encoded body of a POST (empty for other methods or other content types);
    413 ``body_too_large`` over ``limit`` bytes."""
    if request.method in ("GET", "HEAD") or not is_form(request):
        return FormData()
    raw = await read_body(request, limit)
    try:
        fields = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True,
                           max_num_fields=MAX_FIELDS)
    except ValueError:   # more than MAX_FIELDS fields
        fields = []
    return FormData(fields)


def login_token(request: Request) -> str:
    """The pre-login CSRF token: the cookie's, or a new one (send it with
    :func:`set_login_token`)."""
    found = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return found if 20 <= len(found) <= 100 and found.isascii() else secrets.token_urlsafe(24)


def set_login_token(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path="/", httponly=True, samesite="strict",
                        secure=secure)


def login_token_ok(request: Request, form: FormData) -> bool:
    """Whether a login form came from our own login page: its ``csrf_token`` field equals
    the ``hulian_login_csrf`` cookie, and ``Origin`` (when sent) is this host."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = form.get("csrf_token", "")
    if not isinstance(sent, str) or not cookie or not sent:
        return False
    return same_origin(request) and hmac.compare_digest(cookie.encode("utf-8", "replace"),
                                                        sent.encode("utf-8", "replace"))


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "").lower()
    return origin != "null" and urlsplit(origin).netloc.lower() == host


def safe_next(value: str | None, default: str = "/app") -> str:
    """Where to go after login: ``value`` when it is a path of this site (``/...``, not
    ``//host`` nor ``/\\host``, no control characters), else ``default``.

    >>> safe_next("/app/o/Order?scene=mine"), safe_next("https://evil.example"), \
safe_next("//evil.example")
    ('/app/o/Order?scene=mine', '/app', '/app')
    """
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) \
            or any(ord(c) < 32 or ord(c) == 127 for c in value) or len(value) > 2000:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
