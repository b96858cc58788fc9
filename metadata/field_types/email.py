"""``email``: text shaped like name@example.com."""

from __future__ import annotations

import re

from hulian.metadata.field_types.text import TextType
from hulian.metadata.values import ValueProblem

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def check_email(value: str) -> None:
    if not EMAIL_RE.fullmatch(value):
        raise ValueProblem("invalid_email", f"{value!r} is not an email address",
                           "write it as name@example.com")


class Email(TextType):
    name = "email"
    widget = "email"
    default_max_length = 254
    max_length_limit = 254
    settings = ("max_length",)
    content_check = staticmethod(check_email)
    content_pattern = EMAIL_RE
    json_format = "email"
    derived = frozenset({"quote"})
    quoted_as = "email"
    names_records = False
    indexable = True


EMAIL = Email()
