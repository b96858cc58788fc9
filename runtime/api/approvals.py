"""Approval routes (审批).

``POST /objects/{object}/records/{id}/approval/{submit|approve|reject|recall}`` with
``{"comment": ...}`` (submit may name ``"process"``) acts and answers the record's
approval; ``GET /objects/{object}/records/{id}/approval`` reads it (for those who may
read the record); ``GET /approvals/pending`` lists what awaits the caller. Each handler
makes one Session call (:mod:`hulian.engine.session_approvals`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import QueryError
from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _limit, _params

__all__ = ["ACTIONS", "routes"]

ACTIONS = ("submit", "approve", "reject", "recall")


def _body(call: Call, allowed: tuple[str, ...]) -> dict[str, object]:
    for key in call.body:
        if key not in allowed:
            raise QueryError(f"unknown key {str(key)[:100]!r}", code="invalid_parameter",
                             parameter=str(key)[:100], hint=f"send {', '.join(allowed)}")
    return dict(call.body)


def _act(action: str) -> Callable[[Call], Response]:
    def act(call: Call) -> Response:
        """POST /objects/{object}/records/{id}/approval/<action>."""
        _params(call.request, ())
        name, record_id = call.param("object"), call.param("record_id")
        body = _body(call, ("comment", "process") if action == "submit" else ("comment",))
        comment: Any = body.get("comment")
        with call.session() as session:
            if action == "submit":
                process: Any = body.get("process")
                found = session.submit_for_approval(name, record_id, comment=comment,
                                                    process=process)
            else:
                found = getattr(session, action)(name, record_id, comment=comment)
        return JSONResponse(found)
    return act


def approval(call: Call) -> Response:
    """GET /objects/{object}/records/{id}/approval."""
    _params(call.request, ())
    with call.session() as session:
        found = session.approval(call.param("object"), call.param("record_id"))
    return JSONResponse(found)


def pending(call: Call) -> Response:
    """GET /approvals/pending[?limit=N]."""
    params = _params(call.request, ("limit",))
    with call.session() as session:
        found = session.pending_approvals(limit=_limit(params.get("limit")))
    return JSONResponse({"approvals": found})


routes = [
    Route("/approvals/pending", endpoint(pending), methods=["GET"], name="approvals_pending"),
    Route("/objects/{object}/records/{record_id}/approval", endpoint(approval),
          methods=["GET"], name="approval"),
    *(Route(f"/objects/{{object}}/records/{{record_id}}/approval/{action}",
            endpoint(_act(action), body="object"), methods=["POST"],
            name=f"approval_{action}") for action in ACTIONS),
]
