"""How a session starts: who the user is, and the two versions its caches are keyed by,
read in ONE statement once the tenant is known.

A session needs the user (active), the tenant's people version (permissions are cached
per value, :mod:`hulian.engine.security.cache`) and the tenant's newest metadata version
(the compiled schema is cached per value). The user and the metadata versions are in the
tenant's own tables, the people version in the directory (``hulian_tenants``).

:func:`arrive` reads them for a username or a :class:`~hulian.engine.system.people.User`
read earlier, in one statement over the tenant's tables (the first arrival in a tenant
per process checks the directory first: a tenant that does not exist has no tables to
read; :func:`~hulian.engine.system.people.known_tenant`). :func:`arrive_with` does it for a
credential. A bearer token names its tenant (``hl_acme.3Rk...``,
:mod:`hulian.engine.system.tokens`), so its hash, its user and the versions are ONE
statement joining the global token table with the tenant's tables. A login session id and
a token of the older form (no tenant in it) take TWO statements of the same transaction:
the hash gives (tenant, user id) from the global login or token table, then the tenant's
own tables give the rest. docs/scaling.md says how these statements sit under Citus. The
statements are built once per tenant (while kept).

``claim=True`` (a session that will write, on PostgreSQL): the same statement also takes the
tenant's change counter (:func:`hulian.engine.changes.outbox.claim`), which a writer must
hold before it touches any record; the session then need not spend a statement on it.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.changes.outbox import counter_lock
from hulian.engine.errors import NotFoundError, UnauthenticatedError
from hulian.engine.schema.naming import MAX_TENANT_LENGTH, TENANT_RE, check_tenant_name
from hulian.engine.system.login_sessions import (
    LIFETIME,
    MAX_SESSION_ID,
    LoginSession,
    hash_session_id,
)
from hulian.engine.system.people import (
    ADMIN,
    User,
    known_tenant,
    may_sign_in,
    require_tenant,
)
from hulian.engine.system.tables import login_sessions, tenants, tokens
from hulian.engine.system.tenant_tables import KEPT, tenant_tables
from hulian.engine.system.tokens import PREFIX, hash_token, named_tenant

__all__ = ["Arrival", "BearerToken", "Credential", "LoginCookie", "arrive", "arrive_with"]

MAX_TOKEN = 200


@dataclass(frozen=True)
class Arrival:
    """What a session starts from: the user (active), the tenant's people version, its
    newest metadata version (None: nothing deployed) and, when a login session cookie
    authenticated the user, that login session (its CSRF token)."""

    user: User
    people_version: int
    metadata_version: int | None
    login: LoginSession | None = None
    claimed: bool = False
    """The statement took the tenant's change counter (``claim=True`` on PostgreSQL)."""


@dataclass(frozen=True)
class BearerToken:
    """An API token (``Authorization: Bearer hl_...``)."""

    secret: str


@dataclass(frozen=True)
class LoginCookie:
    """A login session id (from the signed session cookie), checked for expiry at ``now``."""

    session_id: str
    now: dt.datetime


Credential = BearerToken | LoginCookie


def _user_columns(users: sa.Table) -> tuple[Any, ...]:
    return (users.c.id, users.c.username, users.c.display_name, users.c.is_admin,
            users.c.department_id, users.c.enterprise_id)


@dataclass(frozen=True)
class _Statements:
    """The arrival statements of one tenant, over its own tables."""

    by_name: sa.Select
    by_id: sa.Select
    by_token: sa.Select
    """the user of a token naming the tenant, with the token's expiry: one statement"""


def claims(dialect: str, claim: bool) -> bool:
    """Whether arriving with ``claim`` takes the change counter in the arrival statement
    (PostgreSQL only: on SQLite a writer's ``BEGIN IMMEDIATE`` already excludes the others)."""
    return claim and dialect == "postgresql"


@functools.lru_cache(maxsize=KEPT)
def _statements(dialect: str, tenant: str, claim: bool = False) -> _Statements:
    """Built once per (dialect, tenant, claim) while kept: the tenant's people version
    (from the directory), its newest metadata version and the user, as one statement;
    ``claim``: locking the change counter too (:func:`claims`)."""
    tables = tenant_tables(dialect, tenant)
    users, versions = tables.users, tables.metadata_versions
    people_version = sa.select(tenants.c.people_version).where(tenants.c.name == tenant)
    newest = sa.select(sa.func.max(versions.c.version))
    columns: tuple[Any, ...] = (people_version.scalar_subquery().label("people_version"),
                                newest.scalar_subquery().label("newest"),
                                *_user_columns(users))
    if claims(dialect, claim):
        columns += (counter_lock(tables.sequences).scalar_subquery().label("claimed"),)
    return _Statements(
        by_name=sa.select(*columns).where(users.c.username == sa.bindparam("who"),
                                          may_sign_in(tables)),
        by_id=sa.select(*columns).where(users.c.id == sa.bindparam("who"),
                                        may_sign_in(tables)),
        by_token=sa.select(*columns, tokens.c.expires_at.label("token_expires_at"))
        .select_from(users.join(tokens, tokens.c.user_id == users.c.id))
        .where(tokens.c.token_hash == sa.bindparam("hash"), tokens.c.tenant == tenant,
               tokens.c.revoked_at.is_(None), may_sign_in(tables)))


_BY_TOKEN = sa.select(tokens.c.tenant, tokens.c.user_id, tokens.c.expires_at).where(
    tokens.c.token_hash == sa.bindparam("hash"), tokens.c.revoked_at.is_(None))

