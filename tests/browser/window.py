"""A browser window on the app under test, with what every scenario checks on every page.

Screenshots go to ``<the test's tmp_path>/screenshots/<window>/NN-<step>.png``. The few
that docs/ui.md shows are named (``shot(step, doc="home-phone")``): with the environment
variable ``HULIAN_UI_SCREENSHOTS=<folder>`` they are copied there as ``<doc>.png``
(``make ui-screenshots`` refreshes docs/img/ui/).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Request, Response

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PHONE_USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
                    " (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
TAP_TARGET_PX = 44
"""The smallest height of a control a thumb must hit on a phone (issue 16)."""

_CONTROLS = ("button:visible, select:visible, a.button:visible, "
             "input:visible:not([type=hidden]):not([type=checkbox]):not([type=radio])")


@dataclass
class Window:
    """One browser context and its page: ``base`` is the app's URL, ``shots`` the folder."""

    page: Page
    base: str
    shots: Path
    name: str
    phone: bool
    problems: list[str] = field(default_factory=list)
    taken: list[Path] = field(default_factory=list)

    def listen(self) -> None:
        """Record what a person would not see but must not happen: console errors (a CSP
        violation is one), uncaught script errors, failed requests, a page answering 5xx
        and a stylesheet, script or image answering an error. A page's own 4xx (a 404
        page, a form re-rendered with 409 or 422) is the UI speaking: the browser's console
        line about it is not recorded; a request cancelled by the next navigation neither."""
        def console(message: ConsoleMessage) -> None:
            if message.type == "error" and not message.text.startswith(
                    "Failed to load resource: the server responded with a status of"):
                self.problems.append(f"console: {message.text}")

        def failed(request: Request) -> None:
            if request.failure != "net::ERR_ABORTED":
                self.problems.append(f"request failed: {request.url} {request.failure}")

        def answered(response: Response) -> None:
            document = response.request.resource_type == "document"
            if response.status >= 500 or (response.status >= 400 and not document):
                self.problems.append(f"{response.status} {response.url}")

        self.page.on("console", console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script: {error}"))
        self.page.on("requestfailed", failed)
        self.page.on("response", answered)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def status_of(self, path: str) -> int:
        """Open ``path`` and return the status it answered."""
        answer = self.page.goto(self.base + path)
        assert answer is not None
        return answer.status

    @property
    def path(self) -> str:
        """The current URL's path and query (without the app's base)."""
        url = self.page.url
        return url[len(self.base):] if url.startswith(self.base) else url

    def shot(self, step: str, *, check: bool = True, doc: str | None = None) -> Path:
        """Save a full-page screenshot of the current page as the next step (also as
        ``<doc>.png`` for the docs, see above), then check the page (see :meth:`check`)
        unless told not to (a page that is not the UI's)."""
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        target = self.shots / f"{len(self.taken) + 1:02d}-{slug}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=target, full_page=True)
        self.taken.append(target)
        copies = os.environ.get("HULIAN_UI_SCREENSHOTS")
        if copies and doc:
            Path(copies).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, Path(copies) / f"{doc}.png")
        if check:
            self.check(step)
        return target

    def check(self, step: str) -> None:
        """Every page: no console or script error, no failed request; on a phone, no
        horizontal scrolling and every control at least 44 px high."""
        assert not self.problems, f"{step}: {self.problems}"
        if not self.phone:
            return
        width = self.page.evaluate("window.innerWidth")
        assert width == PHONE["width"], \
            (f"{step}: laid out {width}px wide on a {PHONE['width']}px phone (no meta "
                 "viewport, or something wider than the screen)")
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{step}: the page scrolls sideways by {overflow}px on a phone"
        small = []
        for control in self.page.locator(_CONTROLS).all():
            box = control.bounding_box()
            if box is not None and box["height"] < TAP_TARGET_PX:
                small.append(f"{control.evaluate('e => e.outerHTML.slice(0, 80)')} "
                             f"({box['height']:.0f}px)")
        assert not small, f"{step}: tap targets under {TAP_TARGET_PX}px: {small}"

    def login(self, username: str, password: str, tenant: str | None = None) -> None:
        """Fill the login form on the current page as a person does, by the labels; the
        tenant only where the form asks for it (the portal's has it fixed)."""
        page = self.page
        zh = page.get_by_role("button", name="登录").count() > 0
        if tenant is not None:
            page.get_by_label("租户" if zh else "Tenant", exact=True).fill(tenant)
        page.get_by_label("用户名" if zh else "Username", exact=True).fill(username)
        page.get_by_label("密码" if zh else "Password", exact=True).fill(password)

    def submit_login(self) -> None:
        """Click "Log in" and wait for the page it leads to (a POST always answers with a
        page: the next one, or the form again) with the navigation timeout: a login hashes
        the password and opens the first page of a fresh session, which on the loaded CI
        machine once took more than the 10 s a click waits for its navigation."""
        page = self.page
        zh = page.get_by_role("button", name="登录").count() > 0
        with page.expect_navigation():
            page.get_by_role("button", name="登录" if zh else "Log in").click(
                no_wait_after=True)
        page.wait_for_load_state()
