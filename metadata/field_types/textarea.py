"""``textarea``: multi-line text, long enough that no index can hold it."""

from __future__ import annotations

from hulian.metadata.field_types.text import TextType


class Textarea(TextType):
    name = "textarea"
    widget = "textarea"
    default_max_length = 32768
    max_length_limit = 131072
    settings = ("max_length", "pattern")
    derived = frozenset({"quote"})
    quoted_as = "textarea"
    names_records = False
    indexable = False
    not_indexed = ("a textarea field cannot be indexed: its long values do not fit an index",
                   "remove indexed, or make it a text field (at most 1000 characters) if its "
                   "values are short")


TEXTAREA = Textarea()
