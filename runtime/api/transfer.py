"""Export and import routes: an object's records out as CSV, a JSON array of records in.

``GET /objects/{object}/export`` needs the ``export`` right and takes the list's
``where``, ``filter`` and ``order_by``. It streams ``text/csv`` (UTF-8, RFC 4180): a
header row (``id``, the fields the caller can read, then the other system fields) and one
row per record the caller can read, hidden fields left out. The first page is read before
the response starts, so a bad filter, an unknown object or ``action_denied`` is an
ordinary JSON error; later pages are read while the client takes the body, each in a
short transaction of its own, so a slow download never holds a transaction (on SQLite,
the database's write lock) open. Keyset paging keeps every record exactly once, even
while records are added; if a page fails mid-stream the connection is closed before the
body ends, so a client never takes a cut export for a whole one.

``POST /objects/{object}/import`` needs ``import`` and ``create``: a JSON array of up to
10,000 records, created all or none (``Session.import_records``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from hulian.engine import Page, Session
from hulian.engine.session_transfer import MAX_PAGE as PAGE_SIZE
from hulian.runtime.api.endpoint import Call, endpoint
from hulian.runtime.api.errors import BadRequest
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import MAX_BATCH, _params, _where

__all__ = ["csv_cell", "routes"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is a formula to a spreadsheet (CSV injection)."""


def csv_cell(value: Any) -> str:
    """One value as CSV text: blank is empty, booleans ``true``/``false``, numbers with
    exactly their digits, dates and times in ISO 8601, multi-picklists ``a;b``; text a
    spreadsheet would run as a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(map(str, value))
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def _csv(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _header(described: dict[str, Any]) -> list[str]:
    system = [f["api_name"] for f in described["system_fields"]]
    fields = [f["api_name"] for f in described["fields"]]
    return ["id", *fields, *(name for name in system if name != "id")]


def export_records(call: Call) -> Response:
    """GET /objects/{object}/export: the records the caller can read, as CSV."""
    params = _params(call.request, ("where", "filter", "order_by"))
    name = call.param("object")
    where = _where(params.get("where"))
    order_by = params.get("order_by") or None
    filter_text = params.get("filter") or None

    def page(session: Session, after: str | None) -> Page:
        session.require(name, "export")
        return session.query(name, where, order_by=order_by, limit=PAGE_SIZE, after=after,
                             filter=filter_text)

    with call.session() as session:
        first = page(session, None)
        header = _header(session.describe(name))

    def chunks() -> Iterator[str]:
        current = first
        yield _csv([header])
        while True:
            yield _csv([csv_cell(record.get(key)) for key in header] for record in current)
            if current.next is None:
                return
            with call.new_session() as session:  # the request's session has ended
                current = page(session, current.next)

    return StreamingResponse(chunks(), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"',
        "Cache-Control": "no-store"})


def import_records(call: Call) -> Response:
    """POST /objects/{object}/import: a JSON array of records, created all or none."""
    _params(call.request, ())
    rows = call.body
    if not isinstance(rows, list):
        raise BadRequest("an import is a JSON array of records", code="invalid_json",
                         hint='e.g. [{"name": "A"}, {"name": "B"}]')
    if len(rows) > MAX_BATCH:
        raise BadRequest(f"{len(rows)} records in one import; at most {MAX_BATCH}",
                         code="batch_too_large", hint="split them into several requests")
    with call.session() as session:
        ids = session.import_records(call.param("object"), rows)
    return JSONResponse({"ids": ids}, status_code=201)


routes = [
    Route("/objects/{object}/export", endpoint(export_records), methods=["GET"],
          name="export"),
    Route("/objects/{object}/import", endpoint(import_records, body="object_or_list"),
          methods=["POST"], name="import"),
]
