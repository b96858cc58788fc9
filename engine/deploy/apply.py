"""Carry out a deploy plan inside the deploy's one transaction.

All DDL and data rewrites run on the connection and transaction the engine opened:
PostgreSQL has transactional DDL, and hulian opens SQLite with a real ``BEGIN
IMMEDIATE`` (SQLite's DDL is transactional too), so a failure at any step, or a dry
run, rolls everything back: tables, columns, indexes, data and the catalogue.

A needs-data-check step checks the data right before it changes it. A failed check
skips that step's change and the plan goes on, so one run reports every failed check;
the caller then rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from hulian.engine.changes import outbox
from hulian.engine.changes.journal import Journal
from hulian.engine.changes.outbox import Origin
from hulian.engine.deploy import data
from hulian.engine.deploy.casts import pg_cast
from hulian.engine.deploy.catalog import Catalog, archive_name, archive_table
from hulian.engine.deploy.fields import digits, same_storage
from hulian.engine.deploy.indexes import is_ours
from hulian.engine.deploy.report import CheckResult
from hulian.engine.deploy.step import Step
from hulian.engine.records import rollups
from hulian.engine.schema.columns import column_type, field_column
from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.schema.naming import table_name, tenant_schema
from hulian.engine.system.people import now
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.model import Field, Pack


def after_step(index: int, step: Step) -> None:
    """Called after each applied step; tests replace it to inject failures."""


@dataclass
class Migrator:
    conn: sa.Connection
    target: CompiledSchema
    old: Pack | None
    catalog: Catalog
    version: int
    checks: list[CheckResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dialect = self.conn.dialect.name
        self.tenant = self.target.tenant
        self.schema = tenant_schema(self.dialect, self.tenant)
        self.ops = Operations(MigrationContext.configure(self.conn))
        self.touched: set[str] = set()
        self.previous_names: dict[str, str] = {}
        """Objects renamed by this plan: new api_name -> deployed api_name."""
        self.recalcs: list[tuple[str, str]] = []
        """Roll-ups to compute once every step ran (their children may change too)."""
        self.restored: dict[str, Any] = {}
        """Objects restored by this plan: api_name -> the document they were archived with."""
        self.journal = Journal(self.target)
        """What the deploy writes to records (backfills, roll-ups): system changes."""

    # -- helpers ------------------------------------------------------------------------------

    @property
    def failed(self) -> bool:
        return any(not c.passed for c in self.checks)

    def table(self, obj: str) -> str:
        return table_name(self.dialect, self.tenant, obj)

    def column(self, step: Step, field: Field | None = None) -> data.Column:
        assert step.object is not None and step.field is not None
        return data.Column(self.table(step.object), self.schema, step.field,
                           field or self.target.object(step.object).field(step.field))

    def new_field(self, step: Step) -> Field:
        found = self.target.object(step.object).field(step.field)
        assert found is not None
        return found

    def record(self, index: int, step: Step, finding: data.Finding) -> bool:
        self.checks.append(CheckResult(index, step.object or "", step.field, step.description,
                                       finding.rows_checked, finding.failed,
                                       tuple(finding.examples)))
        return not finding.failed

    def drop_indexes(self, table: str, column: str | None = None) -> None:
        """Drop the table's indexes (those on ``column`` only, when given)."""
        for index in sa.inspect(self.conn).get_indexes(table, schema=self.schema):
            if column is None or column in index["column_names"]:
                self.ops.drop_index(index["name"], table_name=table, schema=self.schema)

    def sync_indexes(self, obj: str) -> None:
        """Make hulian's indexes of the table exactly the compiled ones (renamed where they
        moved); indexes named otherwise (a DBA's) are left alone."""
        table = self.target.object(obj).table
        existing = {i["name"]: i for i in sa.inspect(self.conn).get_indexes(
            table.name, schema=self.schema)}
        wanted = {i.name: i for i in table.indexes}
        extra = {name: i for name, i in existing.items()
                 if name not in wanted and is_ours(name)}
        for name, index in wanted.items():
            if name in existing:
                continue
            shape = ([c.name for c in index.columns], bool(index.unique))
            moved = next((n for n, i in extra.items()
                          if (i["column_names"], bool(i["unique"])) == shape), None)
            if moved is not None and self.dialect == "postgresql":
                self.conn.execute(sa.text(f'ALTER INDEX "{self.schema}"."{moved}" '
                                          f'RENAME TO "{name}"'))
                del extra[moved]
                continue
            index.create(self.conn)
        for name in extra:
            self.ops.drop_index(name, table_name=table.name, schema=self.schema)

    def document(self, obj: str, name: str | None = None) -> Any:
        """The deployed document of object ``obj`` (of its field ``name``), kept with an
        archive; follows renames and restores made earlier in this plan."""
        assert self.old is not None
        if obj in self.restored:
            doc = self.restored[obj]
        else:
            deployed = self.old.object(self.previous_names.get(obj, obj))
            doc = self.old.documents.get(deployed.source) if deployed is not None else None
        doc = doc or {}
        if name is None:
            return doc
        return next((f for f in doc.get("fields", ()) if f.get("api_name") == name), {})

    def lock(self, obj: str) -> None:
        """PostgreSQL: no writes to ``obj`` between a data check and the commit relying on it
        (SQLite: BEGIN IMMEDIATE already keeps every other writer out)."""
        if self.dialect == "postgresql":
            self.conn.execute(sa.text(f'LOCK TABLE "{self.schema}"."{self.table(obj)}" '
                                      "IN SHARE ROW EXCLUSIVE MODE"))

    def backfill(self, step: Step, column: data.Column, value: Any) -> int:
        """Fill the blank values of a field, each record's change noted; how many."""
        assert step.object is not None and step.field is not None
        filled = data.backfill(self.conn, column, value)
        obj = self.target.object(step.object)
        for record_id in filled:
            self.journal.add(obj, "update", record_id, {step.field: None},
                             {step.field: value}, system=True)
        return len(filled)

    # -- steps --------------------------------------------------------------------------------

    def run(self, steps: list[Step]) -> None:
        outbox.claim(self.conn, self.tenant)  # before any table lock (see outbox)
        for index, step in enumerate(steps, 1):
            if step.object is not None:
                self.touched.add(step.object)
            getattr(self, f"_{step.action}")(index, step)
            after_step(index, step)
        if self.failed:
            return  # the caller rolls back and reports the failed checks
        for obj, name in self.recalcs:
            rollups.recalc(self.conn, self.target, obj, name, journal=self.journal)
        system = Origin(None, None, "system", None, now())
        self.journal.flush(self.conn, system, system)
        for obj in sorted(self.touched):
            if obj in self.target.objects:
                self.sync_indexes(obj)
        self.catalog.ensure(self.target.pack, self.dialect)

    def _create_schema(self, index: int, step: Step) -> None:
        if self.schema:
            self.conn.execute(sa.schema.CreateSchema(self.schema, if_not_exists=True))

    def _create_table(self, index: int, step: Step) -> None:
        compiled = self.target.object(step.object)
        compiled.table.create(self.conn)
        self.catalog.add_object(compiled.model, compiled.table.name)

    def _rename_object(self, index: int, step: Step) -> None:
        assert step.from_object is not None and step.object is not None
        self.ops.rename_table(self.table(step.from_object), self.table(step.object),
                              schema=self.schema)
        sequences = tables_of(self.conn, self.tenant).sequences
        self.conn.execute(sequences.update().where(sequences.c.object == step.from_object)
                          .values(object=step.object))
        self.previous_names[step.object] = step.from_object
        item = self.catalog.object(step.from_object)
        if item is not None:
            self.catalog.rename(item, step.object, self.table(step.object))

    def _archive_object(self, index: int, step: Step) -> None:
        assert self.old is not None and step.object is not None
        item = self.catalog.object(step.object)
        assert item is not None, f"{step.object} has no catalogue entry"
        storage = archive_table(self.dialect, self.tenant, item.id)
        self.drop_indexes(self.table(step.object))
        self.ops.rename_table(self.table(step.object), storage, schema=self.schema)
        self.catalog.archive(item, storage, self.version, self.document(step.object), now())

    def _restore_object(self, index: int, step: Step) -> None:
        item = next(i for i in self.catalog.items if i.id == step.item)
        self.restored[step.object] = item.document
        self.ops.rename_table(item.storage, self.table(step.object), schema=self.schema)
        self.catalog.restore(item, self.table(step.object))

    def _add_field(self, index: int, step: Step) -> None:
        new = self.new_field(step)
        self.ops.add_column(self.table(step.object), field_column(new), schema=self.schema)
        if new.required and not new.kind.never_blank:
            self.lock(step.object or "")
            column = self.column(step)
            if new.backfill is not None:
                self.backfill(step, column, new.backfill)
            elif data.has_rows(self.conn, column):
                self.record(index, step, data.blanks(self.conn, column))

    def _add_formula_field(self, index: int, step: Step) -> None:
        """Computed on read: nothing is stored."""

    def _remove_formula_field(self, index: int, step: Step) -> None:
        item = self.catalog.field(step.object, step.field)
        if item is not None:
            self.catalog.forget(item)

    def _rename_field(self, index: int, step: Step) -> None:
        assert step.from_field is not None and step.object is not None
        self.ops.alter_column(self.table(step.object), step.from_field,
                              new_column_name=step.field, schema=self.schema)
        sequences = tables_of(self.conn, self.tenant).sequences
        self.conn.execute(sequences.update().where(
            sequences.c.object == step.object, sequences.c.field == step.from_field)
            .values(field=step.field))
        item = self.catalog.field(step.object, step.from_field)
        if item is not None:
            self.catalog.rename(item, step.field, step.field)

    def _archive_field(self, index: int, step: Step) -> None:
        assert self.old is not None and step.object is not None and step.field is not None
        item = self.catalog.field(step.object, step.field)
        assert item is not None, f"{step.object}.{step.field} has no catalogue entry"
        table = self.table(step.object)
        self.drop_indexes(table, step.field)
        self.ops.alter_column(table, step.field, new_column_name=archive_name(item.id),
                              schema=self.schema)
        self.catalog.archive(item, archive_name(item.id), self.version,
                             self.document(step.object, step.field), now())

    def _restore_field(self, index: int, step: Step) -> None:
        item = next(i for i in self.catalog.items if i.id == step.item)
        self.ops.alter_column(self.table(step.object), item.storage,
                              new_column_name=step.field, schema=self.schema)
        self.catalog.restore(item, step.field)

    def _alter_type(self, step: Step, new: Field) -> None:
        if self.dialect == "postgresql":
            self.ops.alter_column(self.table(step.object), step.field, type_=column_type(new),
                                  schema=self.schema)

    def _grow_field(self, index: int, step: Step) -> None:
        self._alter_type(step, self.new_field(step))

    def _shrink_field(self, index: int, step: Step) -> None:
        self.lock(step.object or "")
        new = self.new_field(step)
        finding = data.too_long(self.conn, self.column(step), new.max_length or 0)
        if self.record(index, step, finding):
            self._alter_type(step, new)

    def _retype_field(self, index: int, step: Step) -> None:
        self.lock(step.object or "")
        old, new = step.before, self.new_field(step)
        assert old is not None
        column = self.column(step, old)
        if same_storage(old, new):
            if old.kind.numeric:
                return  # same digits: the stored values are the same numbers
            if self.record(index, step, data.check_values(self.conn, column, new)):
                self._alter_type(step, new)
            return
        if self.dialect == "postgresql" and old.type == new.type \
                and digits(old)[1] == digits(new)[1]:  # numbers: same scale, other precision
            if self.record(index, step, data.check_values(self.conn, column, new)):
                self._alter_type(step, new)
            return
        if self.dialect == "postgresql" and self._retype_by_cast(index, step, old, new, column):
            return
        table = self.table(step.object)
        scratch = f"new__{step.field}"
        self.ops.add_column(table, sa.Column(scratch, column_type(new)), schema=self.schema)
        if not self.record(index, step, data.convert_values(self.conn, column, scratch, new)):
            return
        self.drop_indexes(table, step.field)
        self.ops.drop_column(table, step.field, schema=self.schema)
        self.ops.alter_column(table, scratch, new_column_name=step.field, schema=self.schema)

    def _retype_by_cast(self, index: int, step: Step, old: Field, new: Field,
                        column: data.Column) -> bool:
        """PostgreSQL: check in Python, convert with one ALTER ... USING. False: not possible."""
        cast = pg_cast(old, new, column.name)
        if cast is None:
            return False
        finding = data.check_values(self.conn, column, new, cast.plain)
        if finding.failed:
            self.record(index, step, finding)
            return True
        if not finding.plain:
            return False  # a value PostgreSQL would read differently: convert in Python
        self.record(index, step, finding)
        self.drop_indexes(column.table, column.name)
        self.ops.alter_column(column.table, column.name, type_=column_type(new),
                              postgresql_using=cast.using, schema=self.schema)
        return True

    def _make_required(self, index: int, step: Step) -> None:
        self.lock(step.object or "")
        new = self.new_field(step)
        column = self.column(step)
        if new.backfill is not None:
            filled = self.backfill(step, column, new.backfill)
            self.record(index, step, data.Finding(filled))
        else:
            self.record(index, step, data.blanks(self.conn, column))

    def _make_unique(self, index: int, step: Step) -> None:
        self.lock(step.object or "")
        self.record(index, step, data.duplicates(self.conn, self.column(step)))

    def _recalc_field(self, index: int, step: Step) -> None:
        assert step.object is not None and step.field is not None
        self.recalcs.append((step.object, step.field))

    def compiled_index(self, step: Step, name: str | None = None) -> sa.Index:
        """The target's index named ``name``, or else the plain index of ``step.field``."""
        table = self.target.object(step.object or "").table
        return next(i for i in table.indexes
                    if i.name == name or (name is None and not i.unique
                                          and [c.name for c in i.columns] == [step.field]))

    def _create_index(self, index: int, step: Step) -> None:
        self.compiled_index(step).create(self.conn, checkfirst=True)

    def _drop_index(self, index: int, step: Step) -> None:
        """Drop hulian's plain index on the field, under whatever name it was made."""
        table = self.table(step.object or "")
        for found in sa.inspect(self.conn).get_indexes(table, schema=self.schema):
            name = found["name"]
            if found["column_names"] == [step.field] and not found["unique"] \
                    and name is not None and is_ours(name):
                self.ops.drop_index(name, table_name=table, schema=self.schema)

    def _create_missing_index(self, index: int, step: Step) -> None:
        self.compiled_index(step, step.index).create(self.conn, checkfirst=True)

    def _drop_unique(self, index: int, step: Step) -> None:
        """The unique index goes when the indexes are synced."""

    def _update_field(self, index: int, step: Step) -> None:
        """Metadata only."""

    def _update_object(self, index: int, step: Step) -> None:
        """Metadata only."""
