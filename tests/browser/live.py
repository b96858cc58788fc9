"""The app under test, served for a real browser: uvicorn in a thread on a free loopback port.

The world is the demo's (runtime/demo.py): the example CRM with its sample data in a fresh
SQLite file, and its people with known passwords: the dealer buyer, the sales rep, their
manager, the partner manager.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from hulian.engine import Engine
from hulian.runtime import demo
from hulian.runtime.api.app import create_app
from hulian.runtime.api.limits import server_options

SECRET_KEY = "browser-tests-secret-key-0123456789abcdef"
STARTUP_SECONDS = 20.0


@dataclass
class LiveServer:
    """A running app: ``url`` (no trailing slash), its engine and tenant."""

    url: str
    engine: Engine
    tenant: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_socket() -> socket.socket:
    """A listening socket on a free loopback port (the OS picks it: no race with others)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def demo_world(db_path: Path) -> Engine:
    """A fresh SQLite file holding the demo's tenant with the example CRM alone (the preset
    apps' browser tests build worlds of their own: tests/browser/test_app_*.py), its people
    and passwords."""
    engine = Engine(f"sqlite:///{db_path}")
    demo.set_up(engine, packs=[demo.example_pack()])
    demo.set_passwords(engine, demo.DEMO_TENANT, demo.demo_passwords([demo.example_pack()]))
    return engine


def copy_world(template: Path, db_path: Path) -> Engine:
    """The demo's world built once (``template``, a closed SQLite file) copied to
    ``db_path``: each module's server gets its own database without paying for the demo's
    deploys and password hashes again."""
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, db_path.with_name(db_path.name + suffix))
    return Engine(f"sqlite:///{db_path}")


@contextmanager
def serving(engine: Engine, tenant: str) -> Iterator[LiveServer]:
    """:func:`serve` for the ``with`` block; then the server stops and ``engine`` closes (a
    module's ``live`` fixture: ``with serving(engine, tenant) as server: yield server``)."""
    server = serve(engine, tenant)
    try:
        yield server
    finally:
        server.stop()
        engine.close()


def serve(engine: Engine, tenant: str) -> LiveServer:
    """Serve ``create_app(engine)`` until :meth:`LiveServer.stop`."""
    sock = free_socket()
    app = create_app(engine, secret_key=SECRET_KEY)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", **server_options())
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="hulian-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app under test did not start")
        time.sleep(0.02)
    host, port = sock.getsockname()[:2]
    return LiveServer(f"http://{host}:{port}", engine, tenant, server, thread)
