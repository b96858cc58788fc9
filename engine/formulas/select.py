"""Selecting records with their formula fields computed in SQL.

A :class:`RecordSelect` turns each formula field into a SQL expression over the
object's table, joining the tables that cross-object references reach (left
outer joins on the lookup, live records only). Formula fields that use other
formula fields are inlined. Filters and sorts built through the same
``RecordSelect`` share its joins; ``from_clause()`` is taken last.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from hulian.engine.formulas.scope import FieldTarget
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.schema.system_objects import CURRENT_USER, hop
from hulian.formula import FIELD_TYPE_MAP, SqlCompiler, T, sqlite_decimal
from hulian.formula.sql import CODES, from_sqlite
from hulian.formula.types import NUMERIC
from hulian.metadata.model import Field, ObjectDef


class FormulaResult(TypeDecorator):
    """A formula's SQL value as the Python value a record holds."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, kind: T, scale: int | None, shift: int = 0):
        super().__init__()
        self.kind = kind
        self.scale = scale
        self.shift = shift
        """The field type's ``formula_shift``: a percent's fraction shows as a percentage."""

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            value = from_sqlite(CODES[self.kind], value)
        if self.kind in NUMERIC:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
            if self.shift:  # the formula's fraction, shown as a percentage like stored ones
                number = number.scaleb(self.shift)
            if self.scale is not None:
                number = number.quantize(Decimal(1).scaleb(-self.scale), ROUND_HALF_UP)
            return number
        if self.kind is T.BOOLEAN:
            return bool(value)
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if value == "":
            return None
        return value


