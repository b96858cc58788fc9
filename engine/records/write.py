"""One write operation's state, carried through the steps of the write pipeline
(:mod:`hulian.engine.records.pipeline`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from hulian.engine.errors import FieldError
from hulian.engine.records import checks, layout_writes
from hulian.engine.records.context import Context
from hulian.engine.records.plan import WritePlan
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.model import BusinessType

__all__ = ["Write", "single"]


@dataclass
class Write:
    """What one operation carries through its steps."""

    ctx: Context
    obj: CompiledObject
    plan: WritePlan
    guard: Any
    """The user's :class:`~hulian.engine.records.access.Guard` (field permissions)."""
    inputs: list[Any]
    """The records as given (create), or the one change (update); none for delete/restore."""
    record_id: str | None = None
    version: int | None = None
    errors: list[FieldError] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    """create: the new rows; update: one row of the values given, coerced."""
    current: dict[str, Any] | None = None
    """update, delete, restore: the record as stored, read for update."""
    types: list[BusinessType | None] = field(default_factory=list)
    layout: layout_writes.NewRows | None = None
    seen: checks.Seen | None = None
    """create: the unique values of rows checked in earlier batches of a bulk write."""
    changed: dict[str, Any] = field(default_factory=dict)
    """update: the values that differ from the stored ones."""

    @property
    def visibility(self) -> Any:
        return self.ctx.visibility


def single(errors: list[FieldError]) -> list[FieldError]:
    """The errors of a one-record write, without row numbers."""
    return [replace(e, row=None) for e in errors]
