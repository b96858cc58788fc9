"""Webhooks (``webhooks/<api_name>.json``): an object's record changes, POSTed to a URL.

A webhook names the object, the events it wants (``create``, ``update``, ``delete``,
``restore``; all four when missing), an optional filter (a boolean formula over the record
as it stood right after the change; no ``$User``: a webhook has no reader), the URL and where
the worker finds the signing secret. The secret itself never sits in a pack (packs live in
git): ``secret_env`` names an environment variable of the worker, or an administrator sets
it through the admin API (``PATCH /api/v1/admin/webhooks/<api_name>``)::

    {"api_name": "erp_orders", "object": "Order", "events": ["create", "update"],
     "filter": "total_amount > 10000", "url": "https://erp.example.com/hulian/orders",
     "secret_env": "HULIAN_WEBHOOK_ERP_ORDERS"}

The ``hulian worker`` delivers them (:mod:`hulian.engine.webhooks`); which hosts it may
reach is the installation's setting, checked at deploy and at delivery, not the pack's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from hulian.metadata.kinds.base import (
    Document,
    DocumentKind,
    Formula,
    PackView,
    Report,
    Use,
    content,
)
from hulian.metadata.kinds.naming import Names

__all__ = ["EVENTS", "SCHEMES", "WEBHOOKS", "Webhook", "WebhookKind", "url_problem"]

EVENTS = ("create", "update", "delete", "restore")
SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Webhook(Document):
    object: str = ""
    events: tuple[str, ...] = EVENTS
    filter: str | None = None
    url: str = ""
    secret_env: str | None = None
    active: bool = True


def url_problem(url: str) -> tuple[str, str, str] | None:
    """(code suffix, message, hint) when ``url`` cannot be a webhook's URL: ``url_scheme``
    (not http or https) or ``invalid_url`` (no host, a user name or password, a bad port,
    spaces or control characters); None when its form is fine (the hosts the worker may
    reach are checked by the engine)."""
    parts = parse_url(url)
    if parts is None:
        return ("invalid_url", f"{url!r} is not a URL",
                "write an address such as https://erp.example.com/hulian/orders")
    if parts.scheme.lower() not in SCHEMES:
        return ("url_scheme", f"a webhook is delivered over http or https, not "
                              f"{parts.scheme or 'a URL without a scheme'}",
                "begin the URL with https:// (or http://)")
    if not parts.hostname:
        return ("invalid_url", f"{url!r} names no host",
                "write an address such as https://erp.example.com/hulian/orders")
    if parts.username is not None or parts.password is not None:
        return ("invalid_url", "the URL holds a user name or password, which would be stored "
                               "and shown with it",
                "leave them out: receivers check the X-Hulian-Signature header instead")
    return None


def parse_url(url: str) -> SplitResult | None:
    """The parts of ``url``; None when it is not one (spaces or control characters, a bad
    port or IPv6 address)."""
    if not url or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return None
    return parts


class WebhookKind(DocumentKind):
    name = "webhook"
    folder = "webhooks"
    schema = "webhook.schema.json"
    what = "a webhook"

    def build(self, doc: Mapping[str, Any], source: str) -> Webhook:
        return Webhook(api_name=doc["api_name"], source=source, document=content(doc),
                       object=doc["object"], events=tuple(doc.get("events", EVENTS)),
                       filter=doc.get("filter"), url=doc["url"],
                       secret_env=doc.get("secret_env"), active=doc.get("active", True))

    def check(self, doc: Mapping[str, Any], file: str, report: Report,
              pack: PackView) -> None:
        names = Names("webhook", f"the webhook {doc.get('api_name')!r}", report, pack)
        names.object(doc.get("object"), ("object",))
        url = doc.get("url")
        if isinstance(url, str) and url:
            found = url_problem(url)
            if found is not None:
                report.add(f"webhook.{found[0]}", ("url",), found[1], found[2])

    def formulas(self, doc: Mapping[str, Any]) -> Iterator[Formula]:
        if isinstance(doc.get("filter"), str) and isinstance(doc.get("object"), str):
            yield Formula(("filter",), doc["filter"], doc["object"], "boolean",
                          f"filter of webhook {doc.get('api_name')}",
                          "a filter is a condition that is true for the changes to deliver, "
                          "e.g. total_amount > 10000", reader=False)

    def uses(self, doc: Mapping[str, Any], pack: PackView) -> Iterator[Use]:
        obj = doc.get("object")
        if isinstance(obj, str):
            yield Use("object", obj, ("object",))


WEBHOOKS = WebhookKind()
