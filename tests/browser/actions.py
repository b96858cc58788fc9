"""What a person does in the UI, step by step, by the labels they read (docs/ui.md)."""

from __future__ import annotations

import re

from hulian.runtime import demo
from tests.browser.window import Window

RECORD_PATH = re.compile(r"^/app/o/(?P<object>\w+)/(?P<id>[\w-]+)$")


def field(page, label: str):
    """The form input labelled ``label`` (a required field's label ends with a ``*``)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def sign_in(window: Window, username: str, *, portal: bool = False) -> None:
    """Log in as one of the demo's people: through the tenant's portal (tenant fixed) or
    the login page (tenant typed); lands on the shell."""
    window.go(f"/portal/{demo.DEMO_TENANT}" if portal else "/login")
    window.login(username, demo.DEMO_PASSWORDS[username],
                 tenant=None if portal else demo.DEMO_TENANT)
    window.shot("login", doc=f"login-{'phone' if window.phone else 'desktop'}")
    window.submit_login()
    assert window.path.startswith("/app"), f"after logging in: {window.path}"


def click(window: Window, role: str, name: str) -> None:
    """Click the one control of ``role`` (link, button) called ``name``, wait for the page."""
    with window.page.expect_navigation():
        window.page.get_by_role(role, name=name, exact=True).first.click()


def record_id(window: Window) -> str:
    """The id of the record whose page is shown."""
    found = RECORD_PATH.match(window.path.split("?")[0])
    assert found and found["id"] not in ("new", "bin"), f"not a record page: {window.path}"
    return found["id"]


def choose_lookup(window: Window, label: str, search: str, choice: str) -> None:
    """Pick the record called ``choice`` for the lookup labelled ``label``: type ``search``
    into it and click the suggestion, as a person does (the search as you type)."""
    page = window.page
    box = field(page, label)
    box.fill(search)
    suggestion = page.locator(".lookup-results").get_by_role("button", name=choice, exact=True)
    suggestion.wait_for()
    window.shot(f"lookup {search}")
    suggestion.click()
    assert box.input_value() == choice


def related(page, label: str):
    """The section of a record page headed ``label`` (a related list, history...)."""
    return page.locator("section", has=page.get_by_role("heading", name=label, exact=True))
