"""``where`` filters -> SQL predicates with bound parameters.

A filter is a JSON object. ``{"industry": "retail"}`` means equals; an operator
object applies operators (all must hold): ``{"amount": {"ge": 100, "lt": 500}}``;
``and`` / ``or`` take lists and ``not`` one filter. Operators: eq, ne, lt, le, gt,
ge, in, contains, starts_with, is_null. Values are coerced with the field's type;
field names must exist (metadata or system), so no caller text reaches SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import QueryError
from hulian.engine.formulas.select import RecordSelect
from hulian.engine.schema.columns import SYSTEM_FIELD_TYPES
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.schema.field_storage import condition_of, like_escape, storage
from hulian.formula import FIELD_TYPE_MAP, T
from hulian.metadata.field_types import BY_NAME, OPERATORS, ORDERED
from hulian.metadata.field_types.base import COMPARABLE, Parser
from hulian.metadata.field_types.text import filter_text
from hulian.metadata.values import (
    MAX_DIGITS,
    MAX_EXPONENT,
    ValueProblem,
    clean_text,
    shown,
    to_decimal,
)

__all__ = ["OPERATORS", "build_filter", "compiled_filter", "formula_filter", "parse_value",
           "type_of"]

MAX_DEPTH = 16
"""How deep ``and``, ``or`` and ``not`` may nest (SQLite's parser takes about 28 levels of
``not``; JSON nesting is capped at 32 levels before this)."""
MAX_IN = 1000
INTEGER_LIMIT = 2**31 - 1
"""The largest integer field value (``version``: a 32-bit column on PostgreSQL)."""
MAX_FIELD_DIGITS = 18
"""The widest precision a number field may declare (``schema.range``)."""


def type_of(obj: CompiledObject, name: str) -> str:
    """The type of field ``name``: a field type, or a system column's (``id``, ``reference``,
    ``integer``, ``text``, ``datetime``, ``boolean``); QueryError for no such field."""
    f = obj.field(name)
    if f is not None:
        return f.type
    if name in SYSTEM_FIELD_TYPES:
        return SYSTEM_FIELD_TYPES[name]
    raise QueryError(f"{obj.api_name} has no field {name!r}", code="unknown_field",
                     hint=obj.unknown_field_hint(name), field=name)


def _integer(value: Any) -> int:
    number = to_decimal(value)  # bounded: int() below never meets 1e999999999
    if number != number.to_integral_value():
        raise ValueProblem("invalid_type", "expected a whole number")
    if abs(number) > INTEGER_LIMIT:
        raise ValueProblem("out_of_range", f"{shown(number)} is beyond {INTEGER_LIMIT}",
                           f"the field holds whole numbers up to {INTEGER_LIMIT}")
    return int(number)


SYSTEM_PARSERS: Mapping[str, Parser] = {"id": filter_text, "reference": filter_text,
                                         "integer": _integer}
"""The parsers of filter operands on system columns of no field type."""


def _parser(obj: CompiledObject, name: str, kind: str) -> Parser:
    f = obj.field(name)
    if f is not None:
        return f.kind.filter_parser(f)
    return BY_NAME[kind].filter_parser(None) if kind in BY_NAME else SYSTEM_PARSERS[kind]


def _operators(kind: str) -> frozenset[str]:
    """The operators a field of ``kind`` takes (system columns: all but those of text,
    except ``text`` itself)."""
    return BY_NAME[kind].operators if kind in BY_NAME else COMPARABLE


def parse_value(obj: CompiledObject, name: str, value: Any) -> Any:
    """A filter operand as the field's Python type (QueryError when it is not one, or is a
    number beyond what the field can hold)."""
    kind = type_of(obj, name)
    try:
        parsed = _parser(obj, name, kind)(value)
    except ValueProblem as problem:
        raise QueryError(f"{name}: {problem.message}", code="invalid_filter_value",
                         hint=problem.hint, field=name) from None
    if parsed is None:
        raise QueryError(f"{name}: a blank value cannot be compared", code="invalid_filter_value",
                         hint='use {"is_null": true}', field=name)
    return parsed


def _formula_operator(select: RecordSelect, name: str, op: str, operand: Any):
    """A condition on a formula field, compiled with the formula language's own comparisons."""
    obj = select.obj
    kind = FIELD_TYPE_MAP[obj.model.field(name).type]
    value = select.value((), name)
    if op == "is_null":
        if not isinstance(operand, bool):
            raise QueryError(f"{name}: is_null takes true or false", code="invalid_filter_value",
                             field=name)
        return value.is_(None) if operand else value.is_not(None)
    if op in ("contains", "starts_with"):
        if kind is not T.TEXT:
            raise QueryError(f"{name}: {op} applies to text fields", code="invalid_operator",
                             field=name)
        try:
            text = like_escape(filter_text(operand))
        except ValueProblem as problem:
            raise QueryError(f"{name}: {problem.message}", code="invalid_filter_value",
                             field=name) from None
        return value.ilike(f"%{text}%" if op == "contains" else f"{text}%", escape="\\")
    compiler = select.compiler()

    def compare(symbol: str, raw: Any):
        operand = parse_value(obj, name, raw)
        if kind is T.PERCENT:  # the filter gives the percentage; the formula a fraction
            operand = operand.scaleb(-2)
        literal = compiler.literal(operand, kind)
        return compiler.compare(symbol, value, literal, kind, kind)

    if op == "in":
        if not isinstance(operand, list) or len(operand) > MAX_IN:
            raise QueryError(f"{name}: in takes a list of at most {MAX_IN} values",
                             code="invalid_filter_value", field=name)
        return sa.or_(sa.false(), *(compare("=", v) for v in operand))
    if operand is None and op in ("eq", "ne"):
        return value.is_(None) if op == "eq" else value.is_not(None)
    symbol = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
    if op == "ne":
        return sa.or_(compare(symbol, operand), value.is_(None))
    return compare(symbol, operand)


