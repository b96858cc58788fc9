"""Accounts: passwords, login sessions and API token management (a mixin of ``Engine``).

>>> eng.set_password("acme", "mei", "correct horse battery")        # doctest: +SKIP
>>> login = eng.login("acme", "mei", "correct horse battery", client_ip="10.0.0.7")
>>> eng.login_session(login.secret).user.username
'mei'
>>> eng.logout(login.secret)
True

Every method takes ``now`` where time matters (expiry, throttling), so tests can move
the clock; by default it is the current time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import NotFoundError, ThrottledError, UnauthenticatedError
from hulian.engine.system import login_sessions, passwords, people, settings, throttle, tokens
from hulian.engine.system.login_sessions import LoginSession
from hulian.engine.system.tables import tokens as tokens_table
from hulian.engine.system.tables import users

__all__ = ["AccountsMixin", "LoginSession", "TokenInfo"]


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown of an API token: never its secret or its hash."""

    id: str
    label: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "created_at": self.created_at,
                "expires_at": self.expires_at, "revoked_at": self.revoked_at}


def _token_info(row: Any) -> TokenInfo:
    return TokenInfo(row.id, row.label, row.created_at, row.expires_at, row.revoked_at)


def _invalid_credentials() -> UnauthenticatedError:
    return UnauthenticatedError(
        "the tenant, username or password is wrong", code="invalid_credentials",
        hint=f"check all three; after {throttle.PER_USER} failures logins for the user pause "
             f"for {throttle.WINDOW.seconds // 60} minutes")


