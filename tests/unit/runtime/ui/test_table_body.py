"""The list table's rows, built as HTML in Python: every value escaped, in text and in
attributes alike."""

from __future__ import annotations

from html.parser import HTMLParser

from hulian.runtime.ui.list_pages import table_body

EVIL = """<script>alert("x")</script>' onmouseover='x' "&amp;"""


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_values_ids_and_labels_are_escaped_everywhere() -> None:
    rows = [{"id": EVIL, "title": EVIL, "cells": [
        {"numeric": False, "is_name": True, "text": EVIL},
        {"numeric": True, "is_name": False, "text": EVIL},
        {"numeric": False, "is_name": False, "text": ""}]}]
    html = table_body(rows, "Thing", True, lambda key, name: f"Select {name}")
    parsed = Collect()
    parsed.feed(str(html))
    assert parsed.tags == ["tr", "td", "input", "td", "a", "td", "td"]  # no tag from a value
    assert ("value", EVIL) in parsed.attrs and ("aria-label", f"Select {EVIL}") in parsed.attrs
    assert ("href", f"/app/o/Thing/{EVIL}") in parsed.attrs
    assert parsed.text.count(EVIL) == 2  # the name cell's link and the plain cell
    assert {name for name, _ in parsed.attrs} == {"class", "type", "name", "value",
                                                  "aria-label", "href"}


def test_a_name_cell_without_text_links_with_the_id() -> None:
    rows = [{"id": "01ABC", "title": "01ABC", "cells": [
        {"numeric": False, "is_name": True, "text": ""}]}]
    assert str(table_body(rows, "Thing", False, None)) == \
        '<tr><td><a href="/app/o/Thing/01ABC">01ABC</a></td></tr>'
