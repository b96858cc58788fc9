"""``/setup/home``: the home views (首页) per role and channel, and their widget editor.

A home view is the overlay's ``home/<api_name>.json`` (a file of a pack's name replaces
the pack's unless the pack locks it). The list shows, per role, its web and mobile view.
The editor, like the layout editor one form that works without script, sets the view's
label, channel, roles and default, and its widgets top to bottom: each of a kind the
home view schema has (``scene_list``, ``metric``, ``quick_create``, ``app_tiles``,
``text``) with that kind's inputs; buttons move a widget up or down, add one of a kind
(``op``: ``update``, ``plan``, ``move:<row>:up|down``). The change goes through the plan
page.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import NotFoundError
from hulian.runtime.setup.flow import Problems, Setup, propose, setup_endpoint
from hulian.runtime.setup.inputs import i18n_value
from hulian.runtime.setup.layout_form import MultiForm
from hulian.runtime.setup.layouts import InputPlace, roles

__all__ = ["routes", "widgets_from_form"]

FOLDER = "home"
KINDS = ("scene_list", "metric", "quick_create", "app_tiles", "text")
FUNCTIONS = ("COUNT", "SUM", "AVG", "MIN", "MAX")
BUILT_IN_SCENES = ("all", "mine", "in_my_team", "my_subordinates")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_DROPPED = ("$schema", "customizable")


def _path(name: str) -> str:
    return f"{FOLDER}/{name}.json"


def _widget(kind: str, form: MultiForm, row: str) -> dict[str, Any]:
    widget: dict[str, Any] = {"kind": kind}
    zh, en = form.get(f"label_zh.{row}"), form.get(f"label_en.{row}")
    if zh or en:
        widget["label"] = i18n_value(zh, en)
    if kind in ("scene_list", "metric"):
        widget["object"] = form.get(f"object.{row}")
        widget["scene"] = form.get(f"scene.{row}")
    if kind == "scene_list":
        rows = form.get(f"rows.{row}")
        widget["rows"] = int(rows) if rows.isdigit() else 5
    if kind == "metric":
        widget["function"] = form.get(f"function.{row}") or "COUNT"
        if form.get(f"field.{row}"):
            widget["field"] = form.get(f"field.{row}")
    if kind == "quick_create":
        widget["objects"] = form.getlist(f"objects.{row}")
    if kind == "text":
        widget["text"] = i18n_value(form.get(f"text_zh.{row}"), form.get(f"text_en.{row}"))
    return widget


def widgets_from_form(form: MultiForm) -> list[dict[str, Any]]:
    """The widgets the editor's form describes, in order, with a removed one left out, a
    new one of ``new_widget_kind`` added and the move of ``op`` made."""
    rows = [r for r in form.getlist("widget") if not form.flag(f"remove.{r}")]
    op = form.get("op").split(":")
    if len(op) == 3 and op[0] == "move" and op[1] in rows:
        i, step = rows.index(op[1]), -1 if op[2] == "up" else 1
        if 0 <= i + step < len(rows):
            rows[i], rows[i + step] = rows[i + step], rows[i]
    widgets = [_widget(form.get(f"kind.{r}"), form, r) for r in rows
               if form.get(f"kind.{r}") in KINDS]
    new = form.get("new_widget_kind")
    if new in KINDS:
        widgets.append(_widget(new, MultiForm({}), ""))
    return widgets


def _values(view: dict[str, Any]) -> dict[str, Any]:
    label = view.get("label") or {}
    return {"api_name": view.get("api_name", ""), "label_zh": label.get("zh", ""),
            "label_en": label.get("en", ""), "channel": view.get("channel", "web"),
            "roles": list(view.get("roles", [])), "default": bool(view.get("default")),
            "description": view.get("description", ""),
            "widgets": list(view.get("widgets", []))}


def _document(values: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in before.items() if k not in _DROPPED}
    doc.update(api_name=values["api_name"],
               label=i18n_value(values["label_zh"], values["label_en"]),
               channel=values["channel"], widgets=values["widgets"])
    for key, value in (("roles", values["roles"]), ("default", values["default"]),
                       ("description", values["description"])):
        if value:
            doc[key] = value
        else:
            doc.pop(key, None)
    return doc


def _views(setup: Setup) -> list[dict[str, Any]]:
    return sorted((doc for path, doc in setup.state.effective.items()
                   if path.startswith(FOLDER + "/") and isinstance(doc, dict)),
                  key=lambda d: d.get("api_name", ""))


def home_list(setup: Setup, problem: str | None = None, new_name: str = "") -> Response:
    """GET /setup/home: per role its web and mobile home view; every view; a new one."""
    views = [{**_values(v), "label": v.get("label"),
              "whose": "custom" if _path(v["api_name"]) in setup.state.documents else "pack"}
             for v in _views(setup)]
    per_role = [{"role": r, "web": [v for v in views if r["api_name"] in v["roles"]
                                    and v["channel"] == "web"],
                 "mobile": [v for v in views if r["api_name"] in v["roles"]
                            and v["channel"] == "mobile"]} for r in roles(setup)]
    defaults = [v for v in views if v["default"]]
    return setup.render("setup/home_views.html", {
        "views": views, "per_role": per_role, "defaults": defaults, "new_problem": problem,
        "new_name": new_name, "deployed": setup.page.request.query_params.get("deployed")},
        section="home", status=422 if problem else 200)


def _scenes(setup: Setup) -> dict[str, list[str]]:
    """Object -> the scenes a widget may name (built-in and declared)."""
    found = {o["api_name"]: list(BUILT_IN_SCENES) for o in setup.objects()}
    for path, doc in setup.state.effective.items():
        if path.startswith("scenes/") and isinstance(doc, dict) and doc.get("object") in found:
            found[doc["object"]].append(doc["api_name"])
    return found


def _form(setup: Setup, values: dict[str, Any], problems: Problems, new: bool,
          notice: str | None = None) -> Response:
    return setup.render("setup/home_view.html", {
        "values": values, "problems": problems, "new": new, "notice": notice,
        "roles": roles(setup), "objects": setup.objects(), "scenes": _scenes(setup),
        "kinds": KINDS, "functions": FUNCTIONS},
        section="home", status=422 if problems else 200)


def _edit(setup: Setup, values: dict[str, Any], before: dict[str, Any], new: bool
          ) -> Response:
    page = setup.page
    form = MultiForm(page.form)
    values = {**values, "label_zh": form.get("label_zh"), "label_en": form.get("label_en"),
              "channel": "mobile" if form.get("channel") == "mobile" else "web",
              "roles": form.getlist("roles"), "default": form.flag("default"),
              "description": form.get("description"), "widgets": widgets_from_form(form)}
    if form.get("op") != "plan":
        return _form(setup, values, Problems(), new, page.t("setup_layout_not_saved"))
    draft = setup.draft()
    doc = _document(values, before)
    place = draft.put_view(FOLDER, doc)
    places = [InputPlace(place.file, f"/widgets/{i}", f"widget.{i}")
              for i in range(len(doc["widgets"]))] + [place]

    def editor(problems: Problems) -> Response:
        return _form(setup, values, problems, new)

    return propose(setup, draft, places, title=page.t("setup_home_view") + f" {doc['api_name']}",
                   back="/setup/home", editor=editor)


def new_home_view(setup: Setup) -> Response:
    """GET /setup/home/new?api_name=: a new home view's form; POST: its edits and plan."""
    page = setup.page
    source = page.request.query_params if page.request.method == "GET" else page.form
    api_name = str(source.get("api_name") or "").strip().lower()
    if not _NAME.match(api_name):
        return home_list(setup, page.t("setup_layout_name_help"), api_name)
    if _path(api_name) in setup.state.effective:
        return page.redirect(f"/setup/home/{api_name}")
    values = {**_values({}), "api_name": api_name,
              "widgets": [{"kind": "app_tiles"}]}
    if page.request.method == "GET":
        return _form(setup, values, Problems(), True)
    return _edit(setup, values, {}, True)


def home_view_page(setup: Setup) -> Response:
    """GET /setup/home/{view}: its editor; POST: an edit (the editor again) or the plan."""
    name = setup.page.request.path_params["view"]
    found = setup.state.effective.get(_path(name))
    if not isinstance(found, dict):
        raise NotFoundError(f"the tenant has no home view {name!r}", code="page_not_found")
    if setup.page.request.method == "GET":
        return _form(setup, _values(found), Problems(), False)
    return _edit(setup, _values(found), found, False)


routes = [
    Route("/setup/home", setup_endpoint(home_list), methods=["GET"], name="setup_home"),
    Route("/setup/home/new", setup_endpoint(new_home_view), methods=["GET", "POST"],
          name="setup_new_home_view"),
    Route("/setup/home/{view}", setup_endpoint(home_view_page), methods=["GET", "POST"],
          name="setup_home_view"),
]
