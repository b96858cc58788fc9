"""Data permissions over REST: what another user's token may read and change."""

from __future__ import annotations

import pytest

from tests.integration.test_rest_support import Api, body, error
from tests.packs import documents, field, obj, pack_of

DOCS = documents(
    obj("Secret", field("name", "text"), data_permission={"internal": "private"}),
    obj("Notice", field("name", "text"), data_permission={"internal": "company_read"}),
)


@pytest.fixture
def people(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_user("owner")
    engine.people(tenant).create_user("other")
    return Api(engine, tenant, "owner"), Api(engine, tenant, "other"), Api(engine, tenant)


def test_other_users_see_exactly_what_the_level_allows(people):
    owner, other, admin = people
    secret = owner.create("Secret", {"name": "s"})
    notice = owner.create("Notice", {"name": "n"})
    secret_url = f"/objects/Secret/records/{secret['id']}"
    missing_url = "/objects/Secret/records/01NOSUCHRECORD0000000000000"
    hidden, missing = error(other.get(secret_url), 404), error(other.get(missing_url), 404)
    assert hidden["code"] == missing["code"] == "record_not_found"
    assert hidden["message"].replace(secret["id"], "X") == \
        missing["message"].replace("01NOSUCHRECORD0000000000000", "X")
    refused = other.patch(secret_url, {"name": "x", "version": 1})
    assert error(refused, 404)["code"] == "record_not_found"
    assert other.list("Secret")["records"] == []
    notice_url = f"/objects/Notice/records/{notice['id']}"
    assert body(other.get(notice_url))["name"] == "n"
    assert error(other.patch(notice_url, {"name": "x", "version": 1}), 403)["code"] == "edit_denied"
    assert error(other.delete(notice_url), 403)["code"] == "edit_denied"
    assert body(admin.get(secret_url))["name"] == "s"
    assert body(owner.patch(notice_url, {"name": "mine", "version": 1}))["name"] == "mine"
