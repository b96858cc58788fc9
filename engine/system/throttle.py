"""Login throttling: too many failed logins for one (tenant, username) or from one client.

Failures are rows of ``hulian_login_failures``, so every worker process sees the same
counts. Within any :data:`WINDOW` (15 minutes), :data:`PER_USER` (5) failures for the same
tenant and username, or :data:`PER_CLIENT` (20) from the same client address, lock further
attempts for that key, even with the right password, until enough of those failures are
older than the window. Locked attempts are not counted (they cannot extend the lock).
A wrong current password given to ``Engine.accounts.change_password`` counts as a failed login
(else a stolen session could guess the password there unthrottled). A successful login,
password change or administrator's new password clears the failures of the user.

The check and the record are separate statements: two workers racing may let one or two
attempts more through. Time comes from the caller (``now``), so tests can move it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import sqlalchemy as sa

from hulian.engine.ids import new_id
from hulian.engine.system.tables import login_failures

__all__ = ["PER_CLIENT", "PER_USER", "RETENTION", "WINDOW", "Throttle", "check", "clear",
           "record"]

WINDOW = dt.timedelta(minutes=15)
PER_USER = 5
PER_CLIENT = 20
RETENTION = dt.timedelta(days=1)
"""Failures older than this are deleted when new ones are recorded."""


@dataclass(frozen=True)
class Throttle:
    """A lock on logins: for ``key`` ("user" or "client"), ``retry_after`` whole seconds."""

    key: str
    retry_after: int


def _keys(tenant: str, username: str) -> tuple[str, str]:
    return tenant[:30], username[:80]


def _retry_after(conn: sa.Connection, where: sa.ColumnElement[bool], limit: int,
                 now: dt.datetime) -> int | None:
    """Seconds until fewer than ``limit`` failures matching ``where`` lie in the window."""
    times = list(conn.scalars(sa.select(login_failures.c.failed_at).where(
        where, login_failures.c.failed_at > now - WINDOW,
    ).order_by(login_failures.c.failed_at.desc()).limit(limit)))
    if len(times) < limit:
        return None
    free_at = times[limit - 1] + WINDOW   # the oldest of the newest ``limit`` ages out
    return max(1, math.ceil((free_at - now).total_seconds()))


def check(conn: sa.Connection, tenant: str, username: str, client_ip: str | None,
          now: dt.datetime) -> Throttle | None:
    """The lock in force for this attempt, or None (the longer one when both apply)."""
    tenant, username = _keys(tenant, username)
    found: list[Throttle] = []
    user_wait = _retry_after(conn, sa.and_(login_failures.c.tenant == tenant,
                                           login_failures.c.username == username),
                             PER_USER, now)
    if user_wait is not None:
        found.append(Throttle("user", user_wait))
    if client_ip:
        client_wait = _retry_after(conn, login_failures.c.client_ip == client_ip[:64],
                                   PER_CLIENT, now)
        if client_wait is not None:
            found.append(Throttle("client", client_wait))
    return max(found, key=lambda t: t.retry_after, default=None)


def record(conn: sa.Connection, tenant: str, username: str, client_ip: str | None,
           now: dt.datetime) -> None:
    """Count one failed login (and forget failures older than :data:`RETENTION`)."""
    tenant, username = _keys(tenant, username)
    conn.execute(login_failures.delete().where(login_failures.c.failed_at < now - RETENTION))
    conn.execute(login_failures.insert().values(
        id=new_id(), tenant=tenant, username=username,
        client_ip=client_ip[:64] if client_ip else None, failed_at=now))


def clear(conn: sa.Connection, tenant: str, username: str) -> None:
    """Forget the failures of one tenant and username (after a successful login)."""
    tenant, username = _keys(tenant, username)
    conn.execute(login_failures.delete().where(login_failures.c.tenant == tenant,
                                               login_failures.c.username == username))
