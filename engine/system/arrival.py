"""How a session starts: who the user is, and the two versions its caches are keyed by,
read in ONE statement.

A session needs the user (active), the tenant's people version (permissions are cached
per value, :mod:`hulian.engine.security.cache`) and the tenant's newest metadata version
(the compiled schema is cached per value). :func:`arrive` reads them for a username or a
:class:`~hulian.engine.system.people.User` read earlier; :func:`arrive_with` for a
credential, a bearer token or a login session id, so that authenticating a request and
starting its session are the same statement in the same transaction. Each statement is
built once, at import.

The versions are scalar subqueries: uncorrelated (bound to the tenant) when the tenant is
known, correlated on the user's tenant when a credential names it. Both plan in well
under a millisecond.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import NotFoundError, UnauthenticatedError
from hulian.engine.schema.naming import check_tenant_name
from hulian.engine.system.login_sessions import (
    LIFETIME,
    MAX_SESSION_ID,
    LoginSession,
    hash_session_id,
)
from hulian.engine.system.people import ADMIN, User, may_sign_in, require_tenant
from hulian.engine.system.tables import (
    login_sessions,
    metadata_versions,
    tenants,
    tokens,
    users,
)
from hulian.engine.system.tokens import PREFIX, hash_token

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


_USER_COLUMNS = (users.c.id, users.c.tenant, users.c.username, users.c.display_name,
                 users.c.is_admin, users.c.department_id, users.c.enterprise_id)


def _versions(tenant: Any) -> tuple[Any, Any]:
    people_version = sa.select(tenants.c.people_version).where(tenants.c.name == tenant)
    newest = sa.select(sa.func.max(metadata_versions.c.version)).where(
        metadata_versions.c.tenant == tenant)
    return (people_version.scalar_subquery().label("people_version"),
            newest.scalar_subquery().label("newest"))


def _by_user(match: Any) -> sa.Select:
    tenant = sa.bindparam("tenant")
    return sa.select(*_versions(tenant), *_USER_COLUMNS).where(
        users.c.tenant == tenant, match, may_sign_in())


_BY_NAME = _by_user(users.c.username == sa.bindparam("who"))
_BY_ID = _by_user(users.c.id == sa.bindparam("who"))

_BY_TOKEN = sa.select(*_versions(users.c.tenant), *_USER_COLUMNS, tokens.c.expires_at).join_from(
    tokens, users, sa.and_(users.c.id == tokens.c.user_id, users.c.tenant == tokens.c.tenant)
).where(tokens.c.token_hash == sa.bindparam("hash"), tokens.c.revoked_at.is_(None),
        may_sign_in())

_BY_LOGIN = sa.select(
    *_versions(users.c.tenant), *_USER_COLUMNS, login_sessions.c.id.label("login_id"),
    login_sessions.c.csrf_token, login_sessions.c.created_at, login_sessions.c.expires_at,
).join_from(login_sessions, users, sa.and_(users.c.id == login_sessions.c.user_id,
                                           users.c.tenant == login_sessions.c.tenant)
            ).where(login_sessions.c.session_hash == sa.bindparam("hash"),
                    login_sessions.c.revoked_at.is_(None), may_sign_in())


def _user(row: Any) -> User:
    return User(row.id, row.tenant, row.username, row.display_name, row.is_admin,
                row.department_id, row.enterprise_id)


def _unknown_user(username: str, tenant: str) -> NotFoundError:
    return NotFoundError(f"there is no active user {username!r} in tenant {tenant!r}",
                         code="unknown_user", hint=f"every tenant starts with the user {ADMIN!r}")


def arrive(conn: sa.Connection, tenant: str, user: str | User) -> Arrival:
    """The :class:`Arrival` of ``user`` (username, or a User read earlier, read again by
    id) in ``tenant``. NotFoundError ``unknown_tenant`` / ``unknown_user``."""
    check_tenant_name(tenant)
    if isinstance(user, User) and user.tenant != tenant:
        raise _unknown_user(user.username, tenant)
    statement = _BY_ID if isinstance(user, User) else _BY_NAME
    row = conn.execute(statement, {"tenant": tenant, "who": user.id if isinstance(user, User)
                                   else user}).first()
    if row is None:
        require_tenant(conn, tenant)
        raise _unknown_user(user.username if isinstance(user, User) else user, tenant)
    return Arrival(_user(row), row.people_version, row.newest)


def _invalid_token() -> UnauthenticatedError:
    return UnauthenticatedError("the bearer token is not valid", code="invalid_token",
                                hint="create one with: hulian token create --db URL --tenant T "
                                     "--user U")


def _invalid_session() -> UnauthenticatedError:
    return UnauthenticatedError("the login session is not valid (logged out or unknown)",
                                code="invalid_session",
                                hint="log in again: POST /api/v1/auth/login")


def arrive_with(conn: sa.Connection, credential: Credential) -> Arrival:
    """The :class:`Arrival` of whoever holds ``credential``, authenticated in the same
    statement. UnauthenticatedError as :func:`hulian.engine.system.tokens.authenticate` and
    :func:`hulian.engine.system.login_sessions.lookup` answer: an unknown, revoked or
    malformed credential, a deactivated user or enterprise (``invalid_token`` /
    ``invalid_session``, the same answer as for a credential that never existed), an
    expired one (``token_expired`` / ``session_expired``)."""
    if isinstance(credential, BearerToken):
        secret = credential.secret
        if not secret or not secret.startswith(PREFIX) or len(secret) > MAX_TOKEN:
            raise _invalid_token()
        row = conn.execute(_BY_TOKEN, {"hash": hash_token(secret)}).first()
        if row is None:
            raise _invalid_token()
        if row.expires_at is not None and row.expires_at <= dt.datetime.now(dt.UTC):
            raise UnauthenticatedError("the bearer token has expired", code="token_expired",
                                       hint="create a new one with: hulian token create")
        return Arrival(_user(row), row.people_version, row.newest)
    session_id = credential.session_id
    if not session_id or len(session_id) > MAX_SESSION_ID:
        raise _invalid_session()
    row = conn.execute(_BY_LOGIN, {"hash": hash_session_id(session_id)}).first()
    if row is None:
        raise _invalid_session()
    if row.expires_at <= credential.now:
        raise UnauthenticatedError("the login session has expired", code="session_expired",
                                   hint=f"sessions last {LIFETIME.seconds // 3600} hours; "
                                        "log in again: POST /api/v1/auth/login")
    user = _user(row)
    login = LoginSession(row.login_id, user, row.csrf_token, row.created_at, row.expires_at)
    return Arrival(user, row.people_version, row.newest, login)
