"""The browser-test infrastructure itself: Chromium reaches the app served live, the world is
the demo's, and screenshots are saved at the sizes docs/ui.md shows."""

from __future__ import annotations

import struct

import pytest

from hulian.runtime import demo


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_chromium_reaches_the_live_app_and_saves_screenshots(open_window, tmp_path):
    window = open_window(phone=False)
    window.go("/api/v1/health")
    assert '"status":"ok"' in window.page.content().replace(" ", "")
    shot = window.shot("health", check=False)  # JSON, not a UI page
    assert shot == tmp_path / "screenshots" / "desktop" / "01-health.png"
    assert png_size(shot)[0] == 1280


GOOD_PHONE_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>订货通</h1><button style="min-height:48px">保存</button></body></html>"""


def test_a_phone_window_is_390_px_wide_and_says_it_is_a_phone(open_window):
    window = open_window(phone=True)
    window.page.set_content(GOOD_PHONE_PAGE)
    assert "Mobile" in window.page.evaluate("navigator.userAgent")
    assert png_size(window.shot("chinese"))[0] == 390


def test_the_phone_checks_catch_small_buttons_wide_pages_and_no_viewport(open_window):
    for broken, says in [
        (GOOD_PHONE_PAGE.replace("min-height:48px", "height:30px"), "tap targets under 44px"),
        (GOOD_PHONE_PAGE.replace("<h1>", '<h1 style="width:600px">'), "laid out 6..px wide"),
        (GOOD_PHONE_PAGE.replace('name="viewport"', 'name="nothing"'), "laid out 980px wide"),
    ]:
        window = open_window(phone=True)  # a page keeps the viewport it was laid out with
        window.page.set_content(broken)
        with pytest.raises(AssertionError, match=says):
            window.check("broken")


def test_the_world_is_the_demos_with_passwords(live):
    accounts = live.engine.accounts
    for username in (demo.DEALER_BUYER, demo.SALES_REP, demo.SALES_MANAGER):
        login = accounts.login(live.tenant, username, demo.DEMO_PASSWORDS[username])
        assert login is not None
    assert live.engine.people(live.tenant).user_roles(demo.SALES_REP) == ["sales_rep"]
