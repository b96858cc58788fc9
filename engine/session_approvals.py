"""Approvals (审批) as methods of :class:`~hulian.engine.Session`.

>>> s.submit_for_approval("Order", order_id, comment="Urgent")   # doctest: +SKIP
{'object': 'Order', 'record_id': '01J...', 'locked': True, 'approval': {...}, ...}
>>> boss.pending_approvals()                                     # doctest: +SKIP
[{'approval_id': '01K...', 'process': 'order_approval', 'object': 'Order', ...}]
>>> boss.approve("Order", order_id, comment="OK")                # doctest: +SKIP

Submitting needs the right to edit the record; approving and rejecting, being an
approver of its current step (``not_an_approver`` otherwise); recalling, being its
submitter or an administrator. Reading a record's approval (:meth:`approval`) needs the
right to read the record. See :mod:`hulian.engine.approvals` and docs/flows.md#approvals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hulian.engine.approvals import run, store
from hulian.engine.errors import QueryError
from hulian.engine.records.rows import fetch
from hulian.engine.security.visibility import READ
from hulian.engine.session_bin import check_limit
from hulian.engine.session_notifications import object_names
from hulian.engine.session_parts import SessionParts

if TYPE_CHECKING:
    from hulian.engine.records.context import Context
    from hulian.engine.schema.compiled import CompiledObject

__all__ = ["MAX_COMMENT", "ApprovalsMixin"]

MAX_COMMENT = 4000


def _comment(comment: Any) -> str | None:
    if comment is None:
        return None
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT or "\x00" in comment:
        raise QueryError(f"comment must be a text of at most {MAX_COMMENT} characters",
                         code="invalid_parameter", parameter="comment")
    return comment or None


class ApprovalsMixin(SessionParts):
    """The approval methods of Session, which provides what is declared here."""

    if TYPE_CHECKING:
        def _editable(self, obj: CompiledObject, record_id: str) -> None: ...

    def _approval_readable(self, obj: CompiledObject, record_id: str, ctx: Context) -> None:
        fetch(ctx, obj, record_id, visible=self.visibility.predicate(obj, READ))

    def submit_for_approval(self, object_name: str, record_id: str, *,
                            comment: str | None = None, process: str | None = None
                            ) -> dict[str, Any]:
        """Submit a record the user may edit to its approval process (``process``: which
        one, when the object has several; default the first whose entry criteria hold).
        Returns the record's approval (:meth:`approval`)."""
        obj = self.guard.object(object_name, "edit")
        text = _comment(comment)
        if process is not None and not isinstance(process, str):
            raise QueryError("process must be the api_name of an approval process",
                             code="invalid_parameter", parameter="process")
        ctx = self._context()
        with self._write():
            self._approval_readable(obj, record_id, ctx)
            self._editable(obj, record_id)
            run.submit(ctx, obj, record_id, process, text)
            return run.state(ctx, obj, record_id)

    def _decide(self, object_name: str, record_id: str, decision: str, comment: Any
                ) -> dict[str, Any]:
        obj = self.guard.object(object_name, "read")
        text = _comment(comment)
        ctx = self._context()
        with self._write():
            fetch(ctx, obj, record_id)  # a live record (approvers need not read it)
            if not run.involves(ctx, obj, record_id):
                # neither an approver nor a reader learns anything of the record
                self._approval_readable(obj, record_id, ctx)
            run.decide(ctx, obj, record_id, decision, text)
            return run.state(ctx, obj, record_id)

    def approve(self, object_name: str, record_id: str, *, comment: str | None = None
                ) -> dict[str, Any]:
        """Approve the record's current step as one of its approvers; returns the
        record's approval. The last step's approval runs the ``approve`` actions."""
        return self._decide(object_name, record_id, "approve", comment)

    def reject(self, object_name: str, record_id: str, *, comment: str | None = None
               ) -> dict[str, Any]:
        """Reject the record's approval as an approver of its current step."""
        return self._decide(object_name, record_id, "reject", comment)

    def recall(self, object_name: str, record_id: str, *, comment: str | None = None
               ) -> dict[str, Any]:
        """Take back a pending approval (its submitter, or an administrator)."""
        obj = self.guard.object(object_name, "read")
        text = _comment(comment)
        ctx = self._context()
        with self._write():
            self._approval_readable(obj, record_id, ctx)  # its submitter could read it
            run.recall(ctx, obj, record_id, text,
                       admin=self.user.is_admin or self.visibility.rights.admin)
            return run.state(ctx, obj, record_id)

    def approval(self, object_name: str, record_id: str) -> dict[str, Any]:
        """The record's approval, for those who may read the record: ``locked``, the
        newest ``approval`` (``process``, ``status`` pending / approved / rejected /
        recalled, current ``step``, ``submitted_by`` and ``_at``, ``decided_at``,
        ``approvers`` with each one's ``state`` and ``comment``; None if never submitted)
        and the ``history`` of every submission, oldest first."""
        obj = self.guard.object(object_name, "read")
        ctx = self._context()
        with self._read():
            self._approval_readable(obj, record_id, ctx)
            return run.state(ctx, obj, record_id)

    def pending_approvals(self, *, limit: int = 50) -> list[dict[str, Any]]:
        """The approvals waiting for the user ("my approvals"), oldest first: dicts of
        ``approval_id``, ``process``, ``object``, ``record_id``, ``step``,
        ``submitted_by`` and ``submitted_at``."""
        check_limit(limit)
        names = object_names(self.schema)
        with self._read():
            rows = store.pending_for(self._conn, self.schema.tenant, self.user.id, limit)
        return [{"approval_id": r.id, "process": r.flow, "object": names.get(r.object),
                 "record_id": r.record_id, "step": r.step_name,
                 "submitted_by": r.submitted_by, "submitted_at": r.submitted_at}
                for r in rows if r.object in names]
