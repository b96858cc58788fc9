"""While its downstream enterprise is deactivated, an interconnect user cannot sign in in
any way: a login (even with the right password) answers exactly as a wrong password and
counts towards the throttle, an API token as an unknown one, a login session is ended and
``Engine.session`` refuses them as a deactivated user. Reactivated, they are back. Over
REST and the Python API, on both databases.

People: ``pm`` (internal) is the partner manager of Dealer A, whose ``buyer`` has a
password, an API token and an order.
"""

from __future__ import annotations

import pytest

from hulian.engine import NotFoundError, UnauthenticatedError
from hulian.engine.system import throttle
from hulian.runtime.api.auth import SESSION_COOKIE
from tests.integration.login_support import PASSWORD, Site
from tests.integration.test_rest_support import body, error
from tests.packs import documents, field, label, obj, pack_of

DOCS = documents(obj("Order", field("name", "text"),
                     data_permission={"internal": "private", "external": "private"}))
DOCS["roles/dealer_buyer.json"] = {"api_name": "dealer_buyer", "label": label("Buyer"),
                                   "kind": "interconnect",
                                   "objects": {"Order": {"read": True, "create": True}}}
DOCS["apps/order.json"] = {"api_name": "order", "label": label("Order"), "objects": ["Order"],
                           "roles": ["dealer_buyer"]}
UNKNOWN_TOKEN = "hl_" + "x" * 43


class Dealer:
    def __init__(self, engine, tenant, clock):
        self.engine, self.tenant = engine, tenant
        engine.metadata(tenant).deploy(pack_of(DOCS))
        engine.people(tenant).create_user("pm")
        engine.people(tenant).create_enterprise("Dealer A", partner_manager="pm")
        self.buyer = engine.people(tenant).create_user("buyer", enterprise="Dealer A",
                                        roles=["dealer_buyer"])
        engine.people(tenant).set_password("buyer", PASSWORD)
        self.token = engine.people(tenant).create_token("buyer")
        with engine.session(tenant, "buyer") as s:
            s.create("Order", {"name": "buyer's"})
        self.site = Site(engine, tenant, clock)

    def active(self, active: bool) -> None:
        self.engine.people(self.tenant).update_enterprise("Dealer A", active=active)

    def orders(self, token: str):
        return self.site.client().get("/api/v1/objects/Order/records",
                                      headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def dealer(engine, tenant, clock) -> Dealer:
    return Dealer(engine, tenant, clock)


def answer(response) -> tuple:
    """What a client can tell of a login's answer."""
    return (response.status_code, body(response), response.headers.get("www-authenticate"),
            SESSION_COOKIE in response.headers.get("set-cookie", ""))


def test_a_login_answers_exactly_as_a_wrong_password(dealer):
    site = dealer.site
    dealer.active(False)
    right = site.login(site.client(), "buyer", PASSWORD)
    wrong = site.login(site.client(), "buyer", "not the password")
    assert answer(right) == answer(wrong)
    assert error(right, 401)["code"] == "invalid_credentials"
    dealer.active(True)
    assert site.login(site.client(), "buyer", PASSWORD).status_code == 200


def test_refused_logins_count_towards_the_throttle_like_wrong_passwords(dealer):
    site, client = dealer.site, dealer.site.client()
    dealer.active(False)
    for _ in range(throttle.PER_USER - 1):   # the right password, refused: failures
        assert error(site.login(client, "buyer", PASSWORD), 401)["code"] == \
            "invalid_credentials"
    assert error(site.login(client, "buyer", "not the password"), 401)["code"] == \
        "invalid_credentials"
    dealer.active(True)
    assert error(site.login(client, "buyer", PASSWORD), 429)["code"] == "login_throttled"
    site.clock.advance(minutes=15)
    assert site.login(client, "buyer", PASSWORD).status_code == 200


def test_the_python_login_refuses_like_a_wrong_password(dealer):
    engine, tenant = dealer.engine, dealer.tenant
    dealer.active(False)
    refused = []
    for password in (PASSWORD, "not the password"):
        with pytest.raises(UnauthenticatedError) as caught:
            engine.accounts.login(tenant, "buyer", password)
        refused.append(caught.value.to_dict())
    assert refused[0] == refused[1] and refused[0]["code"] == "invalid_credentials"
    dealer.active(True)
    assert engine.accounts.login(tenant, "buyer", PASSWORD).user.id == dealer.buyer.id


def test_a_token_answers_as_an_unknown_one_until_the_enterprise_is_back(dealer):
    engine = dealer.engine
    assert [r["name"] for r in body(dealer.orders(dealer.token))["records"]] == ["buyer's"]
    dealer.active(False)
    assert answer(dealer.orders(dealer.token)) == answer(dealer.orders(UNKNOWN_TOKEN))
    assert error(dealer.orders(dealer.token), 401)["code"] == "invalid_token"
    refused = []
    for token in (dealer.token, UNKNOWN_TOKEN):
        with pytest.raises(UnauthenticatedError) as caught:
            engine.accounts.authenticate(token)
        refused.append(caught.value.to_dict())
    assert refused[0] == refused[1]
    dealer.active(True)
    assert engine.accounts.authenticate(dealer.token) == dealer.buyer
    assert [r["name"] for r in body(dealer.orders(dealer.token))["records"]] == ["buyer's"]


def test_a_login_session_ends_and_stays_ended(dealer):
    site = dealer.site
    cookie = site.logged_in("buyer")[0].cookies[SESSION_COOKIE]

    def me():
        client = site.client()
        client.cookies.set(SESSION_COOKIE, cookie)
        return client.get("/api/v1/auth/me")
    assert me().status_code == 200
    dealer.active(False)
    assert error(me(), 401)["code"] == "invalid_session"
    dealer.active(True)
    assert error(me(), 401)["code"] == "invalid_session"


@pytest.mark.parametrize("by", ["username", "user"])
def test_no_session_opens_for_the_user(dealer, by):
    engine, tenant = dealer.engine, dealer.tenant
    who = "buyer" if by == "username" else dealer.buyer
    dealer.active(False)
    with pytest.raises(NotFoundError) as caught, engine.session(tenant, who):
        pass
    assert caught.value.code == "unknown_user"
    engine.people(tenant).update_user("buyer", active=False)   # as for a deactivated user
    with pytest.raises(NotFoundError) as inactive, engine.session(tenant, who):
        pass
    assert inactive.value.to_dict() == caught.value.to_dict()
    engine.people(tenant).update_user("buyer", active=True)
    dealer.active(True)
    with engine.session(tenant, who) as s:
        assert [r["name"] for r in s.query("Order")] == ["buyer's"]
