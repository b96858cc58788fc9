"""Fixtures of the REST login and password tests (test_rest_login.py,
test_rest_passwords.py): ``site`` and ``crm_site`` (an app with a moveable ``clock``,
argon2 at its cheapest cost); ``ui_site``; and ``webhook_world``, the example CRM with a
local webhook receiver."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from hulian.engine.system import passwords
from hulian.engine.system.people import ensure_tenant
from hulian.engine.webhooks import UrlPolicy
from tests.integration.login_support import Clock, make_site
from tests.integration.ui_support import UISite
from tests.integration.webhook_receiver import Receiver
from tests.integration.webhook_world import SECRET, World


@pytest.fixture
def cheap_hashing(monkeypatch):
    """Argon2 at its smallest cost: these tests check many logins, not the hash's strength
    (test_an_old_hash_is_upgraded_at_login uses the real parameters)."""
    monkeypatch.setattr(passwords, "HASHER",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def clock(cheap_hashing):
    return Clock()


@pytest.fixture
def site(engine, tenant, clock):
    """An app with a moveable clock and a client address of its own (throttling counts per
    address across tests), over a new tenant with nothing deployed; ``mei`` has a
    password."""
    with engine.db.begin() as conn:
        ensure_tenant(conn, tenant)
    return make_site(engine, tenant, clock)


@pytest.fixture
def crm_site(crm, clock):
    """The same over the example CRM pack (for the record endpoints)."""
    return make_site(*crm, clock)


@pytest.fixture
def ui_site(crm, clock):
    """The app with the browser UI over the example CRM, a sales rep and a dealer's buyer
    (tests/integration/ui_support.py)."""
    return UISite(*crm, clock)


@pytest.fixture
def webhook_world(crm, monkeypatch):
    """The example CRM with a local receiver the engine may send to (loopback allowed), as
    a :class:`tests.integration.webhook_world.World`; the receiver is closed after."""
    engine, tenant = crm
    monkeypatch.setattr(engine, "webhook_urls", UrlPolicy(development=True))
    receiver = Receiver(SECRET)
    yield World(engine, tenant, receiver)
    receiver.close()
