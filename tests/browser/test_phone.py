"""The header and the list's scene chips on a 390 px phone: the header stays one row, the
scene chips all fit on the screen, the account menu has a name a screen reader reads
(and holds Log out), and a dealer is not offered the scene of subordinates they cannot
have."""

from __future__ import annotations

from hulian.runtime import demo
from tests.browser.actions import sign_in


def test_the_phone_header_is_one_row_and_the_account_menu_has_a_name(open_window):
    window = open_window(phone=True, locale="zh-CN")
    sign_in(window, demo.DEALER_BUYER, portal=True)
    page = window.page
    brand = page.locator(".topbar .brand").bounding_box()
    menu = page.get_by_label("账户与登出", exact=True)
    avatar = menu.bounding_box()
    assert brand is not None and avatar is not None
    assert avatar["y"] < brand["y"] + brand["height"], \
        f"the account menu wraps to a second row: {avatar} below {brand}"
    window.shot("header")
    menu.click()
    assert page.get_by_role("button", name="登出", exact=True).is_visible()


def test_scene_chips_fit_and_a_dealer_has_no_subordinates_scene(open_window):
    window = open_window(phone=True, locale="zh-CN")
    sign_in(window, demo.DEALER_BUYER, portal=True)
    window.go("/app/o/Order")
    page = window.page
    chips = page.locator("nav.scenes a")
    names = [c.inner_text() for c in chips.all()]
    assert names and not any("下属" in n for n in names), names
    for chip in chips.all():
        box = chip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, \
            f"{chip.inner_text()!r} is cut off at {box}"
    window.shot("scenes", doc="orders-phone")
