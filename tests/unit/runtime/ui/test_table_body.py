"""The list table's rows, built as HTML in Python: every value escaped, in text and in
attributes alike."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

from hulian.layouts.lists import list_heads
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


COLUMNS = [{"api_name": "name", "type": "text", "label": "Name", "is_name": True},
           {"api_name": "amount", "type": "number", "label": "Amount", "scale": 2},
           {"api_name": "note", "type": "text", "label": "Note"}]


def body(records: list[dict], pick: bool) -> str:
    heads = list_heads(COLUMNS, "en", {}, None)
    return str(table_body(records, heads, "Thing", pick, lambda key, name: f"Select {name}"))


def test_values_ids_and_labels_are_escaped_everywhere() -> None:
    html = body([{"id": EVIL, "name": EVIL, "amount": Decimal("1.5"), "note": EVIL}], True)
    parsed = Collect()
    parsed.feed(html)
    assert parsed.tags == ["tr", "td", "input", "td", "a", "td", "td"]  # no tag from a value
    assert ("value", EVIL) in parsed.attrs and ("aria-label", f"Select {EVIL}") in parsed.attrs
    assert ("href", f"/app/o/Thing/{EVIL}") in parsed.attrs
    assert parsed.text == [EVIL, "1.50", EVIL]  # the name's link, the number, the note
    assert {name for name, _ in parsed.attrs} == {"class", "type", "name", "value",
                                                  "aria-label", "href"}


def test_a_record_without_a_name_links_with_its_id() -> None:
    assert body([{"id": "01ABC", "name": None, "amount": None, "note": ""}], True) == (
        '<tr><td class="pick"><input type="checkbox" name="ids" value="01ABC" '
        'aria-label="Select 01ABC"></td><td><a href="/app/o/Thing/01ABC">01ABC</a></td>'
        '<td class="numeric"></td><td></td></tr>')
