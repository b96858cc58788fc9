"""Every formula of a pack, compiled once per deploy (or reported as metadata problems).

Formula fields, default formulas, validation rules, filters and sharing-rule criteria
are parsed and
type-checked against the pack; a mistake becomes a :class:`Problem` with the
object file, the JSON pointer of the formula, ``line:column`` and an excerpt.
Formula fields that use each other in a cycle are a problem naming the cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from hulian.engine.formulas.scope import FieldTarget, InstalledElsewhere, ObjectScope
from hulian.formula import (
    FIELD_TYPE_MAP,
    CompiledFormula,
    FormulaError,
    Options,
    T,
    compile_formula,
)
from hulian.metadata.field_types import field_type
from hulian.metadata.kinds import KINDS
from hulian.metadata.kinds.base import FormulaTarget
from hulian.metadata.model import ObjectDef, Pack, ValidationRule
from hulian.metadata.problems import MetadataError, Problem, pointer


@dataclass(frozen=True)
class ObjectFormulas:
    fields: Mapping[str, CompiledFormula] = field(default_factory=dict)
    """Formula fields, in an order where each comes after the formula fields it uses."""
    defaults: Mapping[str, CompiledFormula] = field(default_factory=dict)
    rules: tuple[tuple[ValidationRule, CompiledFormula], ...] = ()
    lookup_filters: Mapping[str, CompiledFormula] = field(default_factory=dict)
    """Lookup field -> its filter, a formula over the target object."""
    roll_up_filters: Mapping[str, CompiledFormula] = field(default_factory=dict)
    """Roll-up field -> its filter, a formula over the child object."""
    sharing_criteria: Mapping[str, CompiledFormula] = field(default_factory=dict)
    """Sharing rule api_name -> its criteria, a boolean formula over the object."""
    owner_rules: Mapping[str, CompiledFormula] = field(default_factory=dict)
    """Owner rule api_name -> its condition, a boolean formula over the new record."""
    documents: Mapping[tuple[str, str, str], CompiledFormula] = field(default_factory=dict)
    """The formulas of layouts, scenes and home views over this object (the registered
    document kinds): (kind, api_name, JSON pointer) -> formula, e.g. a scene's filter at
    ``("scene", "open_orders", "/filter")``."""


def _problem(error: FormulaError, obj: ObjectDef, where: str) -> Problem:
    position = f"{error.line}:{error.column}: " if error.span else ""
    excerpt = None
    if error.span and error.text:
        from hulian.formula.errors import excerpt as make_excerpt

        excerpt = make_excerpt(error.text, error.span)
    return Problem(error.code, obj.source, where, position + error.message, error.hint, excerpt)


def _expected(kind: str) -> T:
    """The type a default formula of a ``kind`` field gives (an option's api_name: text)."""
    return T(field_type(kind).default_formula_type)


def _attempt(problems: list[Problem], obj: ObjectDef, where: str, text: str,
             scope: ObjectScope, options: Options, expected: T) -> CompiledFormula | None:
    """The compiled formula; None when it is wrong (its problem is reported) or when a
    tenant pack alone cannot check it (it reaches an installed pack's object: it is
    checked when the pack is merged with its packs)."""
    try:
        return compile_formula(text, scope, options, expected)
    except InstalledElsewhere:
        return None
    except FormulaError as exc:
        problems.append(_problem(exc, obj, where))
        return None


def _compile_object(pack: Pack, obj: ObjectDef, problems: list[Problem]) -> ObjectFormulas:
    scope = ObjectScope(pack, obj)
    fields: dict[str, CompiledFormula] = {}
    defaults: dict[str, CompiledFormula] = {}
    for i, f in enumerate(obj.fields):
        if f.formula is not None:
            found = _attempt(problems, obj, pointer("fields", i, "formula"), f.formula, scope,
                             Options("formula", f.blank_as == "zero"), FIELD_TYPE_MAP[f.type])
            if found is not None:
                fields[f.api_name] = found
        if f.default_formula is not None:
            found = _attempt(problems, obj, pointer("fields", i, "default_formula"),
                             f.default_formula, scope, Options("default"), _expected(f.type))
            if found is not None:
                defaults[f.api_name] = found
    filters: dict[str, dict[str, CompiledFormula]] = {"lookup": {}, "roll_up": {}}
    for i, f in enumerate(obj.fields):
        for kind, text, other, where in (
                ("lookup", f.lookup_filter, f.target, pointer("fields", i, "lookup_filter")),
                ("roll_up", f.roll_up.filter if f.roll_up else None,
                 f.roll_up.object if f.roll_up else None,
                 pointer("fields", i, "roll_up", "filter"))):
            target = pack.object(other) if text is not None and other else None
            if target is None:
                continue  # no filter, or the metadata checks report the object
            found = _attempt(problems, obj, where, text or "", ObjectScope(pack, target),
                             Options("filter"), T.BOOLEAN)
            if found is not None:
                filters[kind][f.api_name] = found
    rules = []
    for i, rule in enumerate(obj.validation_rules):
        found = _attempt(problems, obj, pointer("validation_rules", i, "condition"),
                         rule.condition, scope, Options("validation"), T.BOOLEAN)
        if found is not None:
            rules.append((rule, found))
    owners = {}
    for i, owner_rule in enumerate(obj.owner_rules):
        if owner_rule.condition is not None:
            found = _attempt(problems, obj, pointer("owner_rules", i, "condition"),
                             owner_rule.condition, scope, Options("validation"), T.BOOLEAN)
            if found is not None:
                owners[owner_rule.api_name] = found
    criteria = {}
    for i, sharing in enumerate(obj.sharing_rules):
        if sharing.criteria is not None:
            found = _attempt(problems, obj, pointer("sharing_rules", i, "criteria"),
                             sharing.criteria, scope, Options("filter"), T.BOOLEAN)
            if found is not None:
                criteria[sharing.api_name] = found
    return ObjectFormulas(MappingProxyType(fields), MappingProxyType(defaults), tuple(rules),
                          MappingProxyType(filters["lookup"]), MappingProxyType(filters["roll_up"]),
                          MappingProxyType(criteria), MappingProxyType(owners))


def _cycles(pack: Pack, compiled: Mapping[str, ObjectFormulas],
            problems: list[Problem]) -> Mapping[str, ObjectFormulas]:
    """Order each object's formula fields by dependency; report cycles."""
    def uses(node: tuple[str, str]) -> list[tuple[str, str]]:
        formula = compiled[node[0]].fields.get(node[1])
        out = []
        for ref in formula.references if formula else ():
            target = ref.target
            if isinstance(target, FieldTarget) and target.field in compiled.get(
                    target.object, ObjectFormulas()).fields:
                out.append((target.object, target.field))
        return out

    state: dict[tuple[str, str], int] = {}
    order: list[tuple[str, str]] = []
    reported: set[frozenset] = set()

    def visit(node: tuple[str, str], trail: list[tuple[str, str]]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = [*trail[trail.index(node):], node]
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                obj = pack.object(node[0])
                index = obj.field_names.index(node[1])
                names = " -> ".join(f"{o}.{f}" for o, f in cycle)
                problems.append(Problem("formula.cycle", obj.source,
                                        pointer("fields", index, "formula"),
                                        f"formula fields use each other in a cycle: {names}",
                                        "break the cycle: one of them must not use the other"))
            return
        state[node] = 1
        for nxt in uses(node):
            visit(nxt, [*trail, node])
        state[node] = 2
        order.append(node)

    for obj in pack.objects:
        for name in compiled[obj.api_name].fields:
            visit((obj.api_name, name), [])
    result = {}
    for obj in pack.objects:
        own = compiled[obj.api_name]
        ordered = {f: own.fields[f] for o, f in order if o == obj.api_name}
        result[obj.api_name] = replace(own, fields=MappingProxyType(ordered))
    return result


_RETURNS = {"boolean": T.BOOLEAN, "text": T.TEXT}


def _target_type(pack: Pack, obj: ObjectDef, target: FormulaTarget) -> T | None:
    """The type a formula written to ``target`` must give; None when the field is not
    there (the metadata checks report it)."""
    owner: ObjectDef | None = pack.object(target.object) if target.object else obj
    if target.master and owner is not None:
        masters = [f for f in owner.fields if f.type == "master_detail"
                   and (target.master_field is None or f.api_name == target.master_field)]
        owner = pack.object(masters[0].target) if len(masters) == 1 and masters[0].target \
            else None
    found = owner.field(target.field) if owner is not None else None
    return _expected(found.type) if found is not None else None


def _document_formulas(pack: Pack, problems: list[Problem]
                       ) -> dict[str, dict[tuple[str, str, str], CompiledFormula]]:
    """The formulas of the registered document kinds (scene filters...), by object."""
    found: dict[str, dict[tuple[str, str, str], CompiledFormula]] = {}
    for kind in KINDS:
        for model in pack.part(kind.name):
            for formula in kind.formulas(model.document):
                obj = pack.object(formula.object)
                if obj is None:
                    continue  # the checks report the object
                where = pointer(*formula.path)
                expected = _RETURNS.get(formula.returns) if formula.target is None \
                    else _target_type(pack, obj, formula.target)
                if expected is None:
                    continue  # the checks report the field a value is written to
                try:
                    scope = ObjectScope(pack, obj, reader=formula.reader)
                    compiled = compile_formula(formula.text, scope, Options(formula.context),
                                               expected)
                except InstalledElsewhere:
                    continue
                except FormulaError as exc:
                    problem = _problem(exc, obj, where)
                    hint = formula.hint if exc.code == "formula.result_type" else None
                    problems.append(replace(problem, file=model.source,
                                            hint=problem.hint or hint))
                    continue
                found.setdefault(obj.api_name, {})[(kind.name, model.api_name, where)] = \
                    compiled
    return found


def formula_problems(pack: Pack) -> tuple[dict[str, ObjectFormulas], list[Problem]]:
    problems: list[Problem] = []
    compiled = {obj.api_name: _compile_object(pack, obj, problems) for obj in pack.objects}
    ordered = dict(_cycles(pack, compiled, problems))
    for name, formulas in _document_formulas(pack, problems).items():
        ordered[name] = replace(ordered[name], documents=MappingProxyType(formulas))
    return ordered, problems


def pack_formula_problems(pack: Pack, source: str = "") -> list[Problem]:
    """The formula problems of ``pack``, their files under ``source`` (``hulian validate``)."""
    prefix = source.rstrip("/") + "/" if source else ""
    return [replace(p, file=prefix + p.file) for p in formula_problems(pack)[1]]


def compile_pack_formulas(pack: Pack, source: str = "") -> dict[str, ObjectFormulas]:
    """Every formula of ``pack`` compiled; MetadataError listing every problem otherwise."""
    compiled, problems = formula_problems(pack)
    if problems:
        prefix = source.rstrip("/") + "/" if source else ""
        raise MetadataError([replace(p, file=prefix + p.file) for p in problems])
    return compiled
