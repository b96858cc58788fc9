"""Apply a deploy plan inside the caller's transaction, then record the new version.

All DDL runs on the one connection and transaction the engine opened, so on
PostgreSQL (transactional DDL) and on SQLite (opened with real ``BEGIN``) a
failure at any step rolls the whole deploy back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from hulian.engine.deploy.plan import Step
from hulian.engine.errors import DeployError
from hulian.engine.schema.columns import field_column
from hulian.engine.schema.compiled import CompiledSchema
from hulian.engine.schema.naming import tenant_schema
from hulian.engine.system.people import now
from hulian.engine.system.tables import metadata_versions, sequences
from hulian.metadata.jsontext import dumps
from hulian.metadata.model import Pack


@dataclass(frozen=True)
class DeployReport:
    """What a deploy did (or, with ``dry_run``, would do)."""

    tenant: str
    dry_run: bool
    steps: tuple[Step, ...]
    version: int | None
    previous_version: int | None
    pack: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    def lines(self) -> list[str]:
        verb = "would" if self.dry_run else "did"
        if not self.steps:
            return [f"tenant {self.tenant}: no changes (version {self.previous_version})"]
        head = (f"tenant {self.tenant}: dry run, version {self.version} would be deployed"
                if self.dry_run else f"tenant {self.tenant}: deployed version {self.version}")
        body = [f"  {i}. [{s.kind}] {s.description}" for i, s in enumerate(self.steps, 1)]
        return [head, *body, f"{len(self.steps)} step(s) {verb} run"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant, "pack": self.pack, "dry_run": self.dry_run,
            "version": self.version, "previous_version": self.previous_version,
            "changed": self.changed, "steps": [s.to_dict() for s in self.steps],
        }


def _has_rows(conn: sa.Connection, table: sa.Table) -> bool:
    return conn.execute(sa.select(table.c.id).limit(1)).first() is not None


def check_data(conn: sa.Connection, steps: list[Step], current: CompiledSchema | None,
               target: CompiledSchema) -> None:
    """Refuse steps the stored data does not allow (read-only; runs on dry runs too)."""
    for step in steps:
        if step.action != "add_field" or current is None:
            continue
        f = target.object(step.object).field(step.field)
        if f.required and f.type != "boolean" and \
                _has_rows(conn, current.object(step.object).table):
            raise DeployError(
                f"cannot add required field {step.object}.{step.field}: existing "
                f"{step.object} records would have no value",
                code="deploy_required_field_on_data",
                hint="add the field as optional, fill it in, then make it required",
            )


def apply_steps(conn: sa.Connection, steps: list[Step], target: CompiledSchema) -> None:
    dialect = conn.dialect.name
    schema = tenant_schema(dialect, target.tenant)
    operations = Operations(MigrationContext.configure(conn))
    for step in steps:
        if step.action == "create_schema" and schema:
            conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
        elif step.action == "create_table":
            target.object(step.object).table.create(conn)
        elif step.action == "rename_field":
            compiled = target.object(step.object)
            operations.alter_column(compiled.table.name, step.from_field,
                                    new_column_name=step.field, schema=schema)
            conn.execute(sequences.update().where(
                sequences.c.tenant == target.tenant, sequences.c.object == step.object,
                sequences.c.field == step.from_field).values(field=step.field))
        elif step.action == "grow_field" and dialect == "postgresql":
            compiled = target.object(step.object)
            column = compiled.column(step.field)
            if isinstance(column.type, sa.String) and not isinstance(column.type, sa.Text):
                operations.alter_column(compiled.table.name, step.field, type_=column.type,
                                        schema=schema)
        elif step.action == "add_field":
            compiled = target.object(step.object)
            operations.add_column(compiled.table.name, field_column(compiled.field(step.field)),
                                  schema=schema)
            for index in compiled.table.indexes:
                if step.field in index.columns:
                    index.create(conn)


def record_version(conn: sa.Connection, tenant: str, version: int, pack: Pack,
                   steps: list[Step], user: str) -> None:
    conn.execute(metadata_versions.insert().values(
        tenant=tenant, version=version, documents=dumps(dict(pack.documents)),
        plan=dumps([s.to_dict() for s in steps]), deployed_by=user, deployed_at=now(),
    ))
