"""Typed tree -> a SQLAlchemy expression, for PostgreSQL and SQLite.

Values in formula SQL, per dialect:

| type | PostgreSQL | SQLite |
|---|---|---|
| number, currency, percent | numeric | decimal text (exact, via registered functions) |
| text, picklist | text | text |
| boolean | boolean | 0 / 1 |
| date, time | date, time | ISO text |
| datetime | timestamptz | UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` |
| multi_picklist | ``;a;b;`` text | ``;a;b;`` text |

On SQLite a function without a ``sqlite`` builder runs its Python implementation
through the registered SQL function ``hl_call`` (see ``install_sqlite``), so both
back-ends compute with the same code there; PostgreSQL uses native SQL. A FormulaError
raised while the database runs a formula (``formula/limits.py``) comes back out of the
driver as that FormulaError (``formula/sql_errors.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.selectable import ScalarSelect, Select

from hulian.formula.ast import TCall, TLiteral, TRef, Typed
from hulian.formula.sql_errors import remembered
from hulian.formula.types import NUMERIC, T

UTC = dt.UTC
CODES = {T.NUMBER: "n", T.CURRENCY: "n", T.PERCENT: "n", T.TEXT: "t", T.PICKLIST: "t",
         T.BOOLEAN: "b", T.DATE: "d", T.DATETIME: "s", T.TIME: "h", T.MULTI_PICKLIST: "m",
         T.NULL: "x"}


# -- SQLite representation ---------------------------------------------------------------------

def to_sqlite(kind: T, value: Any) -> Any:
    if value is None:
        return None
    code = CODES[kind]
    if code == "n":
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if code == "b":
        return 1 if value else 0
    if code == "d":
        return value.isoformat()
    if code == "s":
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ",
                                                                     timespec="microseconds")
    if code == "h":
        return value.isoformat(timespec="microseconds")
    if code == "m":
        return ";" + ";".join(value) + ";" if value else None
    return value if value != "" else None


def from_sqlite(code: str, value: Any) -> Any:
    if value is None:
        return None
    if code == "n":
        if isinstance(value, float):
            return Decimal(repr(value))
        return Decimal(str(value))
    if code == "b":
        return bool(value)
    if code == "d":
        return dt.date.fromisoformat(value)
    if code == "s":
        return dt.datetime.fromisoformat(value).replace(tzinfo=UTC)
    if code == "h":
        return dt.time.fromisoformat(value)
    if code == "m":
        return [v for v in value.split(";") if v] or None
    if code == "x":
        return None
    return value if value != "" else None


def _hl_call(name: str, codes: str, *args: Any) -> Any:
    from hulian.formula.functions.base import REGISTRY

    function = REGISTRY[name]
    arg_codes, result_code = codes.split(">")
    values = [from_sqlite(c, v) for c, v in zip(arg_codes.split(","), args, strict=False)]
    if function.strict and any(v is None for v in values):
        return None
    types = tuple(_CODE_TYPES[c] for c in arg_codes.split(",")) if arg_codes else ()
    impl = function.python
    result = impl(types, *values) if getattr(impl, "wants_types", False) else impl(*values)
    return to_sqlite(_CODE_TYPES[result_code], result)


_CODE_TYPES = {"n": T.NUMBER, "t": T.TEXT, "b": T.BOOLEAN, "d": T.DATE, "s": T.DATETIME,
               "h": T.TIME, "m": T.MULTI_PICKLIST, "x": T.NULL}


def _hl_dec(value: Any, scale: int) -> str | None:
    if value is None:
        return None
    return format(Decimal(int(value)).scaleb(-int(scale)), "f")


def _hl_cmp(a: Any, b: Any) -> int | None:
    if a is None or b is None:
        return None
    x, y = from_sqlite("n", a), from_sqlite("n", b)
    return (x > y) - (x < y)


def _hl_round(value: Any, places: int) -> str | None:
    if value is None:
        return None
    from hulian.formula.values import quantize

    return format(quantize(from_sqlite("n", value), int(places)), "f")


def install_sqlite(dbapi_connection: Any) -> None:
    """Register hulian's formula functions on a sqlite3 connection."""
    from hulian.formula.functions.operators import concat
    from hulian.formula.functions.registry import load

    load()
    dbapi_connection.create_function("hl_call", -1, remembered(_hl_call), deterministic=False)
    dbapi_connection.create_function("hl_concat", 2, remembered(concat), deterministic=True)
    dbapi_connection.create_function("hl_dec", 2, _hl_dec, deterministic=True)
    dbapi_connection.create_function("hl_cmp", 2, _hl_cmp, deterministic=True)
    dbapi_connection.create_function("hl_round", 2, _hl_round, deterministic=True)


