"""Bearer API tokens: random secrets shown once, stored only as SHA-256 hashes.

A token is ``hl_``, its tenant's name and a dot, then 43 URL-safe characters (256 random
bits): ``hl_acme.3Rk...``. The random part makes it a secret, so a fast hash is the right
tool here (argon2 is for low-entropy passwords); the tenant's name lets a request read the
token and its user in one statement over the tenant's tables
(:func:`hulian.engine.system.arrival.arrive_with`). The hash covers the whole token, so the
name cannot be changed to reach another tenant. Tokens made before the name was added
(``hl_`` + 43 characters) still work, looked up by their hash alone.
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
TENANT_END = "."
"""Ends the tenant's name in a token (never in a tenant name, nor in the random part)."""


def named_tenant(token: str) -> str | None:
    """The tenant a token names (``hl_acme.3Rk...`` -> ``acme``); None for a token of the
    older form, which names none."""
    head, dot, _ = token.removeprefix(PREFIX).partition(TENANT_END)
    return head if dot else None
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
    token = f"{PREFIX}{user.tenant}{TENANT_END}{secrets.token_urlsafe(32)}"
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
