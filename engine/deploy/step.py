"""One step of a migration plan, and how risky it is.

Every step is classed:

- ``safe``: no stored value can be lost or refused (new tables and columns, renames,
  label changes, widening a column);
- ``needs-data-check``: the step only runs when every stored value passes a check
  (shrinking a column, converting a type, making a field required or unique); the
  check runs on dry runs too and names up to 20 records in the way;
- ``destructive``: data leaves the live schema (an archived field or object, values
  rounded to fewer decimals); archives stay restorable until ``hulian purge``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from hulian.metadata.model import Field

SAFE = "safe"
NEEDS_DATA_CHECK = "needs-data-check"
DESTRUCTIVE = "destructive"
KINDS = (SAFE, NEEDS_DATA_CHECK, DESTRUCTIVE)


@dataclass(frozen=True)
class Step:
    action: str
    object: str | None
    field: str | None
    description: str
    kind: str = SAFE
    from_field: str | None = None
    """rename_field: the column's previous name."""
    from_object: str | None = None
    """rename_object: the object's previous api_name."""
    item: str | None = None
    """restore_*: the stable id of the archived object or field brought back."""
    index: str | None = None
    """create_missing_index: the name of the declared index the live table lacks."""
    before: Field | None = field(default=None, compare=False, repr=False)
    """Field changes: the deployed definition (its values are read with it). Not stored."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "before" and getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