# -- the compiler ------------------------------------------------------------------------------

Resolver = Callable[[TRef], Any]


def sql_type(kind: T) -> Any:
    return {T.NUMBER: sa.Numeric(), T.CURRENCY: sa.Numeric(), T.PERCENT: sa.Numeric(),
            T.BOOLEAN: sa.Boolean(), T.DATE: sa.Date(), T.TIME: sa.Time(),
            T.DATETIME: sa.DateTime(timezone=True)}.get(kind, sa.Text())


SIMPLE_NODES = 6
"""An SQL value of at most this many nodes and no sub-select may be written more than once."""


def simple(expr: Any) -> bool:
    """Whether ``expr`` is cheap to write twice: a column, a constant, a cast of one..."""
    for count, node in enumerate(visitors.iterate(expr), 1):
        if count > SIMPLE_NODES or isinstance(node, ScalarSelect | Select):
            return False
    return True


class SqlCompiler:
    """Compiles typed trees for one dialect; ``resolve`` turns field references into columns."""

    def __init__(self, dialect: str, resolve: Resolver):
        self.dialect = dialect
        self.resolve = resolve
        self.joined: dict[int, tuple[Any, tuple[Any, ...]]] = {}
        """PostgreSQL ``&``: an expression built by ``operators._pg_concat`` -> its texts,
        so a chain ``a & b & c`` becomes one concatenation with one length check."""

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def literal(self, value: Any, kind: T) -> Any:
        if value is None:
            # PostgreSQL resolves operators by type: a blank of a known type keeps it
            if self.sqlite or kind in (T.NULL, T.MULTI_PICKLIST, T.PICKLIST):
                return sa.null()
            return sa.cast(sa.null(), sql_type(kind))
        if self.sqlite:
            if kind is T.BOOLEAN:
                return sa.literal(1 if value else 0, sa.Integer())
            return sa.literal(to_sqlite(kind, value), sa.Text())
        if kind is T.BOOLEAN:
            return sa.true() if value else sa.false()
        if kind is T.MULTI_PICKLIST:
            return sa.literal(";" + ";".join(value) + ";", sa.Text())
        return sa.literal(value, sql_type(kind))

    def compile(self, node: Typed) -> Any:
        if isinstance(node, TLiteral):
            return self.literal(node.value, node.type)
        if isinstance(node, TRef):
            return self.resolve(node)
        assert isinstance(node, TCall)
        args = [self.compile(arg) for arg in node.args]
        function = node.function
        if not self.sqlite:
            args = self._typed_nulls(args, node)
        if self.sqlite:
            if function.sqlite is not None:
                return function.sqlite(self, args, node.arg_types, node.type)
            return self.bridge(function.name, args, node.arg_types, node.type)
        return function.pg(self, args, node.arg_types, node.type)

    @staticmethod
    def _typed_nulls(args: list[Any], node: TCall) -> list[Any]:
        """PostgreSQL cannot type a bare NULL in ``-NULL`` or ``NULL + NULL``: cast each blank
        argument to the type its position takes (a sibling's, a condition's, the result's)."""
        if T.NULL not in node.arg_types:
            return args
        out = list(args)
        for i, kind in enumerate(node.arg_types):
            if kind is T.NULL:
                wanted = _null_position_type(node, i)
                if wanted not in (None, T.NULL):
                    out[i] = sa.cast(args[i], sql_type(wanted))
        return out

    def bind(self, values: Sequence[Any], build: Callable[[list[Any]], Any]) -> Any:
        """``build(values)``, each value computed once however often ``build`` writes it.

        PostgreSQL computes an expression wherever it is written, so a builder that writes
        an argument twice (in a guard and in the result) doubles the SQL, and the work, at
        every level a formula nests it. A value that is not ``simple`` is computed once in a
        sub-select (``OFFSET 0`` keeps the planner from writing it back in), and ``build``
        gets a reference to it; simple values are passed through.
        """
        wanted = [i for i, value in enumerate(values) if not simple(value)]
        if not wanted:
            return build(list(values))
        inner = sa.select(*(values[i].label(f"v{i}") for i in wanted)).offset(
            sa.literal_column("0")).correlate_except(None).subquery()
        named = list(values)
        for i in wanted:
            named[i] = inner.c[f"v{i}"]
        # both selects name the outer query's tables (the values, the simple arguments) and
        # must take them from it: correlate everything but the sub-select itself
        return sa.select(build(named)).select_from(inner).correlate_except(inner) \
            .scalar_subquery()

    def bridge(self, name: str, args: Sequence[Any], types: Sequence[T], result: T) -> Any:
        """Call the Python implementation of ``name`` from SQLite."""
        codes = ",".join(CODES[t] for t in types) + ">" + CODES[result]
        return sa.func.hl_call(sa.literal(name, sa.Text()), sa.literal(codes, sa.Text()), *args)

    def compare(self, op: str, a: Any, b: Any, ta: T, tb: T) -> Any:
        """A comparison in this dialect (numbers exactly, text by code point)."""
        if self.sqlite and (ta in NUMERIC or tb in NUMERIC):
            direct = _scaled_comparison(op, a, b)
            if direct is not None:
                return direct
            a, b = sa.func.hl_cmp(a, b), sa.literal(0, sa.Integer())
        elif not self.sqlite and (ta in (T.TEXT, T.PICKLIST) or tb in (T.TEXT, T.PICKLIST)):
            a = a.collate("C") if hasattr(a, "collate") else a
        symbol = "<>" if op == "!=" else op
        # .op() renders the operator as written: "x = NULL" stays unknown, as in the Python
        # back-end, where SQLAlchemy's == would turn it into "x IS NULL". Its operands are
        # parenthesised: .op() does not know that AND or IS NULL bind looser than "=".
        left = sa.literal_column("NULL") if a is None else _as_element(a)
        right = _as_element(b)
        return left.self_group(against=operators.eq).op(symbol, is_comparison=True)(
            right.self_group(against=operators.eq))


