"""The write pipeline's ``locked`` step: a record pending approval is locked, and so is
an approved one when its process keeps approved records locked (``lock.when_approved``,
the default: Salesforce's final approval lock).

Updates and deletes of a locked record, and (when its process locks details, the
default) creates, updates and deletes of its master-detail details, are refused with
ConflictError ``record_locked``, except for administrators, for the current step's
approvers when the process says ``approvers_may_edit``, and for the flows' own writes
(:data:`FLOW_GUARD`). Only objects whose :class:`~hulian.engine.approvals.processes.Locks`
exist get the step (:func:`hulian.engine.records.pipeline.chosen`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hulian.engine.approvals import store
from hulian.engine.errors import ConflictError, FieldError
from hulian.engine.records.recycle_bin import object_id
from hulian.engine.records.write import Write
from hulian.engine.schema.compiled import CompiledObject

__all__ = ["FLOW_GUARD", "FlowGuard", "check_lock", "has_locks"]


class FlowGuard:
    """The guard of a flow's own writes: its field updates are metadata, checked at
    deploy, so no field permission applies, and they pass the approval lock. The write's
    context has no visibility (system work): no data permission applies either."""

    bypasses_lock = True

    def check_input(self, obj: CompiledObject, rows: list[Any], errors: list[FieldError],
                    *, creating: bool) -> list[Any]:
        return rows


FLOW_GUARD = FlowGuard()


def has_locks(obj: CompiledObject, plan: Any) -> bool:
    return plan.locks is not None


def _refuse(object_name: str, record_id: str, status: str, master: str | None = None
            ) -> ConflictError:
    what = f"its {master} record {record_id} is" if master else f"record {record_id} is"
    if status == store.PENDING:
        return ConflictError(f"this {object_name} record is locked: {what} pending approval",
                             code="record_locked",
                             hint="wait for the approval to end, or ask the submitter to "
                                  "recall it (an administrator may edit it)")
    return ConflictError(f"this {object_name} record is locked: {what} approved",
                         code="record_locked",
                         hint="an approved record stays locked; an administrator may edit it")


def _locking(w: Write, object_name: str, record_id: str, flows: frozenset[str]) -> Any:
    """The approval that locks the record: its newest, when pending (by one of ``flows``)
    or approved by one of them that keeps approved records locked; else None."""
    schema = w.ctx.schema
    last = store.latest(w.ctx.conn, schema.tenant, object_id(schema, object_name), record_id)
    if last is None or last.flow not in flows:
        return None
    if last.status == store.PENDING or (last.status == store.APPROVED
                                        and last.flow in w.plan.locks.kept):
        return last
    return None


def _may_edit(w: Write, approval: Any) -> bool:
    """Whether the user is a waiting approver of ``approval``'s current step."""
    items = store.current_items(w.ctx.conn, w.ctx.schema.tenant, approval.id, approval.step)
    return any(i.user_id == w.ctx.user.id and i.state == store.WAITING for i in items)


def _masters(rows: Iterable[Mapping[str, Any]], field: str) -> set[str]:
    return {row[field] for row in rows if isinstance(row.get(field), str)}


def check_lock(w: Write) -> None:
    """ConflictError ``record_locked`` when the write touches a locked record."""
    locks = w.plan.locks
    if locks is None or getattr(w.guard, "bypasses_lock", False):
        return
    visibility = w.visibility
    if visibility is None or visibility.rights.admin:
        return
    if w.record_id is not None and locks.own:
        approval = _locking(w, w.obj.api_name, w.record_id, locks.own)
        if approval is not None and not (approval.status == store.PENDING
                                         and approval.flow in locks.approvers_may_edit
                                         and _may_edit(w, approval)):
            raise _refuse(w.obj.api_name, w.record_id, approval.status)
    for field, master, flows in locks.masters:
        ids = _masters([*([w.current] if w.current else []), *w.rows], field)
        for record_id in sorted(ids):
            approval = _locking(w, master, record_id, flows)
            if approval is not None:
                raise _refuse(w.obj.api_name, record_id, approval.status, master)
