"""Submit, approve, reject and recall: each one operation in the caller's write
transaction (the Session's savepoint), so it is applied whole or not at all.

An operation locks the record's pending approval row first (``FOR UPDATE`` on PostgreSQL;
SQLite serialises writers), then checks that the actor may still act: of two approvers
acting at once, the second finds the step decided (ConflictError
``approval_already_decided``). The approval's field updates go through the write pipeline
(:mod:`hulian.engine.records.pipeline`) as the flow's own writes (:data:`~hulian.engine.
approvals.lock.FLOW_GUARD`, channel ``flow``), so they are validated, feed roll-ups and
automations, and are record changes like any write; the approval's events go to the
outbox after them (:mod:`hulian.engine.changes`, kind ``event``).

:func:`after_step` is called after each step of an operation (``items``, ``approval``,
``field_updates``, ``history``, ``notifications``, ``outbox``): tests make it raise to
check that a failure anywhere leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hulian.engine import notifications
from hulian.engine.approvals import processes, store
from hulian.engine.approvals.lock import FLOW_GUARD
from hulian.engine.changes.journal import Journal
from hulian.engine.errors import ConflictError, FlowRefused, NotFoundError, PermissionDenied
from hulian.engine.formulas.records import _Related, build_env
from hulian.engine.parties import resolve
from hulian.engine.records import pipeline
from hulian.engine.records.context import Context
from hulian.engine.records.plan import formula_needs
from hulian.engine.records.recycle_bin import object_id
from hulian.engine.records.rows import fetch
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.kinds.flow_models import Flow
from hulian.metadata.model import label_text

__all__ = ["after_step", "decide", "recall", "state", "submit"]

EVENTS = {"submit": "approval_submitted", "step": "approval_step_approved",
          "approve": "approval_approved", "reject": "approval_rejected",
          "recall": "approval_recalled"}


def after_step(name: str) -> None:
    """Called after each step of an operation; does nothing (a seam for tests)."""


def _flow_context(ctx: Context) -> Context:
    """The context of the flow's own writes: the actor's, as system work (no data
    permission), channel ``flow``, with a journal of its own."""
    return replace(ctx, visibility=None, channel="flow",
                   journal=Journal(ctx.schema) if ctx.journal is not None else None)


def _evaluate(ctx: Context, obj: CompiledObject, flow: Flow, path: tuple[str | int, ...],
              record: Mapping[str, Any]) -> Any:
    """The value of ``flow``'s formula at ``path`` on ``record`` (as stored)."""
    formula = processes.formula(ctx.schema, flow, *path)
    needs = obj.memo.get(("flow_needs", flow.api_name, path),
                         lambda: formula_needs(ctx.schema, obj.api_name, [formula]))
    env = build_env(ctx, obj, dict(record), dict(record), _Related(ctx), needs)
    return formula.run(env)


def _field_updates(fctx: Context, obj: CompiledObject, flow: Flow, event: str,
                   record_id: str) -> None:
    """Run ``flow``'s field updates of ``event`` on the record, through the pipeline."""
    assert flow.approval is not None
    updates = flow.approval.actions.on(event)  # type: ignore[arg-type]
    if not updates:
        return
    record = fetch(fctx, obj, record_id, for_update=True)
    data: dict[str, Any] = {}
    for i, update in enumerate(updates):
        value = _evaluate(fctx, obj, flow, ("actions", event, i, "value"), record)
        field = obj.model.field(update.field)
        shift = field.kind.formula_shift if field is not None else 0
        data[update.field] = value.scaleb(shift) if shift and value is not None else value
    pipeline.run(pipeline.write_of(fctx, obj, FLOW_GUARD, [data], record_id=record_id),
                 "update")


def _event(fctx: Context, obj: CompiledObject, record_id: str, name: str, flow: Flow,
           step: str | None, comment: str | None) -> None:
    if fctx.journal is not None:
        fctx.journal.add(obj, "event", record_id, None,
                         {"event": EVENTS[name], "flow": flow.api_name, "step": step,
                          "comment": comment, "actor": fctx.user.id})


