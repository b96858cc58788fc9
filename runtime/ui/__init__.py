"""hulian.runtime.ui: the browser UI, server-rendered from the metadata.

Starlette routes and Jinja2 templates over the engine's Python API (never SQL, never the
REST endpoints): login and the portal, the shell (app launcher, home view), lists, record
pages and forms. Mounted at ``/`` by :func:`hulian.runtime.api.create_app` (``ui=True``).
See docs/ui.md.

A page is a function of a :class:`UIPage` (session, user, language, channel, form),
made an endpoint by :func:`page_endpoint`; :func:`ui_page` opens one by hand.
"""

from __future__ import annotations

from hulian.runtime.ui.pages import (
    Page,
    UIPage,
    error_page,
    page_endpoint,
    public_endpoint,
    ui_page,
)

__all__ = ["Page", "UIPage", "error_page", "page_endpoint", "public_endpoint", "ui_page"]
