"""The load generator of bench/rest.py: wrk (bench/rest.lua) or, without wrk, a small
asyncio HTTP/1.1 client in its own process (this file run as a script).

Either way the generator runs in another process on the same machine as the server, so it
takes CPU from it: the same generator loads both servers, so the ratio stays fair, but
req/s are lower than on a machine of their own. wrk (C, LuaJIT) takes far less CPU than
the Python client, so prefer it (Debian: ``apt-get install wrk``).

    .venv/bin/python bench/rest_load.py URL TOKEN PATH [--ids FILE] [--connections 16]
        [--duration 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 60


@dataclass(frozen=True)
class Result:
    """One load run against one server."""

    requests: int
    duration_s: float
    non2xx: int
    errors: int
    """Socket errors and timeouts."""
    mean_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @classmethod
    def parse(cls, output: str) -> Result:
        line = next((x for x in output.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            raise RuntimeError(f"the load generator printed no result:\n{output}")
        d = json.loads(line[len("RESULT "):])
        return cls(d["requests"], d["duration_us"] / 1e6, d["non2xx"],
                   d["socket_errors"] + d["timeouts"], d["mean_us"] / 1000,
                   d["p50_us"] / 1000, d["p99_us"] / 1000, d["max_us"] / 1000)


class Generator:
    """Runs loads with wrk when it is installed (unless ``python`` is asked for)."""

    def __init__(self, choice: str = "auto"):
        self.wrk = shutil.which("wrk") if choice != "python" else None
        if choice == "wrk" and self.wrk is None:
            raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
        self.name = "wrk" if self.wrk else "python asyncio client (bench/rest_load.py)"

    def start(self, base: str, token: str, path: str, ids: Path | None, connections: int,
              duration: float) -> subprocess.Popen[str]:
        """Start a run; :meth:`finish` waits for it and reads its result."""
        if self.wrk:
            command = [self.wrk, f"-t{min(2, connections)}", f"-c{connections}",
                       f"-d{max(1, round(duration))}s", f"--timeout={TIMEOUT_S}s",
                       "-s", str(HERE / "rest.lua"), base, "--", token, path]
        else:
            command = [sys.executable, str(HERE / "rest_load.py"), base, token, path,
                       "--connections", str(connections), "--duration", str(duration)]
            if ids:
                command += ["--ids"]
        if ids:
            command.append(str(ids))
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)

    @staticmethod
    def finish(process: subprocess.Popen[str]) -> Result:
        output, _ = process.communicate()
        return Result.parse(output)

    def run(self, base: str, token: str, path: str, ids: Path | None, connections: int,
            duration: float) -> Result:
        return self.finish(self.start(base, token, path, ids, connections, duration))


# -- the Python client (without wrk) ---------------------------------------------------------

async def _client(host: str, port: int, request: Callable[[], bytes], deadline: float,
                  latencies: list[float], counts: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            writer.write(request())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            if not 200 <= status <= 299:
                counts["non2xx"] += 1
    except (OSError, asyncio.IncompleteReadError):
        counts["errors"] += 1
    finally:
        writer.close()


async def _load(url: str, token: str, path: str, ids: list[str], connections: int,
                duration: float) -> dict[str, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    rng = random.Random()

    def request() -> bytes:
        target = path + rng.choice(ids) if ids else path
        return (f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Bearer {token}\r\n\r\n").encode()

    latencies: list[float] = []
    counts = {"non2xx": 0, "errors": 0}
    began = time.perf_counter()
    await asyncio.gather(*(_client(host, port, request, began + duration, latencies, counts)
                           for _ in range(connections)))
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6

    return {"requests": len(latencies), "duration_us": elapsed * 1e6,
            "non2xx": counts["non2xx"], "socket_errors": counts["errors"], "timeouts": 0,
            "mean_us": statistics.fmean(ordered) * 1e6, "p50_us": pct(0.5),
            "p99_us": pct(0.99), "max_us": ordered[-1] * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("path")
    parser.add_argument("--ids", type=Path)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    ids = args.ids.read_text("utf-8").split() if args.ids else []
    found = asyncio.run(_load(args.url, args.token, args.path, ids, args.connections,
                              args.duration))
    print("RESULT " + json.dumps(found), flush=True)


if __name__ == "__main__":
    main()
