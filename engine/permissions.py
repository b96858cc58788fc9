"""Record visibility: which records a user may read or edit, as a SQL predicate.

One function, :meth:`Visibility.predicate`, builds the condition for (user, object,
access); every record path adds it to its query (get, list, count, related lists,
update, delete, restore, lookups written) and to the joins of cross-object formula
references, filters and sorts (a related record the user may not read reads as blank),
so permissions are decided by the database, never by filtering rows after fetching them.

This is the internal part of issue 6's data permissions (``data_permission.internal``
of an object):

- ``company_read_write``: everyone reads and edits every record (the default);
- ``company_read``: everyone reads every record; edits as ``private``;
- ``private``: a user reads and edits the records they own and those owned by people in
  the departments they lead, at any depth below them.

Admins (``is_admin``) read and edit everything in their tenant. A master-detail child
has its master's owner (see :mod:`hulian.engine.records.masters`), so it follows its
master. Leadership is read once per session (the department tree of one tenant is
small) and bound as a list of department ids; the owner's department comes from the
users table, so moving a person to another department moves the records they own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.system import people
from hulian.engine.system.tables import users

READ = "read"
EDIT = "edit"


@dataclass(frozen=True)
class Visibility:
    tenant: str
    user: people.User
    led: frozenset[str]
    """The departments the user leads, with every department below them."""

    @classmethod
    def of(cls, conn: sa.Connection, tenant: str, user: people.User) -> Visibility:
        led = frozenset() if user.is_admin else frozenset(
            people.led_departments(conn, tenant, user.id))
        return cls(tenant, user, led)

    def level(self, obj: CompiledObject) -> str:
        return obj.model.data_permission.get("internal", "company_read_write")

    def predicate(self, obj: CompiledObject, access: str = READ,
                  table: Any = None) -> Any | None:
        """The condition a record of ``obj`` must meet for ``access``; None: every record.

        ``table``: an alias of the object's table to build it on (a join), default the table.
        """
        level = self.level(obj)
        if self.user.is_admin or level == "company_read_write" or \
                (level == "company_read" and access == READ):
            return None
        owner = (obj.table if table is None else table).c.owner_id
        mine = owner == self.user.id
        if not self.led:
            return mine
        team = sa.select(users.c.id).where(users.c.tenant == self.tenant,
                                           users.c.department_id.in_(sorted(self.led)))
        return sa.or_(mine, owner.in_(team))

    def allows(self, obj: CompiledObject, access: str) -> bool:
        """True when every record of ``obj`` is open to ``access``."""
        return self.predicate(obj, access) is None
