"""The config UI for upstream administrators (``/setup``): objects, fields, rules, business
types, layouts, scenes, home views, roles, permissions, apps, partners and versions.

Every page changes the tenant's overlay through the metadata facade
(:class:`hulian.engine.admin.MetadataAdmin`): the same documents ``hulian export
--overlay`` writes and a consultant keeps in git, shown as a deploy plan before anything
is applied (:mod:`hulian.runtime.setup.flow`). docs/admin-ui.md is the tour.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

__all__ = ["setup_routes"]


def setup_routes() -> list[BaseRoute]:
    """Every config page's route; a module of pages adds its ``routes`` here."""
    from hulian.runtime.setup import fields, flow, objects, rules, versions

    return [*flow.routes, *objects.routes, *fields.routes, *rules.routes, *versions.routes]
