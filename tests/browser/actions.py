"""What a person does in the UI, step by step, by the labels they read (docs/ui.md)."""

from __future__ import annotations

import re

from hulian.runtime import demo
from tests.browser.window import Window

RECORD_PATH = re.compile(r"^/app/o/(?P<object>\w+)/(?P<id>[\w-]+)$")


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
    window.page.get_by_role(role, name=name, exact=True).first.click()
    window.page.wait_for_load_state()


def record_id(window: Window) -> str:
    """The id of the record whose page is shown."""
    found = RECORD_PATH.match(window.path.split("?")[0])
    assert found, f"not a record page: {window.path}"
    return found["id"]


def choose_lookup(window: Window, label: str, search: str, choice: str, *, button: str) -> None:
    """Pick the record called ``choice`` for the lookup labelled ``label``: search for it as
    the form's search link offers (``button``: the Search button's name), click it."""
    page = window.page
    box = page.get_by_label(label, exact=True)
    box.locator("xpath=..").get_by_role("link", name=button).click()
    page.wait_for_load_state()
    page.get_by_role("searchbox").fill(search)
    window.shot(f"lookup {search}")
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("link", name=choice).first.click()
    page.wait_for_load_state()


def related(page, label: str):
    """The section of a record page headed ``label`` (a related list, history...)."""
    return page.locator("section", has=page.get_by_role("heading", name=label, exact=True))
