"""The glue every route shares: authenticate, check CSRF, read the body, run the handler,
map errors.

A handler is a plain function ``handler(call) -> Response``. :func:`endpoint` wraps it in
the async endpoint Starlette calls. Blocking work (the database, parsing JSON) runs in a
worker thread (:mod:`hulian.runtime.api.threads`, a bounded number at once), so the event
loop only moves bytes; any exception becomes the JSON error response
(``hulian.runtime.api.errors``).

One request is one transaction. A route with ``session=True`` (records, describe,
OpenAPI) authenticates the caller with the first statement of its session
(:meth:`hulian.engine.Engine.request_session`), read-only for GET and HEAD, so a read
takes one thread hop and one transaction that never waits behind another request. The
request body is read before that, unless it is large (over :data:`EARLY_BODY_BYTES`, or
of unknown length): then the caller is authenticated first, so that hulian never buffers
a large body for a caller it does not know. Routes with ``session=False`` (people,
tokens, passwords) call Engine methods that open their own transactions; their caller is
authenticated in a read-only transaction of its own.

>>> def hello(call: Call) -> Response:                          # doctest: +SKIP
...     return JSONResponse({"user": call.user.username})
>>> Route("/hello", endpoint(hello))
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from hulian.engine import Engine, Session, UnauthenticatedError, User
from hulian.engine.accounts import LoginSession
from hulian.runtime.api.auth import (
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_CODES,
    Caller,
    authenticate,
    check_csrf,
    check_csrf_token,
    clear_session_cookie,
    credential,
    csrf_from_form,
    is_form,
)
from hulian.runtime.api.errors import error_response
from hulian.runtime.api.jsonio import parse_json, read_body
from hulian.runtime.api.threads import in_thread

__all__ = ["EARLY_BODY_BYTES", "Call", "Endpoint", "Handler", "by_method", "endpoint"]

EARLY_BODY_BYTES = 256 * 1024
"""Bodies up to this size (declared by Content-Length) are read before the caller is
authenticated, so that authentication and the work share one transaction."""


@dataclass(frozen=True)
class Call:
    """One API call: the request, the engine, the caller, the parsed JSON body and, when
    the session cookie authenticated the caller, their login session. On a route with a
    session, ``opened`` is the request's session."""

    request: Request
    engine: Engine
    user: User | None
    body: Any = None
    login: LoginSession | None = None
    opened: Session | None = None

    def param(self, name: str) -> str:
        return self.request.path_params[name]

    @property
    def reads_only(self) -> bool:
        return self.request.method in SAFE_METHODS

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The caller's session: the request's own on a route with a session; otherwise a
        new one (its own transaction; read-only for GET and HEAD)."""
        if self.opened is not None:
            yield self.opened
            return
        with self.new_session() as session:
            yield session

    def new_session(self) -> AbstractContextManager[Session]:
        """A session of its own for the caller (e.g. for each page of a streamed response,
        sent after the request's session has ended); read-only for GET and HEAD."""
        assert self.user is not None, "public endpoints have no session"
        return self.engine.session(self.user.tenant, self.user, readonly=self.reads_only,
                                   request_id=request_id(self.request))


REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id(request: Request) -> str:
    """The request's id: the client's ``X-Request-Id`` when it is a short token (letters,
    digits, ``._:-``, at most 64), else one made here; recorded with the record changes the
    request makes and sent back in the response's ``X-Request-Id``."""
    found = getattr(request.state, "request_id", None)
    if found is None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        found = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.state.request_id = found
    return found


Handler = Callable[[Call], Response]
Endpoint = Callable[[Request], Awaitable[Response]]
BodyKind = Literal["object", "object_or_list"] | None


def _small_body(request: Request) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) <= EARLY_BODY_BYTES


def _parsed(raw: bytes | None, body: BodyKind) -> Any:
    if body is None:
        return None
    return parse_json(raw or b"", allow_list=body == "object_or_list")


def _in_session(handler: Handler, request: Request, raw: bytes | None, body: BodyKind,
                caller: Caller | None) -> Response:
    """Authenticate (unless ``caller`` already is), check CSRF, parse the body and run the
    handler in one session: one transaction (runs in a worker thread)."""
    engine: Engine = request.app.state.engine
    readonly = request.method in SAFE_METHODS
    rid = request_id(request)
    if caller is not None:
        opened = engine.session(caller.user.tenant, caller.user, readonly=readonly,
                                request_id=rid)
    else:
        opened = engine.request_session(credential(engine, request), readonly=readonly,
                                        request_id=rid)
    with opened as session:
        login = session.login if caller is None else caller.login
        if caller is None and login is not None and not readonly:
            check_csrf_token(login, request.headers.get(CSRF_HEADER) or
                             csrf_from_form(request, raw))
        call = Call(request, engine, session.user, _parsed(raw, body), login, session)
        return handler(call)


def _alone(handler: Handler, request: Request, raw: bytes | None, body: BodyKind,
           caller: Caller | None) -> Response:
    """Parse the body and run a handler that opens its own transactions."""
    engine: Engine = request.app.state.engine
    call = Call(request, engine, caller.user if caller else None, _parsed(raw, body),
                caller.login if caller else None)
    return handler(call)


def endpoint(handler: Handler, *, body: BodyKind = None, public: bool = False,
             session: bool = True) -> Endpoint:
    """An async Starlette endpoint running ``handler`` in the thread pool.

    ``body``: None (ignored), ``"object"`` or ``"object_or_list"`` (parsed JSON).
    ``public``: no credentials needed (``call.user`` is then None).
    ``session``: the handler works in the request's session (``call.session()``), one
    transaction for authentication and work; False for handlers that call Engine methods
    opening transactions of their own.
    """

    async def run(request: Request) -> Response:
        response = await answer(request)
        response.headers[REQUEST_ID_HEADER] = request_id(request)
        return response

    async def answer(request: Request) -> Response:
        limit: int = request.app.state.max_body_bytes
        unsafe = request.method not in SAFE_METHODS
        wants_body = body is not None or (unsafe and is_form(request))
        try:
            if public or (session and (not wants_body or _small_body(request))):
                raw = await read_body(request, limit) if wants_body else None
                if public:
                    return await in_thread(request, _alone, handler, request, raw, body, None)
                return await in_thread(request, _in_session, handler, request, raw, body, None)
            # Authenticate first: a large body is read only for a known caller.
            engine: Engine = request.app.state.engine
            caller = await in_thread(request, authenticate, engine, request)
            raw = None
            if caller.login is not None and unsafe:
                request, raw = await check_csrf(request, caller.login, limit)
            if body is not None and raw is None:
                raw = await read_body(request, limit)
            if session:
                return await in_thread(request, _in_session, handler, request, raw, body,
                                               caller)
            return await in_thread(request, _alone, handler, request, raw, body, caller)
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
