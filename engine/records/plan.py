"""What the write pipeline needs to know about an object, worked out once per schema version.

A :class:`WritePlan` holds, for one object, the fields each step looks at (required,
choices, references, unique, defaults, auto-numbers, roll-up starting values, the master),
the roll-ups its records feed and those that read its records through formulas or quotes,
and, for default formulas and validation rules, exactly what the formulas need
(:class:`FormulaNeeds`): so that a default of ``TODAY()`` computes no formula field and
reads no related record. :func:`write_plan` builds it on first use and keeps it with the
compiled schema; a write only looks things up here.

>>> plan = write_plan(schema, "OrderLine")               # doctest: +SKIP
>>> [f.api_name for f in plan.references]
['order', 'product']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hulian.engine.approvals.processes import locks_of
from hulian.engine.formulas.scope import FieldTarget
from hulian.engine.schema.compiled import CompiledSchema
from hulian.formula import CompiledFormula
from hulian.metadata.model import Field

__all__ = ["FormulaNeeds", "Link", "WritePlan", "links_from", "write_plan"]

@dataclass(frozen=True)
class Link:
    """The roll-up ``field`` of ``parent``, fed by ``child`` records through ``relationship``."""

    parent: str
    field: Field
    child: str
    relationship: str


def links_from(schema: CompiledSchema, child: str) -> list[Link]:
    """Every roll-up that records of ``child`` feed (a scan of the pack: use
    ``write_plan(schema, child).feeds``)."""
    return [Link(obj.api_name, f, child, f.roll_up.relationship)
            for obj in schema.pack.objects for f in obj.fields
            if f.roll_up is not None and f.roll_up.object == child]


@dataclass(frozen=True)
class FormulaNeeds:
    """What evaluating some formulas of an object on one record needs besides the record's
    stored values: its own formula fields to compute first (in dependency order), the quote
    fields they read, and the fields of related records they reach."""

    own: tuple[str, ...] = ()
    quotes: tuple[Field, ...] = ()
    follow: tuple[FieldTarget, ...] = ()

    @property
    def reads_others(self) -> bool:
        return bool(self.quotes or self.follow)


@dataclass(frozen=True)
class WritePlan:
    object: str
    required: tuple[str, ...]
    """Fields that need a value (booleans and auto-numbers always have one)."""
    choices: tuple[Field, ...]
    retired_choices: tuple[Field, ...]
    """The picklists with inactive options (which new values may not choose)."""
    references: tuple[Field, ...]
    unique: tuple[Field, ...]
    """Unique fields checked before writing (auto-numbers are unique by construction)."""
    defaults: tuple[tuple[str, Any], ...]
    auto_numbers: tuple[Field, ...]
    roll_up_starts: tuple[tuple[str, Any], ...]
    """Each roll-up field's value on a new record: 0 for COUNT and SUM, blank otherwise."""
    master: Field | None
    """The master-detail field that decides ownership (the first one)."""
    feeds: tuple[tuple[str, str, tuple[Link, ...]], ...]
    """The roll-ups this object's records feed: (parent, relationship field, links)."""
    feeds_through: frozenset[str]
    """The relationship fields of this object that roll-ups depend on."""
    read_by: tuple[tuple[Link, tuple[str, ...]], ...]
    """Roll-ups whose summarised field or filter reads this object's records along a path
    (:func:`hulian.engine.records.rollup_sources.dependents`)."""
    default_needs: Mapping[str, FormulaNeeds]
    """Default formula field -> what its formula needs."""
    rule_needs: FormulaNeeds
    """What the active validation rules need."""
    owner_rule_needs: FormulaNeeds = FormulaNeeds()
    """What the owner rules' conditions need."""
    has_rules: bool = False
    """Whether the object has active validation rules."""
    automated: bool = False
    """Whether the object has active automations (:mod:`hulian.engine.automations`)."""
    scheduling: bool = False
    """Whether some of them have scheduled actions (a delete cancels them)."""
    locks: Any = None
    """What locks its records while an approval is pending
    (:class:`~hulian.engine.approvals.processes.Locks`); None: nothing can."""


def write_plan(schema: CompiledSchema, object_name: str) -> WritePlan:
    """The plan of ``object_name`` (built once per schema version)."""
    return schema.memo.get(("write_plan", object_name), lambda: _build(schema, object_name))


