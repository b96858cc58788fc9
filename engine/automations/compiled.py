"""Automations (workflow rules) of one object, compiled once per compiled schema.

The deployed flows (``schema.pack.part("flow")``) of type ``automation`` on an object are
read from their documents (docs/flows.md, "Automations"), and every formula they hold is
compiled with the engine's formula compiler against the pack: the condition (a boolean,
``ISNEW``/``ISCHANGED``/``PRIORVALUE`` allowed), the values of field updates and created
records (typed as the field they fill, as default formulas are), the texts of activities
and notifications. :func:`automations_of` keeps the result in the compiled object's memo,
so a write only looks it up; an object without automations gets an empty tuple and its
writes get no automation step (:mod:`hulian.engine.records.pipeline`).

>>> [a.api_name for a in automations_of(schema, schema.object("Order"))]  # doctest: +SKIP
['order_approved_activity']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hulian.engine.formulas.scope import FieldTarget, ObjectScope
from hulian.engine.records.plan import FormulaNeeds, formula_needs
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.formula import CompiledFormula, Options, T, compile_formula
from hulian.metadata.field_types import field_type
from hulian.metadata.kinds.flow_models import Party, party
from hulian.metadata.model import Field, ObjectDef

__all__ = ["TRIGGERS", "Action", "Automation", "Scheduled", "automations_of", "reading",
           "scheduling_of"]

TRIGGERS: Mapping[str, frozenset[str]] = MappingProxyType({
    "create": frozenset({"create", "create_or_update", "becomes_true"}),
    "update": frozenset({"update", "create_or_update", "becomes_true"}),
})
"""The operation of a write -> the triggers it fires."""


@dataclass(frozen=True)
class Action:
    """One action, its formulas compiled: ``values`` maps what it sets (a field, or
    ``text`` / ``title`` / ``body``) to the formula giving it."""

    type: str
    values: Mapping[str, CompiledFormula] = field(default_factory=dict)
    target: str = "record"
    """field_update: ``record`` or ``master``."""
    object: str | None = None
    """field_update on the master: the master's object; create_record: the new record's."""
    via: str | None = None
    """field_update on the master: the master-detail field of the record leading to it."""
    kind: str | None = None
    """activity: call, visit or note."""
    to: tuple[Party, ...] = ()
    """notify: the recipients."""
    event: str | None = None
    """webhook_event: the event's name."""


@dataclass(frozen=True)
class Scheduled:
    """Actions run by the worker at ``field`` + ``offset_days`` of a matching record."""

    api_name: str
    field: str
    offset_days: int
    actions: tuple[Action, ...]
    date_only: bool
    """Whether ``field`` is a date (run at 00:00 UTC of the day) rather than a datetime."""
    value: CompiledFormula | None = None
    """For a formula field (computed, not stored): the field as a formula, evaluated in the
    record's formula environment after the write (a due time of ``created_at`` + SLA hours)."""
    reads: frozenset[str] | None = frozenset()
    """The record's fields ``value`` depends on (None: related records too): an update
    changing one of them moves the pending action."""


@dataclass(frozen=True)
class Automation:
    api_name: str
    object: str
    trigger: str
    condition: CompiledFormula | None
    actions: tuple[Action, ...]
    scheduled: tuple[Scheduled, ...]
    needs: FormulaNeeds
    """What evaluating its formulas on a record needs besides the record's own values."""
    reads: frozenset[str] | None = None
    """The record's fields its condition depends on, through formula fields too (None: it
    reads related records, so any write may change it)."""

    def fires_on(self, operation: str) -> bool:
        return self.trigger in TRIGGERS.get(operation, ())


def automations_of(schema: CompiledSchema, obj: CompiledObject) -> tuple[Automation, ...]:
    """The active automations of ``obj``, by api_name (built once per compiled schema)."""
    return obj.memo.get(("automations",), lambda: tuple(_build(schema, obj.model)))


def scheduling_of(schema: CompiledSchema, obj: CompiledObject) -> tuple[Automation, ...]:
    """Those of :func:`automations_of` that have scheduled actions."""
    return obj.memo.get(("automations", "scheduled"), lambda: tuple(
        a for a in automations_of(schema, obj) if a.scheduled))


def _active(flow: Any) -> bool:
    active = getattr(flow, "active", None)
    return bool(flow.document.get("active", True) if active is None else active)


def _build(schema: CompiledSchema, model: ObjectDef) -> Iterable[Automation]:
    flows = [f for f in schema.pack.part("flow")
             if f.document.get("type") == "automation"
             and f.document.get("object") == model.api_name and _active(f)]
    for flow in sorted(flows, key=lambda f: f.api_name):
        yield _automation(schema, model, flow.api_name, flow.document)