class RecordSelect:
    """``user_id``: the user ``$User`` means in formulas (the reader; None reads blanks).

    Building one compiles the object's formula fields to SQL, which is work worth doing
    once: :func:`base_select` keeps a built one per object (and per reader when its
    formulas join other records), and each query continues from a :meth:`fork` of it.
    """

    def __init__(self, schema: CompiledSchema, obj: CompiledObject, dialect: str,
                 user_id: str | None = None, visibility: Any = None):
        self.schema = schema
        self.obj = obj
        self.dialect = dialect
        self.user_id = user_id
        self.visibility = visibility
        """A :class:`~hulian.engine.security.visibility.Visibility`: joined records the user may not
        read are left out (their fields read as blank). None: every record (system use)."""
        self._tables: dict[tuple[str, ...], Any] = {(): obj.table}
        self._objects: dict[tuple[str, ...], ObjectDef] = {(): obj.model}
        self._joins: list[tuple[Any, Any]] = []
        self._formulas: dict[tuple[tuple[str, ...], str], Any] = {}
        self._select: sa.Select | None = None

    def fork(self, user_id: str | None = None, visibility: Any = None) -> RecordSelect:
        """A copy to build one query on: it shares what this one has built (joins, formula
        SQL, the record columns) and adds its own joins without touching this one.
        ``user_id`` and ``visibility`` are the reader's, for the joins the copy adds."""
        other = RecordSelect.__new__(RecordSelect)
        other.schema, other.obj, other.dialect = self.schema, self.obj, self.dialect
        other.user_id = user_id if user_id is not None else self.user_id
        other.visibility = visibility if visibility is not None else self.visibility
        other._tables = dict(self._tables)
        other._objects = dict(self._objects)
        other._joins = list(self._joins)
        other._formulas = dict(self._formulas)
        other._select = self._select
        return other

    @property
    def joins_others(self) -> bool:
        """Whether the query reads other records (cross-object formulas, ``$User``)."""
        return bool(self._joins)

    # -- joins ---------------------------------------------------------------------------------

    def _walk(self, hops: tuple[str, ...]) -> tuple[Any, ObjectDef]:
        if hops not in self._tables:
            if hops == (CURRENT_USER,):
                user = self.schema.target("User")
                alias = user.table.alias(f"r{len(self._joins) + 1}")
                self._joins.append((alias, alias.c.id == sa.literal(self.user_id, sa.String())))
                self._tables[hops], self._objects[hops] = alias, user.model
                return alias, user.model
            parent_table, parent = self._walk(hops[:-1])
            found = hop(parent, hops[-1])
            assert found is not None, f"{parent.api_name} has no relationship {hops[-1]}"
            column, target_name = found
            target = self.schema.target(target_name)
            alias = target.table.alias(f"r{len(self._joins) + 1}")
            on = sa.and_(alias.c.id == parent_table.c[column], alias.c.is_deleted == sa.false())
            visible = None if self.visibility is None or target_name not in self.schema.objects \
                else self.visibility.predicate(target, "read", alias)
            self._joins.append((alias, on if visible is None else sa.and_(on, visible)))
            self._tables[hops] = alias
            self._objects[hops] = target.model
        return self._tables[hops], self._objects[hops]

    def table_at(self, hops: tuple[str, ...]) -> Any:
        """The (joined) table of the record ``hops`` reach; take ``from_clause()`` after."""
        return self._walk(hops)[0]

    def from_clause(self) -> Any:
        clause = self.obj.table
        for alias, on in self._joins:
            clause = clause.outerjoin(alias, on)
        return clause

    # -- values --------------------------------------------------------------------------------

    def target(self, hops: tuple[str, ...], name: str) -> tuple[tuple[str, ...], str]:
        """Where the value of ``name`` at ``hops`` lives: quote fields followed to the field
        they show (through their lookups)."""
        _, obj = self._walk(hops)
        f = obj.field(name)
        while f is not None and f.quote is not None:
            *path, name = f.quote.split(".")
            hops = (*hops, *path)
            _, obj = self._walk(hops)
            f = obj.field(name)
        return hops, name

    def value(self, hops: tuple[str, ...], name: str) -> Any:
        """The field ``name`` of the record at ``hops``, in formula SQL representation."""
        if hops == (CURRENT_USER,) and name == "id":  # known: no join to the User table
            return sa.literal(self.user_id, sa.String())
        hops, name = self.target(hops, name)
        table, obj = self._walk(hops)
        f = obj.field(name)
        if f is not None and f.formula is not None:
            return self._formula(hops, obj, f)
        column = table.c[name]
        # A percent field holds the percentage (12.5); formulas read the fraction (0.125),
        # as in Salesforce.
        shift = f.kind.formula_shift if f is not None else 0
        if self.dialect == "sqlite" and f is not None and f.kind.numeric:
            return sqlite_decimal(column, (f.scale or 0) + shift)
        if shift:
            return column / sa.literal(10 ** shift, sa.Numeric())
        return column

    def _formula(self, hops: tuple[str, ...], obj: ObjectDef, f: Field) -> Any:
        key = (hops, f.api_name)
        found = self._formulas.get(key)
        if found is None:
            found = self._formulas[key] = self._compile_formula(hops, obj, f)
        return found

    def _compile_formula(self, hops: tuple[str, ...], obj: ObjectDef, f: Field) -> Any:
        compiled = self.schema.formulas[obj.api_name].fields[f.api_name]

        def resolve(ref: Any) -> Any:
            target: FieldTarget = ref.target
            return self.value((*hops, *target.hops), target.field)

        expression = SqlCompiler(self.dialect, resolve).compile(compiled.typed)
        if f.kind.numeric and f.scale is not None:
            places = f.scale + f.kind.formula_shift  # a percent is a fraction here
            if self.dialect == "sqlite":
                expression = sa.func.hl_round(expression, places)
            else:
                expression = sa.func.round(expression, places)
        return expression

    def compiler(self) -> SqlCompiler:
        """A compiler for filter formulas on this object (references resolve through joins)."""
        return SqlCompiler(self.dialect, lambda ref: self.value(ref.target.hops, ref.target.field))

    # -- record columns --------------------------------------------------------------------

    def column(self, name: str) -> Any:
        """The value a record shows for ``name`` (stored column, formula or quoted field)."""
        hops, name = self.target((), name)
        table, obj = self._walk(hops)
        f = obj.field(name)
        if f is not None and f.formula is not None:
            kind = FIELD_TYPE_MAP[f.type]
            return sa.type_coerce(self.value(hops, name), FormulaResult(
                kind, f.scale, shift=f.kind.formula_shift))
        return table.c[name]

    def quotes_stored(self, name: str) -> bool:
        """True for a quote field showing a stored column (not a formula)."""
        hops, target = self.target((), name)
        f = self._walk(hops)[1].field(target)
        return f is None or f.formula is None

    def is_formula(self, name: str) -> bool:
        """True for fields computed on read (formula and quote fields)."""
        f = self.obj.model.field(name)
        return f is not None and f.computed

    def sort_key(self, name: str) -> Any:
        """What to sort and page by: SQLite compares formula decimals as REAL."""
        if not self.is_formula(name):
            return self.obj.table.c[name]
        if self.quotes_stored(name):
            return self.column(name)  # a quoted stored field: sort by its column
        if self.dialect == "sqlite" and self.obj.model.field(name).kind.numeric:
            return sa.cast(self.value((), name), sa.Float)
        return self.value((), name)

    def sort_value(self, name: str, value: Any) -> Any:
        """A cursor value, ready to compare with ``sort_key(name)``."""
        if value is None or not self.is_formula(name):
            return value
        if self.quotes_stored(name):
            return value  # compared with the quoted column, bound through its type
        kind = FIELD_TYPE_MAP[self.obj.model.field(name).type]
        if kind is T.PERCENT:  # records show the percentage; formulas compute the fraction
            value = value.scaleb(-2)
        if self.dialect == "sqlite" and kind in NUMERIC:
            return sa.literal(float(value), sa.Float())
        return SqlCompiler(self.dialect, lambda ref: None).literal(value, kind)

    def select(self) -> sa.Select:
        """The record columns (stored, formula and quote fields), built once; take
        ``from_clause()`` after adding filters and sorts."""
        if self._select is None:
            stored = self.obj.stored_labels
            self._select = sa.select(*(stored[n] if n in stored else self.column(n).label(n)
                                       for n in self.obj.record_names))
        return self._select


