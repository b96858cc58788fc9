"""``GET /app``: the shell's start page, the app launcher and the user's home view.

``?app=<name>`` picks the app whose objects are shown (default: the first the user may
open); the home view is the role's for the page's channel
(:func:`hulian.layouts.home.home_view`), its widgets computed under the user's
permissions.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.layouts.home import home_view
from hulian.layouts.lists import list_columns, list_rows, lookup_ids
from hulian.layouts.names import record_names
from hulian.runtime.ui.display import display
from hulian.runtime.ui.pages import UIPage, page_endpoint
from hulian.runtime.ui.shell import launcher

__all__ = ["routes"]


def _widgets(page: UIPage, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The home view's widgets, with column labels and display texts for lists: option
    labels for picklists, names for lookups and users (one query per target object)."""
    shown = []
    for widget in view["widgets"]:
        if widget["kind"] == "scene_list":
            describe = page.session.describe(widget["object"])
            names = [c for c in (widget["columns"] or
                                 [k for k in (widget["records"] or [{}])[0] if k != "id"][:4])
                     if c != "id"]
            columns = list_columns({"columns": [{"api_name": c} for c in names]}, None,
                                   describe)
            found = record_names(page.session, lookup_ids(columns, widget["records"]))
            rows = list_rows(columns, widget["records"], page.lang, found, page.zone)
            widget = {**widget, "columns": [
                {"api_name": c["api_name"], "label": c["label"]} for c in columns],
                "rows": [{"id": r["id"], "cells": [c["text"] for c in r["cells"]]}
                         for r in rows]}
        elif widget["kind"] == "metric":
            widget = {**widget, "text": display(widget["value"], page.lang)}
        shown.append(widget)
    return shown


def shell(page: UIPage) -> Response:
    """GET /app: the launcher and the home view."""
    apps = launcher(page.session)
    wanted = page.request.query_params.get("app")
    current = next((a for a in apps if a["api_name"] == wanted), apps[0] if apps else None)
    view = home_view(page.session, page.channel)
    return page.render("shell.html", {
        "apps": apps, "current_app": current, "home": view,
        "widgets": _widgets(page, view)})


routes = [Route("/app", page_endpoint(shell), methods=["GET"], name="ui_shell")]
