"""Related teams (相关团队) of records, as methods of :class:`~hulian.engine.Session`.

>>> s.share("Order", order_id, "li.wei", access="edit")       # doctest: +SKIP
>>> s.team("Order", order_id)
[{'user_id': ..., 'username': 'li.wei', 'access': 'edit', 'external': False, ...}]

Whoever may edit a record may change its team; an interconnect user may add only the
people of their own enterprise (anyone else is refused like a user who does not exist,
so the team reveals nothing of other enterprises). A team member reads the record
(``read``) or also edits it (``edit``) whatever the object's data permission level;
an interconnect user in a team is the record's external team. A detail record
follows its master's team.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import HulianError, NotFoundError
from hulian.engine.records.rows import fetch
from hulian.engine.security.visibility import READ
from hulian.engine.session_parts import SessionParts
from hulian.engine.system import people, teams


class TeamsMixin(SessionParts):
    def _team_record(self, object_name: str, record_id: str, *, change: bool) -> str:
        """The object's stable id, after checking the user may read (``change``: edit) it."""
        obj = self.guard.object(object_name, "edit" if change else "read")  # type: ignore[attr-defined]
        if any(f.type == "master_detail" for f in obj.model.fields):
            raise HulianError(f"{obj.api_name} records follow their master's team",
                              code="team_on_detail",
                              hint="share the master record instead")
        fetch(self._context(), obj, record_id,  # type: ignore[attr-defined]
              visible=self.visibility.predicate(obj, READ))  # type: ignore[attr-defined]
        if change:
            self._editable(obj, record_id)  # type: ignore[attr-defined]
        return str(self.schema.ids.get(obj.api_name, {}).get("id")  # type: ignore[attr-defined]
                   or obj.api_name)

    def _member(self, user: str) -> people.User:
        conn: sa.Connection = self._conn  # type: ignore[attr-defined]
        tenant: str = self.tenant  # type: ignore[attr-defined]
        found = people.user_by_id(conn, tenant, user) or people.find_user(conn, tenant, user)
        me: people.User = self.user  # type: ignore[attr-defined]
        if found is not None and me.is_interconnect and found.enterprise_id != me.enterprise_id:
            found = None  # a downstream user knows only the people of their own enterprise
        if found is None:
            raise NotFoundError(f"there is no active user {user!r} in tenant {tenant!r}",
                                code="unknown_user")
        return found

    def team(self, object_name: str, record_id: str) -> list[dict[str, Any]]:
        """The record's team: user id, username, access, external (an interconnect user)."""
        object_id = self._team_record(object_name, record_id, change=False)
        return teams.members(self._conn, self.tenant, object_id,  # type: ignore[attr-defined]
                             record_id)

    def share(self, object_name: str, record_id: str, user: str, *,
              access: str = "read") -> list[dict[str, Any]]:
        """Add ``user`` (id or username) to the record's team with ``access`` ``read`` or
        ``edit`` (or change their access); returns the team."""
        if access not in teams.ACCESS:
            raise HulianError(f"{access!r} is not a team access", code="invalid_access",
                              hint="use 'read' or 'edit'")
        object_id = self._team_record(object_name, record_id, change=True)
        member = self._member(user)
        with self._write():  # type: ignore[attr-defined]
            teams.put(self._conn, self.tenant, object_id, record_id,  # type: ignore[attr-defined]
                      member.id, access, self.user.id)  # type: ignore[attr-defined]
        return self.team(object_name, record_id)

    def unshare(self, object_name: str, record_id: str, user: str) -> list[dict[str, Any]]:
        """Take ``user`` out of the record's team; returns the team."""
        object_id = self._team_record(object_name, record_id, change=True)
        member = self._member(user)
        with self._write():  # type: ignore[attr-defined]
            teams.remove(self._conn, self.tenant, object_id,  # type: ignore[attr-defined]
                         record_id, member.id)
        return self.team(object_name, record_id)
