"""The indexes of a tenant's live tables against the ones its compiled tables declare.

hulian names every index it makes ``ix_<table>_<column>`` or ``ux_<table>_<column>``
(:func:`~hulian.engine.schema.naming.short_name` keeps them within PostgreSQL's 63
bytes). Only indexes so named are ever dropped by a deploy; an index a DBA adds under
another name stays.

Tables deployed by an older hulian may lack an index that
:func:`~hulian.engine.schema.compiled.build_table` declares today (``ix_<table>_out_owner_id``
arrived with interconnect users). :func:`with_missing_indexes` adds a
``create_missing_index`` step per such index to a deploy's plan, so every tenant catches up
on its next deploy, dry runs showing it like any other step.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import ObjectKind, ObjectScope
from sqlalchemy.engine.interfaces import ReflectedIndex

from hulian.engine.deploy.step import Step
from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.schema.naming import tenant_schema

PREFIXES = ("ix_", "ux_")
WHOLE_TABLE = frozenset({"create_table", "rename_object", "restore_object", "archive_object"})
"""Steps after which the index sync rebuilds every index of the object's table anyway."""
OWN_INDEX = frozenset({"add_field", "rename_field", "archive_field", "restore_field",
                       "retype_field", "make_unique", "drop_unique", "create_index",
                       "drop_index"})
"""Field steps that make, move or drop the field's index themselves (with the index sync)."""


def is_ours(name: str | None) -> bool:
    """True for the names hulian gives its indexes (``ix_...``, ``ux_...``)."""
    return bool(name) and str(name).startswith(PREFIXES)


def live_indexes(conn: sa.Connection, schema: str | None,
                 tables: list[str]) -> dict[str, list[ReflectedIndex]]:
    """Table name -> its indexes as the database reports them, for the ``tables`` that exist
    (one catalogue query on PostgreSQL, however many tables)."""
    if not tables:
        return {}
    found = sa.inspect(conn).get_multi_indexes(schema=schema, filter_names=tables,
                                               kind=ObjectKind.ANY, scope=ObjectScope.ANY)
    return {table: indexes for (_, table), indexes in found.items()}


def missing_index_steps(conn: sa.Connection, target: CompiledSchema,
                        steps: list[Step]) -> list[Step]:
    """A ``create_missing_index`` step for every index ``target`` declares on a table the
    plan keeps, that the live table lacks and no step of the plan makes."""
    handled = {(s.object, name) for s in steps if s.action in OWN_INDEX
               for name in (s.field, s.from_field) if name}
    whole = {s.object for s in steps if s.action in WHOLE_TABLE}
    tables = {name: compiled.table for name, compiled in target.objects.items()
              if name not in whole}
    live = live_indexes(conn, tenant_schema(conn.dialect.name, target.tenant),
                        [t.name for t in tables.values()])
    out = []
    for obj, table in sorted(tables.items()):
        if table.name not in live:
            continue
        present = {i["name"] for i in live[table.name]}
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            columns = [c.name for c in index.columns]
            if index.name in present or any((obj, c) in handled for c in columns):
                continue
            field = columns[0] if target.objects[obj].field(columns[0]) is not None else None
            out.append(Step("create_missing_index", obj, field,
                            f"create missing index {index.name} on {obj} "
                            f"({', '.join(columns)}): declared, but the table lacks it",
                            index=str(index.name)))
    return out


def with_missing_indexes(conn: sa.Connection, target: CompiledSchema, steps: list[Step],
                         metadata_only: tuple[str, ...]) -> list[Step]:
    """``steps`` with the missing indexes' steps after the table steps (before the
    ``metadata_only`` ones, which come last)."""
    missing = missing_index_steps(conn, target, steps)
    if not missing:
        return steps
    cut = next((i for i, s in enumerate(steps) if s.action in metadata_only), len(steps))
    return [*steps[:cut], *missing, *steps[cut:]]
