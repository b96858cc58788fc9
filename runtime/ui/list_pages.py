"""Lists of records: ``/app/o/{object}`` (scene picker with counts, sortable columns, filters,
search on the name field, keyset pagination, cards on mobile), bulk delete, CSV export,
the recycle bin and the lookup search.

Each handler makes Session calls in the request's one transaction and hands the plain
view models of :mod:`hulian.layouts.lists` to its template.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from hulian.engine.errors import QueryError
from hulian.layouts.lists import (
    card_rows,
    filter_inputs,
    list_columns,
    list_heads,
    list_rows,
    lookup_ids,
    read_filters,
    read_sort,
)
from hulian.layouts.names import record_names
from hulian.layouts.values import display, label_text
from hulian.runtime.ui.forms import safe_next
from hulian.runtime.ui.pages import UIPage, page_endpoint

__all__ = ["COUNT_LIMIT", "EXPORT_LIMIT", "PAGE_SIZE", "routes"]

PAGE_SIZE = 25
COUNT_LIMIT = 99
"""The scene picker counts a scene's records up to this many, then shows "99+" (the cost
of a list page does not grow with the object)."""
EXPORT_LIMIT = 50_000
"""At most this many records go into one CSV export."""
LOOKUP_SIZE = 20
MAX_IDS = 200


def _params(page: UIPage) -> dict[str, str]:
    """The query parameters (the last value of a repeated name)."""
    return {k: v[:1000] for k, v in page.request.query_params.items()}


def _url(path: str, params: Mapping[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v}
    return path + ("?" + urlencode(kept) if kept else "")


def _scene_name(scenes: list[dict[str, Any]], wanted: str | None) -> str:
    if wanted:
        return wanted
    return next((s["api_name"] for s in scenes if s.get("default")), "all")


def applicable_scenes(scenes: list[dict[str, Any]], leads: bool) -> list[dict[str, Any]]:
    """The scenes offered on the list: not the built-in ``my_subordinates`` to a user who
    leads no one (every interconnect user, most employees): it is always empty for them."""
    if not leads:
        return [s for s in scenes if not (s.get("kind") == "built_in" and
                                          s["api_name"] == "my_subordinates")]
    return scenes


def table_body(records: list[dict[str, Any]], heads: list[tuple[Any, ...]],
               object_name: str, pick: bool, t: Any) -> Markup:
    """The rows of the list's table as HTML, straight from the records and the columns'
    heads (:func:`hulian.layouts.lists.list_heads`): built here, not cell by cell in the
    template (the list page's hot loop: a template spends most of its time looking up each
    cell's attributes). Every value is escaped (``html.escape``: the characters markupsafe
    escapes, into one string marked safe at the end)."""
    base = _escape(f"/app/o/{object_name}/")
    columns = [(name, is_name, '<td class="numeric">' if numeric else "<td>", shown)
               for name, _, is_name, numeric, shown in heads]
    out = []
    for record in records:
        rid = _escape(record["id"])
        cells = []
        title = ""
        for name, is_name, open_td, shown in columns:
            text = shown(record.get(name))
            if is_name:
                title = title or text
                cells.append(f'{open_td}<a href="{base}{rid}">'
                             f'{_escape(text or record["id"])}</a></td>')
            else:
                cells.append(f"{open_td}{_escape(text)}</td>")
        if pick:
            name = _escape(t("select_record", name=title or str(record["id"])))
            cells.insert(0, f'<td class="pick"><input type="checkbox" name="ids" '
                            f'value="{rid}" aria-label="{name}"></td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    return Markup("\n".join(out))


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def list_view(page: UIPage, object_name: str, params: Mapping[str, str]
              ) -> dict[str, Any]:
    """The context of the list template for ``params`` (scene, sort, q, f_*, after)."""
    session, lang = page.session, page.lang
    describe = session.describe(object_name, copy=False)  # only read here
    scenes = applicable_scenes(session.scenes(object_name, counts=True,
                                              count_limit=COUNT_LIMIT),
                               not page.user.is_interconnect and session.leads_anyone())
    chosen = _scene_name(scenes, params.get("scene"))
    scene = next((s for s in scenes if s["api_name"] == chosen), None)
    if scene is None:
        scene = session.scene(object_name, chosen)  # unknown_scene: the 404 page
    layout = session.layout(object_name, channel=page.channel, kind="list")
    columns = list_columns(layout, scene, describe)
    where = read_filters(columns, params, describe.get("name_field"))
    sort = read_sort(params.get("sort"), columns)
    error = None
    records: list[dict[str, Any]] = []
    after = None
    try:
        found = session.query(object_name, where, order_by=sort, limit=PAGE_SIZE,
                              after=params.get("after") or None, scene=chosen)
        records, after = found.records, found.next
    except QueryError as exc:  # a filter value that does not fit its field
        error = {"field": exc.field, "message": exc.message}
    names = record_names(session, lookup_ids(columns, records))
    path = f"/app/o/{object_name}"
    base = {k: v for k, v in params.items() if k != "after"}
    heads = []
    for column in columns:
        name = column["api_name"]
        direction = "asc" if sort == name else "desc" if sort == f"-{name}" else None
        heads.append({"name": name, "label": label_text(column.get("label"), lang),
                      "sort": direction, "numeric": column.get("type") in (
                          "number", "currency", "percent"),
                      "href": _url(path, {**base, "sort": f"-{name}" if sort == name
                                          else name})})
    buttons = {b["api_name"] for b in layout.get("buttons") or ()}
    can_delete = session.can(object_name, "delete")
    return {
        "object": object_name, "object_label": label_text(describe.get("plural_label")
                                                         or describe.get("label"), lang),
        "scenes": [{"api_name": s["api_name"], "label": label_text(s["label"], lang),
                    "count": s.get("count"), "more": s.get("count_more"),
                    "selected": s["api_name"] == chosen,
                    "href": _url(path, {"scene": s["api_name"]})} for s in scenes],
        "scene": chosen, "columns": heads, "has_rows": bool(records),
        "table_body": table_body(records, list_heads(columns, lang, names, page.zone),
                                 object_name, can_delete and bool(records), page.t)
        if page.channel != "mobile" else Markup(),
        "cards": card_rows(layout, describe, records, lang, names, page.zone)
        if page.channel == "mobile" else [],
        "filters": filter_inputs(columns, params, lang), "q": params.get("q", ""),
        "sort": sort or "", "filter_error": error,
        "next_href": _url(path, {**base, "after": after}) if after else None,
        "first_href": _url(path, base) if params.get("after") else None,
        "export_href": _url(f"{path}/export", base) if "export" in buttons else None,
        "can_new": "new" in buttons, "can_bulk_delete": can_delete and bool(records),
        "can_bin": can_delete, "here": _url(path, params),
    }


def list_page(page: UIPage) -> Response:
    """GET /app/o/{object}"""
    object_name = page.request.path_params["object"]
    return page.render("list.html", list_view(page, object_name, _params(page)))


def bulk_delete(page: UIPage) -> Response:
    """POST /app/o/{object}/bulk: delete the checked records (``ids``), all or none."""
    object_name = page.request.path_params["object"]
    ids = [i for i in page.form.getlist("ids") if isinstance(i, str) and i][:MAX_IDS]
    for record_id in ids:
        page.session.delete(object_name, record_id)
    back = page.form.get("next")
    return page.redirect(safe_next(back if isinstance(back, str) else None,
                                   f"/app/o/{object_name}"))


def export_csv(page: UIPage) -> Response:
    """GET /app/o/{object}/export: the current list (scene, filters, sort) as CSV, with the
    list's columns, values as the page shows them; needs the export right."""
    object_name = page.request.path_params["object"]
    session, params = page.session, _params(page)
    session.require(object_name, "export")
    describe = session.describe(object_name)
    scene_name = _scene_name(session.scenes(object_name), params.get("scene"))
    scene = session.scene(object_name, scene_name)
    layout = session.layout(object_name, channel="web", kind="list")
    columns = list_columns(layout, scene, describe)
    where = read_filters(columns, params, describe.get("name_field"))
    sort = read_sort(params.get("sort"), columns)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", *(label_text(c.get("label"), page.lang) for c in columns)])
    after, written = None, 0
    while written < EXPORT_LIMIT:
        found = session.query(object_name, where, order_by=sort, limit=200, after=after,
                              scene=scene_name)
        names = record_names(session, lookup_ids(columns, found.records))
        for row in list_rows(columns, found.records, page.lang, names, page.zone):
            writer.writerow([row["id"], *(_csv_safe(c["text"]) for c in row["cells"])])
        written += len(found.records)
        after = found.next
        if after is None:
            break
    body = out.getvalue().encode("utf-8-sig")
    return StreamingResponse(iter([body]), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{object_name}.csv"',
        "Cache-Control": "no-store"})


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    return text.lstrip("+-").replace(",", "").replace(".", "", 1).rstrip("%").isdigit()


