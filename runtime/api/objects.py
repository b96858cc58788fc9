"""Object routes: the tenant's objects, each object's description and its effective layout."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _params

__all__ = ["routes"]


def list_objects(call: Call) -> Response:
    """GET /objects: api_name and labels of every object, by api_name."""
    with call.session() as session:
        described = [session.describe(name) for name in session.objects()]
    return JSONResponse({"objects": [
        {"api_name": d["api_name"], "label": d["label"], "plural_label": d["plural_label"]}
        for d in described
    ]})


def describe_object(call: Call) -> Response:
    """GET /objects/{object}: fields (type, label, required, options...) and system fields."""
    with call.session() as session:
        description = session.describe(call.param("object"))
    return JSONResponse(description)


LAYOUT_PARAMETERS = ("business_type", "channel", "kind")


def object_layout(call: Call) -> Response:
    """GET /objects/{object}/layout?business_type=&channel=&kind=: the caller's layout."""
    params = _params(call.request, LAYOUT_PARAMETERS)
    with call.session() as session:
        layout = session.layout(call.param("object"), params.get("business_type") or None,
                                channel=params.get("channel") or "web",
                                kind=params.get("kind") or "detail")
    return JSONResponse(layout)


routes = [
    Route("/objects", endpoint(list_objects), methods=["GET"], name="objects"),
    Route("/objects/{object}", endpoint(describe_object), methods=["GET"], name="object"),
    Route("/objects/{object}/layout", endpoint(object_layout), methods=["GET"],
          name="object_layout"),
]
