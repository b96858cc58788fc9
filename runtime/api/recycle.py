"""Recycle bin routes (回收站): the deleted records of an object the caller may restore,
and restoring one.

``GET /objects/{object}/recycle-bin`` is :meth:`hulian.engine.Session.recycle_bin` (the
``delete`` right, and the right to edit each record listed); ``POST
/objects/{object}/records/{id}/restore`` is :meth:`hulian.engine.Session.restore`.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _limit, _params

__all__ = ["routes"]


def list_bin(call: Call) -> Response:
    """GET /objects/{object}/recycle-bin[?limit=N&after=CURSOR]: newest deletion first."""
    params = _params(call.request, ("limit", "after"))
    with call.session() as session:
        page = session.recycle_bin(call.param("object"), limit=_limit(params.get("limit")),
                                   after=params.get("after") or None)
    return JSONResponse({"entries": page.records, "next": page.next})


def restore_record(call: Call) -> Response:
    """POST /objects/{object}/records/{id}/restore: the record, live again (with the
    details deleted with it)."""
    _params(call.request, ())
    with call.session() as session:
        record = session.restore(call.param("object"), call.param("record_id"))
    return JSONResponse(record)


routes = [
    Route("/objects/{object}/recycle-bin", endpoint(list_bin), methods=["GET"],
          name="recycle_bin"),
    Route("/objects/{object}/records/{record_id}/restore", endpoint(restore_record),
          methods=["POST"], name="restore"),
]
