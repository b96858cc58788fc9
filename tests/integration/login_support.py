"""What the REST login and password tests share: a moveable clock and an app over a tenant
whose ``mei`` has a password (:func:`make_site`); the fixtures are in
``tests/integration/conftest.py``. This module holds no tests."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import warnings

from hulian.runtime.api import create_app
from hulian.runtime.api.auth import SESSION_COOKIE
from tests.integration.test_rest_support import body

with warnings.catch_warnings():  # Starlette asks for httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery"
_addresses = itertools.count(1)


class Clock:
    """The time the app sees; tests move it."""

    def __init__(self):
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def make_site(engine, tenant, clock):
    engine.people(tenant).create_user("mei", display_name="Mei")
    engine.people(tenant).set_password("mei", PASSWORD)
    return Site(engine, tenant, clock)


class Site:
    def __init__(self, engine, tenant, clock, **options):
        self.engine, self.tenant, self.clock = engine, tenant, clock
        self.app = create_app(engine, clock=clock, **options)
        n = next(_addresses)
        self.address = f"10.{os.getpid() % 250}.{n // 250 % 250}.{n % 250 + 1}"

    def client(self, address: str | None = None) -> TestClient:
        return TestClient(self.app, client=(address or self.address, 50000))

    def login(self, client, username="mei", password=PASSWORD, tenant=None, **headers):
        return client.post("/api/v1/auth/login", json={
            "tenant": tenant or self.tenant, "username": username, "password": password},
            headers=headers)

    def logged_in(self, username="mei", password=PASSWORD):
        """A client with a session cookie, and the session's CSRF token."""
        client = self.client()
        response = self.login(client, username, password)
        assert response.status_code == 200, response.text
        return client, body(response)["csrf_token"]


def _cookie(response) -> str:
    return next(v for k, v in response.headers.multi_items()
                if k == "set-cookie" and v.startswith(SESSION_COOKIE + "="))


def _attributes(cookie: str) -> dict[str, str]:
    parts = [p.strip() for p in cookie.split(";")]
    return {p.split("=")[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts[1:]}


