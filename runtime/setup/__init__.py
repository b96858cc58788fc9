"""The config UI for upstream administrators (``/setup``): objects, fields, rules, business
types, layouts, scenes, home views, roles, permissions, apps, partners and versions.

Every page changes the tenant's overlay through the metadata facade
(:class:`hulian.engine.admin.MetadataAdmin`): the same documents ``hulian export
--overlay`` writes and a consultant keeps in git, shown as a deploy plan before anything
is applied (:mod:`hulian.runtime.setup.flow`). docs/admin-ui.md is the tour.
"""

from __future__ import annotations

from importlib import import_module

from starlette.routing import BaseRoute

__all__ = ["PAGES", "setup_routes"]

PAGES = ("flow", "objects", "fields", "rules", "versions",
         "roles", "apps", "partners", "sharing", "flows",
         "layouts", "business_types", "scenes", "home")
"""The modules of config pages; each has ``routes``. A new area adds its module here."""


def setup_routes() -> list[BaseRoute]:
    """Every config page's route."""
    return [route for name in PAGES
            for route in import_module(f"hulian.runtime.setup.{name}").routes]
