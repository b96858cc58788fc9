"""Webhooks: subscriptions to a tenant's record changes, delivered by ``hulian worker``.

A subscription names an object, the events it wants (create, update, delete, restore, event), an
optional filter (a boolean formula over the record after the change), a URL and a secret.
Subscriptions are made through the admin API (:class:`~hulian.engine.webhooks.admin.WebhookAdmin`,
``engine.webhooks(tenant)``, ``/api/v1/admin/webhooks``) or declared in metadata
(``webhooks/<api_name>.json``, :mod:`hulian.metadata.kinds.webhooks`).

The worker reads each tenant's outbox (:mod:`hulian.engine.changes.outbox`) from each
subscription's position and POSTs the changes it takes, signed
(:mod:`~hulian.engine.webhooks.signing`), at least once, in order per record, with
exponential backoff and dead letters (:mod:`~hulian.engine.webhooks.delivery`); the URLs
it may reach are the installation's :class:`~hulian.engine.webhooks.urls.UrlPolicy`.
:func:`keep_from` tells the outbox's purge which changes are still needed.
"""

from hulian.engine.webhooks.admin import WebhookAdmin
from hulian.engine.webhooks.delivery import (
    DeliveryFailed,
    DeliverySettings,
    Dispatcher,
    PassReport,
    Transport,
)
from hulian.engine.webhooks.signing import signature_header, verify
from hulian.engine.webhooks.store import Subscription, keep_from
from hulian.engine.webhooks.urls import UrlPolicy, check_url, parse_hosts

__all__ = ["DeliveryFailed", "DeliverySettings", "Dispatcher", "PassReport", "Subscription",
           "Transport", "UrlPolicy", "WebhookAdmin", "check_url", "keep_from", "parse_hosts",
           "signature_header", "verify"]
