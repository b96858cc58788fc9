"""Scenario 4 (issue 16): every input of every form has a label, and a form can be
completed with the keyboard alone, the focus always visible."""

from __future__ import annotations

from hulian.runtime import demo
from tests.browser.actions import field, record_id, sign_in

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby') && !e.closest('fieldset legend'))
  .map(e => e.outerHTML.slice(0, 100))"""
FOCUS_SHOWN = """() => { const s = getComputedStyle(document.activeElement);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
         || s.boxShadow !== 'none'; }"""
MAX_TABS = 80


def unlabelled(window) -> list[str]:
    return window.page.evaluate(UNLABELLED)


def test_every_input_has_a_label(open_window, live):
    window = open_window(phone=False, locale="zh-CN")
    window.go("/login")
    assert unlabelled(window) == [], "login"
    sign_in(window, demo.SALES_REP)
    with live.engine.session(live.tenant, demo.SALES_REP) as session:
        opportunity = session.query("Opportunity", limit=1).records[0]
    for path in ("/app/o/Account/new", "/app/o/Opportunity/new", "/app/o/Order/new",
                 "/app/o/OrderLine/new", f"/app/o/Opportunity/{opportunity['id']}/edit",
                 f"/app/o/Opportunity/{opportunity['id']}", "/app/o/Opportunity",
                 "/account/password"):
        window.go(path)
        assert unlabelled(window) == [], path
    window.go("/app/o/Opportunity/new")
    window.shot("opportunity form")


def tab_to(window, accessible_name: str) -> None:
    """Press Tab until the focused element is called ``accessible_name`` (its label or
    text), checking at each stop that the focus can be seen."""
    page = window.page
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            return (e.labels && e.labels.length ? e.labels[0].innerText : e.innerText || '')
                   .trim(); }""")
        if focused != "" and page.evaluate("document.activeElement !== document.body"):
            assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {focused!r}"
        if focused.rstrip(" *") == accessible_name:
            return
    raise AssertionError(f"{accessible_name!r} cannot be reached with Tab")


def test_an_account_is_created_with_the_keyboard_alone(open_window):
    window = open_window(phone=False, locale="en-US")
    sign_in(window, demo.SALES_REP)
    window.go("/app/o/Account/new")
    page = window.page
    tab_to(window, "Account name")
    page.keyboard.type("Keyboard Trading Co.")
    tab_to(window, "Industry")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert field(page, "Industry").input_value() != ""
    tab_to(window, "Employees")
    page.keyboard.type("42")
    window.shot("filled with the keyboard")
    tab_to(window, "Save")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    window.shot("created")
    assert record_id(window)
    assert page.get_by_role("heading", name="Keyboard Trading Co.").is_visible()