def _operator(select: RecordSelect, name: str, op: str, operand: Any):
    obj = select.obj
    quoted = select.is_formula(name) and select.quotes_stored(name)
    if select.is_formula(name) and not quoted:
        return _formula_operator(select, name, op, operand)
    column = select.column(name) if quoted else obj.table.c[name]
    kind = type_of(obj, name)
    if op == "is_null":
        if not isinstance(operand, bool):
            raise QueryError(f"{name}: is_null takes true or false", code="invalid_filter_value",
                             field=name)
        return column.is_(None) if operand else column.is_not(None)
    f = obj.field(name)
    own = storage(kind).operator if f is not None else None
    if own is not None:  # a type with filter semantics of its own (a multi-picklist's set)
        return own(column, name, op, operand, f.kind.filter_parser(f))
    condition = condition_of(kind)
    if op == "in":
        if not isinstance(operand, list) or len(operand) > MAX_IN:
            raise QueryError(f"{name}: in takes a list of at most {MAX_IN} values",
                             code="invalid_filter_value", field=name)
        return condition(column, "in", [parse_value(obj, name, v) for v in operand], f)
    if op in ("contains", "starts_with"):
        if op not in _operators(kind):
            raise QueryError(f"{name}: {op} applies to text fields, not {kind}",
                             code="invalid_operator", field=name)
        try:
            text = like_escape(filter_text(operand))
        except ValueProblem as problem:
            raise QueryError(f"{name}: {problem.message}", code="invalid_filter_value",
                             field=name) from None
        pattern = f"%{text}%" if op == "contains" else f"{text}%"
        return column.ilike(pattern, escape="\\")
    if op in ORDERED and op not in _operators(kind):
        raise QueryError(f"{name}: {op} does not apply to {kind} fields", code="invalid_operator",
                         field=name)
    if operand is None and op in ("eq", "ne"):
        return column.is_(None) if op == "eq" else column.is_not(None)
    return condition(column, op, parse_value(obj, name, operand), f)


def build_filter(select: RecordSelect, where: Any, depth: int = 0):
    """The SQL predicate for ``where`` (None or {} means everything)."""
    obj = select.obj
    if where is None:
        return sa.true()
    if depth > MAX_DEPTH:
        raise QueryError(f"the filter nests and, or and not deeper than {MAX_DEPTH} levels",
                         code="too_deep", parameter="where",
                         hint="combine conditions in one and/or list instead of nesting them")
    if not isinstance(where, Mapping):
        raise QueryError("a filter is an object of field names and conditions",
                         code="invalid_filter", hint='e.g. {"industry": "retail"}')
    clauses = []
    for key, condition in where.items():
        if key in ("and", "or"):
            if not isinstance(condition, list):
                raise QueryError(f"{key} takes a list of filters", code="invalid_filter")
            parts = [build_filter(select, c, depth + 1) for c in condition]
            clauses.append((sa.and_ if key == "and" else sa.or_)(sa.true() if key == "and"
                                                                else sa.false(), *parts))
        elif key == "not":  # the complement, blanks included (as ne): NOT of unknown is true
            inner = build_filter(select, condition, depth + 1)
            clauses.append(sa.not_(sa.func.coalesce(inner, sa.false())))
        else:
            type_of(obj, key)
            if isinstance(condition, Mapping):
                if not condition:
                    raise QueryError(f"{key}: no operator given", code="invalid_filter",
                                     hint=f"use one of {', '.join(OPERATORS)}", field=key)
                for op, operand in condition.items():
                    if op not in OPERATORS:
                        raise QueryError(f"{key}: unknown operator {op!r}",
                                         code="invalid_operator",
                                         hint=f"use one of {', '.join(OPERATORS)}", field=key)
                    clauses.append(_operator(select, key, op, operand))
            else:
                clauses.append(_operator(select, key, "eq", condition))
    return sa.and_(sa.true(), *clauses)


