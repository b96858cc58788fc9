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
