"""Permissions computed once and shared by the sessions that follow.

A session's :class:`~hulian.engine.security.visibility.Visibility` (rights from the
user's roles, the department tree, the people a leader sees, the enterprise and its
overrides, and the predicates built from them) depends only on the tenant's people and
its metadata. Both carry a version: ``hulian_tenants.people_version`` goes up in the
transaction of every change to users, departments, role assignments, enterprises and
their overrides (:func:`hulian.engine.system.people.people_changed`), and each deploy
makes a metadata version. A session reads both in the one statement that starts it
(:func:`hulian.engine.system.people.arrive`), so the cache below needs no invalidation
message, works across processes, and a change is seen by the next session that starts
after it commits.

Why this is safe: an entry stored under people version *v* was read by a session that
saw *v* (or a later state, never an earlier one), and any later change moves the version
past *v*, so no session starting after it uses the entry. What the predicates read from
tables in the query itself (related teams, records) is never cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import sqlalchemy as sa

from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.security.visibility import Visibility
from hulian.engine.system.people import User

SIZE = 4096
"""Entries kept (least recently used go first): one per active user and version."""


class VisibilityCache:
    def __init__(self, size: int = SIZE):
        self.size = size
        self._entries: OrderedDict[tuple[str, int, int, User], Visibility] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, conn: sa.Connection, schema: CompiledSchema, user: User,
            people_version: int) -> Visibility:
        """``user``'s visibility under ``schema`` with the tenant at ``people_version``
        (the one the session read when it started); read on a miss."""
        key = (schema.tenant, people_version, schema.version, user)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found.schema is schema:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        found = Visibility.of(conn, schema, user)
        with self._lock:
            self.misses += 1
            self._entries[key] = found
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
