"""The worker threads that run requests' blocking work (the database, templates).

The event loop only moves bytes; everything that touches the database runs in a worker
thread. How many run at once is bounded (``create_app(threads=N)``, default
:data:`DEFAULT_THREADS`): a request beyond the bound waits its turn on the event loop,
without a thread. Unbounded (Starlette's default pool lets 40 threads run), requests
interleave in Python threads that take turns on the interpreter lock: on a 2-core machine
16 concurrent reads each took twice as long as with a few threads (docs/performance.md,
"Worker threads"), and a request's time grew with every other request in flight.

A request holds one pooled database connection while it runs, so the bound also keeps a
server within its connection pool instead of threads queueing for connections.

>>> limiter = work_limiter(4)
>>> limiter.total_tokens
4
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["DEFAULT_THREADS", "THREADS_ENV", "in_thread", "threads_setting", "work_limiter"]

T = TypeVar("T")

THREADS_ENV = "HULIAN_THREADS"


def _default() -> int:
    return min(max(4, 2 * (os.cpu_count() or 1)), 12)


DEFAULT_THREADS = _default()
"""Twice the cores, at least 4 and at most 12: enough to overlap database round trips, few
enough that threads do not queue on the interpreter lock, and within the database
connection pool (15 connections) with room for streamed exports."""


def threads_setting(given: int | None) -> int:
    """The bound to use: ``given``, else env ``HULIAN_THREADS``, else the default.
    ValueError for anything but a whole number from 1 to 1,000."""
    if given is None:
        text = os.environ.get(THREADS_ENV, "").strip()
        if not text:
            return DEFAULT_THREADS
        if not text.isdigit():
            raise ValueError(f"{THREADS_ENV} must be a whole number of threads, not {text!r}")
        given = int(text)
    if isinstance(given, bool) or not isinstance(given, int) or not 1 <= given <= 1000:
        raise ValueError(f"threads must be a whole number from 1 to 1000, not {given!r}")
    return given


def work_limiter(threads: int) -> anyio.CapacityLimiter:
    """The bound shared by one app's requests."""
    return anyio.CapacityLimiter(threads)


async def in_thread(request: Request, func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a worker thread, within the app's bound (Starlette's own pool when
    the app has none, e.g. a route mounted in another app)."""
    limiter = getattr(request.app.state, "work_limiter", None)
    return await anyio.to_thread.run_sync(func, *args, limiter=limiter)
