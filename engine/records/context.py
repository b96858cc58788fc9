"""What every record operation carries: connection, compiled schema, user, clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.system.people import User


@dataclass(frozen=True)
class Context:
    conn: sa.Connection
    schema: CompiledSchema
    user: User
    now: dt.datetime
    visibility: Any = None
    """The user's :class:`~hulian.engine.permissions.Visibility` (None: system work)."""

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def object(self, api_name: str) -> CompiledObject:
        return self.schema.object(api_name)
