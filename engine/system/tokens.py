"""Bearer API tokens: random secrets shown once, stored only as SHA-256 hashes.

A token is ``hl_`` + 43 URL-safe characters (256 random bits), so a fast hash is
the right tool here (argon2 is for low-entropy passwords).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from hulian.engine.errors import HulianError, UnauthenticatedError
from hulian.engine.ids import new_id
from hulian.engine.system.people import User, now, shown_name, signed_in_user
from hulian.engine.system.tables import tokens
from hulian.metadata.values import storable

PREFIX = "hl_"
MAX_LABEL = 200


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_label(label: object) -> str | None:
    """``label`` if it can label a token: None, or text of at most 200 characters that
    both databases can store; HulianError ``invalid_token_label`` otherwise."""
    if label is None:
        return None
    if not isinstance(label, str) or len(label) > MAX_LABEL or not storable(label):
        raise HulianError(f"{shown_name(label)} is not a valid token label",
                          code="invalid_token_label",
                          hint=f"use at most {MAX_LABEL} characters, without NUL or lone "
                               "surrogates")
    return label


def create_token(conn: sa.Connection, user: User, *, label: str | None = None,
                 expires_at: dt.datetime | None = None) -> str:
    check_label(label)
    token = PREFIX + secrets.token_urlsafe(32)
    conn.execute(tokens.insert().values(
        id=new_id(), tenant=user.tenant, user_id=user.id, token_hash=hash_token(token),
        label=label, created_at=now(), expires_at=expires_at,
    ))
    return token


def revoke_token(conn: sa.Connection, token: str) -> bool:
    result = conn.execute(tokens.update().where(
        tokens.c.token_hash == hash_token(token), tokens.c.revoked_at.is_(None),
    ).values(revoked_at=now()))
    return result.rowcount == 1


def authenticate(conn: sa.Connection, token: str) -> User:
    """The user a token belongs to; UnauthenticatedError when missing, revoked or expired,
    or when its user has been deactivated or belongs to a deactivated downstream enterprise
    (``invalid_token``, as for an unknown token; the token works again once the user or
    the enterprise is reactivated)."""
    refused = UnauthenticatedError(
        "the bearer token is not valid", code="invalid_token",
        hint="create one with: hulian token create --db URL --tenant T --user U",
    )
    if not token or not token.startswith(PREFIX) or len(token) > 200 or not storable(token):
        raise refused
    row = conn.execute(sa.select(tokens).where(tokens.c.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        raise refused
    if row.expires_at is not None and row.expires_at <= now():
        raise UnauthenticatedError("the bearer token has expired", code="token_expired",
                                   hint="create a new one with: hulian token create")
    user = signed_in_user(conn, row.tenant, row.user_id)
    if user is None:
        raise refused
    return user
