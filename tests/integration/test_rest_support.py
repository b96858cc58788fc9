"""Helpers shared by the REST tests (no tests here): an HTTP client for one tenant.

Each test module declares its own ``api`` fixture from the ``crm`` fixture::

    @pytest.fixture
    def api(crm):
        return Api(*crm)
"""

from __future__ import annotations

import warnings
from typing import Any

import anyio
import httpx

from hulian.engine import Engine
from hulian.metadata.jsontext import dumps, loads
from hulian.runtime.api import create_app

with warnings.catch_warnings():  # Starlette asks for httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

_NO_BODY = object()


class Api:
    """Calls ``/api/v1`` as a user of ``tenant``; bodies go out and come back via jsontext."""

    def __init__(self, engine: Engine, tenant: str, user: str = "admin"):
        self.engine = engine
        self.tenant = tenant
        self.client = TestClient(create_app(engine))
        self.token = engine.people(tenant).create_token(user)

    def call(self, method: str, path: str, body: Any = _NO_BODY, *, raw: str | bytes | None = None,
             params: dict[str, Any] | None = None, token: str | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        sent = {"Authorization": f"Bearer {token or self.token}", **(headers or {})}
        content = raw if raw is not None else None if body is _NO_BODY else dumps(body)
        if content is not None:
            sent.setdefault("Content-Type", "application/json")
        return self.client.request(method, "/api/v1" + path, content=content, params=params,
                                   headers=sent)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = _NO_BODY, **kwargs: Any) -> httpx.Response:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = _NO_BODY, **kwargs: Any) -> httpx.Response:
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("DELETE", path, **kwargs)

    def create(self, object_name: str, data: dict[str, Any]) -> dict[str, Any]:
        """POST one record and return it (asserting 201)."""
        response = self.post(f"/objects/{object_name}/records", data)
        assert response.status_code == 201, response.text
        return body(response)

    def list(self, object_name: str, **params: Any) -> dict[str, Any]:
        """GET one page (``where`` may be a dict; asserting 200)."""
        if isinstance(params.get("where"), dict):
            params["where"] = dumps(params["where"])
        response = self.get(f"/objects/{object_name}/records", params=params)
        assert response.status_code == 200, response.text
        return body(response)


def asgi_get(app: Any, path: str, query: bytes, token: str) -> httpx.Response:
    """GET ``path`` with a raw ``query`` string straight through the ASGI interface: httpx
    (and so TestClient) refuses URLs over 64 KiB, which the limit tests need to send."""
    sent: dict[str, Any] = {"headers": [], "body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"], sent["headers"] = message["status"], message["headers"]
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": query, "client": ("127.0.0.1", 1),
             "server": ("testserver", 80),
             "headers": [(b"host", b"testserver"),
                         (b"authorization", f"Bearer {token}".encode())]}
    anyio.run(app, scope, receive, send)
    return httpx.Response(sent["status"], headers=sent["headers"], content=sent["body"])


def body(response: httpx.Response) -> Any:
    assert response.headers["content-type"].startswith("application/json"), response.headers
    return loads(response.content)


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error object of an error response, asserting its status and shape."""
    assert response.status_code == status, response.text
    payload = body(response)
    assert set(payload) == {"error"}
    err = payload["error"]
    assert {"code", "message", "details"} <= set(err) <= {"code", "message", "hint", "details"}
    assert isinstance(err["details"], list)
    return err
