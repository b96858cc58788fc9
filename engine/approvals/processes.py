"""An object's approval processes as a compiled schema holds them, worked out once per
schema version: the active processes of each object, their formulas (compiled at deploy by
the engine's formula compiler, looked up here) and the lock plan each object's writes
check (:class:`Locks`)."""

from __future__ import annotations

from dataclasses import dataclass

from hulian.engine.schema.compiled import CompiledSchema
from hulian.formula import CompiledFormula
from hulian.metadata.kinds.flow_models import Flow
from hulian.metadata.problems import pointer

__all__ = ["Locks", "formula", "locks_of", "processes"]


def processes(schema: CompiledSchema, object_name: str) -> tuple[Flow, ...]:
    """The active approval processes of ``object_name``, by api_name."""
    def build() -> tuple[Flow, ...]:
        found = [f for f in schema.pack.part("flow") if isinstance(f, Flow)
                 and f.type == "approval" and f.active and f.object == object_name
                 and f.approval is not None]
        return tuple(sorted(found, key=lambda f: f.api_name))
    return schema.memo.get(("approval_processes", object_name), build)


def formula(schema: CompiledSchema, flow: Flow, *path: str | int) -> CompiledFormula:
    """The compiled formula at ``path`` of ``flow`` (e.g. ``("steps", 1, "criteria")``)."""
    return schema.formulas[flow.object].documents[("flow", flow.api_name, pointer(*path))]


@dataclass(frozen=True)
class Locks:
    """What locks records of one object: an approval pending, or approved by a process
    whose ``lock.when_approved`` keeps the record locked."""

    own: frozenset[str]
    """The processes of the object itself (a pending record is locked)."""
    approvers_may_edit: frozenset[str]
    """Those of them whose current approvers may edit the pending record."""
    masters: tuple[tuple[str, str, frozenset[str]], ...]
    """(master-detail field, master object, the master's processes that lock details)."""
    kept: frozenset[str] = frozenset()
    """The processes (of the object and of its masters) whose approved records stay
    locked."""


def locks_of(schema: CompiledSchema, object_name: str) -> Locks | None:
    """The lock plan of ``object_name``; None when no process can lock its records (its
    writes then have no ``locked`` step)."""
    own = processes(schema, object_name)
    masters: list[tuple[str, str, frozenset[str]]] = []
    kept = {p.api_name for p in own if p.approval is not None and p.approval.lock.when_approved}
    model = schema.object(object_name).model
    for f in model.fields:
        if f.type != "master_detail" or not f.target:
            continue
        locking = frozenset(p.api_name for p in processes(schema, f.target)
                            if p.approval is not None and p.approval.lock.details)
        if locking:
            masters.append((f.api_name, f.target, locking))
            kept.update(p.api_name for p in processes(schema, f.target)
                        if p.api_name in locking and p.approval is not None
                        and p.approval.lock.when_approved)
    if not own and not masters:
        return None
    return Locks(frozenset(p.api_name for p in own),
                 frozenset(p.api_name for p in own
                           if p.approval is not None and p.approval.lock.approvers_may_edit),
                 tuple(masters), frozenset(kept))

