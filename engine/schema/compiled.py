"""A tenant's deployed metadata compiled once into tables, columns and coercers.

``compile_schema(pack, tenant, dialect_name, version)`` builds the SQLAlchemy
``Table`` of every object (with its indexes) and, per field, the coercer the
write path calls. The record services only look things up here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from hulian.engine.errors import NotFoundError
from hulian.engine.formulas.compiled import ObjectFormulas, compile_pack_formulas
from hulian.engine.memo import Memo
from hulian.engine.schema.columns import SYSTEM_FIELDS, field_column, system_columns
from hulian.engine.schema.naming import short_name, table_name, tenant_schema
from hulian.engine.schema.system_objects import SYSTEM_MODELS, system_table
from hulian.metadata.field_types import coercer
from hulian.metadata.model import Field, ObjectDef, Pack
from hulian.metadata.values import Coercer


@dataclass(frozen=True)
class Reference:
    """A lookup field of ``source`` pointing at the compiled object that holds this."""

    source: str
    field: Field


@dataclass(frozen=True)
class CompiledObject:
    model: ObjectDef
    table: sa.Table
    coercers: Mapping[str, Coercer]
    references_in: tuple[Reference, ...] = ()
    kinds: Mapping[str, str] = field(default_factory=dict)
    """Field api_name -> field type, for the per-value paths."""
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)
    """What the record paths build once for this object (e.g. its input converters)."""

    @property
    def api_name(self) -> str:
        return self.model.api_name

    @cached_property
    def record_names(self) -> tuple[str, ...]:
        """What a record holds, in order: ``id``, the fields, the other system fields."""
        return ("id", *self.model.field_names, *(n for n in SYSTEM_FIELDS if n != "id"))

    @cached_property
    def stored_labels(self) -> Mapping[str, Any]:
        """Each stored column labelled with its name, built once: a record's select
        reuses them (SQL expressions are immutable), so a list page does not rebuild them."""
        return MappingProxyType({n: self.table.c[n].label(n) for n in self.record_names
                                 if n in self.table.c})

    def column(self, name: str) -> sa.Column:
        return self.table.c[name]

    def has_column(self, name: str) -> bool:
        return name in self.table.c

    def field(self, name: str) -> Field | None:
        return self.model.field(name)

    def unknown_field_hint(self, name: str) -> str:
        names = [*self.model.field_names, *SYSTEM_FIELDS]
        close = difflib.get_close_matches(name, names, n=1)
        if close:
            return f"did you mean {close[0]!r}?"
        return f"{self.api_name} has the fields: {', '.join(self.model.field_names)}"


@dataclass(frozen=True)
class CompiledSchema:
    tenant: str
    version: int
    pack: Pack
    metadata: sa.MetaData
    objects: Mapping[str, CompiledObject] = field(default_factory=dict)
    formulas: Mapping[str, ObjectFormulas] = field(default_factory=dict)
    dialect: str = "sqlite"
    system: Mapping[str, CompiledObject] = field(default_factory=dict)
    """The system objects User and Department (read-only views), as lookup targets."""
    ids: Mapping[str, Any] = field(default_factory=dict)
    """Stable ids: ``{object: {"id": ..., "fields": {field: id}}}`` (empty before a deploy)."""
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)
    """What the record paths work out once per schema version and share between sessions
    and threads: write plans (:mod:`hulian.engine.records.plan`), record selects with their
    formula SQL, statements that read no user's permissions."""

    def target(self, api_name: str) -> CompiledObject:
        """The object a lookup points at: one of the pack's, or a system object."""
        found = self.system.get(api_name)
        return found if found is not None else self.object(api_name)

    def object(self, api_name: str) -> CompiledObject:
        found = self.objects.get(api_name)
        if found is None:
            close = difflib.get_close_matches(str(api_name), list(self.objects), n=1)
            hint = f"did you mean {close[0]!r}?" if close else \
                f"this tenant has the objects: {', '.join(sorted(self.objects)) or 'none'}"
            raise NotFoundError(f"there is no object {api_name!r}", code="unknown_object",
                                hint=hint)
        return found


UNIQUE_INDEX = "unique"
PLAIN_INDEX = "plain"


def field_index(obj: ObjectDef, f: Field) -> str | None:
    """The index :func:`build_table` gives field ``f`` of ``obj``: ``"unique"``
    (``ux_<table>_<field>``, live records only), ``"plain"`` (``ix_<table>_<field>``) or None.

    Unique fields and auto-numbers get a unique index; lookups, master-details, the name
    field and fields asking for one (``"indexed": true``) a plain one, only one whatever
    the reasons.

    >>> name = Field("name", "text", {}, indexed=True)
    >>> field_index(ObjectDef("Item", {}, "name", (name,)), name)
    'plain'
    """
    if f.computed:
        return None
    if f.unique or f.kind.always_unique:
        return UNIQUE_INDEX
    if f.is_reference or f.api_name == obj.name_field or (f.indexed and f.indexable):
        return PLAIN_INDEX
    return None


def build_table(obj: ObjectDef, tenant: str, dialect_name: str, metadata: sa.MetaData) -> sa.Table:
    name = table_name(dialect_name, tenant, obj.api_name)
    columns = [*system_columns(), *(field_column(f) for f in obj.fields if not f.computed)]
    table = sa.Table(name, metadata, *columns, schema=tenant_schema(dialect_name, tenant))
    live = table.c.is_deleted == sa.false()
    sa.Index(short_name("ix", name, "owner_id"), table.c.owner_id)
    sa.Index(short_name("ix", name, "out_tenant_id"), table.c.out_tenant_id)
    sa.Index(short_name("ix", name, "out_owner_id"), table.c.out_owner_id)
    sa.Index(short_name("ix", name, "created_at"), table.c.created_at)
    for f in obj.fields:
        kind = field_index(obj, f)
        if kind == UNIQUE_INDEX:
            sa.Index(short_name("ux", name, f.api_name), table.c[f.api_name], unique=True,
                     postgresql_where=live, sqlite_where=live)
        elif kind == PLAIN_INDEX:
            sa.Index(short_name("ix", name, f.api_name), table.c[f.api_name])
    return table


def compile_schema(pack: Pack, tenant: str, dialect_name: str, version: int,
                   source: str = "") -> CompiledSchema:
    """Tables, coercers and formulas of ``pack``; MetadataError when a formula is wrong."""
    formulas = compile_pack_formulas(pack, source)
    metadata = sa.MetaData()
    incoming: dict[str, list[Reference]] = {o.api_name: [] for o in pack.objects}
    for obj in pack.objects:
        for f in obj.fields:
            if f.is_reference and f.target in incoming:
                incoming[f.target].append(Reference(obj.api_name, f))
    objects = {
        obj.api_name: CompiledObject(
            model=obj,
            table=build_table(obj, tenant, dialect_name, metadata),
            coercers=MappingProxyType({f.api_name: coercer(f) for f in obj.fields
                                       if not f.read_only or f.kind.assigned}),
            references_in=tuple(incoming[obj.api_name]),
            kinds=MappingProxyType({f.api_name: f.type for f in obj.fields}),
        )
        for obj in pack.objects
    }
    system = {name: CompiledObject(model=model, table=system_table(name, tenant, dialect_name),  # type: ignore[arg-type]
                                   coercers=MappingProxyType({}),
                                   kinds=MappingProxyType({f.api_name: f.type
                                                           for f in model.fields}))
              for name, model in SYSTEM_MODELS.items()}
    return CompiledSchema(tenant, version, pack, metadata, MappingProxyType(objects),
                          MappingProxyType(formulas), dialect_name, MappingProxyType(system))
