"""A tenant for the record history and change feed tests (builds inputs, asserts nothing).

- ``Deal``: private records (each user reads their own; admin all), history on
  ``amount``, ``stage``, ``cost`` and ``owner_id`` (``notes`` untracked), ``cost`` hidden
  from the ``rep`` role;
- ``Memo``: every internal user reads every memo, no history;
- ``Secret``: only admin reads it (no role grants it).

Users ``mei`` and ``li`` are reps (display names "Mei Chen" and "Li Wei"), ``admin`` the
built-in administrator.

:func:`World.emit` writes a record change to the outbox itself, for changes no session
write makes here (one dated in the past, one from another channel or of hidden fields only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hulian.engine import Engine
from hulian.engine.changes import outbox
from hulian.engine.changes.outbox import Origin, Pending
from hulian.engine.schema.compiled import CompiledSchema
from tests.packs import documents, field, label, obj, options, pack_of

DEAL = obj("Deal", field("name", "text"), field("amount", "currency"),
           field("stage", "picklist", options=options("new", "won", "lost")),
           field("cost", "currency"), field("notes", "text"),
           field("margin", "currency", formula="amount - cost"),
           data_permission={"internal": "private"},
           track_history=["amount", "stage", "cost", "owner_id"])
MEMO = obj("Memo", field("name", "text"), field("body", "text"))
SECRET = obj("Secret", field("name", "text"))
REP = {"api_name": "rep", "label": label("Rep"), "objects": {
    "Deal": {"create": True, "read": True, "edit": True, "delete": True,
             "fields": {"cost": "hidden"}},
    "Memo": {"create": True, "read": True, "edit": True, "delete": True}}}


def docs(**deal: Any) -> dict[str, Any]:
    out = documents({**DEAL, **deal}, MEMO, SECRET)
    out["roles/rep.json"] = REP
    return out


@dataclass
class World:
    engine: Engine
    tenant: str

    def schema(self) -> CompiledSchema:
        with self.engine.session(self.tenant, readonly=True) as s:
            return s.schema

    def object_id(self, name: str) -> str:
        return str(self.schema().ids[name]["id"])

    def user_id(self, username: str) -> str:
        with self.engine.session(self.tenant, username, readonly=True) as s:
            return s.user.id

    def create(self, username: str, object_name: str, values: dict[str, Any]
               ) -> dict[str, Any]:
        """Create a record as ``username`` (the write records its create change)."""
        with self.engine.session(self.tenant, username) as s:
            return s.create(object_name, values)

    def emit(self, username: str | None, kind: str, object_name: str, record_id: str,
             before: dict[str, Any] | None, after: dict[str, Any] | None, *,
             at: dt.datetime | None = None, channel: str = "api") -> int:
        """Write one change to the outbox (as ``username``; None: hulian itself); its id."""
        user = self.user_id(username) if username else None
        origin = Origin(user, None, channel, "req-test", at or dt.datetime.now(dt.UTC))
        pending = Pending(kind, object_name, self.object_id(object_name), record_id, before,
                          after)
        with self.engine.db.begin() as conn:
            (change_id,) = outbox.append(conn, self.tenant, origin, [pending])
        return change_id


def build(engine: Engine, tenant: str) -> World:
    engine.metadata(tenant).deploy(pack_of(docs()))
    people = engine.people(tenant)
    people.create_user("mei", display_name="Mei Chen", roles=["rep"])
    people.create_user("li", display_name="Li Wei", roles=["rep"])
    return World(engine, tenant)
