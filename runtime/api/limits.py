"""The size limits of a request, in one place (docs/api.md, "Limits").

A request over a limit is refused before any work, in the usual JSON error shape:

- a body over ``max_body_bytes`` (64 MiB by default): 413 ``body_too_large``;
- a query parameter over :data:`MAX_PARAMETER_CHARS`: 413 ``request_too_large``;
- JSON (a body, ``where``) nested deeper than ``MAX_JSON_DEPTH`` (32): 400 ``too_deep``.

The HTTP server must let such a request reach the application, or it answers with a
plain-text 400 of its own: ``hulian serve`` runs uvicorn with :func:`server_options`,
which lets a request line and headers of up to :data:`MAX_REQUEST_HEAD_BYTES` through
(h11's default is 16 KiB, less than one long ``where``).
"""

from __future__ import annotations

from typing import Any

from hulian.runtime.api.jsonio import MAX_BODY_BYTES, MAX_JSON_DEPTH

__all__ = ["MAX_BODY_BYTES", "MAX_JSON_DEPTH", "MAX_PARAMETER_CHARS", "MAX_REQUEST_HEAD_BYTES",
           "server_options"]

MAX_PARAMETER_CHARS = 64 * 1024
"""The longest query parameter value, in characters after URL decoding (room for a
``where`` with an ``in`` list of 1,000 record ids)."""

MAX_REQUEST_HEAD_BYTES = 1024 * 1024
"""What uvicorn buffers of a request line and headers: well above a URL holding
parameters at :data:`MAX_PARAMETER_CHARS`, percent-encoded."""


def server_options() -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` that let requests over hulian's own limits
    reach the application, which refuses them with a JSON error."""
    return {"h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES}
