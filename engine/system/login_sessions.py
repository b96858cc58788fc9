"""Browser login sessions: a random session id per login, stored only as its SHA-256.

The id (256 random bits) travels in a signed cookie; the server keeps its hash, the
user, a CSRF token and the expiry, so logging out, changing the password or the
passage of :data:`LIFETIME` (12 hours, counted from the login, not extended by use)
ends the session whatever the browser still holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa

from hulian.engine.errors import UnauthenticatedError
from hulian.engine.ids import new_id
from hulian.engine.system.people import User, signed_in_user
from hulian.engine.system.tables import login_sessions
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.values import storable

__all__ = ["LIFETIME", "LoginSession", "create", "hash_session_id", "lookup", "revoke",
           "revoke_all", "revoke_enterprise"]

LIFETIME = dt.timedelta(hours=12)
MAX_SESSION_ID = 200


@dataclass(frozen=True)
class LoginSession:
    """A logged-in browser session. ``secret`` (the cookie's session id) is set only on
    the value :func:`create` returns: it is never stored."""

    id: str
    user: User
    csrf_token: str = field(repr=False)
    created_at: dt.datetime
    expires_at: dt.datetime
    secret: str | None = field(default=None, repr=False)


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def create(conn: sa.Connection, user: User, *, client_ip: str | None,
           now: dt.datetime) -> LoginSession:
    """A new session for ``user`` (and forget the user's ended sessions)."""
    conn.execute(login_sessions.delete().where(
        login_sessions.c.user_id == user.id,
        sa.or_(login_sessions.c.expires_at <= now, login_sessions.c.revoked_at.is_not(None))))
    secret = secrets.token_urlsafe(32)
    found = LoginSession(new_id(), user, secrets.token_urlsafe(32), now, now + LIFETIME, secret)
    conn.execute(login_sessions.insert().values(
        id=found.id, tenant=user.tenant, user_id=user.id, session_hash=hash_session_id(secret),
        csrf_token=found.csrf_token, client_ip=client_ip[:64] if client_ip else None,
        created_at=now, expires_at=found.expires_at))
    return found


def lookup(conn: sa.Connection, session_id: str, now: dt.datetime) -> LoginSession:
    """The live session of ``session_id``; UnauthenticatedError ``invalid_session`` (unknown,
    logged out, user or their enterprise deactivated) or ``session_expired``."""
    refused = UnauthenticatedError("the login session is not valid (logged out or unknown)",
                                   code="invalid_session",
                                   hint="log in again: POST /api/v1/auth/login")
    if not session_id or len(session_id) > MAX_SESSION_ID or not storable(session_id):
        raise refused
    row = conn.execute(sa.select(login_sessions).where(
        login_sessions.c.session_hash == hash_session_id(session_id))).first()
    if row is None or row.revoked_at is not None:
        raise refused
    if row.expires_at <= now:
        raise UnauthenticatedError("the login session has expired", code="session_expired",
                                   hint=f"sessions last {LIFETIME.seconds // 3600} hours; "
                                        "log in again: POST /api/v1/auth/login")
    user = signed_in_user(conn, row.tenant, row.user_id)
    if user is None:
        raise refused
    return LoginSession(row.id, user, row.csrf_token, row.created_at, row.expires_at)


def revoke(conn: sa.Connection, session_id: str, now: dt.datetime) -> bool:
    """End the session of ``session_id``; False when it was not live."""
    result = conn.execute(login_sessions.update().where(
        login_sessions.c.session_hash == hash_session_id(session_id),
        login_sessions.c.revoked_at.is_(None)).values(revoked_at=now))
    return result.rowcount == 1


def revoke_all(conn: sa.Connection, user_id: str, now: dt.datetime) -> int:
    """End every live session of a user (a new password, set by an administrator or
    changed by the user); how many were ended."""
    result = conn.execute(login_sessions.update().where(
        login_sessions.c.user_id == user_id, login_sessions.c.revoked_at.is_(None),
        login_sessions.c.expires_at > now).values(revoked_at=now))
    return result.rowcount


def revoke_enterprise(conn: sa.Connection, tenant: str, enterprise_id: str,
                      now: dt.datetime) -> int:
    """End every live session of the interconnect users of one downstream enterprise (it
    is being deactivated); how many were ended."""
    users = tables_of(conn, tenant).users
    people = list(conn.scalars(sa.select(users.c.id).where(
        users.c.enterprise_id == enterprise_id)))
    result = conn.execute(login_sessions.update().where(
        login_sessions.c.tenant == tenant, login_sessions.c.user_id.in_(people),
        login_sessions.c.revoked_at.is_(None), login_sessions.c.expires_at > now,
    ).values(revoked_at=now))
    return result.rowcount