def bin_page(page: UIPage) -> Response:
    """GET /app/o/{object}/bin: the user's deleted records, each with a restore button."""
    object_name = page.request.path_params["object"]
    session = page.session
    session.require(object_name, "delete")
    describe = session.describe(object_name)
    found = session.recycle_bin(object_name, limit=PAGE_SIZE,
                                after=_params(page).get("after") or None)
    rows = [{"id": e["id"], "title": str(e.get("name") or e["id"]),
             "deleted_at": display(e.get("deleted_at"), {"type": "datetime"}, page.lang)}
            for e in found.records]
    return page.render("bin.html", {
        "object": object_name, "rows": rows, "next_href": _url(
            f"/app/o/{object_name}/bin", {"after": found.next}) if found.next else None,
        "object_label": label_text(describe.get("plural_label"), page.lang)})


def _lookup_filter(page: UIPage, object_name: str, params: Mapping[str, str]) -> str | None:
    """The lookup filter of the field the search is for (``for``: its object, ``field``:
    its name), when that field is a lookup to ``object_name`` the user may see."""
    source, field = params.get("for"), params.get("field")
    if not source or not field or not page.session.can(source, "read"):
        return None
    for entry in page.session.describe(source).get("fields") or ():
        if entry["api_name"] == field and entry.get("target") == object_name:
            return entry.get("lookup_filter")
    return None


