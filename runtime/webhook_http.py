"""POSTing webhook deliveries over HTTP: urllib3, one pool of kept-alive connections per
receiver host, shared by the worker's threads.

No redirect is followed (a receiver's 3xx is a failed attempt: a redirect could lead the
worker to an address its policy refuses) and urllib3 retries nothing (the worker's own
backoff does). At most 64 KiB of an answer is read: a receiver's reply is not used.
"""

from __future__ import annotations

from collections.abc import Mapping

import urllib3

from hulian.engine.webhooks import DeliveryFailed

__all__ = ["HttpTransport"]

MAX_ANSWER = 64 * 1024


def _reason(exc: urllib3.exceptions.HTTPError) -> str:
    """A short reason for a delivery that got no answer."""
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason  # type: ignore[assignment]
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # before TimeoutError: a
        return "the receiver refused the connection (or is down)"  # subclass of it
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return "the receiver did not answer in time"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return "the connection broke before an answer came"
    return f"no answer: {type(exc).__name__}"


class HttpTransport:
    """The worker's :class:`~hulian.engine.webhooks.Transport`."""

    def __init__(self, connections: int = 16):
        self.pool = urllib3.PoolManager(num_pools=256, maxsize=max(1, connections),
                                        block=False, retries=False)

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        try:
            response = self.pool.request("POST", url, body=body, headers=dict(headers),
                                         timeout=urllib3.Timeout(total=timeout),
                                         retries=False, redirect=False, preload_content=False)
        except urllib3.exceptions.HTTPError as exc:
            raise DeliveryFailed(_reason(exc)) from None
        try:
            if len(response.read(MAX_ANSWER + 1)) <= MAX_ANSWER:
                response.release_conn()  # read to its end: the connection is kept
            else:  # a large answer: drop the connection rather than read it all
                response.close()
        except urllib3.exceptions.HTTPError:
            response.close()  # the answer came (its status counts); its body broke off
        return response.status

    def close(self) -> None:
        self.pool.clear()
