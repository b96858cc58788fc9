"""``url``: a web address, kept as entered (hulian adds no scheme)."""

from __future__ import annotations

from urllib.parse import urlsplit

from hulian.metadata.field_types.text import TextType
from hulian.metadata.values import ValueProblem


def check_url(value: str) -> None:
    problem = ValueProblem("invalid_url", f"{value!r} is not a web address",
                           "write it as https://example.com/path")
    try:
        parts = urlsplit(value if "://" in value else "http://" + value)
        hostname = parts.hostname
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 address)
        raise problem from None
    if parts.scheme not in ("http", "https") or not hostname or any(c.isspace() for c in value) \
            or ("." not in hostname and hostname != "localhost"):
        raise problem


class Url(TextType):
    name = "url"
    widget = "url"
    default_max_length = 2048
    max_length_limit = 2048
    settings = ("max_length",)
    content_check = staticmethod(check_url)
    # not format: uri, which needs a scheme that hulian does not
    json_note = ("A web address as entered: https://example.com/path, or a bare host name "
                 "such as example.com.")
    derived = frozenset({"quote"})
    quoted_as = "url"
    names_records = False
    indexable = True


URL = Url()
