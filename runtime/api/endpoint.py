"""The glue every route shares: authenticate, check CSRF, read the body, run the handler,
map errors.

A handler is a plain function ``handler(call) -> Response``. :func:`endpoint`
wraps it in the async endpoint Starlette calls: the credential check (a bearer token
or the session cookie, ``hulian.runtime.api.auth``) and the handler (both blocking
database work) run in Starlette's thread pool; the CSRF check of cookie requests and
the reading of the body happen on the event loop in between, and any exception becomes
the JSON error response (``hulian.runtime.api.errors``).

>>> def hello(call: Call) -> Response:                          # doctest: +SKIP
...     return JSONResponse({"user": call.user.username})
>>> Route("/hello", endpoint(hello))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from hulian.engine import Engine, Session, UnauthenticatedError, User
from hulian.engine.accounts import LoginSession
from hulian.runtime.api.auth import (
    SESSION_CODES,
    authenticate,
    check_csrf,
    clear_session_cookie,
    needs_csrf,
)
from hulian.runtime.api.errors import error_response
from hulian.runtime.api.jsonio import parse_json, read_body

__all__ = ["Call", "Endpoint", "Handler", "by_method", "endpoint"]


@dataclass(frozen=True)
class Call:
    """One API call: the request, the engine, the caller, the parsed JSON body and, when
    the session cookie authenticated the caller, their login session."""

    request: Request
    engine: Engine
    user: User | None
    body: Any = None
    login: LoginSession | None = None

    def param(self, name: str) -> str:
        return self.request.path_params[name]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The caller's session in the token's tenant: one transaction per request."""
        assert self.user is not None, "public endpoints have no session"
        with self.engine.session(self.user.tenant, self.user) as session:
            yield session


Handler = Callable[[Call], Response]
Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(handler: Handler, *, body: Literal["object", "object_or_list"] | None = None,
             public: bool = False) -> Endpoint:
    """An async Starlette endpoint running ``handler`` in the thread pool.

    ``body``: None (ignored), ``"object"`` or ``"object_or_list"`` (parsed JSON).
    ``public``: no credentials needed (``call.user`` is then None).
    """

    async def run(request: Request) -> Response:
        engine: Engine = request.app.state.engine
        limit: int = request.app.state.max_body_bytes
        try:
            caller = None if public else await run_in_threadpool(authenticate, engine, request)
            raw = None
            if needs_csrf(caller, request.method):
                assert caller is not None and caller.login is not None
                request, raw = await check_csrf(request, caller.login, limit)
            data = None
            if body is not None:
                raw = raw if raw is not None else await read_body(request, limit)
                data = parse_json(raw, allow_list=body == "object_or_list")
            call = Call(request, engine, caller.user if caller else None, data,
                        caller.login if caller else None)
            return await run_in_threadpool(handler, call)
        except Exception as exc:  # noqa: BLE001 -- every failure gets the JSON error shape
            response = error_response(exc)
            if isinstance(exc, UnauthenticatedError) and exc.code in SESSION_CODES:
                clear_session_cookie(response, request)
            return response

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def by_method(**endpoints: Endpoint) -> Endpoint:
    """One endpoint for a path served by several methods (so 405 lists them all).

    The Route's ``methods`` must be the same names; HEAD is answered by GET.
    """

    async def run(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return run
