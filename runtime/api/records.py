"""Record routes: list (of a scene too), create (one or many), get, update, delete, related
lists.

Each handler reads its parameters, makes one Session call in one transaction and
returns the record dicts exactly as the Session gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.errors import QueryError
from hulian.engine.records.filters import INTEGER_LIMIT
from hulian.engine.records.layout_resolve import CHANNELS
from hulian.metadata.jsontext import loads
from hulian.runtime.api.endpoint import Call, by_method, endpoint
from hulian.runtime.api.errors import BadRequest, PayloadTooLarge, Unprocessable
from hulian.runtime.api.jsonio import JSONResponse, check_json, too_deep
from hulian.runtime.api.limits import MAX_PARAMETER_CHARS

__all__ = ["DEFAULT_LIMIT", "MAX_BATCH", "MAX_LIMIT", "routes"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_BATCH = 10_000
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class ListQuery:
    where: Any = None
    order_by: str | None = None
    limit: int = DEFAULT_LIMIT
    after: str | None = None
    include_deleted: bool = False
    filter: str | None = None
    scene: str | None = None
    layout: str | None = None
    """The list route's ``layout``: the channel whose list layout comes with the page."""


LIST_PARAMETERS = ("where", "filter", "order_by", "limit", "after", "include_deleted", "scene")


def _params(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query parameters, each at most once and at most MAX_PARAMETER_CHARS long;
    unknown names are refused (typos)."""
    out: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            raise QueryError(f"unknown query parameter {name[:100]!r}", code="unknown_parameter",
                             hint=f"this route takes: {known}")
        if name in out:
            raise QueryError(f"the query parameter {name!r} is given twice",
                             code="invalid_parameter", hint="give each parameter once")
        if len(value) > MAX_PARAMETER_CHARS:
            raise PayloadTooLarge(f"{name} is {len(value)} characters long; at most "
                                  f"{MAX_PARAMETER_CHARS} are allowed", code="request_too_large",
                                  parameter=name, hint="narrow the query, or split it into "
                                                       "several requests")
        out[name] = value
    return out


def _boolean(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in BOOLEANS:
        raise QueryError(f"{name} must be true or false, not {params[name]!r}",
                         code="invalid_parameter")
    return BOOLEANS[value]


def _where(text: str | None) -> Any:
    if text is None or not text.strip():
        return None
    try:
        value = loads(text)
    except RecursionError:
        raise too_deep("where") from None
    except ValueError as exc:
        raise QueryError(f"where is not valid JSON: {exc}", code="invalid_filter",
                         hint='URL-encode a JSON object, e.g. where={"industry":"retail"}') \
            from None
    return check_json(value, "where")


def _whole(text: str, limit: int) -> int | None:
    """``text`` as a whole number from 0 to ``limit``, else None; never int() on a long
    text (a 5,000-digit one would take long, and Python refuses it)."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(limit)):
        return None
    number = int(text)
    return number if number <= limit else None


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    number = _whole(text, MAX_LIMIT)
    if number is None or number < 1:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not "
                         f"{text[:20]!r}", code="invalid_limit")
    return number


def list_query(request: Request, extra: tuple[str, ...] = ()) -> ListQuery:
    """The list parameters of ``request`` (``extra``: the other names the route takes)."""
    params = _params(request, LIST_PARAMETERS + extra)
    layout = params.get("layout") or None
    if layout is not None and layout not in CHANNELS:
        raise QueryError(f"layout must be {' or '.join(CHANNELS)}, not {layout[:40]!r}",
                         code="invalid_parameter", hint="layout=web or layout=mobile: the "
                                                        "channel whose list layout you want")
    return ListQuery(
        scene=params.get("scene") or None,
        filter=params.get("filter") or None,
        where=_where(params.get("where")),
        order_by=params.get("order_by") or None,
        limit=_limit(params.get("limit")),
        after=params.get("after") or None,
        include_deleted=_boolean(params, "include_deleted"),
        layout=layout,
    )