def _compile(schema: CompiledSchema, model: ObjectDef, text: str, expected: T, *,
             context: str = "default") -> CompiledFormula:
    """A formula over ``model``'s records (checked at deploy: a mistake here is a fault)."""
    return compile_formula(text, ObjectScope(schema.pack, model), Options(context), expected)


def _value_type(f: Field) -> T:
    return T(field_type(f.type).default_formula_type)


def _automation(schema: CompiledSchema, model: ObjectDef, api_name: str,
                doc: Mapping[str, Any]) -> Automation:
    condition = None
    if isinstance(doc.get("condition"), str):
        condition = _compile(schema, model, doc["condition"], T.BOOLEAN, context="validation")
    actions = tuple(_action(schema, model, a) for a in doc.get("actions", ()))
    scheduled = []
    for item in doc.get("scheduled", ()):
        date_field = model.field(item["field"])
        date_only = date_field is not None and date_field.type == "date"
        value = None
        if date_field is not None and date_field.formula is not None:
            value = _compile(schema, model, date_field.api_name,
                             T.DATE if date_only else T.DATETIME)
        scheduled.append(Scheduled(
            item["api_name"], item["field"], int(item.get("offset_days", 0)),
            tuple(_action(schema, model, a) for a in item.get("actions", ())),
            date_only=date_only, value=value,
            reads=frozenset() if value is None else _reads(schema, model, value)))
    formulas = [f for f in (condition,) if f is not None]
    formulas += [f for a in actions for f in a.values.values()]
    formulas += [f for s in scheduled for a in s.actions for f in a.values.values()]
    formulas += [s.value for s in scheduled if s.value is not None]
    return Automation(api_name, model.api_name, doc.get("trigger", "create_or_update"),
                      condition, actions, tuple(scheduled),
                      formula_needs(schema, model.api_name, formulas),
                      frozenset() if condition is None else _reads(schema, model, condition))


def reading(schema: CompiledSchema, obj: CompiledObject) -> frozenset[str] | None:
    """The fields of ``obj`` that the formulas of its automations read, through formula
    fields too (None: some reach related records); built once per compiled object."""
    def build() -> frozenset[str] | None:
        found: set[str] = set()
        for automation in automations_of(schema, obj):
            formulas = [f for f in (automation.condition,) if f is not None]
            formulas += [f for a in automation.actions for f in a.values.values()]
            formulas += [f for s in automation.scheduled for a in s.actions
                         for f in a.values.values()]
            formulas += [s.value for s in automation.scheduled if s.value is not None]
            for formula in formulas:
                reads = _reads(schema, obj.model, formula)
                if reads is None:
                    return None
                found |= reads
        return frozenset(found)

    return obj.memo.get(("automations", "reading"), build)


def _reads(schema: CompiledSchema, model: ObjectDef, formula: CompiledFormula
           ) -> frozenset[str] | None:
    """The fields of ``model`` ``formula`` depends on (None: it reaches other records)."""
    own = schema.formulas[model.api_name].fields
    found: set[str] = set()
    pending = [formula]
    while pending:
        for ref in pending.pop().references:
            target = ref.target
            if not isinstance(target, FieldTarget):
                continue  # $IsNew, $User...: the same before and after the write
            f = model.field(target.field)
            if target.hops or (f is not None and f.quote is not None):
                return None
            if target.field not in found:
                found.add(target.field)
                if target.field in own:
                    pending.append(own[target.field])
    return frozenset(found)


def _action(schema: CompiledSchema, model: ObjectDef, doc: Mapping[str, Any]) -> Action:
    kind = doc["type"]
    if kind == "field_update":
        target, via, other = doc.get("target", "record"), None, model
        if target == "master":
            via = doc.get("master_field") or next(
                f.api_name for f in model.fields if f.type == "master_detail")
            master = model.field(via)
            assert master is not None and master.target is not None
            other = schema.object(master.target).model
        f = other.field(doc["field"])
        assert f is not None
        return Action(kind, MappingProxyType({f.api_name: _compile(
            schema, model, doc["value"], _value_type(f))}), target=target,
            object=other.api_name if target == "master" else None, via=via)
    if kind == "create_record":
        created = schema.object(doc["object"]).model
        values = {}
        for name, text in doc.get("values", {}).items():
            f = created.field(name)
            assert f is not None
            values[name] = _compile(schema, model, text, _value_type(f))
        return Action(kind, MappingProxyType(values), object=created.api_name)
    if kind == "activity":
        return Action(kind, MappingProxyType({"text": _compile(schema, model, doc["text"],
                                                               T.TEXT)}),
                      kind=doc.get("kind", "note"))
    if kind == "notify":
        texts = {key: _compile(schema, model, doc[key], T.TEXT)
                 for key in ("title", "body") if isinstance(doc.get(key), str)}
        return Action(kind, MappingProxyType(texts),
                      to=tuple(party(r) for r in doc.get("to", ())))
    return Action(kind, event=doc.get("event"))
