"""One request, one transaction: authenticating the caller is the first statement of the
session that does the work (bearer token or login cookie alike)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from hulian.runtime.api.endpoint import EARLY_BODY_BYTES
from tests.integration.test_rest_support import Api, body, error


@pytest.fixture
def api(crm):
    api = Api(*crm)
    # The first request a process serves may do one-time work in transactions of its own
    # (the cursor signing key, the tenant directory): counted tests start after it.
    api.get("/objects/Account/records", params={"limit": "1"})
    return api


@contextmanager
def _seen(engine, event, what):
    """What ``what(*event arguments)`` gives for each ``event`` on the engine's database
    meanwhile."""
    found: list = []

    def record(*args):
        found.append(what(*args))

    sa.event.listen(engine.db, event, record)
    try:
        yield found
    finally:
        sa.event.remove(engine.db, event, record)


def transactions(engine):
    """The transactions begun on the engine's database meanwhile (savepoints are not
    transactions)."""
    return _seen(engine, "begin", lambda _connection: True)


def statements(engine):
    """The SQL statements run on the engine's database meanwhile."""
    return _seen(engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_args: statement)


def test_reads_and_writes_take_one_transaction(api):
    acme = api.create("Account", {"name": "Acme"})
    calls = [
        lambda: api.get(f"/objects/Account/records/{acme['id']}"),
        lambda: api.get("/objects/Account/records", params={"limit": "20"}),
        lambda: api.get("/objects/Account"),
        lambda: api.post("/objects/Account/records", {"name": "Beta"}),
        lambda: api.patch(f"/objects/Account/records/{acme['id']}",
                          {"name": "Acme Ltd", "version": 1}),
        lambda: api.delete(f"/objects/Account/records/{acme['id']}"),
    ]
    for call in calls:
        with transactions(api.engine) as begun:
            response = call()
        assert response.status_code < 300, response.text
        assert len(begun) == 1, response.request.url


def test_a_refused_credential_costs_one_read_and_writes_nothing(api):
    with transactions(api.engine) as begun:
        refused = api.post("/objects/Account/records", {"name": "Nope"}, token="hl_" + "x" * 43)
    assert error(refused, 401)["code"] == "invalid_token"
    assert len(begun) == 1
    assert api.list("Account")["records"] == []


def test_a_large_body_is_read_only_after_authentication(api):
    """Over EARLY_BODY_BYTES the caller is authenticated first (hulian does not buffer a
    large body for someone it does not know): two transactions."""
    rows = [{"name": f"account {i}", "description": "x" * 200} for i in range(1500)]
    with transactions(api.engine) as begun:
        created = api.post("/objects/Account/records", rows)
    assert len(created.request.content) > EARLY_BODY_BYTES
    assert created.status_code == 201, created.text
    assert len(begun) == 2
    refused = api.post("/objects/Account/records", rows, token="hl_" + "x" * 43)
    assert error(refused, 401)["code"] == "invalid_token"


def test_cookie_requests_take_one_transaction_and_still_need_the_csrf_token(crm_site):
    client, csrf = crm_site.logged_in()
    engine = crm_site.engine
    client.get("/api/v1/objects/Account/records")  # warm (see the api fixture)
    with transactions(engine) as begun:
        listed = client.get("/api/v1/objects/Account/records")
    assert listed.status_code == 200 and len(begun) == 1
    with transactions(engine) as begun:
        forged = client.post("/api/v1/objects/Account/records", json={"name": "forged"})
    assert error(forged, 403)["code"] == "csrf_failed"
    with transactions(engine) as begun:
        made = client.post("/api/v1/objects/Account/records", json={"name": "real"},
                           headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and len(begun) == 1
    names = [r["name"] for r in body(client.get("/api/v1/objects/Account/records"))["records"]]
    assert names == ["real"]


def test_a_token_names_its_tenant_and_arrives_in_one_statement(api):
    acme = api.create("Account", {"name": "Acme"})
    assert api.token.startswith(f"hl_{api.tenant}.")
    path = f"/objects/Account/records/{acme['id']}"
    api.get(path)  # warm: the tenant is known to this process, the schema compiled
    with statements(api.engine) as run:
        assert api.get(path).status_code == 200
    assert len(run) == 2, run  # who the caller is (token, user, versions), then the record


def test_a_token_of_the_older_form_still_works(api):
    """Tokens made before they named their tenant (``hl_`` and 43 characters)."""
    from hulian.engine.system import tables, tokens
    old = tokens.PREFIX + "A" * 43
    with api.engine.db.begin() as conn:
        conn.execute(tables.tokens.update().where(
            tables.tokens.c.token_hash == tokens.hash_token(api.token)).values(
            token_hash=tokens.hash_token(old)))
    assert api.get("/objects/Account/records", token=old).status_code == 200
    assert error(api.get("/objects/Account/records"), 401)["code"] == "invalid_token"


@pytest.mark.parametrize("other", ["nosuchtenant", "Bad-Name", "a" * 40, ""])
def test_a_token_naming_another_tenant_is_an_invalid_token(api, other):
    forged = api.token.replace(f"hl_{api.tenant}.", f"hl_{other}.", 1)
    assert error(api.get("/objects/Account/records", token=forged), 401)["code"] == \
        "invalid_token"


def test_a_write_takes_the_change_counter_with_its_arrival(api):
    """A write must hold the tenant's change counter before it touches a record; on
    PostgreSQL the arrival statement takes it (no statement of its own) and the change is
    numbered and written in one more; SQLite's BEGIN IMMEDIATE already excludes other
    writers."""
    api.create("Account", {"name": "Warm"})
    with statements(api.engine) as run:
        assert api.post("/objects/Account/records", {"name": "Beta"}).status_code == 201
    locking = [s for s in run if "FOR UPDATE" in s]
    changes = [s for s in run if "hulian_changes" in s]
    if api.engine.dialect == "postgresql":
        assert len(locking) == 1 and "people_version" in locking[0], run
        assert len(changes) == 1 and changes[0].lstrip().startswith("WITH"), run
    else:
        assert locking == [] and len(changes) == 1, run
