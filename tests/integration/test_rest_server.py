"""The API under a real HTTP server (uvicorn): a failure answers 500 without breaking the
client's keep-alive connection, or says ``Connection: close`` when the server must drop it;
responses never fail to render."""

from __future__ import annotations

import http.client
import json

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hulian.runtime.api import create_app
from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.errors import json_bytes
from tests.integration.uvicorn_server import serving


@pytest.fixture
def app(engine):
    app = create_app(engine)

    def fails_inside(call: Call) -> Response:
        raise RuntimeError("a fault inside an endpoint")

    async def fails_outside(request: Request) -> Response:
        raise RuntimeError("a fault outside any endpoint")

    app.router.routes.insert(0, Route("/test/inside", endpoint(fails_inside, public=True)))
    app.router.routes.insert(0, Route("/test/outside", fails_outside))
    return app


def test_a_fault_in_an_endpoint_keeps_the_connection(app):
    with serving(app) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("GET", "/test/inside")
        failed = conn.getresponse()
        payload = json.loads(failed.read())
        assert failed.status == 500 and payload["error"]["code"] == "internal_error"
        assert failed.getheader("connection") != "close"
        conn.request("GET", "/api/v1/health")  # the same keep-alive connection
        again = conn.getresponse()
        assert again.status == 200 and json.loads(again.read())["status"] == "ok"
        conn.close()


def test_a_fault_outside_endpoints_says_connection_close(app):
    with serving(app) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("GET", "/test/outside")
        failed = conn.getresponse()
        assert failed.status == 500
        assert failed.getheader("connection") == "close"
        assert json.loads(failed.read())["error"]["code"] == "internal_error"
        conn.close()
        fresh = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        fresh.request("GET", "/api/v1/health")
        assert fresh.getresponse().status == 200
        fresh.close()


def test_text_that_is_not_unicode_still_renders_as_json():
    rendered = json_bytes({"error": {"message": "no field '\ud800x'"}})
    assert json.loads(rendered) == {"error": {"message": "no field '\ud800x'"}}