def formula_needs(schema: CompiledSchema, object_name: str,
                  formulas: Iterable[CompiledFormula]) -> FormulaNeeds:
    """What ``formulas`` of ``object_name`` need, through the formula fields they use."""
    model = schema.object(object_name).model
    own_formulas = schema.formulas[object_name].fields
    own: set[str] = set()
    quotes: dict[str, Field] = {}
    follow: dict[tuple[tuple[str, ...], str], FieldTarget] = {}
    pending = list(formulas)
    while pending:
        formula = pending.pop()
        for ref in formula.references:
            target = ref.target
            if not isinstance(target, FieldTarget):
                continue
            if target.hops:
                follow.setdefault((target.hops, target.field), target)
                continue
            f = model.field(target.field)
            if f is None:
                continue
            if f.quote is not None:
                quotes[f.api_name] = f
            elif f.api_name in own_formulas and f.api_name not in own:
                own.add(f.api_name)
                pending.append(own_formulas[f.api_name])
    return FormulaNeeds(tuple(name for name in own_formulas if name in own),
                        tuple(f for f in model.fields if f.api_name in quotes),
                        tuple(follow[key] for key in sorted(follow)))


def _feeds(schema: CompiledSchema, child: str) -> tuple[tuple[str, str, tuple[Link, ...]], ...]:
    groups: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for link in links_from(schema, child):
        groups[(link.parent, link.relationship)].append(link)
    return tuple((parent, relationship, tuple(links))
                 for (parent, relationship), links in sorted(groups.items()))


def _build(schema: CompiledSchema, name: str) -> WritePlan:
    from hulian.engine.automations.compiled import automations_of  # its writes use plans
    from hulian.engine.records import rollup_sources  # it refreshes roll-ups, which use plans

    model = schema.object(name).model
    formulas = schema.formulas[name]
    feeds = _feeds(schema, name)
    automations = automations_of(schema, schema.object(name))
    return WritePlan(
        object=name,
        required=tuple(f.api_name for f in model.fields
                       if f.required and not f.kind.never_blank and not f.kind.assigned),
        choices=tuple(f for f in model.fields if f.kind.choice),
        retired_choices=tuple(f for f in model.fields if f.kind.choice
                              and any(not o.active for o in f.options)),
        references=tuple(f for f in model.fields if f.is_reference),
        unique=tuple(f for f in model.fields if f.unique and not f.kind.always_unique),
        defaults=tuple((f.api_name, f.default) for f in model.fields if f.default is not None),
        auto_numbers=tuple(f for f in model.fields if f.type == "auto_number"),
        roll_up_starts=tuple(
            (f.api_name, Decimal(0) if f.roll_up.function in ("COUNT", "SUM") else None)
            for f in model.fields if f.roll_up is not None),
        master=next((f for f in model.fields if f.type == "master_detail"), None),
        feeds=feeds,
        feeds_through=frozenset(relationship for _, relationship, _ in feeds),
        read_by=tuple(rollup_sources.dependents(schema, name)),
        default_needs=MappingProxyType({field: formula_needs(schema, name, [formula])
                                        for field, formula in formulas.defaults.items()}),
        rule_needs=formula_needs(schema, name, [formula for rule, formula in formulas.rules
                                                if rule.active]),
        owner_rule_needs=formula_needs(schema, name, list(formulas.owner_rules.values())),
        has_rules=any(rule.active for rule, _ in formulas.rules),
        automated=bool(automations),
        scheduling=any(a.scheduled for a in automations),
        locks=locks_of(schema, name),
    )


def combined(needs: Iterable[FormulaNeeds], order: Iterable[str]) -> FormulaNeeds:
    """Several needs as one (``order``: the object's formula fields in dependency order)."""
    listed = list(needs)
    if len(listed) == 1:
        return listed[0]
    own = {name for n in listed for name in n.own}
    quotes = {f.api_name: f for n in listed for f in n.quotes}
    follow = {(t.hops, t.field): t for n in listed for t in n.follow}
    return FormulaNeeds(tuple(name for name in order if name in own),
                        tuple(quotes[k] for k in sorted(quotes)),
                        tuple(follow[key] for key in sorted(follow)))
