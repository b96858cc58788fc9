"""Record team routes (相关团队): who besides its owners reads or edits one record.

Whoever may read a record may see its team; whoever may edit it may change the team.
A member is a user of the tenant, internal or interconnect (an interconnect member makes
the team the record's external team), named by id or username. A detail record follows
its master's team (400 ``team_on_detail``). Every route answers with the record's team.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.runtime.api.endpoint import Call, by_method, endpoint
from hulian.runtime.api.errors import BadRequest
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _params

__all__ = ["routes"]


def get_team(call: Call) -> Response:
    """GET /objects/{object}/records/{id}/team: user_id, username, access, external,
    added_at of every member, by username."""
    _params(call.request, ())
    with call.session() as session:
        team = session.team(call.param("object"), call.param("record_id"))
    return JSONResponse({"team": team})


def put_member(call: Call) -> Response:
    """PUT /objects/{object}/records/{id}/team/{user}: {"access": "read" | "edit"} adds the
    user to the team or changes their access (default "read")."""
    _params(call.request, ())
    unknown = sorted(set(call.body) - {"access"})
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(repr, unknown))}",
                         code="unknown_parameter", hint='send only {"access": "read"} or '
                                                        '{"access": "edit"}')
    with call.session() as session:
        team = session.share(call.param("object"), call.param("record_id"), call.param("user"),
                             access=call.body.get("access", "read"))
    return JSONResponse({"team": team})


def delete_member(call: Call) -> Response:
    """DELETE /objects/{object}/records/{id}/team/{user}: takes the user out of the team."""
    _params(call.request, ())
    with call.session() as session:
        team = session.unshare(call.param("object"), call.param("record_id"),
                               call.param("user"))
    return JSONResponse({"team": team})


routes = [
    Route("/objects/{object}/records/{record_id}/team", endpoint(get_team), methods=["GET"],
          name="team"),
    Route("/objects/{object}/records/{record_id}/team/{user}", by_method(
        PUT=endpoint(put_member, body="object"),
        DELETE=endpoint(delete_member),
    ), methods=["PUT", "DELETE"], name="team_member"),
]
