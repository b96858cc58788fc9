"""What every record operation carries: connection, compiled schema, user, clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.changes.outbox import Origin
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.system.people import User


@dataclass(frozen=True)
class Context:
    conn: sa.Connection
    schema: CompiledSchema
    user: User
    now: dt.datetime
    visibility: Any = None
    """The user's :class:`~hulian.engine.security.visibility.Visibility` (None: system work)."""
    owner: Mapping[str, Any] | None = None
    """The ownership columns of the records this user creates (None: the user owns them);
    see :meth:`~hulian.engine.security.visibility.Visibility.new_record_owner`."""
    channel: str = "api"
    """Where the write comes from (:data:`hulian.engine.changes.CHANNELS`)."""
    request_id: str | None = None
    """The request the write belongs to, if any (recorded with its changes)."""
    journal: Any = None
    """The operation's :class:`~hulian.engine.changes.journal.Journal`, where every record
    it writes is noted (None: the session records no changes)."""
    flow_depth: int = 0
    """How many automations led to this write (0: a user's own write); see
    :mod:`hulian.engine.automations`."""

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def object(self, api_name: str) -> CompiledObject:
        return self.schema.object(api_name)

    def flush_changes(self) -> None:
        """Write what the journal holds to the outbox: the user's changes as theirs, the
        system's (roll-ups) as ``system``."""
        if self.journal is None:
            return
        mine = Origin(self.user.id, self.user.enterprise_id, self.channel, self.request_id,
                      self.now)
        system = Origin(None, None, "system", self.request_id, self.now)
        self.journal.flush(self.conn, mine, system)
