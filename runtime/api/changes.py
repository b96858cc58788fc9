"""Change routes: the change feed (``GET /changes``, ``GET /changes/cursor``) and a
record's history (``GET /objects/{object}/records/{id}/history``).

Each handler reads its parameters and makes one Session call (:meth:`~hulian.engine.
Session.changes`, :meth:`~hulian.engine.Session.changes_cursor`,
:meth:`~hulian.engine.Session.history`); docs/integration.md says what they guarantee.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.changes import feed, history
from hulian.engine.errors import QueryError
from hulian.engine.session_changes import DEFAULT_FEED_LIMIT, DEFAULT_HISTORY_LIMIT
from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _params, _whole

__all__ = ["routes"]


def _limit(text: str | None, default: int, maximum: int) -> int:
    if text is None:
        return default
    number = _whole(text, maximum)
    if number is None or number < 1:
        raise QueryError(f"limit must be a whole number from 1 to {maximum}, not "
                         f"{text[:20]!r}", code="invalid_limit", parameter="limit")
    return number


def _objects(text: str | None) -> list[str] | None:
    """``objects=A,B`` as names; None when absent or empty (every readable object)."""
    if text is None or not text.strip():
        return None
    return [name.strip() for name in text.split(",") if name.strip()]


def list_changes(call: Call) -> Response:
    """GET /changes[?after=&objects=A,B&limit=]: one page of the change feed."""
    params = _params(call.request, ("after", "objects", "limit"))
    limit = _limit(params.get("limit"), DEFAULT_FEED_LIMIT, feed.MAX_LIMIT)
    with call.session() as session:
        page = session.changes(after=params.get("after") or None,
                               objects=_objects(params.get("objects")), limit=limit)
    return JSONResponse({"changes": [c.to_dict() for c in page.changes], "next": page.next,
                         "more": page.more})


def changes_cursor(call: Call) -> Response:
    """GET /changes/cursor: a feed cursor at the newest change (read on from now)."""
    _params(call.request, ())
    with call.session() as session:
        cursor = session.changes_cursor()
    return JSONResponse({"cursor": cursor})


def record_history(call: Call) -> Response:
    """GET /objects/{object}/records/{id}/history[?limit=&after=]: the record's history,
    newest first."""
    params = _params(call.request, ("after", "limit"))
    limit = _limit(params.get("limit"), DEFAULT_HISTORY_LIMIT, history.MAX_LIMIT)
    with call.session() as session:
        page = session.history(call.param("object"), call.param("record_id"), limit=limit,
                               after=params.get("after") or None)
    return JSONResponse({"entries": [e.to_dict() for e in page.entries], "next": page.next})


routes = [
    Route("/changes", endpoint(list_changes), methods=["GET"], name="changes"),
    Route("/changes/cursor", endpoint(changes_cursor), methods=["GET"], name="changes_cursor"),
    Route("/objects/{object}/records/{record_id}/history", endpoint(record_history),
          methods=["GET"], name="record_history"),
]
