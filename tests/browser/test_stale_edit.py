"""Scenario 3 (issue 16): two people edit the same record; the one who saves second gets
the conflict message and the current values, and saves again on top of them."""

from __future__ import annotations

from hulian.runtime import demo
from tests.browser.actions import click, field, record_id, sign_in

CONFLICT = "someone changed this record while you were editing it"


def test_a_stale_edit_shows_the_conflict_and_the_current_values(open_window, live):
    with live.engine.session(live.tenant, demo.SALES_REP) as session:
        account = session.query("Account", order_by="name", limit=1).records[0]
    edit = f"/app/o/Account/{account['id']}/edit"
    first = open_window(phone=False, locale="en-US", name="first")
    second = open_window(phone=False, locale="en-US", name="second")
    for window in (first, second):
        sign_in(window, demo.SALES_REP)
        window.go(edit)
        window.shot("edit")

    field(first.page, "Phone").fill("021-1111 1111")
    click(first, "button", "Save")
    assert record_id(first) == account["id"]
    first.shot("saved first")

    field(second.page, "Phone").fill("021-2222 2222")
    click(second, "button", "Save")
    alert = second.page.get_by_role("alert").filter(has_text=CONFLICT)
    assert alert.is_visible(), "the conflict is said, not a generic error"
    assert field(second.page, "Phone").input_value() == "021-1111 1111", \
        "the form shows what the record holds now"
    second.shot("conflict", doc="conflict-desktop")

    field(second.page, "Phone").fill("021-2222 2222")
    click(second, "button", "Save")
    assert record_id(second) == account["id"]
    assert second.page.get_by_text("021-2222 2222").is_visible()
    second.shot("saved again")
