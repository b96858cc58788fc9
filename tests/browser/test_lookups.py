"""A lookup with script on: suggestions as you type, only the records its lookup filter
allows, shown in the flow of the form (they push the next field down rather than cover
its label), and no need for the no-script Search button."""

from __future__ import annotations

from hulian.runtime import demo
from tests.browser.actions import field, sign_in

INACTIVE = "Ball valve DN50"


def test_suggestions_follow_the_filter_and_cover_nothing(open_window):
    window = open_window(phone=False, locale="en-US")
    sign_in(window, demo.SALES_REP)
    window.go("/app/o/OrderLine/new")
    page = window.page
    assert not page.locator(".lookup-search").first.is_visible(), \
        "with script the suggestions replace the Search button"
    field(page, "Product").fill("")
    field(page, "Product").press_sequentially("0")
    results = page.locator("#field-product-results")
    results.get_by_role("button").first.wait_for()
    offered = results.get_by_role("button").all_inner_texts()
    assert INACTIVE not in offered, offered
    window.shot("suggestions")
    listed = results.bounding_box()
    below = page.locator("label[for='field-quantity']").bounding_box()
    assert listed is not None and below is not None
    assert listed["y"] + listed["height"] <= below["y"] or \
        listed["x"] + listed["width"] <= below["x"] or below["x"] + below["width"] <= listed["x"], \
        f"the suggestions {listed} cover the next field's label {below}"


def test_enter_in_a_field_saves_rather_than_searching(open_window):
    window = open_window(phone=False, locale="en-US")
    sign_in(window, demo.SALES_REP)
    window.go("/app/o/OrderLine/new")
    page = window.page
    page.evaluate("document.querySelectorAll('.lookup-search').forEach(b => b.hidden = false)")
    with page.expect_navigation():
        field(page, "Quantity").press("Enter")
    assert window.path == "/app/o/OrderLine/new", window.path
    assert page.locator(".error-summary").is_visible(), "the form was saved (and refused)"
