"""The write pipeline: every record write is a short list of named steps.

Each operation (create, update, delete, restore; a bulk create is a create of many rows) is
two phases of :class:`Step`\\ s over one :class:`Write`:

- **check** steps coerce the input and check it, adding every problem to ``errors`` (so a
  caller gets them all at once) and changing nothing in the database but locks;
- if any problem was found the write stops with :class:`RecordValidationError`;
- **apply** steps write: ownership, ids and auto-numbers, the rows, what the write does to
  other records (details, lookups, roll-ups), and last the record changes, written to the
  outbox in the same transaction (:mod:`hulian.engine.changes`).

The steps of one object are chosen once per compiled schema (:func:`chosen`): an object
without roll-ups has no roll-up step, one without rules no rules step, and so on.

=========  ===========================================================================
create     input coerce locked business_type layout defaults default_formulas masters
           required options subsets owners references unique rules | owner_rules stamp
           insert roll_ups automations record_changes
update     load editable version input coerce locked masters required options
           business_type subsets layout owners references unique rules | save ownership
           roll_ups quotes automations record_changes
delete     load editable version locked | cascade scheduled record_changes
restore    load editable restorable | cascade record_changes
=========  ===========================================================================

A bulk create runs the check phase batch by batch (stopping after
:data:`~hulian.engine.session.MAX_BULK_ERRORS` problems), then the apply phase batch by
batch: all rows or none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hulian.engine.approvals.lock import check_lock, has_locks
from hulian.engine.errors import RecordValidationError
from hulian.engine.records import write_steps as steps
from hulian.engine.records.context import Context
from hulian.engine.records.plan import WritePlan, write_plan
from hulian.engine.records.write import Write, single
from hulian.engine.schema.compiled import CompiledObject

__all__ = ["OPERATIONS", "Step", "Write", "chosen", "perform", "run", "write_of"]


@dataclass(frozen=True)
class Step:
    """A named step; ``applies`` says, from the object's plan, whether the object needs it."""

    name: str
    run: Callable[[Write], None]
    applies: Callable[[CompiledObject, WritePlan], bool] = lambda obj, plan: True


# -- the operations ------------------------------------------------------------------------

def _has(attribute: str) -> Callable[[CompiledObject, WritePlan], bool]:
    return lambda obj, plan: bool(getattr(plan, attribute))


def _has_types(obj: CompiledObject, plan: WritePlan) -> bool:
    return bool(obj.model.business_types or obj.model.field_dependencies)


def _has_owner_rules(obj: CompiledObject, plan: WritePlan) -> bool:
    return bool(obj.model.owner_rules)


def _has_details(obj: CompiledObject, plan: WritePlan) -> bool:
    return any(ref.field.type == "master_detail" for ref in obj.references_in)


LOAD = Step("load", steps.load)
EDITABLE = Step("editable", steps.editable)
VERSION = Step("version", steps.version)
INPUT = Step("input", steps.input)
MASTERS = Step("masters", steps.follow_master, _has("master"))
OWNERS = Step("owners", steps.owners)
LOCKED = Step("locked", check_lock, has_locks)

OPERATIONS: Mapping[str, tuple[tuple[Step, ...], tuple[Step, ...]]] = {
    "create": ((
        INPUT,
        Step("coerce", steps.coerce_new),
        LOCKED,
        Step("business_type", steps.business_type_new),
        Step("layout", steps.layout_new),
        Step("defaults", steps.defaults),
        Step("default_formulas", steps.default_formulas, _has("default_needs")),
        MASTERS,
        Step("required", steps.required_new),
        Step("options", steps.options_new, _has("choices")),
        Step("subsets", steps.subsets_new, _has_types),
        OWNERS,
        Step("references", steps.references_new, _has("references")),
        Step("unique", steps.unique_new, _has("unique")),
        Step("rules", steps.rules_new, _has("has_rules")),
    ), (
        Step("owner_rules", steps.apply_owner_rules, _has_owner_rules),
        Step("stamp", steps.stamp),
        Step("insert", steps.insert),
        Step("roll_ups", steps.roll_ups_new, _has("feeds")),
        Step("automations", steps.automations_new, _has("automated")),
        Step("record_changes", steps.record_changes),
    )),
    "update": ((
        LOAD, EDITABLE, VERSION, INPUT,
        Step("coerce", steps.coerce_change),
        LOCKED,
        MASTERS,
        Step("required", steps.required_change),
        Step("options", steps.options_change, _has("choices")),
        Step("business_type", steps.business_type_change),
        Step("subsets", steps.subsets_change, _has_types),
        Step("layout", steps.layout_change),
        OWNERS,
        Step("references", steps.references_change),
        Step("unique", steps.unique_change, _has("unique")),
        Step("rules", steps.rules_change, _has("has_rules")),
    ), (
        Step("save", steps.save),
        Step("ownership", steps.ownership, _has_details),
        Step("roll_ups", steps.roll_ups_change, _has("feeds")),
        Step("quotes", steps.quotes, _has("read_by")),
        Step("automations", steps.automations_change, _has("automated")),
        Step("record_changes", steps.record_changes),
    )),
    "delete": ((LOAD, EDITABLE, VERSION, LOCKED), (
        Step("cascade", steps.cascade_delete),
        Step("scheduled", steps.scheduled_delete, _has("scheduling")),
        Step("record_changes", steps.record_changes),
    )),
    "restore": ((Step("load", steps.load_deleted), EDITABLE,
                 Step("restorable", steps.restorable)), (
        Step("cascade", steps.cascade_restore),
        Step("record_changes", steps.record_changes),
    )),
}


def perform(w: Write, chain: tuple[Step, ...]) -> None:
    """Run the steps of ``chain`` in order on ``w``."""
    for step in chain:
        step.run(w)


def run(w: Write, operation: str) -> None:
    """Check, then (when nothing is wrong) apply ``operation``; RecordValidationError with
    every problem otherwise."""
    checking, applying = chosen(w, operation)
    perform(w, checking)
    if w.errors:
        raise RecordValidationError(w.obj.api_name, single(w.errors))
    perform(w, applying)


def chosen(w: Write, operation: str) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
    """The steps of ``operation`` that ``w.obj`` needs, chosen once per compiled schema."""
    return w.ctx.schema.memo.get(("pipeline", w.obj.api_name, operation),
                                 lambda: _choose(w.obj, w.plan, operation))


def _choose(obj: CompiledObject, plan: WritePlan, operation: str
            ) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
    checking, applying = OPERATIONS[operation]
    return (tuple(s for s in checking if s.applies(obj, plan)),
            tuple(s for s in applying if s.applies(obj, plan)))


def write_of(ctx: Context, obj: CompiledObject, guard: Any, inputs: list[Any], *,
             record_id: str | None = None, version: int | None = None) -> Write:
    """A new operation on ``obj`` by the user ``guard`` speaks for."""
    return Write(ctx, obj, write_plan(ctx.schema, obj.api_name), guard, inputs,
                 record_id=record_id, version=version)