def _title(obj: CompiledObject, record: Mapping[str, Any]) -> str:
    name = record.get(obj.model.name_field)
    return f"{label_text(obj.model.label)} {name}" if name else label_text(obj.model.label)


def _notify(fctx: Context, obj: CompiledObject, flow: Flow, record_id: str,
            users: list[str], title: str, body: str) -> None:
    notifications.send(fctx.conn, fctx.schema.tenant, users, title=title, body=body,
                       object=object_id(fctx.schema, obj.api_name), record_id=record_id,
                       source=f"approval:{flow.api_name}", now=fctx.now)


def _flow(ctx: Context, obj: CompiledObject, name: str) -> Flow:
    found = next((f for f in processes.processes(ctx.schema, obj.api_name)
                  if f.api_name == name), None)
    if found is None:
        raise NotFoundError(f"the approval process {name!r} of {obj.api_name} is no longer "
                            "active", code="no_approval_process")
    return found


# -- submit --------------------------------------------------------------------------------

def _choose(fctx: Context, obj: CompiledObject, process: str | None,
            record: Mapping[str, Any]) -> Flow:
    flows = processes.processes(fctx.schema, obj.api_name)
    if process is not None:
        flows = tuple(f for f in flows if f.api_name == process)
    if not flows:
        names = ", ".join(f.api_name for f in processes.processes(fctx.schema, obj.api_name))
        raise NotFoundError(
            f"{obj.api_name} has no active approval process"
            + (f" named {process!r}" if process is not None else ""),
            code="no_approval_process",
            hint=f"its processes: {names}" if names else "declare one in flows/ of its pack")
    for flow in flows:
        assert flow.approval is not None
        if flow.approval.entry_criteria is None or \
                _evaluate(fctx, obj, flow, ("entry_criteria",), record) is True:
            return flow
    criteria = "; ".join(f"{f.api_name}: {f.approval.entry_criteria}" for f in flows
                         if f.approval is not None)
    raise FlowRefused(f"the record does not meet the entry criteria of the approval "
                      f"process ({criteria})", code="approval_entry_criteria_not_met",
                      hint="change the record so that the criteria hold, then submit again")


def submit(ctx: Context, obj: CompiledObject, record_id: str, process: str | None,
           comment: str | None) -> None:
    """Submit the record (the caller checked that the user may edit it)."""
    fctx = _flow_context(ctx)
    conn, tenant = ctx.conn, ctx.schema.tenant
    oid = object_id(ctx.schema, obj.api_name)
    record = fetch(fctx, obj, record_id, for_update=True)
    if store.pending(conn, tenant, oid, record_id, for_update=True) is not None:
        raise ConflictError(f"this {obj.api_name} record is already pending approval",
                            code="approval_pending",
                            hint="wait for the approvers, or recall it first")
    flow = _choose(fctx, obj, process, record)
    assert flow.approval is not None
    steps: list[tuple[int, str, list[str]]] = []
    for i, step in enumerate(flow.approval.steps):
        if step.criteria is not None and \
                _evaluate(fctx, obj, flow, ("steps", i, "criteria"), record) is not True:
            continue
        approvers = resolve(conn, tenant, step.approvers, record, ctx.user)
        if not approvers:
            raise FlowRefused(f"step {step.api_name} of the approval process "
                              f"{flow.api_name} has no approver for this record",
                              code="approval_no_approver",
                              hint="ask an administrator to give the step's role, leader or "
                                   "partner manager an active user")
        steps.append((i, step.api_name, approvers))
    first = steps[0] if steps else None
    row = {"flow": flow.api_name, "object": oid, "record_id": record_id,
           "status": store.PENDING if first else "approved",
           "step": first[0] if first else None, "step_name": first[1] if first else None,
           "submitted_by": ctx.user.id, "submitted_at": ctx.now,
           "decided_at": None if first else ctx.now}
    approval_id = store.insert_approval(conn, tenant, row)
    store.add_items(conn, tenant, approval_id, steps)
    store.add_history(conn, tenant, {**row, "id": approval_id}, "submit",
                      first[1] if first else None, ctx.user.id, comment, ctx.now)
    _field_updates(fctx, obj, flow, "submit", record_id)
    _event(fctx, obj, record_id, "submit", flow, first[1] if first else None, comment)
    if first is None:  # every step skipped: approved at once
        _field_updates(fctx, obj, flow, "approve", record_id)
        _event(fctx, obj, record_id, "approve", flow, None, comment)
    else:
        _notify(fctx, obj, flow, record_id, first[2],
                f"{_title(obj, record)} awaits your approval",
                f"Submitted by {ctx.user.display_name}" + (f": {comment}" if comment else ""))
    fctx.flush_changes()


