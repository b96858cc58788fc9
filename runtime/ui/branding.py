"""A tenant's branding: the name, logo and primary colour its pages show.

Declared in a pack's ``pack.json`` (``branding``; the tenant's overlay wins over its
packs) and read from the tenant's deployed metadata: for a logged-in page from the
session's schema, for the login and portal pages from the newest deployed version
(compiled schemas are cached, so this costs one small query). None when the tenant
declares none: the UI then shows hulian's own name and colours.

The colour reaches the page as a stylesheet (``/theme/{tenant}.css``), since the
Content-Security-Policy allows no inline style.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hulian.engine import Engine, HulianError
from hulian.engine.database import reading
from hulian.engine.system.people import known_tenant
from hulian.metadata.model import Pack
from hulian.runtime.api.threads import in_thread
from hulian.runtime.ui.static import CACHE_CONTROL

__all__ = ["COLOR", "of_pack", "of_tenant", "routes", "theme_css", "theme_url"]

COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def of_pack(pack: Pack) -> dict[str, Any] | None:
    """The branding of a (deployed, effective) pack as a template shows it."""
    found = pack.branding
    if found is None:
        return None
    return {"name": dict(found["name"]), "logo": found.get("logo"),
            "primary_color": found.get("primary_color")}


def of_tenant(engine: Engine, tenant: str) -> dict[str, Any] | None:
    """The branding of ``tenant``'s newest deployed metadata; None for a tenant that does
    not exist, has nothing deployed or declares no branding."""
    with reading(engine.db) as conn:
        if not known_tenant(conn, tenant):
            return None
        try:
            schema = engine.schema(conn, tenant)
        except HulianError as exc:
            if exc.code != "tenant_not_deployed":
                raise
            return None
    return of_pack(schema.pack)


def theme_url(tenant: str, brand: Mapping[str, Any]) -> str | None:
    """The stylesheet that sets the tenant's colours; None without a colour."""
    color = brand.get("primary_color")
    if not color:
        return None
    return f"/theme/{tenant}.css?v={str(color).lstrip('#').lower()}"


def _darker(color: str, factor: float = 0.85) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{int(c * factor):02x}" for c in (r, g, b))


def _ink(color: str) -> str:
    """Black or white, whichever reads better on ``color`` (WCAG relative luminance)."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(int(color[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if (1.05 / (luminance + 0.05)) >= 4.5 else "#111111"


def theme_css(color: str) -> str:
    """The CSS custom properties for a primary colour (``#rrggbb``, checked by the pack
    schema and again here).

    >>> theme_css("#c2410c").splitlines()[1]
    '  --primary: #c2410c;'
    """
    if not COLOR.fullmatch(color):
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return (":root {\n"
            f"  --primary: {color.lower()};\n"
            f"  --primary-ink: {_ink(color)};\n"
            f"  --primary-strong: {_darker(color)};\n"
            "}\n")


def _theme(request: Request) -> Response:
    """GET /theme/{tenant}.css: the tenant's colours (an empty sheet without any)."""
    brand = of_tenant(request.app.state.engine, request.path_params["tenant"])
    color = brand.get("primary_color") if brand else None
    body = theme_css(color) if color else ""
    return Response(body, media_type="text/css", headers={"Cache-Control": CACHE_CONTROL})


async def theme(request: Request) -> Response:
    return await in_thread(request, _theme, request)


routes = [Route("/theme/{tenant}.css", theme, methods=["GET"], name="ui_theme")]
