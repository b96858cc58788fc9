"""The ``automations`` step of the write pipeline: which automations a write fires, and the
loop bound.

After a create or update has written its rows (and before its record changes are
written), each automation of the object whose trigger fits the operation is tested on
each record, with ``ISNEW()``, ``ISCHANGED(f)`` and ``PRIORVALUE(f)`` seeing the record
as it was before the write:

==================  ==========================================================
``create``          a record was created and the condition is true
``update``          a record was changed (at least one value differs) and the condition
                    is true
``create_or_update`` either
``becomes_true``    created with the condition true, or changed so that the condition is
                    true now and was not before the write
==================  ==========================================================

Every automation is tested on the records as the user's write left them; then the
actions of those that fire run, automation by automation in api_name order
(:mod:`~hulian.engine.automations.actions`). Their writes go through the pipeline again
and may fire automations in turn: a chain of automations may be :data:`MAX_DEPTH` deep;
one more is a :class:`~hulian.engine.errors.ConflictError` ``flow_loop`` (logged, and the
whole write rolls back). Scheduled actions are planned here too
(:mod:`~hulian.engine.automations.schedule`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from hulian.engine.automations import schedule
from hulian.engine.automations.actions import run_actions
from hulian.engine.automations.compiled import Automation, automations_of, reading
from hulian.engine.changes.journal import Journal
from hulian.engine.errors import ConflictError
from hulian.engine.formulas.records import _Related, build_env
from hulian.engine.records.context import Context
from hulian.engine.records.plan import FormulaNeeds, combined
from hulian.engine.records.write import Write
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema

__all__ = ["MAX_DEPTH", "after_create", "after_delete", "after_update", "flow_context",
           "has_automations", "matches", "touches"]

MAX_DEPTH = 5
"""How many automations deep a chain may go (an automation whose write fires another...)."""

log = logging.getLogger("hulian.flows")


def has_automations(schema: CompiledSchema, obj: CompiledObject) -> bool:
    return bool(automations_of(schema, obj))


def _needs(schema: CompiledSchema, obj: CompiledObject) -> FormulaNeeds:
    return obj.memo.get(("automations", "needs"), lambda: combined(
        [a.needs for a in automations_of(schema, obj)] or [FormulaNeeds()],
        schema.formulas[obj.api_name].fields))


def flow_context(ctx: Context) -> Context:
    """The context of the writes an automation makes for a write in ``ctx``: system work
    (no permission checks) on channel ``flow``, one automation deeper."""
    return replace(ctx, visibility=None, channel="flow", flow_depth=ctx.flow_depth + 1,
                   journal=Journal(ctx.schema) if ctx.journal is not None else None)


def _holds(automation: Automation, env: Any) -> bool:
    return automation.condition is None or automation.condition.run(env) is True


def matches(automation: Automation, env: Any, prior_env: Any | None) -> bool:
    """Whether ``automation`` fires on a record (``prior_env``: the record before an
    update, None for a create)."""
    if not _holds(automation, env):
        return False
    if automation.trigger == "becomes_true" and prior_env is not None:
        return not _holds(automation, prior_env)
    return True


def touches(automation: Automation, changed: frozenset[str] | None) -> bool:
    """Whether a write changing ``changed`` (None: a create) may change whether
    ``automation``'s condition holds."""
    return changed is None or automation.reads is None or bool(automation.reads & changed)


def _firing_on(schema: CompiledSchema, obj: CompiledObject, operation: str
               ) -> tuple[Automation, ...]:
    """The automations of ``obj`` an ``operation`` may fire (once per compiled object)."""
    return obj.memo.get(("automations_on", operation), lambda: tuple(
        a for a in automations_of(schema, obj) if a.fires_on(operation)))


def _run(w: Write, operation: str,
         pairs: list[tuple[dict[str, Any], dict[str, Any] | None]],
         changed: frozenset[str] | None = None) -> None:
    ctx, obj = w.ctx, w.obj
    # becomes_true cannot fire on an update that changes nothing its condition reads
    firing = [a for a in _firing_on(ctx.schema, obj, operation)
              if a.trigger != "becomes_true" or touches(a, changed)]
    moved = () if changed is None else schedule.moving(ctx.schema, obj, changed)
    if not firing and not moved:
        return
    needs = _needs(ctx.schema, obj)
    related = _Related(ctx)
    due: list[tuple[Automation, dict[str, Any], Any]] = []
    wants_prior = moved or any(a.trigger == "becomes_true" for a in firing)
    read = reading(ctx.schema, obj)

    def only(values: dict[str, Any]) -> dict[str, Any]:
        """What the formulas read of a record (build_env converts every value given)."""
        return values if read is None else {k: values[k] for k in read if k in values}

    for record, prior in pairs:
        env = build_env(ctx, obj, only(record), None if prior is None else only(prior),
                        related, needs)
        prior_env = None if prior is None or not wants_prior else \
            build_env(ctx, obj, only(prior), only(prior), related, needs)
        fired = [a for a in firing if matches(a, env, prior_env)]
        due += [(a, record, env) for a in fired if a.actions]
        schedule.plan(ctx, obj, record, prior, fired, moved, env, prior_env)
    if not due:
        return
    if ctx.flow_depth >= MAX_DEPTH:
        names = ", ".join(sorted({a.api_name for a, _, _ in due}))
        log.error("flow_loop: tenant %s, %s record(s) %s: automations %s would run %d deep",
                  ctx.schema.tenant, obj.api_name,
                  ", ".join(sorted({r["id"] for _, r, _ in due})), names, ctx.flow_depth + 1)
        raise ConflictError(
            f"automations on {obj.api_name} retrigger each other more than {MAX_DEPTH} deep "
            f"({names}): nothing was written", code="flow_loop",
            hint="give the automations conditions that stop the chain (e.g. ISCHANGED of "
                 "the field they watch), or ask an admin to switch one off")
    ctx.flush_changes()  # the user's own changes come before those of the flows
    flow_ctx = flow_context(ctx)
    for automation, record, env in due:
        run_actions(flow_ctx, obj, automation.api_name, automation.actions, record, env)
    flow_ctx.flush_changes()


def after_create(w: Write) -> None:
    _run(w, "create", [(row, None) for row in w.rows])


def after_update(w: Write) -> None:
    if not w.changed:
        return  # nothing changed: nothing fires
    assert w.current is not None
    _run(w, "update", [({**w.current, **w.changed}, w.current)], frozenset(w.changed))


def after_delete(w: Write) -> None:
    assert w.record_id is not None
    schedule.cancel(w.ctx, w.obj, [w.record_id])
