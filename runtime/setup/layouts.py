"""``/setup/layouts``: every layout, and the layout editor.

The list shows each layout's object, kind, channel and assignments, and whose it is (a
pack's as installed, or the tenant's: its own or its replacement of a pack's). The editor
(:mod:`hulian.runtime.setup.layout_form`) edits sections, the fields of each in order
(drag and drop, or the move buttons without script), required and read-only per field,
related lists and the assignments per role × business type; channel and default are
the layout's. Saving writes ``layouts/<api_name>.json`` into the overlay: a file of a
pack layout's name replaces the pack's, unless the pack locks it
(``overlay.locked_document``, shown on the page); the change goes through the plan page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.metadata.kinds.naming import SYSTEM_FIELDS
from hulian.metadata.overlay_edits import Place
from hulian.metadata.problems import Problem
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.layout_form import (
    COLUMNS,
    MultiForm,
    editor_model,
    layout_from_form,
    move,
    new_layout,
)

__all__ = ["routes"]

FOLDER = "layouts"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class InputPlace(Place):
    """A place whose problems (at it or under it) all go to one editor input."""

    input: str = ""

    def input_of(self, problem: Problem) -> str | None:
        return None if super().input_of(problem) is None else self.input


def _path(name: str) -> str:
    return f"{FOLDER}/{name}.json"


def _whose(setup: Setup, name: str) -> str:
    """``custom``: the overlay holds the layout (its own, or its replacement of a pack's
    layout of that name); ``pack``: a pack's as installed."""
    return "custom" if _path(name) in setup.state.documents else "pack"


def _layouts(setup: Setup) -> list[dict[str, Any]]:
    return sorted((doc for path, doc in setup.state.effective.items()
                   if path.startswith(FOLDER + "/") and isinstance(doc, dict)),
                  key=lambda d: (d.get("object", ""), d.get("kind", "detail"),
                                 d.get("channel", "web"), d.get("api_name", "")))


def roles(setup: Setup) -> list[dict[str, Any]]:
    """The effective roles' documents, by api_name."""
    return sorted((doc for path, doc in setup.state.effective.items()
                   if path.startswith("roles/") and isinstance(doc, dict)),
                  key=lambda d: d.get("api_name", ""))


def _rows(setup: Setup) -> list[dict[str, Any]]:
    return [{"api_name": doc["api_name"], "label": doc.get("label"), "object": doc["object"],
             "kind": doc.get("kind", "detail"), "channel": doc.get("channel", "web"),
             "default": doc.get("default", False), "assignments": doc.get("assignments", []),
             "whose": _whose(setup, doc["api_name"])} for doc in _layouts(setup)]


def layout_list(setup: Setup) -> Response:
    """GET /setup/layouts: every layout, and the form for a new one."""
    return setup.render("setup/layouts.html", {
        "layouts": _rows(setup), "objects": setup.objects(), "new_problem": None,
        "new_values": {}, "deployed": setup.page.request.query_params.get("deployed")},
        section="layouts")


def relationships(setup: Setup, object_name: str) -> list[str]:
    """The relationships a related list of ``object_name`` may show: each lookup or
    master-detail field to it, by its ``relationship_name`` else ``<Child>.<field>``."""
    found = []
    for child in setup.objects():
        for field in child.get("fields", []):
            if field.get("type") in ("lookup", "master_detail") \
                    and field.get("target") == object_name:
                found.append(field.get("relationship_name")
                             or f"{child['api_name']}.{field['api_name']}")
    return found


def _editor(setup: Setup, doc: dict[str, Any], *, new: bool, problems: Problems,
            notice: str | None = None) -> Response:
    obj = setup.object(doc["object"])
    model = editor_model(doc)
    listed = {f["name"] for g in model["groups"] for f in g["fields"]}
    labels = {f["api_name"]: f.get("label") for f in obj.get("fields", [])}
    addable = [f["api_name"] for f in obj.get("fields", [])
               if f["api_name"] not in listed and not f.get("hidden")]
    addable += [name for name in SYSTEM_FIELDS if name not in listed]
    pack = setup.state.effective.get(_path(doc["api_name"]))
    locked = (not new and isinstance(pack, dict)
              and (pack.get("customizable") or {}).get("document") == "locked")
    return setup.render("setup/layout_edit.html", {
        "layout": model, "object": obj, "new": new, "labels": labels, "addable": addable,
        "relationships": [r for r in relationships(setup, doc["object"])
                          if r not in model["related"]],
        "roles": roles(setup),
        "business_types": [b["api_name"] for b in obj.get("business_types", [])],
        "problems": problems, "notice": notice, "locked": locked,
        "columns_group": COLUMNS, "whose": None if new else _whose(setup, doc["api_name"])},
        section="layouts", status=422 if problems else 200)


