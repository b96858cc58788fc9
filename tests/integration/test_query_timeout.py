"""Every statement has a time budget: a request that runs too long is stopped and answered
503 ``query_timeout``, changes nothing, and the server goes on serving."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from starlette.responses import Response
from starlette.routing import Route

from hulian.engine import Engine, QueryTimeout
from hulian.engine.database import open_database, storage_error, unbounded
from hulian.runtime.api.endpoint import Call, endpoint
from tests.conftest import EXAMPLE_CRM
from tests.integration.test_rest_support import Api, body, error


def _long(dialect: str, seconds: float) -> str:
    """A statement that runs about ``seconds`` (SQLite: counting; PostgreSQL: sleeping)."""
    if dialect == "postgresql":
        return f"SELECT pg_sleep({seconds})"
    rows = int(seconds * 5_000_000)
    return ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < "
            f"{rows}) SELECT count(*) FROM c")


def test_a_statement_past_its_budget_is_stopped(db_url):
    db = open_database(db_url, query_timeout=0.2)
    try:
        with db.connect() as conn, conn.begin(), pytest.raises(sa.exc.DBAPIError) as caught:
            conn.exec_driver_sql(_long(db.dialect.name, 30))
        assert isinstance(storage_error(caught.value), QueryTimeout)
        with db.connect() as conn, conn.begin():  # the connection is usable again
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        db.dispose()


def test_unbounded_work_lifts_the_budget_for_its_transaction_only(db_url):
    db = open_database(db_url, query_timeout=0.2)
    try:
        with db.connect() as conn, conn.begin():
            unbounded(conn)
            conn.exec_driver_sql(_long(db.dialect.name, 0.6))
        with db.connect() as conn, conn.begin(), pytest.raises(sa.exc.DBAPIError):
            conn.exec_driver_sql(_long(db.dialect.name, 30))
    finally:
        db.dispose()


def test_a_session_turns_the_stop_into_query_timeout(db_url, tenant):
    with Engine(db_url, query_timeout=0.2) as engine:
        engine.metadata(tenant).deploy(EXAMPLE_CRM)
        with pytest.raises(QueryTimeout) as caught, engine.session(tenant) as s:
            s.create("Account", {"name": "rolled back"})
            s._conn.exec_driver_sql(_long(engine.dialect, 30))
        assert caught.value.code == "query_timeout"
        with engine.session(tenant, readonly=True) as s:
            assert s.count("Account") == 0


def test_a_request_that_runs_too_long_answers_503_and_the_server_goes_on(db_url, tenant):
    """The REST side: a request whose statement is stopped answers 503 in the error shape
    every error has, the transaction is rolled back, and the next requests are served."""
    with Engine(db_url, query_timeout=0.3) as engine:
        engine.metadata(tenant).deploy(EXAMPLE_CRM)
        api = Api(engine, tenant)

        def slow(call: Call) -> Response:
            with call.session() as s:
                s.create("Account", {"name": "rolled back"})
                s._conn.exec_driver_sql(_long(engine.dialect, 30))
            return Response(status_code=204)

        api.client.app.router.routes.insert(0, Route("/api/v1/slow", endpoint(slow),
                                                     methods=["POST"]))
        found = error(api.post("/slow", {}), 503)
        assert found["code"] == "query_timeout" and "hint" in found
        health = api.get("/health")
        assert health.status_code == 200 and body(health)["status"] == "ok"
        assert api.list("Account")["records"] == []
