"""History times in the browser's time zone: the page's script tells the server the zone
(a ``tz`` cookie), and the next page shows times in it, with the offset."""

from __future__ import annotations

import re

from hulian.runtime import demo
from tests.browser.actions import click, related, sign_in


def test_history_times_follow_the_browsers_zone(open_window):
    window = open_window(phone=False, locale="en-US", timezone_id="Asia/Shanghai")
    sign_in(window, demo.SALES_REP)
    window.go("/app/o/Opportunity?scene=all")
    click(window, "link", "OPP-202612-0001")
    history = related(window.page, "History").inner_text()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00", history), history


def test_record_pages_show_moments_in_the_browsers_zone(open_window):
    window = open_window(phone=False, locale="en-US", timezone_id="Asia/Shanghai")
    sign_in(window, demo.SALES_REP)
    window.go("/app/o/Order?scene=all")
    window.page.locator('main a[href^="/app/o/Order/0"]').first.click()
    window.page.wait_for_load_state()
    text = window.page.inner_text("main")
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00", text), text  # created_at
    assert not re.search(r"\d\d:\d\d UTC(?!\+)", text), text  # nothing left in UTC
