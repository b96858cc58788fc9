"""Administration routes of webhook subscriptions (administrators only, 403
``admin_required`` otherwise): list, create, read, change (pause and resume, URL, secret,
filter, events), delete; each subscription's deliveries with their status, and replays.

>>> # POST /api/v1/admin/webhooks {"name": "erp_orders", "object": "Order",
>>> #     "url": "https://erp.example.com/hulian", "secret": "...", "filter": "total_amount > 0"}
>>> # PATCH /api/v1/admin/webhooks/erp_orders {"active": false}
>>> # GET /api/v1/admin/webhooks/erp_orders/deliveries?status=dead
>>> # POST /api/v1/admin/webhooks/erp_orders/deliveries/1042/replay
>>> # POST /api/v1/admin/webhooks/erp_orders/replay {"from": 1000}

Each handler is one Engine call (:class:`hulian.engine.webhooks.WebhookAdmin`), one
transaction. A subscription never shows its secret, only its last four characters.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from hulian.engine.webhooks import WebhookAdmin
from hulian.engine.webhooks.admin import MAX_LIST, UNSET
from hulian.runtime.api.endpoint import Call, by_method, endpoint
from hulian.runtime.api.errors import BadRequest
from hulian.runtime.api.jsonio import JSONResponse
from hulian.runtime.api.records import _params, _whole

__all__ = ["routes"]

FIELDS = ("name", "object", "url", "secret", "events", "filter", "active")
CHANGEABLE = ("url", "secret", "events", "filter", "active")
MAX_CHANGE_ID = 2**63 - 1


def _hooks(call: Call) -> WebhookAdmin:
    assert call.user is not None, "admin routes are not public"
    return call.engine.webhooks(actor=call.user)


def _fields(call: Call, allowed: tuple[str, ...]) -> dict[str, Any]:
    body: dict[str, Any] = call.body
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(repr, unknown))}",
                         code="unknown_parameter", hint=f"send only: {', '.join(allowed)}")
    return body


def _change_id(text: str, name: str) -> int:
    number = _whole(text, MAX_CHANGE_ID)
    if number is None or number < 1:
        raise BadRequest(f"{name} must be a change id (a whole number from 1), not "
                         f"{text[:20]!r}", code="invalid_parameter")
    return number


def list_webhooks(call: Call) -> Response:
    """GET /admin/webhooks: every subscription, by name."""
    hooks = _hooks(call)
    _params(call.request, ())
    return JSONResponse({"webhooks": hooks.list()})


def create_webhook(call: Call) -> Response:
    """POST /admin/webhooks: {"name", "object", "url", "secret", "events"?, "filter"?,
    "active"?}."""
    hooks = _hooks(call)
    _params(call.request, ())
    body = _fields(call, FIELDS)
    missing = [key for key in ("name", "object", "url", "secret") if key not in body]
    if missing:
        raise BadRequest(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                         "required", code="invalid_parameter",
                         hint='send {"name", "object", "url", "secret"} at least')
    created = hooks.create(body["name"], object=body["object"], url=body["url"],
                           secret=body["secret"], events=body.get("events"),
                           filter=body.get("filter"), active=body.get("active", True))
    return JSONResponse(created, status_code=201)


def get_webhook(call: Call) -> Response:
    """GET /admin/webhooks/{name}."""
    hooks = _hooks(call)
    _params(call.request, ())
    return JSONResponse(hooks.get(call.param("name")))


def update_webhook(call: Call) -> Response:
    """PATCH /admin/webhooks/{name}: any of {"url", "secret", "events", "filter" (null:
    none), "active"}; a subscription declared in metadata takes only secret (null: back to
    its secret_env) and active (null: back to the metadata's)."""
    hooks = _hooks(call)
    _params(call.request, ())
    body = _fields(call, CHANGEABLE)
    if not body:
        raise BadRequest("the body changes nothing", code="invalid_parameter",
                         hint=f"send at least one of: {', '.join(CHANGEABLE)}")
    changes = {key: body.get(key, UNSET) for key in CHANGEABLE}
    return JSONResponse(hooks.update(call.param("name"), **changes))


def delete_webhook(call: Call) -> Response:
    """DELETE /admin/webhooks/{name}: the subscription and its deliveries."""
    hooks = _hooks(call)
    _params(call.request, ())
    hooks.delete(call.param("name"))
    return Response(status_code=204)


def list_deliveries(call: Call) -> Response:
    """GET /admin/webhooks/{name}/deliveries[?status=][&after=][&limit=]: in change
    order; ``next`` is the ``after`` of the next page (null: the last page)."""
    hooks = _hooks(call)
    params = _params(call.request, ("status", "after", "limit"))
    after = _whole(params.get("after", "0"), MAX_CHANGE_ID)
    if after is None:
        raise BadRequest("after must be a change id (a whole number)",
                         code="invalid_parameter")
    limit = _whole(params.get("limit", "100"), MAX_LIST)
    if limit is None or limit < 1:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIST}",
                         code="invalid_limit")
    found, more = hooks.deliveries(call.param("name"), status=params.get("status") or None,
                                   after=after, limit=limit)
    return JSONResponse({"deliveries": found, "next": more})


def replay_delivery(call: Call) -> Response:
    """POST /admin/webhooks/{name}/deliveries/{change_id}/replay: a dead letter again."""
    hooks = _hooks(call)
    _params(call.request, ())
    change_id = _change_id(call.param("change_id"), "change_id")
    return JSONResponse(hooks.replay(call.param("name"), change_id))


def replay_from(call: Call) -> Response:
    """POST /admin/webhooks/{name}/replay {"from": change_id}: every change from there."""
    hooks = _hooks(call)
    _params(call.request, ())
    body = _fields(call, ("from",))
    start = body.get("from")
    if isinstance(start, bool) or not isinstance(start, int):
        raise BadRequest("'from' is required: the change id to replay from",
                         code="invalid_parameter", hint='e.g. {"from": 1000}')
    return JSONResponse(hooks.replay_from(call.param("name"), start))


def _own(handler: Any, **options: Any) -> Any:
    return endpoint(handler, session=False, **options)


routes = [
    Route("/admin/webhooks", by_method(
        GET=_own(list_webhooks),
        POST=_own(create_webhook, body="object"),
    ), methods=["GET", "POST"], name="admin_webhooks"),
    Route("/admin/webhooks/{name}", by_method(
        GET=_own(get_webhook),
        PATCH=_own(update_webhook, body="object"),
        DELETE=_own(delete_webhook),
    ), methods=["GET", "PATCH", "DELETE"], name="admin_webhook"),
    Route("/admin/webhooks/{name}/deliveries", _own(list_deliveries), methods=["GET"],
          name="admin_webhook_deliveries"),
    Route("/admin/webhooks/{name}/deliveries/{change_id}/replay",
          _own(replay_delivery), methods=["POST"], name="admin_webhook_replay_delivery"),
    Route("/admin/webhooks/{name}/replay", _own(replay_from, body="object"),
          methods=["POST"], name="admin_webhook_replay"),
]
