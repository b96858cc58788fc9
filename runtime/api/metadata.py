"""The metadata API (administrators only, 403 ``admin_required`` otherwise): read the
effective metadata and the tenant's overlay, change overlay documents with a dry run
first, deploy, and the versions: history, diff, rollback, export.

>>> # GET  /api/v1/admin/metadata                      effective metadata + installed packs
>>> # GET  /api/v1/admin/metadata/overlay              the overlay's documents
>>> # PUT  /api/v1/admin/metadata/overlay/extensions/Order.json?dry_run=true&base=3  {...}
>>> # POST /api/v1/admin/metadata/overlay  {"put": {...}, "delete": [...], "base": 3}
>>> # GET  /api/v1/admin/metadata/versions ; /diff?from=2&to=3 ; POST /rollback {"to": 2}

Every change is :meth:`hulian.engine.admin.MetadataAdmin.change_overlay`: the same deploy
as ``hulian deploy`` (problems at ``overlay/<path>`` and a JSON pointer, the plan with its
data checks, one transaction). The Salesforce Metadata API and Twenty's metadata API
served as anchors: documents in, a plan and problems out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.admin import MetadataAdmin
from hulian.engine.deploy.report import DeployReport
from hulian.engine.errors import NotFoundError
from hulian.metadata.problems import MetadataError
from hulian.runtime.api.endpoint import Call, by_method, endpoint
from hulian.runtime.api.errors import BadRequest
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _boolean, _params, _whole

__all__ = ["routes"]

MAX_VERSION = 2**31 - 1


def _admin(call: Call) -> MetadataAdmin:
    assert call.user is not None, "admin routes are not public"
    return call.engine.metadata(actor=call.user)


def _version(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    number = _whole(text, MAX_VERSION)
    if number is None or number < 1:
        raise BadRequest(f"{name} must be a version number (a whole number from 1), not "
                         f"{text[:20]!r}", code="invalid_parameter", parameter=name)
    return number


def _body_version(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VERSION:
        raise BadRequest(f"{name!r} must be a version number (a whole number from 1 to "
                         f"{MAX_VERSION})",
                         code="invalid_parameter", parameter=name)
    return value


@contextmanager
def _problems_in_details() -> Iterator[None]:
    """Metadata problems, said for an API client: they are all in ``details`` (the CLI's
    hint, "run hulian validate", is for files)."""
    try:
        yield
    except MetadataError as error:
        error.hint = "every problem is in details, each at its file and JSON pointer"
        raise


def _report(report: DeployReport) -> Response:
    return JSONResponse({**report.to_dict(), "lines": report.lines()})


def get_metadata(call: Call) -> Response:
    """GET /admin/metadata: the effective metadata (snapshot documents) and its layers."""
    _params(call.request, ())
    state = _admin(call).overlay()
    return JSONResponse({"version": state.version, "packs": state.packs,
                         "has_overlay": state.has_overlay, "snapshot": state.snapshot,
                         "documents": state.effective})


def get_overlay(call: Call) -> Response:
    """GET /admin/metadata/overlay: the overlay's documents by path."""
    _params(call.request, ())
    state = _admin(call).overlay()
    return JSONResponse({"version": state.version, "has_overlay": state.has_overlay,
                         "documents": state.documents})


def get_document(call: Call) -> Response:
    """GET /admin/metadata/overlay/{path}: one overlay document."""
    _params(call.request, ())
    state = _admin(call).overlay()
    path = call.param("path")
    found = state.document(path)
    if found is None:
        raise NotFoundError(f"the overlay has no document {path!r}",
                            code="overlay_document_not_found",
                            hint="GET /admin/metadata/overlay lists its documents")
    return JSONResponse({"version": state.version, "path": path, "document": found})


def put_document(call: Call) -> Response:
    """PUT /admin/metadata/overlay/{path}[?dry_run=&base=]: the body becomes the document."""
    params = _params(call.request, ("dry_run", "base"))
    with _problems_in_details():
        report = _admin(call).change_overlay({call.param("path"): call.body},
                                             base=_version(params.get("base"), "base"),
                                             dry_run=_boolean(params, "dry_run"))
    return _report(report)


def delete_document(call: Call) -> Response:
    """DELETE /admin/metadata/overlay/{path}[?dry_run=&base=]."""
    params = _params(call.request, ("dry_run", "base"))
    path = call.param("path")
    admin = _admin(call)
    if admin.overlay().document(path) is None:
        raise NotFoundError(f"the overlay has no document {path!r}",
                            code="overlay_document_not_found",
                            hint="GET /admin/metadata/overlay lists its documents")
    with _problems_in_details():
        report = admin.change_overlay(delete=[path],
                                      base=_version(params.get("base"), "base"),
                                      dry_run=_boolean(params, "dry_run"))
    return _report(report)


