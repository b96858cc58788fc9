"""Accounts: passwords, login sessions and API token management (a mixin of ``Engine``).

>>> eng.people("acme").set_password("mei", "correct horse battery")   # doctest: +SKIP
>>> login = eng.accounts.login("acme", "mei", "correct horse battery", client_ip="10.0.0.7")
>>> eng.accounts.login_session(login.secret).user.username
'mei'
>>> eng.accounts.change_password("acme", "mei", "correct horse battery", "battery staple horse")
>>> eng.accounts.logout(login.secret)      # the new password ended every session of mei's
False

Every method takes ``now`` where time matters (expiry, throttling), so tests can move
the clock; by default it is the current time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.database import reading
from hulian.engine.errors import (
    NotFoundError,
    PermissionDenied,
    ThrottledError,
    UnauthenticatedError,
)
from hulian.engine.system import login_sessions, passwords, people, settings, throttle, tokens
from hulian.engine.system.login_sessions import LoginSession
from hulian.engine.system.tables import tokens as tokens_table
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.values import storable

if TYPE_CHECKING:
    from hulian.engine.engine import Engine

__all__ = ["Accounts", "LoginSession", "TokenInfo", "set_password"]


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


def _throttled(lock: throttle.Throttle) -> ThrottledError:
    who = "this user" if lock.key == "user" else "this client address"
    return ThrottledError(f"too many failed logins for {who}; try again in "
                          f"{lock.retry_after} seconds", code="login_throttled",
                          retry_after=lock.retry_after,
                          hint="wait, or ask an administrator to set a new password")


def _wrong_current_password() -> PermissionDenied:
    return PermissionDenied(
        "the current password is wrong", code="wrong_current_password",
        hint=f"type the password you log in with; it counts as a failed login (after "
             f"{throttle.PER_USER} in {throttle.WINDOW.seconds // 60} minutes they pause); if "
             "it is forgotten, ask an administrator to set a new one")


def _require_user(conn: sa.Connection, tenant: str, user: str | people.User) -> people.User:
    people.require_tenant(conn, tenant)
    if isinstance(user, people.User):
        found = people.user_by_id(conn, tenant, user.id)
        if found is None:
            raise NotFoundError(f"there is no active user {user.username!r} in tenant "
                                f"{tenant!r}", code="unknown_user")
        return found
    return people.require_user(conn, tenant, user)


def set_password(db: sa.Engine, tenant: str, user: str | people.User, password: str, *,
                 now: dt.datetime | None = None) -> None:
    """Give ``user`` (a username or User) a new password, after checking the policy
    (:func:`hulian.engine.system.passwords.check_policy`: at least 8 characters, not the
    username), without asking for the old one (what an administrator does:
    :meth:`hulian.engine.people_api.PeopleAdmin.set_password`). Ends every login session
    of the user (API tokens stay) and clears their failed logins, so a throttled user can
    log in at once with the new password."""
    with reading(db) as conn:
        found = _require_user(conn, tenant, user)
    passwords.check_policy(password, found.username)
    hashed = passwords.hash_password(password)
    with db.begin() as conn:
        users = tables_of(conn, tenant).users
        conn.execute(users.update().where(users.c.id == found.id).values(password_hash=hashed))
        login_sessions.revoke_all(conn, found.id, now or people.now())
        throttle.clear(conn, tenant, found.username)


class Accounts:
    """One's own account (``engine.accounts``): logging in and out, login sessions, changing
    one's password, one's API tokens, and authenticating a token. Each method names the
    user it acts for; administering others' accounts is
    :class:`~hulian.engine.people_api.PeopleAdmin`."""

    def __init__(self, engine: Engine):
        self.db = engine.db

    def _require_user(self, conn: sa.Connection, tenant: str, user: str | people.User
                      ) -> people.User:
        return _require_user(conn, tenant, user)

    def change_password(self, tenant: str, user: str | people.User, current: str, new: str,
                        *, client_ip: str | None = None, session_id: str | None = None,
                        now: dt.datetime | None = None) -> LoginSession | None:
        """A user changes their own password, proving they know the ``current`` one.

        Checks, in order: the login throttle (ThrottledError ``login_throttled``); the
        policy for ``new`` (PasswordPolicyError, nothing counted); ``current``
        (PermissionDenied ``wrong_current_password``, counted as a failed login, so this
        cannot be used to guess passwords faster than logging in); ``new`` differs from
        ``current`` (PasswordPolicyError ``password_unchanged``). Then stores the new hash,
        ends every login session of the user, clears their failed logins and keeps their
        API tokens.

        ``session_id`` (the caller's own live session, i.e. the cookie's id) is replaced by
        a new session, which is returned so the caller stays logged in on a new cookie and
        CSRF token (whoever holds a copy of the old cookie is logged out too); without it
        the result is None.
        """
        now = now or people.now()
        with reading(self.db) as conn:
            found = self._require_user(conn, tenant, user)
            lock = throttle.check(conn, tenant, found.username, client_ip, now)
            users = tables_of(conn, tenant).users
            stored = conn.scalar(sa.select(users.c.password_hash)
                                 .where(users.c.id == found.id))
        if lock is not None:
            raise _throttled(lock)
        passwords.check_policy(new, found.username)
        if stored is None:
            passwords.dummy_verify(current)
        if stored is None or not passwords.verify(stored, current):
            with self.db.begin() as conn:
                throttle.record(conn, tenant, found.username, client_ip, now)
            raise _wrong_current_password()
        if new == current:
            raise passwords.PasswordPolicyError(
                "the new password is the current one", code="password_unchanged",
                hint="choose a password you have not been using")
        hashed = passwords.hash_password(new)
        with self.db.begin() as conn:
            kept = None if session_id is None else \
                login_sessions.lookup(conn, session_id, now)
            if kept is not None and kept.user.id != found.id:
                raise UnauthenticatedError("the login session is not this user's",
                                           code="invalid_session",
                                           hint="pass the caller's own session id")
            changed = conn.execute(users.update().where(
                users.c.id == found.id, users.c.password_hash == stored,
            ).values(password_hash=hashed))
            if changed.rowcount != 1:   # changed by someone else since it was read
                raise _wrong_current_password()
            login_sessions.revoke_all(conn, found.id, now)
            throttle.clear(conn, tenant, found.username)
            if kept is None:
                return None
            return login_sessions.create(conn, found, client_ip=client_ip, now=now)

    # -- logins -------------------------------------------------------------------------------

    def login(self, tenant: str, username: str, password: str, *,
              client_ip: str | None = None, now: dt.datetime | None = None) -> LoginSession:
        """Check a password and open a login session (``.secret`` goes in the cookie).

        A wrong password, an unknown tenant or user, a user without a password, and a
        deactivated user or a user of a deactivated downstream enterprise (even with the
        right password) are all UnauthenticatedError ``invalid_credentials``, checked in the
        same time and counted alike by the throttle. Too many recent failures
        (:mod:`hulian.engine.system.throttle`) raise ThrottledError ``login_throttled``
        before the password is looked at.
        """
        now = now or people.now()
        if not (isinstance(tenant, str) and storable(tenant) and isinstance(username, str)
                and storable(username) and isinstance(password, str)
                and passwords.encodable(password)):
            passwords.dummy_verify("")  # no tenant, user or password can be so: nothing
            raise _invalid_credentials()  # to look up, nothing to count
        with self.db.connect() as conn:
            lock = throttle.check(conn, tenant, username, client_ip, now)
            row = None if lock or not people.known_tenant(conn, tenant) else \
                self._password_row(conn, tenant, username)
        if lock is not None:
            raise _throttled(lock)
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
                users = tables_of(conn, tenant).users
                conn.execute(users.update().where(users.c.id == row.id)
                             .values(password_hash=upgraded))
            throttle.clear(conn, tenant, username)
            user = people.signed_in_user(conn, tenant, row.id)
            if user is None:
                raise _invalid_credentials()
            return login_sessions.create(conn, user, client_ip=client_ip, now=now)

    @staticmethod
    def _password_row(conn: sa.Connection, tenant: str, username: str) -> Any:
        """(id, password_hash) of the user ``username`` of the existing ``tenant`` if they
        may sign in."""
        tables = tables_of(conn, tenant)
        users = tables.users
        return conn.execute(sa.select(users.c.id, users.c.password_hash).where(
            users.c.username == username, people.may_sign_in(tables))).first()

    def login_session(self, session_id: str, *, now: dt.datetime | None = None
                      ) -> LoginSession:
        """The live session of a cookie's session id (UnauthenticatedError
        ``invalid_session`` or ``session_expired`` otherwise)."""
        with reading(self.db) as conn:
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
        with reading(self.db) as conn:
            users = tables_of(conn, user.tenant).users
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
        with reading(self.db) as conn:
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
        missing = NotFoundError(f"there is no token {token_id!r}"
                                + (" of yours" if user is not None else f" in tenant {tenant!r}"),
                                code="token_not_found",
                                hint="list the tokens: GET /api/v1/auth/tokens or "
                                     "hulian token list")
        if not storable(token_id):  # no id holds it; PostgreSQL would refuse the query
            raise missing
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
                raise missing
        return False

    def authenticate(self, token: str) -> people.User:
        """The user an API token belongs to (UnauthenticatedError otherwise)."""
        with reading(self.db) as conn:
            return tokens.authenticate(conn, token)

    def revoke_token(self, token: str) -> bool:
        """Revoke an API token by its secret; False when it was not live."""
        with self.db.begin() as conn:
            return tokens.revoke_token(conn, token)
