"""The UI's static files (``runtime/ui/static``: CSS, JS, the logo), served at ``/static``.

Links carry ``?v=<content hash>`` (:func:`static_url`), so a browser may keep a file for a
day (``Cache-Control: public, max-age=86400``) and still gets a changed file at once after
an upgrade: its link changes.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["CACHE_CONTROL", "STATIC_DIR", "CachedStaticFiles", "static_url"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
CACHE_CONTROL = "public, max-age=86400"


@cache
def _version(name: str) -> str:
    path = STATIC_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"no static file {name!r} in {STATIC_DIR}")
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """``/static/<name>?v=<hash of its content>`` (the hash is read once per process)."""
    return f"/static/{name}?v={_version(name)}"


class CachedStaticFiles(StaticFiles):
    """StaticFiles that lets browsers cache for a day."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = CACHE_CONTROL
        return response