_BOOLEAN_ARGS = frozenset({"_AND", "_OR", "_NOT", "AND", "OR", "NOT"})
_SAME_TYPE_ARGS = frozenset({"_ADD", "_SUB", "_MUL", "_DIV", "_POW", "_NEG", "_EQ", "_NE", "_LT",
                             "_LE", "_GT", "_GE", "NULLVALUE", "BLANKVALUE", "MAX", "MIN"})


def _null_position_type(node: TCall, i: int) -> T | None:
    name, types = node.function.name, node.arg_types
    if name in _BOOLEAN_ARGS:
        return T.BOOLEAN
    if name == "IF":
        return T.BOOLEAN if i == 0 else node.type
    if name == "CASE":
        is_result = i > 0 and (i % 2 == 0 or i == len(types) - 1)
        if is_result:
            return node.type
        matches = [t for j, t in enumerate(types)
                   if (j == 0 or (j % 2 == 1 and j != len(types) - 1)) and t is not T.NULL]
        return matches[0] if matches else None
    if name in _SAME_TYPE_ARGS:
        known = [t for t in types if t is not T.NULL]
        return known[0] if known else (node.type if node.type is not T.BOOLEAN else None)
    return None


def _as_element(value: Any) -> Any:
    return value if hasattr(value, "op") else sa.literal(value)


_MIRRORED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _scaled_column(value: Any) -> tuple[Any, int] | None:
    """(column, scale) when ``value`` is :func:`sqlite_decimal` of a stored column."""
    if isinstance(value, sa.sql.functions.Function) and value.name == "hl_dec":
        column, scale = value.clauses
        if isinstance(scale, sa.BindParameter) and isinstance(scale.value, int):
            return column, scale.value
    return None


def _decimal_literal(value: Any) -> Decimal | None:
    """The number a SQLite number literal holds (decimal text, see ``to_sqlite``)."""
    if isinstance(value, sa.BindParameter) and isinstance(value.value, str):
        try:
            return Decimal(value.value)
        except ArithmeticError:
            return None
    return None


def _scaled_comparison(op: str, a: Any, b: Any) -> Any | None:
    """On SQLite, a stored decimal column (a scaled integer) compared with a number literal
    it can hold exactly, as an integer comparison on the column itself: the same answer
    (blank stays unknown) without a Python call per row, and one an index can serve.
    None when the operands are not of that shape."""
    column, value, symbol = _scaled_column(a), _decimal_literal(b), op
    if column is None or value is None:
        column, value, symbol = _scaled_column(b), _decimal_literal(a), _MIRRORED[op]
    if column is None or value is None or not value.is_finite():
        return None
    scaled = value.scaleb(column[1])
    if scaled != scaled.to_integral_value() or abs(scaled) >= 2**63:
        return None
    left = _as_element(column[0]).self_group(against=operators.eq)
    return left.op("<>" if symbol == "!=" else symbol, is_comparison=True)(
        sa.literal(int(scaled), sa.Integer()))


def sqlite_decimal(column: Any, scale: int) -> Any:
    """A SQLite decimal column (a scaled integer) as formula decimal text."""
    return sa.func.hl_dec(column, sa.literal(scale, sa.Integer()))