_BY_LOGIN = sa.select(
    login_sessions.c.tenant, login_sessions.c.user_id, login_sessions.c.id.label("login_id"),
    login_sessions.c.csrf_token, login_sessions.c.created_at, login_sessions.c.expires_at,
).where(login_sessions.c.session_hash == sa.bindparam("hash"),
        login_sessions.c.revoked_at.is_(None))


def _user(row: Any, tenant: str) -> User:
    return User(row.id, tenant, row.username, row.display_name, row.is_admin,
                row.department_id, row.enterprise_id)


def _by_id(conn: sa.Connection, tenant: str, user_id: str, claim: bool) -> Any:
    """The arrival row of the user ``user_id`` of ``tenant`` if they may sign in."""
    return conn.execute(_statements(conn.dialect.name, tenant, claim).by_id,
                        {"who": user_id}).first()


def _unknown_user(username: str, tenant: str) -> NotFoundError:
    return NotFoundError(f"there is no active user {username!r} in tenant {tenant!r}",
                         code="unknown_user", hint=f"every tenant starts with the user {ADMIN!r}")


def arrive(conn: sa.Connection, tenant: str, user: str | User, *,
           claim: bool = False) -> Arrival:
    """The :class:`Arrival` of ``user`` (username, or a User read earlier, read again by
    id) in ``tenant``. NotFoundError ``unknown_tenant`` / ``unknown_user``. ``claim``: see
    the module."""
    check_tenant_name(tenant)
    if isinstance(user, User) and user.tenant != tenant:
        raise _unknown_user(user.username, tenant)
    if not known_tenant(conn, tenant):
        require_tenant(conn, tenant)
    statements = _statements(conn.dialect.name, tenant, claim)
    row = conn.execute(statements.by_id if isinstance(user, User) else statements.by_name,
                       {"who": user.id if isinstance(user, User) else user}).first()
    if row is None:
        raise _unknown_user(user.username if isinstance(user, User) else user, tenant)
    return Arrival(_user(row, tenant), row.people_version, row.newest,
                   claimed=claims(conn.dialect.name, claim))


def _invalid_token() -> UnauthenticatedError:
    return UnauthenticatedError("the bearer token is not valid", code="invalid_token",
                                hint="create one with: hulian token create --db URL --tenant T "
                                     "--user U")


def _not_expired(expires_at: dt.datetime | None) -> None:
    if expires_at is not None and expires_at <= dt.datetime.now(dt.UTC):
        raise UnauthenticatedError("the bearer token has expired", code="token_expired",
                                   hint="create a new one with: hulian token create")


def _by_named_token(conn: sa.Connection, secret: str, tenant: str, claim: bool) -> Arrival:
    """The arrival of a token that names its tenant: the token, its user (who may sign
    in) and the versions in one statement over the tenant's tables and the token table.
    A name that is no tenant's, or a token of another tenant, is ``invalid_token`` like
    any unknown token (the hash covers the name)."""
    if not TENANT_RE.fullmatch(tenant) or len(tenant) > MAX_TENANT_LENGTH \
            or not known_tenant(conn, tenant):
        raise _invalid_token()
    row = conn.execute(_statements(conn.dialect.name, tenant, claim).by_token,
                       {"hash": hash_token(secret)}).first()
    if row is None:
        raise _invalid_token()
    _not_expired(row.token_expires_at)
    return Arrival(_user(row, tenant), row.people_version, row.newest,
                   claimed=claims(conn.dialect.name, claim))


def _invalid_session() -> UnauthenticatedError:
    return UnauthenticatedError("the login session is not valid (logged out or unknown)",
                                code="invalid_session",
                                hint="log in again: POST /api/v1/auth/login")


def arrive_with(conn: sa.Connection, credential: Credential, *,
                claim: bool = False) -> Arrival:
    """The :class:`Arrival` of whoever holds ``credential``, authenticated in the same
    statement. UnauthenticatedError as :func:`hulian.engine.system.tokens.authenticate` and
    :func:`hulian.engine.system.login_sessions.lookup` answer: an unknown, revoked or
    malformed credential, a deactivated user or enterprise (``invalid_token`` /
    ``invalid_session``, the same answer as for a credential that never existed), an
    expired one (``token_expired`` / ``session_expired``). ``claim``: see the module."""
    claimed = claims(conn.dialect.name, claim)
    if isinstance(credential, BearerToken):
        secret = credential.secret
        if not secret or not secret.startswith(PREFIX) or len(secret) > MAX_TOKEN:
            raise _invalid_token()
        tenant = named_tenant(secret)
        if tenant is not None:
            return _by_named_token(conn, secret, tenant, claim)
        token = conn.execute(_BY_TOKEN, {"hash": hash_token(secret)}).first()
        row = None if token is None else _by_id(conn, token.tenant, token.user_id, claim)
        if row is None:
            raise _invalid_token()
        _not_expired(token.expires_at)
        return Arrival(_user(row, token.tenant), row.people_version, row.newest,
                       claimed=claimed)
    session_id = credential.session_id
    if not session_id or len(session_id) > MAX_SESSION_ID:
        raise _invalid_session()
    login = conn.execute(_BY_LOGIN, {"hash": hash_session_id(session_id)}).first()
    row = None if login is None else _by_id(conn, login.tenant, login.user_id, claim)
    if row is None:
        raise _invalid_session()
    if login.expires_at <= credential.now:
        raise UnauthenticatedError("the login session has expired", code="session_expired",
                                   hint=f"sessions last {LIFETIME.seconds // 3600} hours; "
                                        "log in again: POST /api/v1/auth/login")
    user = _user(row, login.tenant)
    return Arrival(user, row.people_version, row.newest,
                   LoginSession(login.login_id, user, login.csrf_token, login.created_at,
                                login.expires_at), claimed=claimed)