CARRIED_OUT = frozenset({"csrf_token", "q", "pick"})
"""Form values the lookup search page does not carry back to the form."""


def lookup_search(page: UIPage) -> Response:
    """GET, POST /app/lookup/{object}?q=: records of ``object`` whose name contains ``q``
    (and that pass the lookup filter of the field ``for`` + ``field`` names); JSON for the
    page's script (``Accept: application/json``), else a page of choices.

    Without script a form's 搜索 / Search button posts the whole form here (``field``:
    the lookup, ``back``: the form's address, in the query): the page carries every value
    typed so far in hidden fields, and each choice posts them back to the form with
    ``pick`` and the chosen id, so nothing typed is lost. A plain GET (``field`` and
    ``back``) gives links back to ``back`` with the chosen id."""
    object_name = page.request.path_params["object"]
    session, params = page.session, _params(page)
    name_field = session.describe(object_name)["name_field"]
    posted = page.request.method == "POST"
    sent_q = page.form.get("q") if posted else None
    query = (sent_q if isinstance(sent_q, str) else params.get("q", "")).strip()[:200]
    where = {name_field: {"contains": query}} if query else None
    found = session.query(object_name, where, order_by=name_field, limit=LOOKUP_SIZE,
                          filter=_lookup_filter(page, object_name, params))
    choices = [{"id": r["id"], "name": str(r.get(name_field) or r["id"])}
               for r in found.records]
    if "application/json" in page.request.headers.get("accept", "") and not posted:
        return JSONResponse({"records": choices}, headers={"Cache-Control": "no-store"})
    back = safe_next(params.get("back"), "/app")
    field = params.get("field", "")
    joiner = "&" if "?" in back else "?"
    for choice in choices:
        choice["href"] = f"{back}{joiner}{urlencode({field: choice['id']})}" if field \
            else f"/app/o/{object_name}/{choice['id']}"
    # the chosen id comes after the carried value of the field, so it wins (the last one)
    carried = [(k, v) for k, v in page.form.multi_items()
               if isinstance(v, str) and k not in CARRIED_OUT] \
        if posted else []
    return page.render("lookup.html", {
        "object": object_name, "q": query, "choices": choices, "field": field,
        "back": params.get("back", ""), "posted": posted, "carried": carried,
        "return_to": back, "search_action": _url(f"/app/lookup/{object_name}", {
            k: params.get(k, "") for k in ("for", "field", "back")})})


routes = [
    Route("/app/o/{object}", page_endpoint(list_page), methods=["GET"]),
    Route("/app/o/{object}/bulk", page_endpoint(bulk_delete), methods=["POST"]),
    Route("/app/o/{object}/export", page_endpoint(export_csv), methods=["GET"]),
    Route("/app/o/{object}/bin", page_endpoint(bin_page), methods=["GET"]),
    Route("/app/lookup/{object}", page_endpoint(lookup_search), methods=["GET", "POST"]),
]