def formula_filter(select: RecordSelect, text: str, pack: Any = None,
                   opaque: frozenset[str] = frozenset()):
    """A filter written in the formula language (``amount > 1000 && ISPICKVAL(stage, 'won')``).

    Type-checked against the object (FormulaError when it is not a boolean formula) and
    compiled to SQL with bound parameters; blank counts as false. ``pack``: the metadata
    the formula may name (default the schema's; a reader's view leaves hidden fields out);
    ``opaque``: the objects errors may not name (those the reader may not read).
    Text no database can store (NUL, a lone surrogate) is QueryError ``invalid_character``;
    a number literal no field can hold is FormulaError ``formula.number_range``.
    """
    return compiled_filter(select, checked_formula(select, text, pack, opaque))


def formula_condition(select: RecordSelect, text: str, pack: Any = None,
                      opaque: frozenset[str] = frozenset()):
    """:func:`formula_filter` for a WHERE clause only (:func:`compiled_condition`)."""
    return compiled_condition(select, checked_formula(select, text, pack, opaque))


def checked_formula(select: RecordSelect, text: str, pack: Any = None,
                    opaque: frozenset[str] = frozenset()) -> Any:
    """The filter ``text`` compiled as a boolean formula over ``select``'s object (see
    :func:`formula_filter`)."""
    from hulian.engine.formulas.scope import ObjectScope
    from hulian.formula import Options, compile_formula

    if not isinstance(text, str):
        raise QueryError("filter is a formula: text", code="invalid_filter", parameter="filter")
    try:
        clean_text(text)
    except ValueProblem as problem:
        raise QueryError(f"filter: {problem.message}", code="invalid_character",
                         parameter="filter", hint="remove the character") from None
    check_literals(text)
    pack = select.schema.pack if pack is None else pack
    scope = ObjectScope(pack, pack.object(select.obj.api_name) or select.obj.model, opaque)
    return compile_formula(text, scope, Options("filter"), T.BOOLEAN)


def check_literals(text: str) -> None:
    """FormulaError ``formula.number_range`` at the first number literal of ``text`` that
    no field can hold: :data:`MAX_FIELD_DIGITS` digits or more before the point, more than
    :data:`MAX_DIGITS` digits in all, or smaller than 1e-40. (A syntax error is left to the
    compiler.)"""
    from hulian.formula import FormulaError, parse
    from hulian.formula.ast import Call, Literal

    try:
        stack = [parse(text)]
    except FormulaError:
        return
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            stack.extend(node.args)
        elif isinstance(node, Literal) and isinstance(node.value, Decimal) and node.value:
            exponent = node.value.adjusted()
            if not -MAX_EXPONENT <= exponent < MAX_FIELD_DIGITS or \
                    exponent - node.value.as_tuple().exponent >= MAX_DIGITS:
                raise FormulaError(
                    f"the number {shown(node.value)} is beyond what a field can hold",
                    code="formula.number_range", text=text, span=node.span,
                    hint=f"fields hold at most {MAX_FIELD_DIGITS} digits before the point; "
                         f"a literal has at most {MAX_DIGITS} digits")


def compiled_filter(select: RecordSelect, formula: Any) -> Any:
    """A compiled boolean formula as a SQL condition on ``select``; blank counts as false."""
    expression = select.compiler().compile(formula.typed)
    if select.dialect == "sqlite":
        return sa.func.coalesce(expression, 0) != 0
    return sa.func.coalesce(expression, sa.false())


def compiled_condition(select: RecordSelect, formula: Any) -> Any:
    """A compiled boolean formula as a condition of a WHERE clause (ANDed with the others,
    never negated): there a blank (NULL) leaves the record out as false does, so the
    formula's SQL is used as it is, and an index on the columns it compares can serve it
    (``COALESCE(amount >= 1000, false)`` hides ``amount`` from the planner)."""
    return select.compiler().compile(formula.typed)
