"""The Jinja2 environment of the UI: templates in ``runtime/ui/templates``, autoescaped,
``StrictUndefined`` (a name a template uses but the view did not give fails the page's
test instead of printing nothing).

Templates only display: loops and ifs over the plain context a view builds. Every page
gets ``t`` (UI strings), ``label`` (a metadata label in the page's language), ``static``
(a versioned static URL), ``lang``, ``channel``, ``path`` (the page's path and query, for
the switches' ``next``), ``user`` (None before login), ``csrf_token`` and ``theme``
(the tenant's stylesheet URL, or None).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

__all__ = ["TEMPLATE_DIR", "environment", "render"]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)


def render(template: str, context: dict[str, Any], *, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """``template`` rendered with ``context``; pages are never cached by the browser
    (they show one user's data)."""
    html = environment.get_template(template).render(context)
    sent = {"Cache-Control": "no-store", **(headers or {})}
    return HTMLResponse(html, status_code=status, headers=sent)