def _places(doc: dict[str, Any]) -> list[Place]:
    """Where the editor shows the problems of ``doc``: the field, section, related list
    or assignment row they concern; the layout's own inputs; else the summary."""
    file = f"overlay/{_path(doc['api_name'])}"
    places: list[Place] = []
    for i, section in enumerate(doc.get("sections", [])):
        for j, field in enumerate(section.get("fields", [])):
            name = field.get("field") if isinstance(field, dict) else field
            places.append(InputPlace(file, f"/sections/{i}/fields/{j}", f"field.{name}"))
        places.append(InputPlace(file, f"/sections/{i}", f"section.{section['api_name']}"))
    for i, column in enumerate(doc.get("columns", [])):
        places.append(InputPlace(file, f"/columns/{i}", f"field.{column}"))
    for i, related in enumerate(doc.get("related_lists", [])):
        places.append(InputPlace(file, f"/related_lists/{i}",
                                 f"related.{related.get('relationship')}"))
    for i in range(len(doc.get("assignments", []))):
        places.append(InputPlace(file, f"/assignments/{i}", f"assign.{i}"))
    places.append(Place(file, ""))
    return places


def _edit(setup: Setup, original: dict[str, Any], *, new: bool) -> Response:
    page = setup.page
    form = MultiForm(page.form)
    doc = layout_from_form(original, form)
    op = form.get("op") or "update"
    if op.startswith("move:"):
        return _editor(setup, move(doc, op), new=new, problems=Problems(),
                       notice=page.t("setup_layout_not_saved"))
    if op != "plan":
        return _editor(setup, doc, new=new, problems=Problems(),
                       notice=page.t("setup_layout_not_saved"))
    draft = setup.draft()
    draft.put_view(FOLDER, doc)

    def editor(problems: Problems) -> Response:
        return _editor(setup, doc, new=new, problems=problems)

    return propose(setup, draft, _places(doc),
                   title=page.t("setup_layout") + f" {doc['api_name']}",
                   back="/setup/layouts", editor=editor)


def new_layout_page(setup: Setup) -> Response:
    """GET /setup/layouts/new?object=&kind=&channel=&api_name=: the editor of a new
    layout; POST: its edits and plan."""
    page = setup.page
    source = page.request.query_params if page.request.method == "GET" else page.form
    object_name = str(source.get("object") or "")
    kind = "list" if source.get("kind") == "list" else "detail"
    channel = "mobile" if source.get("channel") == "mobile" else "web"
    api_name = str(source.get("api_name") or "").strip().lower()
    obj = setup.object(object_name)
    if not _NAME.match(api_name):
        return setup.render("setup/layouts.html", {
            "layouts": _rows(setup),
            "objects": setup.objects(), "deployed": None,
            "new_problem": page.t("setup_layout_name_help"),
            "new_values": {"object": object_name, "kind": kind, "channel": channel,
                           "api_name": api_name}}, section="layouts", status=422)
    if _path(api_name) in setup.state.effective:
        return page.redirect(f"/setup/layouts/{api_name}")
    if page.request.method == "GET":
        return _editor(setup, new_layout(api_name, obj, kind, channel), new=True,
                       problems=Problems())
    return _edit(setup, {"api_name": api_name, "object": object_name, "kind": kind},
                 new=True)


def layout_page(setup: Setup) -> Response:
    """GET /setup/layouts/{layout}: its editor; POST: an edit (the editor again) or the
    plan."""
    name = setup.page.request.path_params["layout"]
    found = setup.state.effective.get(_path(name))
    if not isinstance(found, dict):
        raise NotFoundError(f"the tenant has no layout {name!r}", code="page_not_found")
    if setup.page.request.method == "GET":
        return _editor(setup, found, new=False, problems=Problems())
    return _edit(setup, found, new=False)


routes = [
    Route("/setup/layouts", setup_endpoint(layout_list), methods=["GET"],
          name="setup_layouts"),
    Route("/setup/layouts/new", setup_endpoint(new_layout_page), methods=["GET", "POST"],
          name="setup_new_layout"),
    Route("/setup/layouts/{layout}", setup_endpoint(layout_page), methods=["GET", "POST"],
          name="setup_layout"),
]
