"""What every UI page shares: who is asking, in which language and channel, the posted
form, rendering, and the mapping of errors to pages.

A page handler is a plain function ``handler(page) -> Response``; :func:`page_endpoint`
wraps it in the async endpoint Starlette calls. It reads the posted form, then in a
worker thread opens the caller's session (:func:`ui_page`: the login cookie authenticates
the user in the session's first statement; read-only for GET), checks the CSRF token of
a POST and runs the handler. Any error becomes a page (:func:`error_page`): no login is a
redirect to ``/login?next=...``.

>>> def hello(page: UIPage) -> Response:                       # doctest: +SKIP
...     return page.render("hello.html", {"objects": page.session.objects()})
>>> Route("/app/hello", page_endpoint(hello))

U2's pages use the same: ``page.session`` (an engine :class:`~hulian.engine.Session`),
``page.user``, ``page.lang``, ``page.channel``, ``page.form``, ``page.t``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hulian.engine import (
    Engine,
    HulianError,
    LoginCookie,
    NotFoundError,
    PermissionDenied,
    Session,
    UnauthenticatedError,
    User,
)
from hulian.engine.accounts import LoginSession
from hulian.engine.errors import GoneError, StorageError
from hulian.layouts.values import time_zone
from hulian.runtime.api.auth import (
    SAFE_METHODS,
    SESSION_CODES,
    check_csrf_token,
    clear_session_cookie,
    session_id,
)
from hulian.runtime.api.endpoint import request_id
from hulian.runtime.api.errors import PayloadTooLarge, status_for
from hulian.runtime.api.threads import in_thread
from hulian.runtime.ui import branding
from hulian.runtime.ui.channel import channel as channel_of
from hulian.runtime.ui.forms import read_form
from hulian.runtime.ui.i18n import Translate, label, language, translator
from hulian.runtime.ui.shell import launcher
from hulian.runtime.ui.static import static_url
from hulian.runtime.ui.templating import render

__all__ = ["Page", "PageHandler", "UIPage", "error_page", "login_url", "page_endpoint",
           "public_endpoint", "ui_page"]

log = logging.getLogger("hulian.runtime.ui")


@dataclass
class Page:
    """A page request before login (the login and portal pages)."""

    request: Request
    engine: Engine
    lang: str
    channel: str
    form: FormData = field(default_factory=FormData)

    @property
    def t(self) -> Translate:
        return translator(self.lang)

    def label(self, value: Any) -> str:
        """A metadata label (i18n map) in the page's language."""
        return label(value, self.lang)

    @property
    def zone(self) -> dt.tzinfo:
        """The user's time zone: the ``tz`` cookie our script sets from the browser (an
        IANA name such as ``Asia/Shanghai``), else UTC."""
        return time_zone(self.request.cookies.get("tz"))

    @property
    def path(self) -> str:
        query = self.request.url.query
        return self.request.url.path + (f"?{query}" if query else "")

    def context(self) -> dict[str, Any]:
        """What every template gets (see :mod:`hulian.runtime.ui.templating`)."""
        lang = self.lang
        return {"t": self.t, "label": lambda value: label(value, lang), "static": static_url,
                "lang": lang, "channel": self.channel, "path": self.path, "user": None,
                "csrf_token": "", "apps": [], "theme": None, "brand": None,
                "portal": None, "setup_link": False}

    def render(self, template: str, context: dict[str, Any] | None = None, *,
               status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return render(template, {**self.context(), **(context or {})}, status=status,
                      headers=headers)

    @staticmethod
    def redirect(url: str) -> Response:
        """303 See Other: after a POST, the browser GETs ``url`` (post-redirect-get)."""
        return RedirectResponse(url, status_code=303)


@dataclass
class UIPage(Page):
    """A page request of a logged-in user. ``session`` is the request's engine session
    (one transaction: read-only for GET), unless the endpoint was made with
    ``session=False`` for handlers that call Engine methods opening their own."""

    user: User | None = None
    login: LoginSession | None = None
    opened: Session | None = None

    @property
    def session(self) -> Session:
        assert self.opened is not None, "this endpoint was made with session=False"
        return self.opened

    @property
    def csrf_token(self) -> str:
        assert self.login is not None
        return self.login.csrf_token

    def context(self) -> dict[str, Any]:
        assert self.user is not None
        base = super().context()
        base.update(user=self.user, csrf_token=self.csrf_token,
                    portal=self.user.tenant if self.user.is_interconnect else None)
        if self.opened is not None:
            base["apps"] = launcher(self.opened)
            base["setup_link"] = not self.user.is_interconnect and \
                self.opened.visibility.rights.setup
            brand = branding.of_pack(self.opened.schema.pack)
        else:
            brand = branding.of_tenant(self.engine, self.user.tenant)
        if brand is not None and self.user.is_interconnect:
            # the dealer-facing brand is the portal's; internal users work in the CRM itself
            base.update(brand=brand, theme=branding.theme_url(self.user.tenant, brand))
        return base

    def require_internal(self) -> None:
        """Internal users only: an interconnect user gets the same 404 as a missing page."""
        assert self.user is not None
        if self.user.is_interconnect:
            raise NotFoundError("there is no such page", code="page_not_found")


def _page_args(request: Request, form: FormData | None) -> dict[str, Any]:
    return {"request": request, "engine": request.app.state.engine,
            "lang": language(request), "channel": channel_of(request),
            "form": form if form is not None else FormData()}


@contextmanager
def ui_page(request: Request, form: FormData | None = None, *,
            session: bool = True) -> Iterator[UIPage]:
    """The logged-in caller's page (blocking: run it in a worker thread).

    Authenticates the ``hulian_session`` cookie (UnauthenticatedError without a valid
    one), opens the caller's session (read-only for GET and HEAD; ``session=False``: none,
    the caller is checked in a read-only transaction of its own) and, for any other
    method, checks the form's ``csrf_token`` (PermissionDenied ``csrf_failed``).
    """
    engine: Engine = request.app.state.engine
    now = request.app.state.auth.now()
    found = session_id(engine, request)
    if found is None:
        raise UnauthenticatedError("this page needs a login", code="missing_token")
    unsafe = request.method not in SAFE_METHODS
    args = _page_args(request, form)

    def checked(login: LoginSession) -> None:
        if unsafe:
            sent = args["form"].get("csrf_token")
            check_csrf_token(login, sent if isinstance(sent, str) else None)

    if not session:
        login = engine.accounts.login_session(found, now=now)
        checked(login)
        yield UIPage(**args, user=login.user, login=login)
        return
    with engine.request_session(LoginCookie(found, now), readonly=not unsafe, channel="ui",
                                request_id=request_id(request)) as opened:
        assert opened.login is not None
        checked(opened.login)
        yield UIPage(**args, user=opened.user, login=opened.login, opened=opened)


PageHandler = Callable[[UIPage], Response]
PublicHandler = Callable[[Page], Response]
Endpoint = Callable[[Request], Awaitable[Response]]


def _limit(request: Request) -> int:
    return request.app.state.max_body_bytes


def _endpoint(run: Callable[[Request, FormData], Response], handler: Any) -> Endpoint:
    """The async endpoint: the posted form read (capped), then ``run`` in a worker thread;
    named and documented as ``handler``."""

    async def endpoint(request: Request) -> Response:
        try:
            form = await read_form(request, _limit(request))
        except PayloadTooLarge as exc:
            return error_page(request, exc, None)
        return await in_thread(request, run, request, form)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


def page_endpoint(handler: PageHandler, *, session: bool = True) -> Endpoint:
    """An async endpoint running ``handler`` for the logged-in caller (see the module)."""

    def run(request: Request, form: FormData) -> Response:
        user: User | None = None
        try:
            with ui_page(request, form, session=session) as page:
                user = page.user
                return handler(page)
        except Exception as exc:  # noqa: BLE001 -- every failure becomes a page
            return error_page(request, exc, user)

    return _endpoint(run, handler)


def public_endpoint(handler: PublicHandler) -> Endpoint:
    """An async endpoint for a page anyone may see (login, portal)."""

    def run(request: Request, form: FormData) -> Response:
        try:
            return handler(Page(**_page_args(request, form)))
        except Exception as exc:  # noqa: BLE001 -- every failure becomes a page
            return error_page(request, exc, None)

    return _endpoint(run, handler)


def login_url(request: Request) -> str:
    """The login page, coming back to this page (a GET) or to the shell (after a POST)."""
    if request.method not in SAFE_METHODS:
        return "/login"
    query = request.url.query
    here = request.url.path + (f"?{query}" if query else "")
    return "/login?next=" + quote(here, safe="/")


ERROR_PAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request_title", ""),
    403: ("forbidden_title", "forbidden"),
    404: ("not_found_title", "not_found"),
    405: ("bad_request_title", "method_not_allowed"),
    413: ("bad_request_title", "too_large"),
    500: ("server_error_title", "server_error"),
    503: ("unavailable_title", "server_error"),
}


