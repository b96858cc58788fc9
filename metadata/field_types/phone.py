"""``phone``: digits with spaces, ``+ ( ) - .`` and an optional extension."""

from __future__ import annotations

import re

from hulian.metadata.field_types.text import TextType
from hulian.metadata.values import ValueProblem

PHONE_RE = re.compile(r"^\+?[0-9(][0-9 ()\-.]*(?:\s*(?:x|ext\.?|#)\s*[0-9]+)?$", re.IGNORECASE)


def check_phone(value: str) -> None:
    if not PHONE_RE.fullmatch(value) or sum(c.isdigit() for c in value) < 3:
        raise ValueProblem("invalid_phone", f"{value!r} is not a phone number",
                           "use digits, spaces, + ( ) - . and an optional extension")


class Phone(TextType):
    name = "phone"
    widget = "tel"
    default_max_length = 40
    max_length_limit = 40
    settings = ("max_length",)
    content_check = staticmethod(check_phone)
    derived = frozenset({"quote"})
    quoted_as = "phone"
    names_records = False
    indexable = True


PHONE = Phone()
