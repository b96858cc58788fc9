"""JSON in and out of the API, with exact numbers (``hulian.metadata.jsontext``).

Responses render Decimals as exact JSON numbers and dates/times as ISO 8601;
request bodies parse every non-integer number as a Decimal, never a float.

JSON from a request (a body, the ``where`` parameter) is checked once, before any
handler sees it (:func:`check_json`): at most :data:`MAX_JSON_DEPTH` levels of arrays and
objects (``too_deep``), and no lone surrogate (``\\ud800``) in a key or a text
(``invalid_character``), since no database can store one. NUL is left to the field or
name that receives it, which refuses it with its own code.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hulian.metadata.jsontext import loads
from hulian.runtime.api.errors import BadRequest, PayloadTooLarge, json_bytes

__all__ = ["MAX_BODY_BYTES", "MAX_JSON_DEPTH", "JSONResponse", "check_json", "parse_json",
           "read_body"]

MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 32


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


def _pointer(path: tuple[Any, ...] | None) -> str:
    """The RFC 6901 pointer of a path built as nested pairs ``(parent, key)``."""
    keys: list[str] = []
    while path is not None:
        path, key = path
        keys.append(str(key).replace("~", "~0").replace("/", "~1"))
    return "".join("/" + k for k in reversed(keys))


def _surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_json(value: Any, parameter: str | None = None) -> Any:
    """``value`` (parsed JSON of the query ``parameter``, or of the body when None) if
    hulian can take it, else BadRequest: ``too_deep`` beyond :data:`MAX_JSON_DEPTH` levels,
    ``invalid_character`` for a lone surrogate in a key or a text. Walks the value without
    recursion."""
    stack: list[tuple[Any, int, tuple[Any, ...] | None]] = [(value, 1, None)]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, str):
            if _surrogate(item):
                raise _bad_character(parameter, path)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise too_deep(parameter)
        if isinstance(item, dict):
            for key, inner in item.items():
                if _surrogate(key):
                    raise _bad_character(parameter, (path, key))
                stack.append((inner, depth + 1, (path, key)))
        else:
            stack.extend((inner, depth + 1, (path, i)) for i, inner in enumerate(item))
    return value


def _name(parameter: str | None) -> str:
    return "the request body" if parameter is None else parameter


def _bad_character(parameter: str | None, path: tuple[Any, ...] | None) -> BadRequest:
    pointer = _pointer(path)
    where = f"{_name(parameter)} at {pointer!r}" if pointer else _name(parameter)
    return BadRequest(f"{where} holds a lone surrogate, which is not valid Unicode text",
                      code="invalid_character", parameter=parameter,
                      hint="send text as valid UTF-8; write a character beyond U+FFFF as a "
                           "surrogate pair")


def too_deep(parameter: str | None = None) -> BadRequest:
    """BadRequest ``too_deep`` for the body (None) or a query parameter."""
    return BadRequest(f"{_name(parameter)} nests arrays and objects deeper than "
                      f"{MAX_JSON_DEPTH} levels", code="too_deep", parameter=parameter,
                      hint="flatten it" if parameter is None else
                      "combine conditions in one and/or list instead of nesting them")


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
    except RecursionError:  # thousands of levels: json's own limit
        raise too_deep() from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a huge integer
        raise BadRequest(f"the request body is not valid JSON: {exc}", code="invalid_json",
                         hint="send UTF-8 JSON with Content-Type: application/json") from None
    if isinstance(value, dict) or (allow_list and isinstance(value, list)):
        return check_json(value)
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
