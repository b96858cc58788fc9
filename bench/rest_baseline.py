"""The baseline of bench/rest.py: hulian's record GET and first list page, the plain way.

A bare Starlette app with the same two routes (``GET /api/v1/objects/{object}/records/{id}``
and ``GET /api/v1/objects/{object}/records?limit=N``), served by the same uvicorn settings.
Each request is one plain sync handler (Starlette runs it in its thread pool) on a plain
SQLAlchemy engine (``sa.create_engine(url)``, the driver's defaults: on SQLite no BEGIN
for a read), one connection, two hand-written Core statements:

1. the caller: the SHA-256 of the bearer token looked up in ``hulian_tokens``, joined to
   the user (active) and their enterprise (active) in the tenant's own tables (the app
   serves one tenant and knows it; hulian learns it from the token, then reads the user:
   two statements), expiry and revocation checked;
2. the record (or the page: ``ORDER BY created_at DESC, id DESC LIMIT n + 1``), with the
   reader's visibility written by hand for the cases the bench runs: an admin sees every
   record; an interconnect user on ``Order`` (``private`` externally) sees what they own
   externally or what a related team gives them, the meaning of hulian's predicate for
   them (docs/permissions.md; on PostgreSQL the team arm is ``id = ANY(ARRAY(...))`` as in
   hulian and bench/permissions.py).

The response has the same fields in the same order, written by hulian's JSON writer
(``hulian.metadata.jsontext.dumps``: exact decimals), so both servers return the same
bytes (bench/rest.py checks it) and the writer's cost is on both sides; a list page has
the same ``next`` cursor. The table definitions (hulian's column types, which turn stored
values into Python ones) and the team table's object id are read from hulian's compiled
schema once, at start; no other hulian code runs in a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hulian.engine import Engine
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.system.tables import tokens
from hulian.engine.system.tenant_tables import tenant_tables
from hulian.metadata.jsontext import dumps

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Caller:
    id: str
    is_admin: bool
    enterprise_id: str | None


@dataclass(frozen=True)
class Statements:
    """One object's hand-written statements: ``by_id`` and ``page``, for an admin
    (``all``) and for an interconnect user on a private object (``own``)."""

    by_id: dict[str, sa.Select]
    page: dict[str, sa.Select]


def caller_statement(dialect: str, tenant: str) -> sa.Select:
    """The caller of a token, for an app that serves one tenant and knows it: the token
    joined to the tenant's own users and enterprises, in one statement."""
    own = tenant_tables(dialect, tenant)
    users, enterprises = own.users, own.enterprises
    return sa.select(
        users.c.id, users.c.is_admin, users.c.enterprise_id, tokens.c.expires_at,
        tokens.c.revoked_at, enterprises.c.is_active.label("enterprise_active"),
    ).select_from(
        tokens.join(users, users.c.id == tokens.c.user_id)
        .outerjoin(enterprises, enterprises.c.id == users.c.enterprise_id)
    ).where(tokens.c.token_hash == sa.bindparam("hash"), tokens.c.tenant == tenant,
            users.c.is_active == sa.true())


def _statements(table: sa.Table, columns: list[str], object_id: str, tenant: str,
                dialect: str) -> Statements:
    selected = sa.select(*(table.c[name] for name in columns))
    live = table.c.is_deleted == sa.false()
    record_teams = tenant_tables(dialect, tenant).record_teams  # in the tenant's schema
    team = sa.select(record_teams.c.record_id).where(
        record_teams.c.object == object_id, record_teams.c.user_id == sa.bindparam("me"))
    in_team = (table.c.id == sa.any_(sa.func.array(team.scalar_subquery()))
               if dialect == "postgresql" else table.c.id.in_(team))
    own = sa.or_(table.c.out_owner_id == sa.bindparam("me"), in_team)
    order = (table.c.created_at.desc(), table.c.id.desc())
    limit = sa.bindparam("limit", type_=sa.Integer)
    return Statements(
        by_id={"all": selected.where(table.c.id == sa.bindparam("id"), live),
               "own": selected.where(table.c.id == sa.bindparam("id"), live, own)},
        page={"all": selected.where(live).order_by(*order).limit(limit),
              "own": selected.where(live, own).order_by(*order).limit(limit)})


