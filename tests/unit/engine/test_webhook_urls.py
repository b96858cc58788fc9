"""Which URLs a webhook may reach (the installation's UrlPolicy), and the signature a
receiver checks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hulian.engine import WebhookError
from hulian.engine.webhooks import DeliverySettings, UrlPolicy, check_url, parse_hosts
from hulian.engine.webhooks.signing import signature_header, verify
from hulian.engine.webhooks.urls import check_address

PRODUCTION = UrlPolicy()
DEVELOPMENT = UrlPolicy(development=True)


@pytest.mark.parametrize("url", [
    "https://erp.example.com/hulian", "http://erp.example.com:8080/a?b=c",
    "https://8.8.8.8/hook", "https://[2001:4860:4860::8888]/hook", "HTTPS://ERP.Example.COM/",
])
def test_public_http_urls_pass(url):
    assert check_url(url, PRODUCTION)


@pytest.mark.parametrize(("url", "code"), [
    ("ftp://erp.example.com/", "webhook_url_scheme"),
    ("javascript:alert(1)", "webhook_url_scheme"),
    ("file:///etc/passwd", "webhook_url_scheme"),
    ("//erp.example.com/x", "webhook_url_scheme"),
    ("https://", "webhook_url_invalid"),
    ("https://user@erp.example.com/", "webhook_url_invalid"),
    ("https://erp.example.com:0x50/", "webhook_url_invalid"),
    ("https://erp.example.com/\nX-Evil: 1", "webhook_url_invalid"),
    ("https://[::1/", "webhook_url_invalid"),
    ("https://x.com/" + "a" * 2048, "webhook_url_invalid"),
    ("http://127.0.0.1/", "webhook_host_not_allowed"),
    ("http://127.1.2.3/", "webhook_host_not_allowed"),
    ("http://0.0.0.0/", "webhook_host_not_allowed"),
    ("http://LOCALHOST./", "webhook_host_not_allowed"),
    ("http://api.localhost/", "webhook_host_not_allowed"),
    ("http://172.16.0.9/", "webhook_host_not_allowed"),
    ("http://192.168.1.1/", "webhook_host_not_allowed"),
    ("http://100.64.0.1/", "webhook_host_not_allowed"),
    ("http://169.254.169.254/", "webhook_host_not_allowed"),
    ("http://[fe80::1]/", "webhook_host_not_allowed"),
    ("http://[fd00::1]/", "webhook_host_not_allowed"),
    ("http://[::ffff:127.0.0.1]/", "webhook_host_not_allowed"),
    ("http://224.0.0.1/", "webhook_host_not_allowed"),
])
def test_refused_urls_have_their_code(url, code):
    with pytest.raises(WebhookError) as refused:
        check_url(url, PRODUCTION)
    assert (refused.value.code, refused.value.parameter) == (code, "url")
    assert refused.value.hint


def test_development_allows_this_machine_and_private_networks():
    for url in ("http://127.0.0.1:9000/", "http://localhost/", "http://10.0.0.5/",
                "http://[::1]/"):
        assert check_url(url, DEVELOPMENT)


def test_the_allow_list_takes_names_and_domains():
    policy = UrlPolicy(parse_hosts(" ERP.example.com, *.partner.cn ,"))
    assert policy.hosts == ("erp.example.com", "*.partner.cn")
    for url in ("https://erp.example.com/", "https://partner.cn/", "https://a.b.partner.cn/"):
        assert check_url(url, policy)
    for url in ("https://example.com/", "https://evil-partner.cn/",
                "https://erp.example.com.evil.io/"):
        with pytest.raises(WebhookError, match="not among the hosts"):
            check_url(url, policy)


def test_a_listed_host_on_a_private_address_still_needs_development():
    policy = UrlPolicy(("127.0.0.1",))
    with pytest.raises(WebhookError, match="only in development"):
        check_url("http://127.0.0.1/", policy)
    assert check_url("http://127.0.0.1/", UrlPolicy(("127.0.0.1",), development=True))


def test_a_name_that_resolves_to_this_machine_is_refused_at_delivery():
    with pytest.raises(WebhookError) as refused:
        check_address("localhost", 80, PRODUCTION)
    assert refused.value.code == "webhook_host_not_allowed"
    check_address("localhost", 80, DEVELOPMENT)


def test_backoff_doubles_up_to_its_cap():
    settings = DeliverySettings(backoff=10, backoff_cap=60)
    assert [settings.delay(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 60, 60]
    assert settings.delay(10_000) == dt.timedelta(seconds=60)


@given(st.binary(max_size=200), st.integers(0, 2**40))
def test_a_signature_verifies_only_the_body_and_time_it_signed(body, timestamp):
    secret = "0123456789abcdef-secret"
    header = signature_header(secret, timestamp, body)
    assert verify(secret, header, body, now=timestamp)
    assert not verify(secret, header, body + b" ", now=timestamp)
    assert not verify(secret + "x", header, body, now=timestamp)
    assert not verify(secret, header, body, now=timestamp + 301)
    assert not verify(secret, header.replace(f"t={timestamp}", f"t={timestamp + 1}"), body,
                      now=timestamp)


def test_a_malformed_signature_header_does_not_verify():
    for header in ("", "t=abc,v1=00", "v1=00", "t=5", "garbage"):
        assert not verify("0123456789abcdef", header, b"{}", now=5)