# -- approve, reject -----------------------------------------------------------------------

def involves(ctx: Context, obj: CompiledObject, record_id: str) -> bool:
    """Whether the user is an approver (at any step) of the record's newest approval."""
    tenant, oid = ctx.schema.tenant, object_id(ctx.schema, obj.api_name)
    last = store.latest(ctx.conn, tenant, oid, record_id)
    return last is not None and any(i.user_id == ctx.user.id
                                    for i in store.all_items(ctx.conn, tenant, last.id))


def _pending(ctx: Context, obj: CompiledObject, record_id: str) -> Any:
    """The record's pending approval, locked; ConflictError when there is none."""
    tenant, oid = ctx.schema.tenant, object_id(ctx.schema, obj.api_name)
    approval = store.pending(ctx.conn, tenant, oid, record_id, for_update=True)
    if approval is not None:
        return approval
    last = store.latest(ctx.conn, tenant, oid, record_id)
    if last is not None and any(i.user_id == ctx.user.id
                                for i in store.all_items(ctx.conn, tenant, last.id)):
        raise ConflictError(f"the approval of this {obj.api_name} record was already "
                            f"decided ({last.status})", code="approval_already_decided",
                            hint="read its approval (GET .../approval) to see the outcome")
    raise ConflictError(f"this {obj.api_name} record is not pending approval",
                        code="approval_not_pending", hint="submit it first")


def _my_item(ctx: Context, obj: CompiledObject, approval: Any, items: list[Any]) -> Any:
    """The user's waiting item of the approval's current step (``items``: all of its
    items); ConflictError or PermissionDenied when they have none to decide."""
    mine = [i for i in items if i.user_id == ctx.user.id]
    current = next((i for i in mine if i.step == approval.step), None)
    if current is not None and current.state == store.WAITING:
        return current
    if current is not None or any(i.step < approval.step for i in mine):
        raise ConflictError(f"the current step of this {obj.api_name} record's approval "
                            "was already decided", code="approval_already_decided",
                            hint="read its approval (GET .../approval) to see where it is")
    raise PermissionDenied(f"you are not an approver of the current step of this "
                           f"{obj.api_name} record's approval", code="not_an_approver",
                           hint="GET /api/v1/approvals/pending lists what awaits you")


