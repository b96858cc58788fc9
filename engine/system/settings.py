"""Installation-wide settings (``hulian_settings``), e.g. the session cookie signing key."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from hulian.engine.system.people import now
from hulian.engine.system.tables import settings

__all__ = ["SIGNING_KEY", "get_or_create"]

SIGNING_KEY = "session_signing_key"


def get_or_create(db: sa.Engine, name: str) -> str:
    """The secret setting ``name``; made once with a random 256-bit value when missing.

    Several processes may start at once: the first insert wins and every process
    reads the value that won.
    """
    with db.connect() as conn:
        found = conn.scalar(sa.select(settings.c.value).where(settings.c.name == name))
    if found is not None:
        return found
    try:
        with db.begin() as conn:
            conn.execute(settings.insert().values(name=name, value=secrets.token_urlsafe(32),
                                                  created_at=now()))
    except sa.exc.IntegrityError:
        pass
    with db.connect() as conn:
        return conn.scalar(sa.select(settings.c.value).where(settings.c.name == name))
