"""Scene routes (场景) and the home view (首页).

The scenes of an object are those the caller may use: built-in, declared in the pack and
their own personal ones (:meth:`hulian.engine.Session.scenes`). Personal scenes are
created (POST), replaced (PUT) and deleted (DELETE) by their owner only; deleting a
built-in or declared scene is ``403 scene_not_personal``, and a scene the caller does not
have (or may not use) is ``404 unknown_scene`` whatever the method. ``GET /home`` is
:func:`hulian.layouts.home.home_view`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.session_views import MAX_COUNT_LIMIT
from hulian.layouts.home import home_view
from hulian.runtime.api.endpoint import Call, by_method, endpoint
from hulian.runtime.api.errors import BadRequest
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _boolean, _params, _whole

__all__ = ["SCENE_KEYS", "routes"]

SCENE_KEYS = ("api_name", "label", "filter", "columns", "sort")


def _scene_body(body: dict[str, Any], *, named: str | None = None) -> dict[str, Any]:
    """The keys of a personal scene from a request body; the name from the path when
    ``named`` (a body's api_name must then agree)."""
    unknown = sorted(set(body) - set(SCENE_KEYS))
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(repr(k)[:80] for k in unknown[:5])}",
                         code="unknown_parameter",
                         hint="a scene has " + ", ".join(SCENE_KEYS))
    if named is not None and body.get("api_name", named) != named:
        raise BadRequest("the body's api_name differs from the scene in the path",
                         code="invalid_parameter",
                         hint="leave api_name out, or rename by deleting and creating")
    api_name = named if named is not None else body.get("api_name")
    if api_name is None or "label" not in body:
        raise BadRequest("a scene needs an api_name and a label", code="invalid_scene",
                         hint='e.g. {"api_name": "big", "label": "Big orders", '
                              '"filter": "total_amount > 10000"}')
    return {"api_name": api_name, "label": body["label"], "filter": body.get("filter"),
            "columns": body.get("columns") or (), "sort": body.get("sort") or ()}


def list_scenes(call: Call) -> Response:
    """GET /objects/{object}/scenes[?counts=true[&count_limit=N]]: the scenes the caller
    may use."""
    params = _params(call.request, ("counts", "count_limit"))
    limit = None
    if "count_limit" in params:
        limit = _whole(params["count_limit"], MAX_COUNT_LIMIT)
        if not limit:
            raise BadRequest(f"count_limit must be a whole number from 1 to "
                             f"{MAX_COUNT_LIMIT}", code="invalid_parameter",
                             hint="e.g. count_limit=99: counts stop there, with count_more")
    with call.session() as session:
        found = session.scenes(call.param("object"), counts=_boolean(params, "counts"),
                               count_limit=limit)
    return JSONResponse({"scenes": found})


def create_scene(call: Call) -> Response:
    """POST /objects/{object}/scenes: a new personal scene (409 scene_exists if the name is
    taken)."""
    _params(call.request, ())
    scene = _scene_body(call.body)
    name = call.param("object")
    with call.session() as session:
        made = session.save_scene(name, scene.pop("api_name"), replace=False, **scene)
    location = call.request.url_for("scene", object=name, scene=made["api_name"])
    return JSONResponse(made, status_code=201, headers={"Location": str(location)})


def get_scene(call: Call) -> Response:
    """GET /objects/{object}/scenes/{scene}: one scene the caller may use."""
    _params(call.request, ())
    with call.session() as session:
        found = session.scene(call.param("object"), call.param("scene"))
    return JSONResponse(found)


def put_scene(call: Call) -> Response:
    """PUT /objects/{object}/scenes/{scene}: create or replace a personal scene."""
    _params(call.request, ())
    scene = _scene_body(call.body, named=call.param("scene"))
    with call.session() as session:
        saved = session.save_scene(call.param("object"), scene.pop("api_name"), **scene)
    return JSONResponse(saved)


def delete_scene(call: Call) -> Response:
    """DELETE /objects/{object}/scenes/{scene}: delete a personal scene."""
    _params(call.request, ())
    with call.session() as session:
        session.delete_scene(call.param("object"), call.param("scene"))
    return Response(status_code=204)


def get_home(call: Call) -> Response:
    """GET /home[?channel=web|mobile]: the caller's home view with every widget's data."""
    params = _params(call.request, ("channel",))
    with call.session() as session:
        view = home_view(session, params.get("channel") or "web")
    return JSONResponse(view)


routes = [
    Route("/objects/{object}/scenes", by_method(
        GET=endpoint(list_scenes),
        POST=endpoint(create_scene, body="object"),
    ), methods=["GET", "POST"], name="scenes"),
    Route("/objects/{object}/scenes/{scene}", by_method(
        GET=endpoint(get_scene),
        PUT=endpoint(put_scene, body="object"),
        DELETE=endpoint(delete_scene),
    ), methods=["GET", "PUT", "DELETE"], name="scene"),
    Route("/home", endpoint(get_home), methods=["GET"], name="home"),
]
