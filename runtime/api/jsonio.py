"""JSON in and out of the API, with exact numbers (``hulian.metadata.jsontext``).

Responses render Decimals as exact JSON numbers and dates/times as ISO 8601;
request bodies parse every non-integer number as a Decimal, never a float.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hulian.metadata.jsontext import loads
from hulian.runtime.api.errors import BadRequest, PayloadTooLarge, json_bytes

__all__ = ["MAX_BODY_BYTES", "JSONResponse", "parse_json", "read_body"]

MAX_BODY_BYTES = 64 * 1024 * 1024


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) one larger than ``limit`` bytes."""
    too_large = PayloadTooLarge(f"the request body is larger than {limit} bytes",
                                hint="split the records into several requests")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes, *, allow_list: bool = False) -> Any:
    """A request body as a JSON object (or, with ``allow_list``, an array).

    Raises BadRequest ``invalid_json`` when the body is not JSON or has another shape.
    """
    expected = "an object or an array of objects" if allow_list else "an object"
    if not body.strip():
        raise BadRequest(f"the request body is empty; expected {expected}", code="invalid_json")
    try:
        value = loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, depth
        raise BadRequest(f"the request body is not valid JSON: {exc}", code="invalid_json",
                         hint="send UTF-8 JSON with Content-Type: application/json") from None
    if isinstance(value, dict) or (allow_list and isinstance(value, list)):
        return value
    raise BadRequest(f"the request body must be {expected}, not {_json_kind(value)}",
                     code="invalid_json", hint='e.g. {"name": "Acme"}')


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "a number"
