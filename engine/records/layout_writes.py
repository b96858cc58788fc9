"""Layouts on the write path: a layout's ``required`` and ``read_only`` fields hold for
every write of a record of its business type, whatever the client (form, API, bulk).

The layout that governs a write is the one the user gets on the web for the record's
detail page: ``Session.layout(object, <the record's business type>, "web", "detail")``
(on an update that changes the type, the new type's, and a field read-only under the old
type's stays so for that update). Then:

- a field the layout marks ``read_only`` may not be written (``field_read_only``, as for a
  field permission), on create and update alike; ``business_type`` marked read-only may
  not be changed;
- a field the layout marks ``required`` needs a value (``required``), after defaults, on
  create, when an update sets it, and when an update changes the type;
- a layout only tightens: a field hidden or read-only by the user's field permissions stays
  so (the guard refuses it first), an object-required field stays required, and a field
  the user may not change is never required by a layout.

Administrators (who may do everything) are not bound by layouts, nor is a system session.
A generated layout (no layout applies) adds nothing to the object's rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hulian.engine.errors import FieldError
from hulian.engine.records.layout_resolve import has_layouts, resolve
from hulian.engine.schema.compiled import CompiledObject
from hulian.metadata.model import BusinessType

__all__ = ["NewRows", "WriteRules", "check_update", "for_new", "rules_for"]

TYPE = "business_type"
HINT = "the layout of this business type shows it read-only: leave it out"


@dataclass(frozen=True)
class WriteRules:
    """What the governing layout adds for one user and business type."""

    required: tuple[str, ...] = ()
    """In order."""
    read_only: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.required or self.read_only)


NONE = WriteRules()


def _bound(visibility: Any, obj: CompiledObject) -> bool:
    """Whether layouts bind the user's writes of ``obj``: not an administrator's or a system
    session's (``visibility`` None), and only when the object has layouts."""
    return visibility is not None and not visibility.rights.admin and \
        has_layouts(visibility.schema, obj.api_name)


def rules_for(visibility: Any, obj: CompiledObject, business_type: str) -> WriteRules:
    """The rules of the layout governing writes of ``business_type`` records by the user of
    ``visibility`` (nothing for an administrator or a system session)."""
    if not _bound(visibility, obj):
        return NONE

    def build() -> WriteRules:
        layout = resolve(visibility.schema, obj.api_name, "detail", "web", visibility.roles,
                         business_type)
        if layout is None:
            return NONE
        barred = visibility.rights.read_only(obj.api_name)  # hidden or read-only for them
        computed = {f.api_name for f in obj.model.fields if f.read_only}
        flagged = [f for f in layout.fields if f.field not in barred]
        read_only = frozenset(f.field for f in flagged if f.read_only)
        required = tuple(sorted(f.field for f in flagged if f.required and not f.read_only
                                and f.field not in computed and obj.model.field(f.field)))
        return WriteRules(required, read_only)

    return visibility.statement(("layout_rules", obj.api_name, business_type), build)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _read_only(name: str, row: int | None) -> FieldError:
    return FieldError(name, "field_read_only", f"you may read {name} but not change it",
                      HINT, row=row)


def _required(name: str, row: int | None) -> FieldError:
    return FieldError(name, "required", "a value is required",
                      "the layout of this business type requires it", row=row)


class NewRows:
    """The layout rules of a batch of new rows, one per row's business type."""

    def __init__(self, rules: Sequence[WriteRules]):
        self.rules = rules

    def check_required(self, rows: Sequence[Mapping[str, Any]],
                       errors: list[FieldError]) -> None:
        """Layout-required fields of the rows (defaults applied) have values."""
        if not any(self.rules):  # also: no rules at all
            return
        refused = {(e.field, e.row) for e in errors}
        for i, (row, rules) in enumerate(zip(rows, self.rules, strict=True)):
            for name in rules.required:
                if _blank(row.get(name)) and (name, i) not in refused \
                        and (None, i) not in refused:
                    errors.append(_required(name, i))


def for_new(visibility: Any, obj: CompiledObject, types: Sequence[BusinessType | None],
            rows: Sequence[Mapping[str, Any]], errors: list[FieldError]) -> NewRows:
    """The rules of new ``rows`` (as given, their business types resolved: ``types``);
    refuses, now, the layout-read-only fields they give (before any default fills them)."""
    if not _bound(visibility, obj):
        return NewRows(())
    by_type = {name: rules_for(visibility, obj, name)
               for name in {t.api_name for t in types if t is not None}}
    rules = [NONE if t is None else by_type[t.api_name] for t in types]
    for i, (row, found) in enumerate(zip(rows, rules, strict=True)):
        for name in sorted(found.read_only.intersection(row)):
            if name != TYPE:  # a new record's type is chosen before its form
                errors.append(_read_only(name, i))
    return NewRows(rules)


def check_update(visibility: Any, obj: CompiledObject, current: Mapping[str, Any],
                 values: Mapping[str, Any], errors: list[FieldError]) -> None:
    """An update (``values``, coerced) keeps to the layout of the record's type."""
    if not _bound(visibility, obj):
        return
    before = current.get(TYPE) or ""
    after = values.get(TYPE) or before
    if obj.model.business_type(after) is None:
        after = before  # the write fails for its type (unknown_business_type) anyway
    rules = rules_for(visibility, obj, after)
    old = rules_for(visibility, obj, before) if after != before else rules
    if not (rules or old):
        return
    for name in sorted((rules.read_only | old.read_only).intersection(values)):
        if name != TYPE or after != before:
            errors.append(_read_only(name, None))
    refused = {e.field for e in errors}
    record = {**current, **values}
    for name in rules.required:
        if (name in values or after != before) and _blank(record.get(name)) \
                and name not in refused:
            errors.append(_required(name, None))
