"""Activity routes (跟进记录): the calls, visits and notes of one record.

``GET`` lists them, latest first (:meth:`hulian.engine.Session.activities`); ``POST``
logs one (:meth:`hulian.engine.Session.add_activity`) and answers ``201`` with it. Both
need the right to read the record: a record the caller may not read is ``404
record_not_found``, as for the record itself. A body with mistakes is ``422
validation_failed``, one field error per key at fault.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import RecordValidationError
from hulian.engine.records.activities import unknown
from hulian.engine.session_activities import ACTIVITY
from hulian.runtime.api.endpoint import Call, by_method, endpoint
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _limit, _params

__all__ = ["routes"]


def list_activities(call: Call) -> Response:
    """GET /objects/{object}/records/{id}/activities[?limit=N&after=CURSOR]."""
    params = _params(call.request, ("limit", "after"))
    with call.session() as session:
        page = session.activities(call.param("object"), call.param("record_id"),
                                  limit=_limit(params.get("limit")),
                                  after=params.get("after") or None)
    return JSONResponse({"activities": page.records, "next": page.next})


def add_activity(call: Call) -> Response:
    """POST /objects/{object}/records/{id}/activities: {"kind", "text", "at"}."""
    _params(call.request, ())
    errors = unknown(call.body)
    if errors:
        raise RecordValidationError(ACTIVITY, errors)
    with call.session() as session:
        activity = session.add_activity(call.param("object"), call.param("record_id"),
                                        kind=call.body.get("kind"),
                                        text=call.body.get("text"), at=call.body.get("at"))
    return JSONResponse(activity, status_code=201)


routes = [
    Route("/objects/{object}/records/{record_id}/activities", by_method(
        GET=endpoint(list_activities),
        POST=endpoint(add_activity, body="object"),
    ), methods=["GET", "POST"], name="activities"),
]