def change_overlay(call: Call) -> Response:
    """POST /admin/metadata/overlay: {"put": {path: document}, "delete": [path],
    "base": 3, "dry_run": false}, several documents in one deploy."""
    _params(call.request, ())
    body: dict[str, Any] = call.body
    unknown = sorted(set(body) - {"put", "delete", "base", "dry_run"})
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(repr, unknown))}",
                         code="unknown_parameter", hint="send put, delete, base, dry_run")
    put = body.get("put", {})
    delete = body.get("delete", [])
    if not isinstance(put, dict) or not isinstance(delete, list) \
            or not all(isinstance(p, str) for p in delete):
        raise BadRequest("put maps document paths to documents; delete lists paths",
                         code="invalid_parameter",
                         hint='{"put": {"extensions/Order.json": {...}}, "delete": []}')
    if not put and not delete:
        raise BadRequest("the body changes nothing", code="invalid_parameter",
                         hint="send put and/or delete")
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise BadRequest("'dry_run' must be true or false", code="invalid_parameter")
    with _problems_in_details():
        report = _admin(call).change_overlay(put, delete, base=_body_version(body, "base"),
                                             dry_run=dry_run)
    return _report(report)


def list_versions(call: Call) -> Response:
    """GET /admin/metadata/versions: every deployed version, newest first."""
    _params(call.request, ())
    rows = _admin(call).history()
    return JSONResponse({"versions": list(reversed(rows))})


def diff(call: Call) -> Response:
    """GET /admin/metadata/diff?from=N[&to=M]: what changed from version N to M (newest)."""
    params = _params(call.request, ("from", "to"))
    if "from" not in params:
        raise BadRequest("from is required: a version number", code="invalid_parameter",
                         parameter="from")
    start = _version(params["from"], "from")
    assert start is not None
    comparison = _admin(call).diff(start, _version(params.get("to"), "to"))
    return JSONResponse({"steps": [s.to_dict() for s in comparison.steps],
                         "refused": list(comparison.refused), "uses": list(comparison.uses),
                         "lines": comparison.lines()})


def rollback(call: Call) -> Response:
    """POST /admin/metadata/rollback: {"to": N, "dry_run": false}."""
    _params(call.request, ())
    body: dict[str, Any] = call.body
    to = _body_version(body, "to")
    if to is None:
        raise BadRequest("'to' is required: the version to deploy again",
                         code="invalid_parameter", hint='e.g. {"to": 2}')
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise BadRequest("'dry_run' must be true or false", code="invalid_parameter")
    return _report(_admin(call).rollback(to, dry_run=dry_run))


def export(call: Call) -> Response:
    """GET /admin/metadata/export[?of=overlay|snapshot]: the documents `hulian export`
    writes, by path (``overlay``, the default: the tenant pack a consultant keeps in git;
    ``snapshot``: the whole effective metadata)."""
    params = _params(call.request, ("of",))
    of = params.get("of", "overlay")
    if of not in ("overlay", "snapshot"):
        raise BadRequest(f"of must be overlay or snapshot, not {of[:20]!r}",
                         code="invalid_parameter", parameter="of")
    state = _admin(call).overlay()
    documents = state.documents if of == "overlay" else state.effective
    return JSONResponse({"version": state.version, "of": of, "documents": documents})


def _own(handler: Any, **options: Any) -> Any:
    return endpoint(handler, session=False, **options)


class DocumentPath(Convertor[str]):
    """An overlay document's path in a URL: any characters, line breaks included (Starlette's
    ``path`` stops at one, and such a URL then answered as if no route matched); the engine
    says what is wrong with a path that names no document."""

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("document_path", DocumentPath())

routes = [
    Route("/admin/metadata", _own(get_metadata), methods=["GET"], name="admin_metadata"),
    Route("/admin/metadata/overlay", by_method(
        GET=_own(get_overlay),
        POST=_own(change_overlay, body="object"),
    ), methods=["GET", "POST"], name="admin_metadata_overlay"),
    Route("/admin/metadata/overlay/{path:document_path}", by_method(
        GET=_own(get_document),
        PUT=_own(put_document, body="object"),
        DELETE=_own(delete_document),
    ), methods=["GET", "PUT", "DELETE"], name="admin_metadata_document"),
    Route("/admin/metadata/versions", _own(list_versions), methods=["GET"],
          name="admin_metadata_versions"),
    Route("/admin/metadata/diff", _own(diff), methods=["GET"], name="admin_metadata_diff"),
    Route("/admin/metadata/rollback", _own(rollback, body="object"), methods=["POST"],
          name="admin_metadata_rollback"),
    Route("/admin/metadata/export", _own(export), methods=["GET"],
          name="admin_metadata_export"),
]
