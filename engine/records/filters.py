"""``where`` filters -> SQL predicates with bound parameters.

A filter is a JSON object. ``{"industry": "retail"}`` means equals; an operator
object applies operators (all must hold): ``{"amount": {"ge": 100, "lt": 500}}``;
``and`` / ``or`` take lists and ``not`` one filter. Operators: eq, ne, lt, le, gt,
ge, in, contains, starts_with, is_null. Values are coerced with the field's type;
field names must exist (metadata or system), so no caller text reaches SQL.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import QueryError
from hulian.engine.formulas.select import RecordSelect
from hulian.engine.schema.columns import SYSTEM_FIELD_TYPES
from hulian.engine.schema.compiled import CompiledObject
from hulian.engine.schema.types import encode_options
from hulian.formula import FIELD_TYPE_MAP, T
from hulian.metadata.values import (
    DEFAULT_PRECISION,
    DEFAULT_SCALE,
    MAX_DIGITS,
    MAX_EXPONENT,
    ValueProblem,
    check_magnitude,
    clean_text,
    parse_date,
    parse_datetime,
    parse_time,
    shown,
    to_decimal,
)

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "contains", "starts_with", "is_null")
ORDERED = {"lt", "le", "gt", "ge"}
NUMERIC = ("number", "currency", "percent")
MAX_DEPTH = 16
"""How deep ``and``, ``or`` and ``not`` may nest (SQLite's parser takes about 28 levels of
``not``; JSON nesting is capped at 32 levels before this)."""
MAX_IN = 1000
INTEGER_LIMIT = 2**31 - 1
"""The largest integer field value (``version``: a 32-bit column on PostgreSQL)."""
MAX_FIELD_DIGITS = 18
"""The widest precision a number field may declare (``schema.range``)."""


def field_type(obj: CompiledObject, name: str) -> str:
    f = obj.field(name)
    if f is not None:
        return f.type
    if name in SYSTEM_FIELD_TYPES:
        return SYSTEM_FIELD_TYPES[name]
    raise QueryError(f"{obj.api_name} has no field {name!r}", code="unknown_field",
                     hint=obj.unknown_field_hint(name), field=name)


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueProblem("invalid_type", "expected text")
    # as for stored text: PostgreSQL refuses NUL, SQLite's LIKE would stop at it
    return clean_text(str(value))


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueProblem("invalid_type", "expected true or false")


def _integer(value: Any) -> int:
    number = to_decimal(value)  # bounded: int() below never meets 1e999999999
    if number != number.to_integral_value():
        raise ValueProblem("invalid_type", "expected a whole number")
    if abs(number) > INTEGER_LIMIT:
        raise ValueProblem("out_of_range", f"{shown(number)} is beyond {INTEGER_LIMIT}",
                           f"the field holds whole numbers up to {INTEGER_LIMIT}")
    return int(number)


PARSERS: dict[str, Callable[[Any], Any]] = {
    "number": to_decimal, "currency": to_decimal, "percent": to_decimal,
    "boolean": _boolean, "date": parse_date, "datetime": parse_datetime, "time": parse_time,
    "integer": _integer,
}


def _within_field(obj: CompiledObject, name: str, number: Decimal) -> Decimal:
    """``number`` if the field can hold its digits before the point; else out_of_range."""
    f = obj.field(name)
    assert f is not None, "numeric fields are metadata fields"
    scale = f.scale if f.scale is not None else DEFAULT_SCALE[f.type]
    check_magnitude(number, f.precision or DEFAULT_PRECISION, scale)
    return number


def parse_value(obj: CompiledObject, name: str, value: Any) -> Any:
    """A filter operand as the field's Python type (QueryError when it is not one, or is a
    number beyond what the field can hold)."""
    kind = field_type(obj, name)
    try:
        parsed = PARSERS.get(kind, _text)(value)
        if kind in NUMERIC and parsed is not None:
            parsed = _within_field(obj, name, parsed)
    except ValueProblem as problem:
        raise QueryError(f"{name}: {problem.message}", code="invalid_filter_value",
                         hint=problem.hint, field=name) from None
    if parsed is None:
        raise QueryError(f"{name}: a blank value cannot be compared", code="invalid_filter_value",
                         hint='use {"is_null": true}', field=name)
    return parsed


def _representable(value: Decimal, scale: int) -> bool:
    """Whether a column of this scale holds ``value`` exactly (parse_value checked that its
    digits before the point fit)."""
    scaled = value.scaleb(scale)
    return scaled == scaled.to_integral_value()


def _numeric_compare(column, op: str, value: Decimal, scale: int):
    """Compare an exact column with a value of more decimals than it holds, without rounding
    errors (parse_value checked that the digits before the point fit)."""
    scaled = value.scaleb(scale)
    if scaled == scaled.to_integral_value():
        return _compare(column, op, value)
    low = Decimal(math.floor(scaled)).scaleb(-scale)
    high = Decimal(math.ceil(scaled)).scaleb(-scale)
    if op in ("eq", "ne"):
        return sa.true() if op == "ne" else sa.false()
    return _compare(column, {"lt": "le", "le": "le", "gt": "ge", "ge": "ge"}[op],
                    low if op in ("lt", "le") else high)


def _compare(column, op: str, value: Any):
    if op == "ne":  # as in SOQL, a blank value is "not equal" to any value
        return sa.or_(column != value, column.is_(None))
    return {"eq": column.__eq__, "ne": column.__ne__, "lt": column.__lt__, "le": column.__le__,
            "gt": column.__gt__, "ge": column.__ge__}[op](value)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
        text = _like_escape(_text(operand))
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
    kind = field_type(obj, name)
    if op == "is_null":
        if not isinstance(operand, bool):
            raise QueryError(f"{name}: is_null takes true or false", code="invalid_filter_value",
                             field=name)
        return column.is_(None) if operand else column.is_not(None)
    if kind == "multi_picklist":
        return _multi_picklist(obj, name, op, operand)
    if op == "in":
        if not isinstance(operand, list) or len(operand) > MAX_IN:
            raise QueryError(f"{name}: in takes a list of at most {MAX_IN} values",
                             code="invalid_filter_value", field=name)
        values = [parse_value(obj, name, v) for v in operand]
        if kind in NUMERIC:
            f = obj.field(name)
            values = [v for v in values if _representable(v, f.scale or 0)]
        return column.in_(values) if values else sa.false()
    if op in ("contains", "starts_with"):
        if kind not in ("text", "textarea", "email", "phone", "url", "auto_number", "picklist"):
            raise QueryError(f"{name}: {op} applies to text fields, not {kind}",
                             code="invalid_operator", field=name)
        try:
            text = _like_escape(_text(operand))
        except ValueProblem as problem:
            raise QueryError(f"{name}: {problem.message}", code="invalid_filter_value",
                             field=name) from None
        pattern = f"%{text}%" if op == "contains" else f"{text}%"
        return column.ilike(pattern, escape="\\")
    if op in ORDERED and kind in ("boolean", "multi_picklist"):
        raise QueryError(f"{name}: {op} does not apply to {kind} fields", code="invalid_operator",
                         field=name)
    if operand is None and op in ("eq", "ne"):
        return column.is_(None) if op == "eq" else column.is_not(None)
    value = parse_value(obj, name, operand)
    f = obj.field(name)
    if kind in NUMERIC:
        return _numeric_compare(column, op, value, f.scale or 0)
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC)
    return _compare(column, op, value)


def _multi_picklist(obj: CompiledObject, name: str, op: str, operand: Any):
    column = obj.table.c[name]
    coerce = obj.coercers[name]
    try:
        chosen = coerce(operand if isinstance(operand, list) else [operand]) or []
    except ValueProblem as problem:
        raise QueryError(f"{name}: {problem.message}", code="invalid_filter_value",
                         hint=problem.hint, field=name) from None
    if op == "contains":
        return sa.and_(*(sa.func.coalesce(column, "").like(f"%;{_like_escape(v)};%",
                                                          escape="\\") for v in chosen))
    if op in ("eq", "ne"):
        encoded = encode_options(chosen) if chosen else None
        if encoded is None:
            return column.is_(None) if op == "eq" else column.is_not(None)
        return column == encoded if op == "eq" else sa.or_(column != encoded, column.is_(None))
    raise QueryError(f"{name}: multi-picklists take eq, ne, contains and is_null",
                     code="invalid_operator", field=name)


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
            field_type(obj, key)
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