def _plain_url(url: str) -> sa.URL:
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _json(content: Any, status: int = 200) -> Response:
    return Response(dumps(content).encode("utf-8"), status_code=status,
                    media_type="application/json")


def _cursor(record: dict[str, Any], signer: CursorSigner, scope: tuple[str, str]) -> str:
    """The next page's cursor, signed as hulian signs it (the same bytes)."""
    payload = {"o": ["-created_at", "-id"], "v": [record["created_at"], record["id"]]}
    return signer.sign(scope, dumps(payload).encode("utf-8"))


def create_baseline(config: dict[str, Any]) -> Starlette:
    """The baseline app over the tenant in ``config`` (bench/rest_world.py ``World.config``)."""
    tenant = config["tenant"]
    with Engine(config["url"], migrate=False) as eng:
        signer = CursorSigner(eng.accounts.session_signing_key())
    with Engine(config["url"], migrate=False) as eng, eng.session(tenant) as s:
        dialect = eng.dialect
        found = {name: (s.schema.object(name).table,
                        str(s.schema.ids.get(name, {}).get("id") or name))
                 for name in config["columns"]}
    statements = {name: _statements(table, config["columns"][name], object_id, tenant, dialect)
                  for name, (table, object_id) in found.items()}
    caller_sql = caller_statement(dialect, tenant)
    private = {"Order"}  # the objects an interconnect reader may read: their own records
    db = sa.create_engine(_plain_url(config["url"]))

    def caller(conn: sa.Connection, request: Request) -> Caller | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        row = conn.execute(caller_sql, {"hash": hashlib.sha256(token.encode()).hexdigest()}).first()
        if row is None or row.revoked_at is not None or (
                row.expires_at is not None and row.expires_at <= dt.datetime.now(dt.UTC)) or (
                row.enterprise_id is not None and not row.enterprise_active):
            return None
        return Caller(row.id, row.is_admin, row.enterprise_id)

    def kind(name: str, who: Caller) -> str | None:
        """Which hand-written statement serves ``who`` on ``name``; None: no records."""
        if who.is_admin:
            return "all"
        return "own" if who.enterprise_id is not None and name in private else None

    def get_record(request: Request) -> Response:
        name = request.path_params["object"]
        if name not in statements:
            return _json({"error": "unknown_object"}, 404)
        with db.connect() as conn:
            who = caller(conn, request)
            if who is None:
                return _json({"error": "invalid_token"}, 401)
            which = kind(name, who)
            row = None if which is None else conn.execute(
                statements[name].by_id[which],
                {"id": request.path_params["record_id"], "me": who.id}).first()
        if row is None:
            return _json({"error": "record_not_found"}, 404)
        return _json(dict(row._mapping))

    def list_records(request: Request) -> Response:
        name = request.path_params["object"]
        text = request.query_params.get("limit", str(DEFAULT_LIMIT))
        if name not in statements:
            return _json({"error": "unknown_object"}, 404)
        if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
            return _json({"error": "invalid_limit"}, 400)
        limit = int(text)
        with db.connect() as conn:
            who = caller(conn, request)
            if who is None:
                return _json({"error": "invalid_token"}, 401)
            which = kind(name, who)
            rows = [] if which is None else [dict(r._mapping) for r in conn.execute(
                statements[name].page[which], {"limit": limit + 1, "me": who.id})]
        more = len(rows) > limit
        records = rows[:limit]
        return _json({"records": records,
                      "next": _cursor(records[-1], signer, (tenant, name)) if more else None})

    def health(_request: Request) -> Response:
        return _json({"status": "ok"})

    return Starlette(routes=[
        Route("/api/v1/health", health, methods=["GET"]),
        Route("/api/v1/objects/{object}/records", list_records, methods=["GET"]),
        Route("/api/v1/objects/{object}/records/{record_id}", get_record, methods=["GET"]),
    ])
