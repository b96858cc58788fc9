"""Record changes (:class:`RecordChange`) and the outbox they are written to.

Every write of a record ends in one change per record it touched, written to the tenant's
outbox table (``hulian_changes``) in the same transaction as the data
(:mod:`~hulian.engine.changes.outbox`): a write that fails leaves no change, a write that
commits always has its changes. Audit history, the change feed, webhooks and (later) flows
and sync read them from there.

>>> from hulian.engine.changes import outbox
>>> outbox.read_after(conn, "acme", after=0, limit=100)        # doctest: +SKIP
[RecordChange(id=1, kind='create', object='Order', record_id='01J...', ...)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CHANNELS", "KINDS", "RecordChange"]

CHANNELS = ("api", "ui", "import", "flow", "sync", "system")
"""Where a change came from: the REST API or the Python library (``api``), the generated
UI (``ui``), a data import (``import``), a flow (``flow``), cross-tenant sync (``sync``),
or hulian itself (``system``: roll-ups, quotes, deploy backfills)."""

KINDS = ("create", "update", "delete", "restore", "event")
"""``event``: something that happened to a record that is no field change (a flow's
``approval_approved``, an automation's webhook event): ``before`` is None and ``after``
holds ``{"event": name, ...details}``."""


@dataclass(frozen=True)
class RecordChange:
    """One record's change: ``before`` and ``after`` hold only the fields that changed
    (a create has no ``before`` and every value it stored in ``after``; a delete or restore
    changes ``is_deleted``). ``user`` and ``enterprise`` are ids (None: hulian itself; an
    enterprise for a downstream user); ``id`` increases in commit order within a tenant
    and has no gaps."""

    id: int
    kind: str
    object: str
    record_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    user: str | None
    enterprise: str | None
    channel: str
    request_id: str | None
    at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "object": self.object,
                "record_id": self.record_id,
                "before": dict(self.before) if self.before is not None else None,
                "after": dict(self.after) if self.after is not None else None,
                "user": self.user, "enterprise": self.enterprise, "channel": self.channel,
                "request_id": self.request_id, "at": self.at}
