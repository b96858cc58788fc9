"""The write pipeline's ``locked`` step: a record pending approval is locked.

Updates and deletes of a pending record, and (when its process locks details, the
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


def _refuse(object_name: str, record_id: str, master: str | None = None) -> ConflictError:
    what = f"its {master} record {record_id} is" if master else f"record {record_id} is"
    return ConflictError(f"this {object_name} record is locked: {what} pending approval",
                         code="record_locked",
                         hint="wait for the approval to end, or ask the submitter to recall "
                              "it (an administrator may edit it)")


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
    conn, schema = w.ctx.conn, w.ctx.schema
    tenant = schema.tenant
    if w.record_id is not None and locks.own:
        approval = store.pending(conn, tenant, object_id(schema, w.obj.api_name), w.record_id)
        if approval is not None and not (approval.flow in locks.approvers_may_edit
                                         and _may_edit(w, approval)):
            raise _refuse(w.obj.api_name, w.record_id)
    for field, master, flows in locks.masters:
        ids = _masters([*([w.current] if w.current else []), *w.rows], field)
        master_id = object_id(schema, master)
        for record_id in sorted(ids):
            approval = store.pending(conn, tenant, master_id, record_id)
            if approval is not None and approval.flow in flows:
                raise _refuse(w.obj.api_name, record_id, master)
