"""The REST API and the browser UI as a Starlette application: ``create_app(engine)``.

The API lives under ``/api/v1``; the UI (``hulian.runtime.ui``, docs/ui.md) at ``/``
beside it, with its static files at ``/static``. In the API, every route but ``/health``
and ``/auth/login`` needs a bearer token or a login session cookie, which names the
tenant and the user.
See docs/api.md.

>>> from hulian.engine import Engine                            # doctest: +SKIP
>>> app = create_app(Engine("sqlite:///hulian.db"))
>>> # uvicorn.run(app)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from hulian.engine import Engine
from hulian.runtime.api import (
    activities,
    approvals,
    changes,
    login,
    metadata,
    notifications,
    objects,
    openapi,
    people,
    records,
    recycle,
    scenes,
    teams,
    transfer,
    webhooks,
)
from hulian.runtime.api.auth import AuthConfig
from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.errors import (
    ServiceUnavailable,
    http_exception_handler,
    server_error_handler,
)
from hulian.runtime.api.jsonio import MAX_BODY_BYTES, JSONResponse
from hulian.runtime.api.threads import threads_setting, work_limiter

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"


def health(call: Call) -> Response:
    """GET /health: the service answers and so does its database (no token needed)."""
    try:
        with call.engine.db.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        raise ServiceUnavailable("the database does not answer", code="database_unavailable",
                                 hint="check the database server and the --db URL") from exc
    return JSONResponse({"status": "ok", "database": call.engine.dialect})


class ApiMount(Mount):
    """The API's mount. Starlette's mount pattern stops at a line break, so a URL with
    ``%0A`` in its path answered ``route_not_found`` whatever it named; here the routes get
    it and answer for it (an unknown record, a bad document path)."""

    def __init__(self, path: str, routes: list[BaseRoute]) -> None:
        super().__init__(path, routes=routes)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)


def create_app(engine: Engine, *, max_body_bytes: int = MAX_BODY_BYTES,
               debug: bool = False, secret_key: str | None = None,
               secure_cookies: bool = False,
               clock: Callable[[], dt.datetime] | None = None, ui: bool = True,
               portal_hosts: Mapping[str, str] | None = None,
               threads: int | None = None) -> Starlette:
    """The API (and the UI) over ``engine``; the caller owns the engine (and closes it).

    ``max_body_bytes``: larger request bodies are refused with 413 ``body_too_large``.
    ``secret_key`` signs session cookies (at least 32 characters): else env
    ``HULIAN_SECRET_KEY``, else a random key made once and kept in the database.
    ``secure_cookies``: send the session cookie with ``Secure`` (HTTPS only): set it
    whenever the API is served over HTTPS. ``clock``: the current time for logins,
    sessions and throttling (tests move it). ``ui``: serve the browser UI at ``/``
    (security headers on its responses). ``portal_hosts``: host name -> tenant whose
    portal that host shows at ``/``; else env ``HULIAN_PORTAL_HOSTS``. ``threads``: at
    most this many requests do their blocking work at once, each in a worker thread (the
    others wait their turn without one); else env ``HULIAN_THREADS``, else
    :data:`hulian.runtime.api.threads.DEFAULT_THREADS`.
    """
    limiter = work_limiter(threads_setting(threads))
    routes = [
        Route("/health", endpoint(health, public=True), methods=["GET"], name="health"),
        *login.routes,
        *objects.routes,
        *records.routes,
        *recycle.routes,
        *activities.routes,
        *changes.routes,
        *notifications.routes,
        *approvals.routes,
        *scenes.routes,
        *teams.routes,
        *transfer.routes,
        *people.routes,
        *webhooks.routes,
        *metadata.routes,
        *openapi.routes,
    ]
    # The UI builds on this package (auth, errors), so it is imported when an app is made.
    from hulian.runtime.ui import app as ui_app
    from hulian.runtime.ui import login_pages
    from hulian.runtime.ui.headers import SecurityHeaders

    mounted: list[BaseRoute] = [ApiMount(API_PREFIX, routes=routes)]
    middleware: list[Middleware] = []
    if ui:
        mounted += ui_app.ui_routes()
        middleware.append(Middleware(SecurityHeaders, skip=API_PREFIX))

    def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = request.url.path
        if ui and path != "/api" and not path.startswith("/api/"):  # an API client: JSON
            return ui_app.html_error(request, exc.status_code)
        return http_exception_handler(request, exc)

    app = Starlette(
        debug=debug,
        routes=mounted,
        middleware=middleware,
        exception_handlers={HTTPException: http_error,
                            Exception: server_error_handler},
    )
    app.state.engine = engine
    app.state.max_body_bytes = max_body_bytes
    app.state.work_limiter = limiter
    app.state.auth = AuthConfig(secret_key=secret_key, secure_cookies=secure_cookies,
                                clock=clock)
    app.state.portal_hosts = dict(portal_hosts) if portal_hosts is not None else \
        login_pages.portal_hosts()
    return app