def base_select(schema: CompiledSchema, obj: CompiledObject, user_id: str | None = None,
                visibility: Any = None) -> RecordSelect:
    """A fresh :class:`RecordSelect` of ``obj`` for the reader (``user_id``, ``visibility``;
    None: the system) with the record columns built: a fork of one kept per schema version,
    or per reader when the object's formulas join other records (whose visibility, and
    ``$User``, depend on the reader). Keep what is built on it for one query only."""
    shared = _shared(schema, obj)
    if not shared.joins_others or (user_id is None and visibility is None):
        return shared.fork(user_id, visibility)
    if visibility is None:  # a system reader with a $User: not kept
        return _built(schema, obj, user_id, None)
    own = visibility.statement(("select", obj.api_name),
                               lambda: _built(schema, obj, user_id, visibility))
    return own.fork()


def _shared(schema: CompiledSchema, obj: CompiledObject) -> RecordSelect:
    return schema.memo.get(("select", obj.api_name), lambda: _built(schema, obj, None, None))


def reads_others(schema: CompiledSchema, obj: CompiledObject) -> bool:
    """Whether the record select of ``obj`` joins other records (cross-object formulas,
    ``$User``): then what it reads depends on the reader."""
    return _shared(schema, obj).joins_others


def _built(schema: CompiledSchema, obj: CompiledObject, user_id: str | None,
           visibility: Any) -> RecordSelect:
    select = RecordSelect(schema, obj, schema.dialect, user_id, visibility)
    select.select()
    return select
