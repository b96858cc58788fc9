"""Browser tests: Debian's Chromium driven by Playwright, against the app served live.

Recipe: /work/shared/BROWSER_TESTS.md, docs/development.md ("Browser tests"). Chromium is
never downloaded: ``make test`` installs Debian's ``chromium`` and ``fonts-noto-cjk``
(.ci/ensure-browser); without them these tests fail and say how to install them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hulian.runtime import demo
from tests.browser.live import LiveServer, copy_world, demo_world, serving
from tests.browser.window import DESKTOP, PHONE, PHONE_USER_AGENT, Window

ACTION_TIMEOUT_MS = 30_000
"""How long a step waits for what it looks for, and a click for the page it opens. It was
10 s, to report a missing control sooner, but three full runs on the loaded 2-core CI
machine each had one click whose page took over 10 s to come (a login, a record page; each
takes about 1 s alone and passed in every run of its module alone or beside other tests),
so a step now waits as long as a page load."""
NAVIGATION_TIMEOUT_MS = 30_000
"""How long a page may take to load: a module's first page on a fresh server compiles the
tenant's schema, and on a loaded CI machine running the whole suite one took over 10 s."""
INSTALL = ("run `make browser` (or `apt-get install chromium fonts-noto-cjk`) and "
           "`make install` (pip playwright, from the test extra); never `playwright install`")


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(f"Debian's Chromium is not installed: {INSTALL}", pytrace=False)
    return found


def has_cjk_fonts() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                            check=False).stdout
    return "CJK" in listed


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """One Chromium for the browser tests (a fresh context per window). Package scope, not
    session: playwright's sync API keeps an asyncio loop running in the main thread until
    it stops, and the tests after these (anyio.run over the ASGI app) need that thread
    free."""
    path = chromium_path()
    if not has_cjk_fonts():
        pytest.fail(f"the Noto CJK fonts are not installed (Chinese would show as boxes): "
                    f"{INSTALL}", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"the Python package playwright is missing: {INSTALL}", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo's world of the example CRM (its sample data, people with passwords) built
    once, in a closed SQLite file that modules copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo_world(path).close()
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory, demo_template) -> Iterator[LiveServer]:
    """The demo's world in a fresh copy of the template, served on a free loopback port for
    the module's tests."""
    engine = copy_world(demo_template, tmp_path_factory.mktemp("ui") / "ui.db")
    with serving(engine, demo.DEMO_TENANT) as server:
        yield server


@pytest.fixture
def open_window(browser, live, tmp_path, request) -> Iterator[Callable[..., Window]]:
    """``open_window(phone=True|False, locale="zh-CN", timezone_id=None)``: a new browser
    context (own cookies; the browser's time zone when given) on the app; a phone is
    390x844 with a phone's User-Agent and touch, a desktop
    1280x800. Screenshots go to the test's tmp_path/screenshots."""
    contexts = []
    test = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")

    def open_(*, phone: bool, locale: str = "zh-CN", name: str | None = None,
              timezone_id: str | None = None) -> Window:
        options = {"viewport": PHONE, "user_agent": PHONE_USER_AGENT, "is_mobile": True,
                   "has_touch": True} if phone else {"viewport": DESKTOP}
        if timezone_id is not None:
            options["timezone_id"] = timezone_id
        context = browser.new_context(locale=locale, **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        label = name or ("phone" if phone else "desktop")
        window = Window(context.new_page(), live.url, tmp_path / "screenshots" / label,
                        f"{test}-{label}", phone)
        window.listen()
        return window

    yield open_
    for context in contexts:
        context.close()