def error_page(request: Request, exc: BaseException, user: User | None = None) -> Response:
    """The page for an error a page raised.

    No (or an ended) login: redirect to the login page. ``csrf_failed``: 403 saying the
    form expired. PermissionDenied: 403, except for interconnect users, who get the 404
    page: a page they may not reach looks like one that does not exist. NotFoundError and
    GoneError: 404 (the same page whatever the reason). Other engine errors: their HTTP
    status (``hulian.runtime.api.errors.STATUSES``) and message. Anything else: 500,
    logged, with no detail shown.
    """
    if isinstance(exc, UnauthenticatedError):
        response = RedirectResponse(login_url(request), status_code=303)
        if exc.code in SESSION_CODES:
            clear_session_cookie(response, request)
        return response
    if not isinstance(exc, HulianError):
        log.error("unexpected error while rendering %s", request.url.path, exc_info=exc)
        return plain_error(request, 500)
    if isinstance(exc, PermissionDenied) and exc.code == "csrf_failed":
        return plain_error(request, 403, title="csrf_title", message="csrf")
    if isinstance(exc, (NotFoundError, GoneError)) or (
            isinstance(exc, PermissionDenied) and user is not None and user.is_interconnect):
        return plain_error(request, 404, user=user)
    status = status_for(exc)
    if isinstance(exc, StorageError) or status >= 500:
        log.error("%s while rendering %s: %s", exc.code, request.url.path, exc.message,
                  exc_info=exc)
        return plain_error(request, status if status in ERROR_PAGES else 500)
    return plain_error(request, status, detail=exc.message, user=user)


def plain_error(request: Request, status: int, *, title: str | None = None,
                message: str | None = None, detail: str | None = None,
                user: User | None = None) -> Response:
    """An error page that needs no session (so it renders whatever failed)."""
    page = Page(**_page_args(request, None))
    default_title, default_message = ERROR_PAGES.get(status, ("error", ""))
    context = {"status": status, "title": title or default_title,
               "message": message if message is not None else default_message,
               "detail": detail, "signed_in": user is not None}
    return page.render("error.html", context, status=status)