def _version(value: Any, *, source: str) -> int:
    """A version from the query string (text) or a JSON body (a whole number only), from 1
    to the largest version a record can reach."""
    number = _whole(value, INTEGER_LIMIT) if source == "query" else value
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= INTEGER_LIMIT:
        error = BadRequest if source == "query" else Unprocessable
        shown = repr(value)
        raise error(f"version must be a whole number from 1 to {INTEGER_LIMIT}, not "
                    f"{shown if len(shown) <= 30 else shown[:20] + '...'}",
                    code="invalid_version", parameter="version" if source == "query" else None,
                    hint="send the version of the record you last read")
    return number


def list_records(call: Call) -> Response:
    """GET /objects/{object}/records: one page of records; with ``layout=web|mobile``,
    the caller's list layout of that channel too (one request for a list screen)."""
    query = list_query(call.request, ("layout",))
    with call.session() as session:
        layout = session.layout(call.param("object"), channel=query.layout, kind="list") \
            if query.layout else None
        page = session.query(call.param("object"), query.where, order_by=query.order_by,
                             limit=query.limit, after=query.after,
                             include_deleted=query.include_deleted, filter=query.filter,
                             scene=query.scene)
    out: dict[str, Any] = {"records": page.records, "next": page.next}
    if layout is not None:
        out["layout"] = layout
    return JSONResponse(out)


def list_related(call: Call) -> Response:
    """GET /objects/{object}/records/{id}/related/{relationship}: one page of child records."""
    query = list_query(call.request)
    with call.session() as session:
        page = session.related(call.param("object"), call.param("record_id"),
                               call.param("relationship"), query.where,
                               order_by=query.order_by, limit=query.limit, after=query.after,
                               include_deleted=query.include_deleted, filter=query.filter,
                               scene=query.scene)
    return JSONResponse({"records": page.records, "next": page.next})


def create_records(call: Call) -> Response:
    """POST /objects/{object}/records: an object creates one record, an array many."""
    _params(call.request, ())
    name = call.param("object")
    if isinstance(call.body, list):
        if len(call.body) > MAX_BATCH:
            raise BadRequest(f"{len(call.body)} records in one request; at most {MAX_BATCH}",
                             code="batch_too_large", hint="split them into several requests")
        with call.session() as session:
            ids = session.create_many(name, call.body)
        return JSONResponse({"ids": ids}, status_code=201)
    with call.session() as session:
        record = session.create(name, call.body)
    location = call.request.url_for("record", object=name, record_id=record["id"])
    return JSONResponse(record, status_code=201, headers={"Location": str(location)})


def get_record(call: Call) -> Response:
    """GET /objects/{object}/records/{id}."""
    params = _params(call.request, ("include_deleted",))
    with call.session() as session:
        record = session.get(call.param("object"), call.param("record_id"),
                             include_deleted=_boolean(params, "include_deleted"))
    return JSONResponse(record)


def update_record(call: Call) -> Response:
    """PATCH /objects/{object}/records/{id}: changed fields plus the version last read."""
    _params(call.request, ())
    data = dict(call.body)
    if "version" not in data:
        raise Unprocessable("an update must say which version of the record it changes",
                            code="version_required",
                            hint='add the version you last read, e.g. {"version": 3, ...}')
    version = _version(data.pop("version"), source="body")
    with call.session() as session:
        record = session.update(call.param("object"), call.param("record_id"), data,
                                version=version)
    return JSONResponse(record)


def delete_record(call: Call) -> Response:
    """DELETE /objects/{object}/records/{id}[?version=N]: soft delete."""
    params = _params(call.request, ("version",))
    version = _version(params["version"], source="query") if "version" in params else None
    with call.session() as session:
        session.delete(call.param("object"), call.param("record_id"), version=version)
    return Response(status_code=204)


routes = [
    Route("/objects/{object}/records", by_method(
        GET=endpoint(list_records),
        POST=endpoint(create_records, body="object_or_list"),
    ), methods=["GET", "POST"], name="records"),
    Route("/objects/{object}/records/{record_id}", by_method(
        GET=endpoint(get_record),
        PATCH=endpoint(update_record, body="object"),
        DELETE=endpoint(delete_record),
    ), methods=["GET", "PATCH", "DELETE"], name="record"),
    Route("/objects/{object}/records/{record_id}/related/{relationship}",
          endpoint(list_related), methods=["GET"], name="related"),
]
