"""A real uvicorn server in a thread of the test process, for tests that need HTTP on a
socket (limits of the HTTP parser, concurrent requests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

START_TIMEOUT_S = 20


@contextmanager
def serving(app: Any, **options: Any) -> Iterator[int]:
    """Serve ``app`` on a free loopback port (uvicorn ``options`` added); yields the port
    and stops the server after the block."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                           log_level="critical", lifespan="off", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        assert thread.is_alive(), "uvicorn stopped at start"
        time.sleep(0.02)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
