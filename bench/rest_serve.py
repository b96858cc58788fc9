"""The two servers of bench/rest.py, each under uvicorn (1 worker) in its own process.

    .venv/bin/python bench/rest_serve.py hulian|baseline CONFIG.json PORT

``hulian``: ``create_app(Engine(url))``, the REST API as shipped; ``baseline``:
bench/rest_baseline.py. Both with the same uvicorn settings: one worker on 127.0.0.1,
uvicorn's defaults otherwise (its event loop and HTTP implementation, whichever are
installed), no access log (a line per request would cost both servers alike and say
nothing). :class:`Server` starts one from bench/rest.py and stops it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
READY_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """One server process on a free loopback port (a context manager)."""

    def __init__(self, kind: str, config_path: Path):
        self.kind = kind
        self.port = free_port()
        self.log = config_path.with_name(f"{kind}.log")
        self._config_path = config_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Server:
        with open(self.log, "wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, str(HERE / "rest_serve.py"), self.kind,
                 str(self._config_path), str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the {self.kind} server stopped at start:\n"
                                   + self.log.read_text("utf-8", "replace"))
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/health", timeout=5):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"the {self.kind} server did not answer in {READY_TIMEOUT_S} s")

    def __exit__(self, *_exc: Any) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def get(self, path: str, token: str) -> tuple[int, bytes]:
        """One GET (not timed): status and body."""
        request = urllib.request.Request(self.base + path,
                                         headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _bounded(app: Any, threads: int) -> Any:
    """``app`` with Starlette's worker threads bounded to ``threads`` (set on the first
    call: the bound belongs to the running event loop)."""
    import anyio.to_thread

    bounded = [False]

    async def run(scope: Any, receive: Any, send: Any) -> None:
        if not bounded[0]:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
            bounded[0] = True
        await app(scope, receive, send)

    return run


def main() -> None:
    kind, config_path, port = sys.argv[1:4]
    config = json.loads(Path(config_path).read_text("utf-8"))
    import uvicorn

    if kind == "hulian":
        from hulian.engine import Engine
        from hulian.runtime.api.app import create_app

        app = create_app(Engine(config["url"]))
    else:
        sys.path.insert(0, str(HERE))
        from rest_baseline import create_baseline

        app = create_baseline(config)
        if config.get("baseline_threads"):
            app = _bounded(app, config["baseline_threads"])
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    uvicorn.run(app, host=HOST, port=int(port), workers=1, access_log=False,
                log_level="warning")


if __name__ == "__main__":
    main()
