"""A local webhook receiver for the tests (no tests here): an HTTP server on a loopback
port, in threads of the test process, that can be up, down (nothing listens: connections
are refused), slow (answers after the worker stopped waiting) or failing (HTTP 500), and
come back on the same port.

>>> receiver = Receiver("s3cret-s3cret-s3cret")              # doctest: +SKIP
>>> receiver.mode = "error"           # every request gets 500 from now on
>>> receiver.stop(); receiver.start() # down, then up again on the same URL
>>> receiver.acknowledged()           # [(subscription, change id), ...] answered 2xx in time
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hulian.engine.webhooks import verify

__all__ = ["Received", "Receiver"]


@dataclass
class Received:
    """One request the receiver read."""

    headers: dict[str, str]
    body: bytes
    status: int
    """What it answered (0: it answered too late for the worker: ``slow``)."""
    signed: bool
    """Whether ``X-Hulian-Signature`` verified with the receiver's secret."""
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def key(self) -> tuple[str, int]:
        return self.headers["X-Hulian-Subscription"], int(self.headers["X-Hulian-Delivery"])


class Receiver:
    """Records every request; answers per :attr:`mode` (``ok``, ``error``, ``slow``) or,
    for a change id in :attr:`fail_once`, 500 the first time."""

    def __init__(self, secret: str, *, slow_seconds: float = 0.3):
        self.secret = secret
        self.slow_seconds = slow_seconds
        self.mode = "ok"
        self.fail_once: set[int] = set()
        self.hold: threading.Event | None = None
        """When set to an unset event, each request waits for it (a receiver mid-answer)."""
        self.holding = threading.Event()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hulian"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, as servers do

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.answer(self, body)

            def log_message(self, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()

    def stop(self) -> None:
        """Down: nothing listens on the port any more (connections are refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k: v for k, v in handler.headers.items()}
        # the tests' clock is not the receiver's: check the digest, not the timestamp
        signed = verify(self.secret, headers.get("X-Hulian-Signature", ""), body,
                        now=int(time.time()), tolerance=10**10)
        change = int(headers.get("X-Hulian-Delivery", "0"))
        status = 200
        with self._lock:
            if self.mode == "error" or change in self.fail_once:
                self.fail_once.discard(change)
                status = 500
            slow = self.mode == "slow"
            self.received.append(Received(headers, body, 0 if slow else status, signed))
        if self.hold is not None:
            self.holding.set()
            self.hold.wait(10)
        if slow:
            time.sleep(self.slow_seconds)
        try:
            handler.send_response(status)
            handler.send_header("Content-Length", "2")
            handler.end_headers()
            handler.wfile.write(b"ok")
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the worker stopped waiting (slow)

    def acknowledged(self) -> list[tuple[str, int]]:
        """(subscription, change id) of each request answered 2xx in time, in arrival order."""
        with self._lock:
            return [r.key for r in self.received if 200 <= r.status < 300]

    def bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.json for r in self.received if 200 <= r.status < 300]

    def close(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.stop()
