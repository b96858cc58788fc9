"""What the browser-UI tests share (Starlette TestClient, no browser): an app over the
example CRM with an internal sales rep and a dealer's buyer who have passwords, and
logging in through the login form. This module holds no tests; the fixtures are in
``tests/integration/conftest.py`` (``ui_site``)."""

from __future__ import annotations

import itertools
import os
import re
import warnings

from hulian.runtime.api import create_app

with warnings.catch_warnings():  # Starlette asks for httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery"
REP, MANAGER, BUYER, DEALER = "rep", "wang", "buyer", "Dealer A"
_addresses = itertools.count(1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def hidden_csrf(html: str) -> str:
    """The first ``csrf_token`` hidden field of a page."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no csrf_token field"
    return found.group(1)


class UISite:
    """The app, its people (``rep``: sales rep; ``buyer``: a dealer's buyer) and clients."""

    def __init__(self, engine, tenant, clock, **options):
        self.engine, self.tenant, self.clock = engine, tenant, clock
        people = engine.people(tenant)
        people.create_user(REP, display_name="Rep <b>Mei</b>", roles=["sales_rep"])
        people.create_user(MANAGER, display_name="Wang")
        people.create_enterprise(DEALER, partner_manager=MANAGER)
        people.create_user(BUYER, enterprise=DEALER, roles=["dealer_buyer"],
                           display_name="Xiao Li")
        for name in (REP, BUYER):
            people.set_password(name, PASSWORD)
        self.app = create_app(engine, clock=clock, **options)
        n = next(_addresses)
        self.address = f"10.{os.getpid() % 250}.{n // 250 % 250 + 100}.{n % 250 + 1}"

    def client(self, **headers) -> TestClient:
        client = TestClient(self.app, client=(self.address, 50000), follow_redirects=False)
        client.headers.update(headers)
        return client

    def login(self, client, username=REP, password=PASSWORD, tenant=None, path="/login",
              **fields):
        """Open the login page (for its CSRF token), then post the form."""
        page = client.get(path)
        assert page.status_code == 200, page.text
        form = {"csrf_token": hidden_csrf(page.text), "username": username,
                "password": password, **fields}
        if "/portal/" not in path:
            form["tenant"] = tenant or self.tenant
        return client.post(path, data=form)

    def logged_in(self, username=REP, **headers):
        client = self.client(**headers)
        response = self.login(client, username)
        assert response.status_code == 303, response.text
        return client
