"""REST authentication: bearer tokens name the tenant and the user."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import EXAMPLE_CRM
from tests.integration.test_rest_support import Api, body, error


@pytest.fixture
def api(crm):
    return Api(*crm)


def test_health_needs_no_token_and_names_the_database(api):
    response = api.client.get("/api/v1/health")
    assert response.status_code == 200
    assert body(response) == {"status": "ok", "database": api.engine.dialect}


def test_a_request_without_a_token_is_refused_with_a_bearer_challenge(api):
    response = api.client.get("/api/v1/objects")
    err = error(response, 401)
    assert err["code"] == "missing_token"
    assert "hulian token create" in err["hint"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_another_auth_scheme_is_refused(api):
    response = api.client.get("/api/v1/objects", headers={"Authorization": f"Basic {api.token}"})
    assert error(response, 401)["code"] == "invalid_auth_scheme"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_scheme_name_is_case_insensitive(api):
    response = api.client.get("/api/v1/objects", headers={"Authorization": f"bearer {api.token}"})
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["hl_" + "x" * 43, "not-a-token", "hl_" + "a" * 500])
def test_an_unknown_token_is_refused(api, token):
    response = api.get("/objects", token=token)
    assert error(response, 401)["code"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_stops_working(api):
    assert api.get("/objects").status_code == 200
    assert api.engine.accounts.revoke_token(api.token)
    assert error(api.get("/objects"), 401)["code"] == "invalid_token"


def test_an_expired_token_is_refused_and_says_so(api):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    token = api.engine.people(api.tenant).create_token("admin", expires_at=past)
    response = api.get("/objects", token=token)
    assert error(response, 401)["code"] == "token_expired"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_that_has_not_expired_yet_works(api):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    token = api.engine.people(api.tenant).create_token("admin", expires_at=later)
    assert api.get("/objects", token=token).status_code == 200


def test_records_are_written_as_the_token_user(api):
    user = api.engine.people(api.tenant).create_user("mei", display_name="Mei")
    mei = Api(api.engine, api.tenant, "mei")
    record = mei.create("Account", {"name": "Mei's account"})
    assert record["created_by"] == record["owner_id"] == user.id


def test_a_token_only_reaches_its_own_tenant(api, engine, tenant):
    other = f"{tenant}_other"
    engine.metadata(other).deploy(EXAMPLE_CRM)
    theirs = Api(engine, other).create("Account", {"name": "Other tenant's secret"})
    path = f"/objects/Account/records/{theirs['id']}"
    assert error(api.get(path), 404)["code"] == "record_not_found"
    assert api.list("Account")["records"] == []
    assert error(api.delete(path), 404)["code"] == "record_not_found"


def test_auth_is_checked_before_the_body_is_read(api):
    response = api.client.post("/api/v1/objects/Account/records", content=b"{not json")
    assert error(response, 401)["code"] == "missing_token"
