"""The one place where errors become HTTP responses.

Domain errors (``hulian.engine.errors``) know nothing of HTTP; this module maps
each error class to a status and renders the body every error response shares::

    {"error": {"code": "record_not_found", "message": "...", "hint": "...", "details": []}}

``hint`` is present only when there is one. Storage faults and unexpected
exceptions are logged in full and answered with a generic message, so no SQL,
driver text or traceback reaches a client.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hulian.engine.errors import (
    ConflictError,
    FlowRefused,
    GoneError,
    HulianError,
    NotFoundError,
    PermissionDenied,
    QueryTimeout,
    RecordValidationError,
    StorageError,
    ThrottledError,
    UnauthenticatedError,
    WebhookError,
)
from hulian.engine.system.passwords import PasswordPolicyError
from hulian.metadata.jsontext import dumps

__all__ = [
    "BadRequest",
    "PayloadTooLarge",
    "RequestError",
    "ServiceUnavailable",
    "Unprocessable",
    "error_response",
    "http_exception_handler",
    "json_bytes",
    "server_error_handler",
    "status_for",
]

log = logging.getLogger("hulian.runtime.api")


class RequestError(HulianError):
    """An error in the request itself; ``parameter`` names the query parameter at fault
    (``details``: ``[{"parameter", "code", "message"}]``)."""

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None,
                 parameter: str | None = None):
        super().__init__(message, code=code, hint=hint)
        self.parameter = parameter

    def details(self) -> list[dict[str, Any]]:
        if self.parameter is None:
            return []
        return [{"parameter": self.parameter, "code": self.code, "message": self.message}]


class BadRequest(RequestError):
    """A request the API cannot read: malformed JSON, a bad query parameter..."""

    code = "bad_request"


class Unprocessable(RequestError):
    """A well-formed request that lacks something the operation needs (e.g. ``version``)."""

    code = "unprocessable"


class PayloadTooLarge(RequestError):
    """A body (``body_too_large``) or a query parameter (``request_too_large``) over the
    server's limits."""

    code = "body_too_large"


class ServiceUnavailable(HulianError):
    code = "service_unavailable"


STATUSES: tuple[tuple[type[HulianError], int], ...] = (
    (UnauthenticatedError, 401),
    (PermissionDenied, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (GoneError, 410),
    (PayloadTooLarge, 413),
    (RecordValidationError, 422),
    (FlowRefused, 422),
    (Unprocessable, 422),
    (WebhookError, 422),
    (PasswordPolicyError, 422),
    (ThrottledError, 429),
    (StorageError, 500),
    (ServiceUnavailable, 503),
    (QueryTimeout, 503),
)
"""Error class -> HTTP status; the first match wins, any other HulianError is a 400."""

HTTP_CODES = {404: "route_not_found", 405: "method_not_allowed"}


def status_for(exc: HulianError) -> int:
    return next((status for cls, status in STATUSES if isinstance(exc, cls)), 400)


def _body(code: str, message: str, hint: str | None = None,
          details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if hint:
        error["hint"] = hint
    error["details"] = details or []
    return {"error": error}


def json_bytes(value: Any) -> bytes:
    """``value`` as UTF-8 JSON. Text that is not valid Unicode (a lone surrogate echoed from
    a request) is written as its JSON escape (``\\ud800``), so rendering never fails."""
    return dumps(value).encode("utf-8", "backslashreplace")


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(json_bytes(body), status_code=status, headers=headers,
                    media_type="application/json")


def _internal(headers: dict[str, str] | None = None) -> Response:
    return _json(_body("internal_error", "the server failed to handle the request",
                       "this is a fault in hulian; the operation was rolled back"), 500,
                 headers)


def error_response(exc: BaseException) -> Response:
    """The JSON response for any exception an endpoint raised."""
    if not isinstance(exc, HulianError):
        log.error("unexpected error while handling a request", exc_info=exc)
        return _internal()
    status = status_for(exc)
    if isinstance(exc, StorageError):
        log.error("storage error: %s; statement: %s", exc.message, exc.statement, exc_info=exc)
        return _json(_body(exc.code, "the database could not complete the request", exc.hint),
                     status)
    if status >= 500:
        log.error("%s: %s", exc.code, exc.message, exc_info=exc)
    headers = None
    if isinstance(exc, UnauthenticatedError):
        challenge = 'Bearer realm="hulian"'
        if exc.code in ("invalid_token", "token_expired"):
            challenge += ', error="invalid_token"'
        headers = {"WWW-Authenticate": challenge}
    elif isinstance(exc, ThrottledError):
        headers = {"Retry-After": str(exc.retry_after)}
    return _json({"error": exc.to_dict()}, status, headers)


def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 (no route) and 405 (wrong method) in the JSON error shape."""
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404:
        message = f"there is no route {request.method} {request.url.path}"
        hint = "the API lives under /api/v1; see /api/v1/openapi.json"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
        hint = f"use one of: {exc.headers.get('Allow', '')}" if exc.headers else None
    else:
        message, hint = exc.detail, None
    return _json(_body(code, message, hint), exc.status_code, exc.headers)


def server_error_handler(request: Request, exc: Exception) -> Response:
    """Last resort for a failure outside an endpoint. Starlette re-raises it after this
    response and the server then closes the connection: say so (``Connection: close``), so
    that a keep-alive client does not send its next request into a closed socket."""
    return _internal({"Connection": "close"})
