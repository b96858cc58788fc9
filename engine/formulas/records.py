"""Formulas on the write path, in Python: default formulas and validation rules.

Each record gets an environment of field values: its own fields, the formula
fields computed in dependency order, ``$IsNew`` and ``$Prior.<field>`` (the
stored values, on update), and the fields of related records that the formulas
reach through lookups (read with their own formula fields, one query per record
reached, cached per write).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import FieldError
from hulian.engine.formulas.select import base_select
from hulian.engine.records.context import Context
from hulian.engine.records.plan import FormulaNeeds, combined, formula_needs, write_plan
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.schema.system_objects import CURRENT_USER, SYSTEM_MODELS, hop
from hulian.formula import CompiledFormula
from hulian.metadata.model import ObjectDef, label_text
from hulian.metadata.values import ValueProblem

Env = dict[tuple[str, ...], Any]


class _Related:
    """Related records by (object, id), fetched once per write."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.cache: dict[tuple[str, str], dict[str, Any] | None] = {}

    def get(self, object_name: str, record_id: Any) -> dict[str, Any] | None:
        if not isinstance(record_id, str):
            return None
        key = (object_name, record_id)
        if key not in self.cache:
            query = _record_statement(self.ctx, object_name)
            row = self.ctx.conn.execute(query, {"record_id": record_id}).first()
            self.cache[key] = dict(row._mapping) if row else None
        return self.cache[key]


def _record_statement(ctx: Context, object_name: str) -> sa.Select:
    """The statement reading one live record ``:record_id`` of ``object_name`` with its
    computed fields, as the user sees it (a record the user may not read reads as blank):
    built once per reader and object."""
    obj = ctx.schema.target(object_name)
    if object_name in SYSTEM_MODELS:  # a read-only view: no computed fields
        return ctx.schema.memo.get(("related", object_name), lambda: sa.select(obj.table).where(
            obj.table.c.id == sa.bindparam("record_id")))
    visibility = ctx.visibility

    def build() -> sa.Select:
        select = base_select(ctx.schema, obj, ctx.user.id, visibility)
        query = select.select().where(obj.table.c.id == sa.bindparam("record_id"),
                                      obj.table.c.is_deleted == sa.false())
        visible = visibility.predicate(obj) if visibility is not None else None
        if visible is not None:
            query = query.where(visible)
        return query.select_from(select.from_clause())

    if visibility is None:
        return build()
    return visibility.statement(("related", object_name), build)


def _round(value: Any, scale: int | None) -> Any:
    if isinstance(value, Decimal) and scale is not None:
        return value.quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP)
    return value


def _as_formula_value(model: ObjectDef, name: str, value: Any) -> Any:
    """A stored value as formulas read it: a percent field's 12.5 is 0.125 (as Salesforce)."""
    f = model.field(name)
    if f is not None and f.kind.formula_shift and isinstance(value, Decimal):
        return value.scaleb(-f.kind.formula_shift)
    return value


def _own_values(obj: CompiledObject) -> tuple[Env, tuple[str, ...]]:
    """(every field of ``obj`` blank, as an environment to copy; the fields whose values
    formulas read shifted, :func:`_as_formula_value`), built once per compiled object."""
    model = obj.model
    return obj.memo.get(("formula_env",), lambda: (
        {(name,): None for name in model.field_names},
        tuple(f.api_name for f in model.fields if f.kind.formula_shift)))


