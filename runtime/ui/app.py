"""The UI's routes and static files, mounted by :func:`hulian.runtime.api.create_app`.

>>> app = create_app(engine)               # UI at /, REST at /api/v1     # doctest: +SKIP
>>> app = create_app(engine, ui=False)     # REST only

A module of pages adds its ``routes`` to :func:`ui_routes`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from hulian.runtime.setup import setup_routes
from hulian.runtime.ui import (
    account_pages,
    branding,
    form_pages,
    home_page,
    list_pages,
    login_pages,
    notification_pages,
    record_pages,
)
from hulian.runtime.ui.pages import plain_error
from hulian.runtime.ui.static import STATIC_DIR, CachedStaticFiles

__all__ = ["html_error", "ui_routes"]


def ui_routes() -> list[BaseRoute]:
    """Every UI route, and ``/static``."""
    return [
        Mount("/static", app=CachedStaticFiles(directory=STATIC_DIR), name="static"),
        *login_pages.routes,
        *home_page.routes,
        *account_pages.routes,
        *branding.routes,
        *notification_pages.routes,
        *form_pages.routes,     # /app/o/{object}/new before /app/o/{object}/{id}
        *list_pages.routes,
        *record_pages.routes,
        *setup_routes(),
    ]


def html_error(request: Request, status: int) -> Response:
    """Starlette's own 404 (no route) and 405 as pages."""
    return plain_error(request, status)
