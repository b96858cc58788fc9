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
        self._targets: dict[str, tuple[urllib3.HTTPConnectionPool, str]] = {}

    def _target(self, url: str) -> tuple[urllib3.HTTPConnectionPool, str]:
        """The connection pool of ``url``'s host and the path to request (worked out once
        per URL: the PoolManager's own per-request parsing and header merging are skipped)."""
        found = self._targets.get(url)
        if found is None:
            if len(self._targets) > 1024:
                self._targets.clear()
            found = self._targets[url] = (self.pool.connection_from_url(url),
                                          urllib3.util.parse_url(url).request_uri)
        return found

    def _post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float
              ) -> urllib3.BaseHTTPResponse:
        pool, target = self._target(url)
        return pool.urlopen("POST", target, body=body, headers=headers,
                            timeout=urllib3.Timeout(total=timeout), retries=False,
                            redirect=False, preload_content=False, assert_same_host=False)

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        try:
            try:
                response = self._post(url, body, headers, timeout)
            except urllib3.exceptions.ClosedPoolError:  # the manager let the pool go
                self._targets.pop(url, None)
                response = self._post(url, body, headers, timeout)
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