def build_env(ctx: Context, obj: CompiledObject, record: dict[str, Any],
              prior: dict[str, Any] | None, related: _Related, needs: FormulaNeeds) -> Env:
    """The values formulas of ``obj`` read on ``record``: its own (and ``$IsNew``,
    ``$Prior``), then what ``needs`` lists (the quote fields, formula fields and related
    records the formulas use; nothing else is computed or read)."""
    model = obj.model
    blank, shifted = _own_values(obj)
    env: Env = dict(blank)
    env.update({(k,): v for k, v in record.items()})
    env[("$IsNew",)] = prior is None
    if prior:
        env.update({("$Prior", k): v for k, v in prior.items()})
    for name in shifted:  # the few fields formulas read otherwise than they are stored
        if (name,) in env:
            env[(name,)] = _as_formula_value(model, name, env[(name,)])
        if prior and name in prior:
            env[("$Prior", name)] = _as_formula_value(model, name, prior[name])
    for f in needs.quotes:  # a quote field shows a field of a related record
        *hops, name = f.quote.split(".")  # type: ignore[union-attr]
        reached, values = _follow(ctx, model, record, related, tuple(hops))
        env[(f.api_name,)] = _as_formula_value(reached, name, (values or {}).get(name))
    for target in needs.follow:  # before the formula fields, which may read them too
        current_obj, values = _follow(ctx, obj.model, record, related, target.hops)
        env[(*target.hops, target.field)] = _as_formula_value(
            current_obj, target.field, (values or {}).get(target.field))
    own = ctx.schema.formulas[obj.api_name].fields
    for name in needs.own:  # dependency order; values as formulas read them
        f = model.field(name)
        places = None if f.scale is None else f.scale + f.kind.formula_shift
        env[(name,)] = _round(own[name].run(env), places)
    return env


def _follow(ctx: Context, model: ObjectDef, record: dict[str, Any] | None, related: _Related,
            hops: tuple[str, ...]) -> tuple[ObjectDef, dict[str, Any] | None]:
    """The object and the record (as read, computed fields included) ``hops`` reach."""
    current_obj, values = model, record
    if hops[:1] == (CURRENT_USER,):
        current_obj, values = ctx.schema.target("User").model, related.get("User", ctx.user.id)
        hops = hops[1:]
    for name in hops:
        column, target = hop(current_obj, name) or (name, "")
        values = related.get(target, (values or {}).get(column)) if values else None
        current_obj = ctx.schema.target(target).model
    return current_obj, values


def evaluate_on(ctx: Context, obj: CompiledObject, formula: CompiledFormula,
                records: list[dict[str, Any]]) -> list[Any]:
    """``formula`` (over ``obj``) on each of ``records`` (stored values): with the formula
    fields, quote fields and related records it needs, related records as they are now
    (a webhook's filter on the record as it stood after a change)."""
    needs = formula_needs(ctx.schema, obj.api_name, [formula])
    related = _Related(ctx)
    return [formula.run(build_env(ctx, obj, record, None, related, needs))
            for record in records]


def apply_default_formulas(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]],
                           errors: list[FieldError]) -> None:
    defaults = ctx.schema.formulas[obj.api_name].defaults
    if not defaults:
        return
    plan = write_plan(ctx.schema, obj.api_name)
    order = ctx.schema.formulas[obj.api_name].fields
    related = _Related(ctx)
    for i, row in enumerate(rows):
        missing = {name: f for name, f in defaults.items() if name not in row}
        if not missing:
            continue
        needs = combined([plan.default_needs[name] for name in missing], order)
        env = build_env(ctx, obj, row, None, related, needs)
        for name, formula in missing.items():
            try:
                value = formula.run(env)
                shift = obj.model.field(name).kind.formula_shift
                if shift and value is not None:
                    value = value.scaleb(shift)  # the formula's fraction as the stored percentage
                row[name] = obj.coercers[name](value)
            except ValueProblem as problem:
                errors.append(FieldError(name, problem.code,
                                         f"the default formula gives a value the field cannot "
                                         f"hold: {problem.message}", problem.hint, row=i))


def check_rules(ctx: Context, obj: CompiledObject, rows: list[dict[str, Any]],
                priors: list[dict[str, Any] | None], errors: list[FieldError]) -> None:
    """Every active validation rule whose condition is TRUE adds an error."""
    rules = [(rule, f) for rule, f in ctx.schema.formulas[obj.api_name].rules if rule.active]
    if not rules:
        return
    needs = write_plan(ctx.schema, obj.api_name).rule_needs
    related = _Related(ctx)
    for i, (row, prior) in enumerate(zip(rows, priors, strict=True)):
        record = {**(prior or {}), **row}
        env = build_env(ctx, obj, record, prior, related, needs)
        for rule, formula in rules:
            if formula.run(env) is True:
                errors.append(FieldError(rule.error_field, "validation_rule",
                                         label_text(rule.message, "en"),
                                         f"rule {rule.api_name}", row=i,
                                         messages=rule.message))


__all__ = ["apply_default_formulas", "build_env", "check_rules", "evaluate_on"]