class AccountsMixin:
    """Passwords, logins, sessions and tokens; ``Engine`` inherits it (``self.db``)."""

    db: sa.Engine

    # -- passwords ----------------------------------------------------------------------------

    def _require_user(self, conn: sa.Connection, tenant: str, user: str | people.User
                      ) -> people.User:
        people.require_tenant(conn, tenant)
        if isinstance(user, people.User):
            found = people.user_by_id(conn, tenant, user.id)
            if found is None:
                raise NotFoundError(f"there is no active user {user.username!r} in tenant "
                                    f"{tenant!r}", code="unknown_user")
            return found
        return people.require_user(conn, tenant, user)

    def set_password(self, tenant: str, user: str | people.User, password: str, *,
                     now: dt.datetime | None = None) -> None:
        """Give ``user`` (a username or User) a new password, after checking the policy
        (at least 8 characters, not the username). Ends the user's login sessions."""
        with self.db.connect() as conn:
            found = self._require_user(conn, tenant, user)
        passwords.check_policy(password, found.username)
        hashed = passwords.hash_password(password)
        with self.db.begin() as conn:
            conn.execute(users.update().where(users.c.id == found.id)
                         .values(password_hash=hashed))
            login_sessions.revoke_all(conn, found.id, now or people.now())

    # -- logins -------------------------------------------------------------------------------

    def login(self, tenant: str, username: str, password: str, *,
              client_ip: str | None = None, now: dt.datetime | None = None) -> LoginSession:
        """Check a password and open a login session (``.secret`` goes in the cookie).

        A wrong password, an unknown tenant or user, and a user without a password are all
        UnauthenticatedError ``invalid_credentials``, checked in the same time. Too many
        recent failures (:mod:`hulian.engine.system.throttle`) raise ThrottledError
        ``login_throttled`` before the password is looked at.
        """
        now = now or people.now()
        with self.db.connect() as conn:
            lock = throttle.check(conn, tenant, username, client_ip, now)
            row = None if lock else conn.execute(
                sa.select(users.c.id, users.c.tenant, users.c.password_hash).where(
                    users.c.tenant == tenant, users.c.username == username,
                    users.c.is_active == sa.true())).first()
        if lock is not None:
            who = "this user" if lock.key == "user" else "this client address"
            raise ThrottledError(f"too many failed logins for {who}; try again in "
                                 f"{lock.retry_after} seconds", code="login_throttled",
                                 retry_after=lock.retry_after,
                                 hint="wait, or ask an administrator to set a new password")
        stored = row.password_hash if row is not None else None
        if stored is None:
            passwords.dummy_verify(password)
        if stored is None or not passwords.verify(stored, password):
            with self.db.begin() as conn:
                throttle.record(conn, tenant, username, client_ip, now)
            raise _invalid_credentials()
        upgraded = passwords.hash_password(password) if passwords.needs_rehash(stored) else None
        with self.db.begin() as conn:
            if upgraded is not None:
                conn.execute(users.update().where(users.c.id == row.id)
                             .values(password_hash=upgraded))
            throttle.clear(conn, tenant, username)
            user = people.user_by_id(conn, row.tenant, row.id)
            if user is None:
                raise _invalid_credentials()
            return login_sessions.create(conn, user, client_ip=client_ip, now=now)

    def login_session(self, session_id: str, *, now: dt.datetime | None = None
                      ) -> LoginSession:
        """The live session of a cookie's session id (UnauthenticatedError
        ``invalid_session`` or ``session_expired`` otherwise)."""
        with self.db.connect() as conn:
            return login_sessions.lookup(conn, session_id, now or people.now())

    def logout(self, session_id: str, *, now: dt.datetime | None = None) -> bool:
        """End a login session; False when it had already ended or never existed."""
        with self.db.begin() as conn:
            return login_sessions.revoke(conn, session_id, now or people.now())

    def session_signing_key(self) -> str:
        """The key that signs session cookies when none is configured: made once (random),
        stored in ``hulian_settings``, the same for every process on this database."""
        return settings.get_or_create(self.db, settings.SIGNING_KEY)

    def user_profile(self, user: people.User) -> dict[str, Any]:
        """What a user may see of their own account: id, username, display_name, tenant,
        is_admin, enterprise_id (None for internal users)."""
        with self.db.connect() as conn:
            enterprise_id = conn.scalar(sa.select(users.c.enterprise_id)
                                        .where(users.c.id == user.id))
        return {"id": user.id, "username": user.username, "display_name": user.display_name,
                "tenant": user.tenant, "is_admin": user.is_admin,
                "enterprise_id": enterprise_id}

    # -- API tokens ---------------------------------------------------------------------------

    def issue_token(self, user: people.User, *, label: str | None = None,
                    expires_at: dt.datetime | None = None) -> tuple[str, TokenInfo]:
        """A new API token for ``user``: the secret (shown once) and what may be listed."""
        with self.db.begin() as conn:
            found = self._require_user(conn, user.tenant, user)
            secret = tokens.create_token(conn, found, label=label, expires_at=expires_at)
            row = conn.execute(sa.select(tokens_table).where(
                tokens_table.c.token_hash == tokens.hash_token(secret))).one()
        return secret, _token_info(row)

    def list_tokens(self, tenant: str, user: str | people.User) -> list[TokenInfo]:
        """The API tokens of ``user``, newest first, revoked and expired ones included."""
        with self.db.connect() as conn:
            found = self._require_user(conn, tenant, user)
            rows = conn.execute(sa.select(tokens_table).where(
                tokens_table.c.tenant == tenant, tokens_table.c.user_id == found.id,
            ).order_by(tokens_table.c.created_at.desc(), tokens_table.c.id.desc())).all()
        return [_token_info(row) for row in rows]

    def revoke_token_id(self, tenant: str, token_id: str, *,
                        user: people.User | None = None,
                        now: dt.datetime | None = None) -> bool:
        """Revoke the token ``token_id`` of ``tenant`` (only if it is ``user``'s, when
        given); True when it was live, False when it was already revoked. NotFoundError
        ``token_not_found`` when there is no such token (or it is someone else's)."""
        where = [tokens_table.c.tenant == tenant, tokens_table.c.id == token_id]
        if user is not None:
            where.append(tokens_table.c.user_id == user.id)
        with self.db.begin() as conn:
            result = conn.execute(tokens_table.update().where(
                *where, tokens_table.c.revoked_at.is_(None)).values(
                revoked_at=now or people.now()))
            if result.rowcount == 1:
                return True
            if conn.scalar(sa.select(tokens_table.c.id).where(*where)) is None:
                raise NotFoundError(f"there is no token {token_id!r}"
                                    + (" of yours" if user is not None else
                                       f" in tenant {tenant!r}"),
                                    code="token_not_found",
                                    hint="list the tokens: GET /api/v1/auth/tokens or "
                                         "hulian token list")
        return False
