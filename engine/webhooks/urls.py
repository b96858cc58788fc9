"""Which URLs a webhook may be delivered to: the installation's :class:`UrlPolicy`.

A webhook URL is ``http://`` or ``https://``, with a host and no user name or password
(:func:`hulian.metadata.kinds.webhooks.url_problem`). Its host must then pass the policy:

- ``hosts``, the allow-list: host names (``erp.example.com``) or a domain and everything
  under it (``*.example.com``); empty: any host;
- loopback, private, link-local and other non-public addresses (``127.0.0.1``, ``10.x``,
  ``192.168.x``, ``::1``, ``localhost``...) only when ``development`` is on, whatever the
  allow-list says: a receiver on the same machine or network as hulian is the way a
  webhook reaches what it should not (the cloud's metadata service, the database).

The policy is checked where a URL is saved (admin API, deploy of a pack's webhooks) and
again by the worker before each delivery, on the addresses the host resolves to then
(:func:`check_address`), so a name that later resolves to a private address is refused too.
It is an option of the :class:`~hulian.engine.Engine` (``webhook_urls=``); the CLI sets it
from ``--development`` / ``--webhook-hosts`` or env ``HULIAN_DEVELOPMENT`` /
``HULIAN_WEBHOOK_HOSTS`` (docs/integration.md).

>>> check_url("https://erp.example.com/hooks", UrlPolicy(hosts=("*.example.com",)))
>>> check_url("http://127.0.0.1:9000/", UrlPolicy())               # doctest: +SKIP
Traceback (most recent call last):
WebhookError: ... (webhook_host_not_allowed)
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from hulian.engine.errors import DeployError, WebhookError
from hulian.metadata.kinds.webhooks import parse_url, url_problem
from hulian.metadata.model import Pack

__all__ = ["UrlPolicy", "check_address", "check_pack_urls", "check_url", "parse_hosts"]

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


@dataclass(frozen=True)
class UrlPolicy:
    """Where webhooks may go: ``hosts`` (the allow-list; empty: any host) and whether
    loopback and private addresses are allowed (``development``)."""

    hosts: tuple[str, ...] = ()
    development: bool = False

    def allows_host(self, host: str) -> bool:
        """Whether ``host`` (lower case) is on the allow-list (an empty list allows all)."""
        if not self.hosts:
            return True
        for pattern in self.hosts:
            if pattern.startswith("*."):
                if host == pattern[2:] or host.endswith(pattern[1:]):
                    return True
            elif host == pattern:
                return True
        return False


def parse_hosts(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """An allow-list from ``"erp.example.com, *.partner.cn"`` (or a list of patterns)."""
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    return tuple(item.strip().lower().rstrip(".") for item in items if item.strip())


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _refused(host: str, why: str, policy: UrlPolicy) -> WebhookError:
    if why == "list":
        return WebhookError(
            f"{host} is not among the hosts webhooks may reach",
            code="webhook_host_not_allowed", parameter="url",
            hint="allowed: " + ", ".join(policy.hosts) + " (the operator sets the list: "
                 "--webhook-hosts or HULIAN_WEBHOOK_HOSTS)")
    return WebhookError(
        f"{host} {why}: webhooks may reach it only in development",
        code="webhook_host_not_allowed", parameter="url",
        hint="use the receiver's public address; for a receiver on this machine, run "
             "hulian with --development (HULIAN_DEVELOPMENT=1)")


def check_url(url: str, policy: UrlPolicy) -> str:
    """The host of ``url`` (lower case) when a webhook may be delivered there; WebhookError
    ``webhook_url_scheme``, ``webhook_url_invalid`` or ``webhook_host_not_allowed``
    otherwise. Host names are not resolved here (:func:`check_address` does, at delivery)."""
    if not isinstance(url, str) or len(url) > 2048:
        raise WebhookError("url must be a text of at most 2,048 characters",
                           code="webhook_url_invalid", parameter="url",
                           hint="write an address such as https://erp.example.com/hulian")
    found = url_problem(url)
    if found is not None:
        code = "webhook_url_scheme" if found[0] == "url_scheme" else "webhook_url_invalid"
        raise WebhookError(found[1], code=code, hint=found[2], parameter="url")
    parts = parse_url(url)
    assert parts is not None and parts.hostname
    host = parts.hostname.lower().rstrip(".")
    if not policy.allows_host(host):
        raise _refused(host, "list", policy)
    if not policy.development:
        address = _literal(host)
        if host in LOCAL_NAMES or host.endswith(".localhost"):
            raise _refused(host, "is this machine (loopback)", policy)
        if address is not None and _not_public(address):
            raise _refused(host, "is a loopback, private or reserved address", policy)
    return host


def check_address(host: str, port: int, policy: UrlPolicy) -> None:
    """Before a delivery: WebhookError ``webhook_host_not_allowed`` when ``host`` resolves
    to a non-public address and ``development`` is off (or ``webhook_host_unresolved``
    when it does not resolve)."""
    if policy.development:
        return
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise WebhookError(f"{host} does not resolve: {exc}", code="webhook_host_unresolved",
                           parameter="url") from None
    for *_, sockaddr in found:
        address = _literal(str(sockaddr[0]).split("%", 1)[0])
        if address is not None and _not_public(address):
            raise _refused(host, f"resolves to {address}, a loopback, private or reserved "
                                 "address", policy)


def check_pack_urls(pack: Pack, policy: UrlPolicy) -> None:
    """Before a deploy: DeployError ``webhook_host_not_allowed`` listing each webhook of
    ``pack`` whose URL the policy refuses (their form is a metadata check)."""
    refused = []
    for webhook in pack.part("webhook"):
        try:
            check_url(webhook.url, policy)
        except WebhookError as error:
            refused.append({"change": f"webhook {webhook.api_name}: {error.message}",
                            "file": webhook.source, "pointer": "/url"})
    if refused:
        raise DeployError(f"{len(refused)} webhook URL(s) may not be reached: "
                          f"{refused[0]['change']}", code="webhook_host_not_allowed",
                          hint="use hosts the installation allows (--webhook-hosts, "
                               "HULIAN_WEBHOOK_HOSTS); loopback and private addresses only "
                               "with --development", changes=refused)
