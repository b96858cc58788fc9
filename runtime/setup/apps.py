"""``/setup/apps``: interconnect apps (互联应用): which objects are opened downstream, to which
interconnect roles.

An app of the tenant's own (``apps/<app>.json`` in its overlay) is edited whole: label,
description, objects and roles. A pack's app cannot be changed by an overlay (defining it
again is ``pack.app_conflict``, and there is no app extension), so its page says so and
offers what can be done instead: an app of the tenant's own that opens more objects to
the pack's roles (an interconnect role acts on the objects of every app that lists it),
and the roles' grants on them (``/setup/roles``).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.metadata.overlay_edits_access import owns_app, put_app
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import i18n_value
from hulian.runtime.setup.roles import interconnect_roles

__all__ = ["routes"]

INPUTS = ("api_name", "label_zh", "label_en", "description_zh", "description_en")


def _apps(setup: Setup) -> list[dict[str, Any]]:
    draft = setup.draft()
    found = [{**doc, "whose": "custom" if owns_app(draft, doc["api_name"]) else "pack"}
             for path, doc in setup.state.effective.items()
             if path.startswith("apps/") and isinstance(doc, dict)]
    return sorted(found, key=lambda a: setup.page.label(a.get("label")).lower())


def apps(setup: Setup) -> Response:
    """GET /setup/apps: every interconnect app."""
    labels = {o["api_name"]: o.get("label") for o in setup.objects()}
    roles = {r["api_name"]: r["label"] for r in interconnect_roles(setup)}
    return setup.render("setup/apps.html", {
        "app_rows": _apps(setup), "object_labels": labels, "role_labels": roles,
        "deployed": setup.page.request.query_params.get("deployed")}, section="apps")


def _values(app: dict[str, Any]) -> dict[str, Any]:
    label = app.get("label") or {}
    description = app.get("description") or {}
    if isinstance(description, str):
        description = {"zh": description, "en": description}
    return {"api_name": app.get("api_name", ""), "label_zh": label.get("zh", ""),
            "label_en": label.get("en", ""), "description_zh": description.get("zh", ""),
            "description_en": description.get("en", ""),
            "objects": list(app.get("objects", [])), "roles": list(app.get("roles", []))}


def _form(setup: Setup, app: str | None, values: dict[str, Any], problems: Problems,
          whose: str = "custom") -> Response:
    return setup.render("setup/app.html", {
        "app_name": app, "values": values, "problems": problems, "whose": whose,
        "objects": setup.objects(), "roles": interconnect_roles(setup)},
        section="apps", status=422 if problems else 200)


def app_page(setup: Setup) -> Response:
    """GET /setup/apps/new and /setup/apps/{app}: the app's form (a pack's app: what it
    opens, read only); POST: plan the new or changed app of the tenant's own."""
    page = setup.page
    name = page.request.path_params.get("app")
    current = setup.state.effective.get(f"apps/{name}.json") if name else None
    if name and not isinstance(current, dict):
        raise NotFoundError(f"the tenant has no app {name!r}", code="page_not_found")
    whose = "custom" if not name or owns_app(setup.draft(), name) else "pack"
    if page.request.method == "GET":
        if current is not None:
            return _form(setup, name, _values(current), Problems(), whose)
        query = page.request.query_params
        return _form(setup, None, {**_values({}), "roles": query.getlist("role"),
                                   "objects": query.getlist("object")}, Problems())
    if whose == "pack":
        raise NotFoundError(f"the app {name!r} is a pack's: it cannot be changed",
                            code="page_not_found")
    form = page.form
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in INPUTS}
    values["objects"] = [str(o) for o in form.getlist("objects")]
    values["roles"] = [str(r) for r in form.getlist("roles")]
    api_name = name or re.sub(r"\s+", "_", values["api_name"])
    document: dict[str, Any] = {
        "api_name": api_name, "label": i18n_value(values["label_zh"], values["label_en"]),
        "objects": values["objects"], "roles": values["roles"]}
    if values["description_zh"] or values["description_en"]:
        document["description"] = i18n_value(values["description_zh"],
                                             values["description_en"])
    if not name and isinstance(setup.state.effective.get(f"apps/{api_name}.json"), dict):
        return _form(setup, None, values, Problems(
            by_input={"api_name": [page.t("setup_app_exists", name=api_name)]}))
    draft = setup.draft()
    place = put_app(draft, document)

    def editor(problems: Problems) -> Response:
        return _form(setup, name, values, problems)

    return propose(setup, draft, [place],
                   title=page.t("setup_app" if name else "setup_new_app") + f" {api_name}",
                   back=f"/setup/apps/{api_name}", editor=editor)


routes = [
    Route("/setup/apps", setup_endpoint(apps), methods=["GET"], name="setup_apps"),
    Route("/setup/apps/new", setup_endpoint(app_page), methods=["GET", "POST"],
          name="setup_new_app"),
    Route("/setup/apps/{app}", setup_endpoint(app_page), methods=["GET", "POST"],
          name="setup_app"),
]
