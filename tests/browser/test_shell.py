"""The shell in a real browser: the language and channel switches are plain links that
work without script, the account menu logs out (a dealer back to their portal), and a
page asked for without a session leads to the login page and back."""

from __future__ import annotations

from hulian.runtime import demo
from tests.browser.actions import sign_in


def account_menu(window, name: str):
    """Open the header's account menu (the person's name) and return it."""
    menu = window.page.locator("details", has=window.page.get_by_text(name, exact=True))
    window.page.get_by_text(name, exact=True).first.click()
    return menu


def test_switching_language_and_channel_then_logging_out(open_window):
    window = open_window(phone=False, locale="zh-CN")
    sign_in(window, demo.SALES_REP)
    page = window.page
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name="EN", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert window.path.startswith("/app"), "the switch comes back to the same page"
    page.get_by_role("link", name="Mobile", exact=True).click()
    page.wait_for_load_state()
    assert "channel-mobile" in (page.locator("html").get_attribute("class") or "")
    window.shot("english mobile on a desktop")
    menu = account_menu(window, "Zhang (sales rep)")
    menu.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert window.path.startswith("/login")
    assert page.get_by_role("button", name="Log in").is_visible(), "the language is kept"
    window.shot("logged out")


def test_a_page_without_a_session_asks_to_log_in_and_comes_back(open_window):
    window = open_window(phone=False, locale="en-US")
    window.go("/account/password")
    assert window.path.startswith("/login?next=")
    window.login(demo.SALES_REP, demo.DEMO_PASSWORDS[demo.SALES_REP], tenant=demo.DEMO_TENANT)
    window.submit_login()
    assert window.path == "/account/password"
    window.shot("change password")


def test_a_wrong_password_says_so_once(open_window):
    window = open_window(phone=True, locale="zh-CN")
    window.go(f"/portal/{demo.DEMO_TENANT}")
    window.login(demo.DEALER_BUYER, "not-the-password")
    window.submit_login()
    page = window.page
    assert page.get_by_role("alert").count() == 1
    assert page.get_by_label("用户名", exact=True).input_value() == demo.DEALER_BUYER
    assert page.get_by_label("密码", exact=True).input_value() == ""
    window.shot("wrong password")
