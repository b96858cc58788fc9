"""``hulian serve`` runs uvicorn so that a request over hulian's own limits reaches the
application and gets a JSON error, not the HTTP parser's plain-text 400."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn

from hulian.engine import Engine
from hulian.runtime import cli
from hulian.runtime.api import create_app
from hulian.runtime.api.limits import MAX_PARAMETER_CHARS, MAX_REQUEST_HEAD_BYTES, server_options
from tests.conftest import EXAMPLE_CRM
from tests.integration.uvicorn_server import serving


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[Engine, str]]:
    engine = Engine(f"sqlite:///{tmp_path_factory.mktemp('serve') / 'hulian.db'}")
    engine.metadata("acme").deploy(EXAMPLE_CRM)
    yield engine, engine.people("acme").create_token("admin")
    engine.close()


def get(port: int, target: str, token: str) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP/1.1 GET (no client library limits the URL's length); status 0 when the
    server closed the connection before answering."""
    request = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}"
               "\r\nConnection: close\r\n\r\n").encode("ascii")
    chunks = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(request)
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, BrokenPipeError):  # refused while still sending
            pass
    if not chunks:
        return 0, {}, b""
    head, _, content = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, content


def long_where() -> str:
    """A URL over the parameter limit, and over the 256 KiB asyncio reads at once, so that
    h11 sees it incomplete; under the request head limit of hulian serve."""
    text = json.dumps({"name": {"in": ["x" * 60 for _ in range(8000)]}})
    target = "/api/v1/objects/Account/records?where=" + quote(text, safe="")
    assert len(text) > MAX_PARAMETER_CHARS and 256 * 1024 < len(target) < \
        MAX_REQUEST_HEAD_BYTES - 1000
    return target


def test_a_long_url_gets_the_json_error_under_hulian_serve(site):
    engine, token = site
    with serving(create_app(engine), **server_options()) as port:
        status, headers, content = get(port, long_where(), token)
        assert status == 413 and headers["content-type"] == "application/json"
        assert json.loads(content)["error"]["code"] == "request_too_large"
        status, _, content = get(port, "/api/v1/objects/Account/records?limit=1", token)
        assert status == 200 and json.loads(content)["records"] == []


def test_uvicorn_alone_answers_such_a_url_with_plain_text(site):
    """Why hulian serve sets the option: h11 buffers at most 16 KiB of an incomplete
    request head by default."""
    engine, token = site
    with serving(create_app(engine)) as port:
        status, headers, _ = get(port, long_where(), token)
        assert status in (0, 400, 431) and "json" not in headers.get("content-type", "")


def test_hulian_serve_passes_the_options_to_uvicorn(monkeypatch, tmp_path):
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    assert cli.main(["serve", "--db", f"sqlite:///{tmp_path / 'h.db'}", "--port", "1"]) == 0
    assert seen["h11_max_incomplete_event_size"] == MAX_REQUEST_HEAD_BYTES >= \
        3 * MAX_PARAMETER_CHARS
