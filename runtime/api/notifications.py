"""Notification routes: the caller's own in-app notifications.

``GET /notifications?unread=true&limit=&after=`` lists them, newest first
(:meth:`hulian.engine.Session.notifications`); ``POST /notifications/read`` marks some
(``{"ids": [...]}``) or all (``{}``) read and answers how many were unread
(:meth:`hulian.engine.Session.mark_notifications_read`).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import QueryError
from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _limit, _params

__all__ = ["routes"]

_BOOLEANS = {"true": True, "false": False}


def list_notifications(call: Call) -> Response:
    """GET /notifications[?unread=true&limit=N&after=CURSOR]."""
    params = _params(call.request, ("unread", "limit", "after"))
    unread = _BOOLEANS.get(params.get("unread", "false"))
    if unread is None:
        raise QueryError("unread must be true or false", code="invalid_parameter",
                         parameter="unread")
    with call.session() as session:
        page = session.notifications(unread=unread, limit=_limit(params.get("limit")),
                                     after=params.get("after") or None)
    return JSONResponse({"notifications": page.records, "next": page.next})


def mark_read(call: Call) -> Response:
    """POST /notifications/read: {"ids": [...]} marks those, {} every one."""
    _params(call.request, ())
    unknown = [key for key in call.body if key != "ids"]
    if unknown:
        raise QueryError(f"unknown key {str(unknown[0])[:100]!r}", code="invalid_parameter",
                         parameter="ids", hint='send {"ids": [...]} or {} for all')
    ids = call.body.get("ids")
    if "ids" in call.body and not isinstance(ids, list):
        raise QueryError("ids must be a list of notification ids", code="invalid_parameter",
                         parameter="ids", hint='send {"ids": [...]} or {} for all')
    with call.session() as session:
        marked = session.mark_notifications_read(ids)
    return JSONResponse({"marked": marked})


routes = [
    Route("/notifications", endpoint(list_notifications), methods=["GET"],
          name="notifications"),
    Route("/notifications/read", endpoint(mark_read, body="object"), methods=["POST"],
          name="notifications_read"),
]