def decide(ctx: Context, obj: CompiledObject, record_id: str, decision: str,
           comment: str | None) -> None:
    """Approve or reject (``decision``) the record's current step as one of its approvers."""
    fctx = _flow_context(ctx)
    conn, tenant, now = ctx.conn, ctx.schema.tenant, ctx.now
    approval = _pending(ctx, obj, record_id)
    flow = _flow(ctx, obj, approval.flow)
    assert flow.approval is not None
    items = store.all_items(conn, tenant, approval.id)
    _my_item(ctx, obj, approval, items)
    step = flow.approval.steps[approval.step]
    approved = decision == "approve"
    store.set_items(conn, tenant, approval.id, "approved" if approved else "rejected",
                    step=approval.step, user_id=ctx.user.id, comment=comment, now=now)
    after_step("items")
    waiting = [i for i in items if i.step == approval.step and i.state == store.WAITING
               and i.user_id != ctx.user.id]
    outcome, next_step = None, None
    if not approved:
        store.set_items(conn, tenant, approval.id, "skipped", now=now)
        store.update_approval(conn, tenant, approval, status="rejected", step=None,
                              decided_at=now)
        outcome = "reject"
    elif step.decision == "any" or not waiting:
        store.set_items(conn, tenant, approval.id, "skipped", step=approval.step, now=now)
        later = sorted({i.step for i in items if i.step > approval.step})
        if later:
            next_step = later[0]
            store.update_approval(conn, tenant, approval, step=next_step,
                                  step_name=flow.approval.steps[next_step].api_name)
        else:
            store.update_approval(conn, tenant, approval, status="approved", step=None,
                                  decided_at=now)
            outcome = "approve"
    else:
        store.update_approval(conn, tenant, approval)  # one of several approvals of "all"
    after_step("approval")
    if outcome is not None:
        _field_updates(fctx, obj, flow, outcome, record_id)
    after_step("field_updates")
    store.add_history(conn, tenant, approval._mapping, decision, step.api_name, ctx.user.id,
                      comment, now)
    after_step("history")
    record = fetch(fctx, obj, record_id)
    if next_step is not None:
        _notify(fctx, obj, flow, record_id,
                [i.user_id for i in items if i.step == next_step],
                f"{_title(obj, record)} awaits your approval",
                f"Submitted for approval; {step.api_name} approved")
    elif outcome is not None:
        verb = "approved" if outcome == "approve" else "rejected"
        _notify(fctx, obj, flow, record_id, [approval.submitted_by],
                f"{_title(obj, record)} was {verb}",
                f"{ctx.user.display_name} {verb} it" + (f": {comment}" if comment else ""))
    after_step("notifications")
    if outcome is not None:
        _event(fctx, obj, record_id, outcome, flow, step.api_name, comment)
    elif next_step is not None:
        _event(fctx, obj, record_id, "step", flow, step.api_name, comment)
    fctx.flush_changes()
    after_step("outbox")


# -- recall --------------------------------------------------------------------------------

def recall(ctx: Context, obj: CompiledObject, record_id: str, comment: str | None,
           *, admin: bool) -> None:
    """Recall the record's pending approval (its submitter, or an administrator)."""
    fctx = _flow_context(ctx)
    conn, tenant, now = ctx.conn, ctx.schema.tenant, ctx.now
    approval = store.pending(conn, tenant, object_id(ctx.schema, obj.api_name), record_id,
                             for_update=True)
    if approval is None:
        raise ConflictError(f"this {obj.api_name} record is not pending approval",
                            code="approval_not_pending", hint="there is nothing to recall")
    if approval.submitted_by != ctx.user.id and not admin:
        raise PermissionDenied("only the submitter or an administrator may recall an "
                               "approval", code="recall_denied",
                               hint="ask the submitter to recall it")
    flow = _flow(ctx, obj, approval.flow)
    store.set_items(conn, tenant, approval.id, "skipped", now=now)
    store.update_approval(conn, tenant, approval, status="recalled", step=None,
                          decided_at=now)
    _field_updates(fctx, obj, flow, "recall", record_id)
    store.add_history(conn, tenant, approval._mapping, "recall", approval.step_name,
                      ctx.user.id, comment, now)
    _event(fctx, obj, record_id, "recall", flow, approval.step_name, comment)
    fctx.flush_changes()


# -- reads ---------------------------------------------------------------------------------

def state(ctx: Context, obj: CompiledObject, record_id: str) -> dict[str, Any]:
    """The record's approval as the API gives it: its newest approval (None: never
    submitted) with every work item, whether it is locked, and its approval history."""
    conn, tenant = ctx.conn, ctx.schema.tenant
    oid = object_id(ctx.schema, obj.api_name)
    last = store.latest(conn, tenant, oid, record_id)
    approval = None
    if last is not None:
        approval = {
            "id": last.id, "process": last.flow, "status": last.status,
            "step": last.step_name, "submitted_by": last.submitted_by,
            "submitted_at": last.submitted_at, "decided_at": last.decided_at,
            "approvers": [{"user": i.user_id, "step": i.step_name, "state": i.state,
                           "comment": i.comment, "decided_at": i.decided_at}
                          for i in store.all_items(conn, tenant, last.id)]}
    return {"object": obj.api_name, "record_id": record_id,
            "locked": last is not None and (
                last.status == store.PENDING or (last.status == store.APPROVED and any(
                    p.api_name == last.flow and p.approval is not None
                    and p.approval.lock.when_approved
                    for p in processes.processes(ctx.schema, obj.api_name)))),
            "approval": approval, "history": store.history(conn, tenant, oid, record_id)}
