"""The names of the tenant's people, as methods of :class:`~hulian.engine.Session`: what
a page shows for an owner, a creator or a lookup to ``User`` or ``Department``, and the
users a record may be given to.

>>> s.user_names(["01H..."])                                  # doctest: +SKIP
{'01H...': 'Li Wei'}
>>> s.owner_choices()[:1]                                     # doctest: +SKIP
[{'id': '01H...', 'name': 'Li Wei'}]

Names are not secret within a tenant (a record's history already shows who changed it),
so every user may read the display names of the ids their records hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from hulian.engine.session_parts import SessionParts
from hulian.engine.system.tenant_tables import tables_of

__all__ = ["MAX_NAMED", "PeopleMixin"]

MAX_NAMED = 500
"""At most this many ids are named per call, and this many owner choices listed."""


class PeopleMixin(SessionParts):
    def user_names(self, ids: Iterable[Any]) -> dict[str, str]:
        """User id -> display name of the tenant's users among ``ids`` (inactive users
        too: they keep their records); ids of no user are left out. One query."""
        wanted = sorted({str(i) for i in ids if i})[:MAX_NAMED]
        if not wanted:
            return {}
        users = tables_of(self._conn, self.tenant).users  # type: ignore[attr-defined]
        with self._read():
            rows = self._conn.execute(sa.select(users.c.id, users.c.display_name)
                                      .where(users.c.id.in_(wanted)))
            return {row.id: row.display_name for row in rows}

    def department_names(self, ids: Iterable[Any]) -> dict[str, str]:
        """Department id -> name of the tenant's departments among ``ids``. One query."""
        wanted = sorted({str(i) for i in ids if i})[:MAX_NAMED]
        if not wanted:
            return {}
        departments = tables_of(self._conn, self.tenant).departments  # type: ignore[attr-defined]
        with self._read():
            rows = self._conn.execute(sa.select(departments.c.id, departments.c.name)
                                      .where(departments.c.id.in_(wanted)))
            return {row.id: row.name for row in rows}

    def enterprise_names(self, ids: Iterable[Any]) -> dict[str, str]:
        """Enterprise id -> name of the tenant's downstream enterprises among ``ids``
        (inactive ones too: they keep their records). One query."""
        wanted = sorted({str(i) for i in ids if i})[:MAX_NAMED]
        if not wanted:
            return {}
        enterprises = tables_of(self._conn, self.tenant).enterprises  # type: ignore[attr-defined]
        with self._read():
            rows = self._conn.execute(sa.select(enterprises.c.id, enterprises.c.name)
                                      .where(enterprises.c.id.in_(wanted)))
            return {row.id: row.name for row in rows}

    def partner_choices(self) -> list[dict[str, str]]:
        """The interconnect users an upstream user may give a record to
        (``out_owner_id``, :mod:`hulian.engine.records.assignment`), by enterprise and name:
        the active users of the active enterprises, each ``{"id", "name"}`` with the name
        as "user (enterprise)" (the user's alone when it names the enterprise already); none
        for an interconnect user."""
        if self.user.enterprise_id is not None:
            return []
        tables = tables_of(self._conn, self.tenant)  # type: ignore[attr-defined]
        users, enterprises = tables.users, tables.enterprises
        query = (sa.select(users.c.id, users.c.display_name, enterprises.c.name)
                 .join(enterprises, enterprises.c.id == users.c.enterprise_id)
                 .where(users.c.is_active == sa.true(), enterprises.c.is_active == sa.true())
                 .order_by(enterprises.c.name, users.c.display_name, users.c.id)
                 .limit(MAX_NAMED))
        with self._read():
            return [{"id": row.id, "name": row.display_name if row.name in row.display_name
                     else f"{row.display_name} ({row.name})"}
                    for row in self._conn.execute(query)]

    def owner_choices(self) -> list[dict[str, str]]:
        """The users a record may be given to (``owner_id``), by name: the active users of
        the user's own side (internal users for an internal user; an interconnect user's
        own enterprise for them), each ``{"id", "name"}``."""
        users = tables_of(self._conn, self.tenant).users  # type: ignore[attr-defined]
        enterprise = self.user.enterprise_id
        side = users.c.enterprise_id.is_(None) if enterprise is None else \
            users.c.enterprise_id == enterprise
        query = (sa.select(users.c.id, users.c.display_name)
                 .where(users.c.is_active == sa.true(), side)
                 .order_by(users.c.display_name, users.c.id).limit(MAX_NAMED))
        with self._read():
            return [{"id": row.id, "name": row.display_name}
                    for row in self._conn.execute(query)]
