"""Create and edit forms: ``/app/o/{object}/new`` (a business type picker when the user may
use more than one; ``<field>=value`` in the query prefills, e.g. the parent from a related
list) and ``/app/o/{object}/{id}/edit`` (the version in a hidden field).

A refused write re-renders the form with what the user sent and every error beside its
field (422); a stale version re-renders it with the conflict message and the record's
current values (409). A successful write redirects to the record (post-redirect-get).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import ConflictError, RecordValidationError
from hulian.layouts.forms import (
    PARTNER_FIELD,
    business_type_choices,
    changed_only,
    fillable,
    form_fields,
    form_view,
    read_form,
)
from hulian.layouts.lists import lookup_ids
from hulian.layouts.names import record_names
from hulian.layouts.values import label_text
from hulian.runtime.ui.pages import UIPage, page_endpoint

__all__ = ["routes"]


def _submitted(page: UIPage, layout: Mapping[str, Any]) -> dict[str, list[str]]:
    return {f["api_name"]: [v for v in page.form.getlist(f["api_name"]) if isinstance(v, str)]
            for f in form_fields(layout) if f["api_name"] in page.form}


def _shown(submitted: Mapping[str, list[str]], layout: Mapping[str, Any]) -> dict[str, Any]:
    """What the user sent, as the form shows it again (a list for multi-picklists)."""
    multi = {f["api_name"] for f in form_fields(layout) if f.get("widget") == "multi-select"}
    return {k: (v if k in multi else (v[-1] if v else "")) for k, v in submitted.items()}


def _render(page: UIPage, object_name: str, layout: Mapping[str, Any], *,
            record: Mapping[str, Any], submitted: Mapping[str, Any] | None = None,
            errors: Any = (), status: int = 200, record_id: str | None = None,
            version: Any = None, conflict: bool = False,
            types: list[dict[str, Any]] | None = None) -> Response:
    session, lang = page.session, page.lang
    ids = lookup_ids(form_fields(layout), [record, *([{k: v for k, v in submitted.items()
                                                       if isinstance(v, str)}]
                                                     if submitted else [])])
    writable = {f["api_name"] for f in form_fields(layout)
                if f.get("target") == "User" and not f.get("read_only")}
    describe = session.describe(object_name)
    view = form_view(layout, lang, record=record, submitted=submitted, errors=errors,
                     names=record_names(session, ids),
                     users=session.owner_choices() if writable - {PARTNER_FIELD} else None,
                     partners=session.partner_choices() if PARTNER_FIELD in writable
                     else None, zone=page.zone,
                     labels={f["api_name"]: label_text(f.get("label"), lang)
                             for f in describe["fields"]})
    action = f"/app/o/{object_name}/{record_id}/edit" if record_id else \
        f"/app/o/{object_name}/new"
    return page.render("form.html", {
        **view, "object": object_name, "id": record_id, "version": version,
        "object_label": label_text(describe.get("label"), lang),
        "title": str(record.get(describe.get("name_field") or "id") or "") if record_id
        else "", "action": action, "conflict": conflict,
        "business_type": (layout.get("business_type") or {}).get("api_name"),
        "types": types or [],
        "cancel": f"/app/o/{object_name}/{record_id}" if record_id
        else f"/app/o/{object_name}"}, status=status)


def _defaults(page: UIPage, object_name: str, layout: Mapping[str, Any],
              prefill: Mapping[str, str]) -> dict[str, Any]:
    """A new record's starting values: what a create would fill in (the business type's
    and the fields' defaults, default formulas such as ``TODAY()``:
    ``Session.new_values``), then the query's prefills."""
    chosen = (layout.get("business_type") or {}).get("api_name")
    values = dict(page.session.new_values(object_name, chosen))
    for field in form_fields(layout):
        if field["api_name"] in prefill:
            values[field["api_name"]] = prefill[field["api_name"]]
    return values


def new_record(page: UIPage) -> Response:
    """GET, POST /app/o/{object}/new"""
    object_name = page.request.path_params["object"]
    session = page.session
    session.require(object_name, "create")
    query = {k: v[:1000] for k, v in page.request.query_params.items()}
    posted = page.form.get("business_type")
    wanted = posted if isinstance(posted, str) and posted else query.get("business_type")
    types = business_type_choices(session.describe(object_name), page.lang, wanted or None)
    layout = fillable(session.layout(object_name, wanted or None, page.channel, "detail"))
    chosen = (layout.get("business_type") or {}).get("api_name")
    types = business_type_choices(session.describe(object_name), page.lang, chosen)
    shown_types = types if len(types) > 1 else []
    if page.request.method == "GET":
        return _render(page, object_name, layout,
                       record=_defaults(page, object_name, layout, query), types=shown_types)
    submitted = _submitted(page, layout)
    if page.form.get("pick") is not None:  # back from the lookup search page, not saving
        return _render(page, object_name, layout,
                       record=_defaults(page, object_name, layout, query),
                       submitted=_shown(submitted, layout), types=shown_types)
    data = {k: v for k, v in read_form(layout, submitted, page.zone).items() if v is not None}
    if len(types) > 1 and chosen:
        data["business_type"] = chosen
    try:
        created = session.create(object_name, data)
    except RecordValidationError as exc:
        return _render(page, object_name, layout, record={},
                       submitted=_shown(submitted, layout), errors=exc.errors, status=422,
                       types=shown_types)
    return page.redirect(f"/app/o/{object_name}/{created['id']}")


def edit_record(page: UIPage) -> Response:
    """GET, POST /app/o/{object}/{id}/edit"""
    params = page.request.path_params
    object_name, record_id = params["object"], params["id"]
    session = page.session
    session.require(object_name, "edit")
    record = session.get(object_name, record_id)
    layout = session.layout(object_name, record.get("business_type"), page.channel, "detail")
    if page.request.method == "GET":
        return _render(page, object_name, layout, record=record, record_id=record_id,
                       version=record.get("version"))
    submitted = _submitted(page, layout)
    sent = page.form.get("version")
    version = int(sent) if isinstance(sent, str) and sent.isdigit() and len(sent) < 10 \
        else None
    if page.form.get("pick") is not None:  # back from the lookup search page, not saving
        return _render(page, object_name, layout, record=record, record_id=record_id,
                       submitted=_shown(submitted, layout), version=version)
    data = changed_only(read_form(layout, submitted, page.zone), record, layout)
    try:
        if data:
            session.update(object_name, record_id, data, version=version)
    except ConflictError as exc:
        if exc.code != "version_conflict":
            raise
        return _render(page, object_name, layout, record=record, record_id=record_id,
                       version=record.get("version"), conflict=True, status=409)
    except RecordValidationError as exc:
        return _render(page, object_name, layout, record=record, record_id=record_id,
                       submitted=_shown(submitted, layout), errors=exc.errors,
                       version=version, status=422)
    return page.redirect(f"/app/o/{object_name}/{record_id}")


routes = [
    Route("/app/o/{object}/new", page_endpoint(new_record), methods=["GET", "POST"]),
    Route("/app/o/{object}/{id}/edit", page_endpoint(edit_record), methods=["GET", "POST"]),
]
