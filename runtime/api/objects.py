"""Object routes: the tenant's objects and each object's description."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.jsonio import JSONResponse

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


routes = [
    Route("/objects", endpoint(list_objects), methods=["GET"], name="objects"),
    Route("/objects/{object}", endpoint(describe_object), methods=["GET"], name="object"),
]
