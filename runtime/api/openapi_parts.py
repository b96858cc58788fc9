"""Pieces every part of the OpenAPI document uses: the path prefix, references, JSON
content and the error responses every operation may give."""

from __future__ import annotations

from typing import Any

PREFIX = "/api/v1"
COMMON = {"400": "BadRequest", "401": "Unauthenticated", "403": "Forbidden",
          "413": "PayloadTooLarge", "500": "ServerError"}
"""The error responses every authenticated operation may answer (400: a query parameter it
does not take; 413: a query parameter or a body over the limits)."""


def ref(kind: str, name: str) -> dict[str, str]:
    """A reference to ``#/components/<kind>/<name>``."""
    return {"$ref": f"#/components/{kind}/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def responses(ok: dict[str, Any], *errors: tuple[str, str]) -> dict[str, Any]:
    """``ok`` (status -> response) with the ``errors`` (status, response name) and the
    :data:`COMMON` ones, by status."""
    out = dict(ok)
    out.update((status, ref("responses", name)) for status, name in (*errors, *COMMON.items()))
    return dict(sorted(out.items()))
