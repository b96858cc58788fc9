"""Session: the record API of one user in one tenant, inside one transaction.

>>> with eng.session(tenant="acme", user="admin") as s:        # doctest: +SKIP
...     rec = s.create("Account", {"name": "Acme"})
...     s.update("Account", rec["id"], {"name": "Acme Ltd"}, version=rec["version"])

The ``with`` block is one transaction: it commits when the block ends and rolls
back when it raises. Each write also runs in its own savepoint, so a write that
fails (a rule, a conflict) leaves nothing behind and the session stays usable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from hulian.engine.database import storage_error
from hulian.engine.describe import describe_object
from hulian.engine.errors import (
    ConflictError,
    FieldError,
    HulianError,
    PermissionDenied,
    QueryError,
    RecordValidationError,
)
from hulian.engine.formulas import records as formula_records
from hulian.engine.records import (
    business_types,
    checks,
    deletes,
    layout_writes,
    layouts,
    masters,
    owner_rules,
    prepare,
    rollup_sources,
    rollups,
)
from hulian.engine.records.access import Guard
from hulian.engine.records.bulk import insert_rows
from hulian.engine.records.context import Context
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.records.plan import write_plan
from hulian.engine.records.rows import fetch
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.security.visibility import EDIT, READ, Visibility
from hulian.engine.session_changes import ChangesMixin
from hulian.engine.session_reads import ReadsMixin
from hulian.engine.session_teams import TeamsMixin
from hulian.engine.session_transfer import TransferMixin
from hulian.engine.session_views import ViewsMixin
from hulian.engine.system.login_sessions import LoginSession
from hulian.engine.system.people import User

BULK_BATCH = 5000
MAX_BULK_ERRORS = 1000
"""A bulk write that breaks rules reports at most this many errors (the first ones)."""


def _statement_too_complex(exc: sa.exc.DBAPIError) -> bool:
    """Whether the database refused a statement for its nesting alone: SQLite's parser
    stack (about 100 levels; a formula filter of 20 additions reaches it) or expression
    depth, PostgreSQL's program limits (SQLSTATE 54xxx)."""
    text = str(exc.orig)
    return "parser stack overflow" in text or "Expression tree is too large" in text \
        or str(getattr(exc.orig, "sqlstate", "") or "").startswith("54")


def _too_complex() -> QueryError:
    return QueryError("the query nests its conditions or formulas deeper than the database "
                      "can take", code="too_deep",
                      hint="simplify the filter: fewer nested conditions, operations or IFs")


def _single(errors: list[FieldError]) -> list[FieldError]:
    return [replace(e, row=None) for e in errors]


def _batches(rows: Iterable[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    """(index of the first row, rows) for consecutive batches of ``rows``."""
    batch: list[Any] = []
    start = 0
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield start, batch
            start += size
            batch = []
    if batch:
        yield start, batch


class Session(ReadsMixin, ViewsMixin, TeamsMixin, TransferMixin, ChangesMixin):
    def __init__(self, conn: sa.Connection, schema: CompiledSchema | Callable[[], CompiledSchema],
                 user: User, visibility: Callable[[], Visibility] | None = None,
                 cursors: CursorSigner | None = None, *, readonly: bool = False,
                 login: LoginSession | None = None):
        """``schema``: the tenant's compiled schema, or how to get it on first use.
        ``visibility``: where the user's permissions come from (the Engine's cache); by
        default they are read on first use. ``cursors``: signs page cursors (the Engine's;
        by default a random key, so cursors hold only within this session). ``readonly``:
        the session only reads (its transaction is read-only; writes raise
        ``read_only_session``). ``login``: the login session that authenticated the user, if
        a cookie did."""
        self._conn = conn
        self._cursors = cursors or CursorSigner.ephemeral()
        if callable(schema):
            self._schema: CompiledSchema | None = None
            self._load_schema: Callable[[], CompiledSchema] | None = schema
        else:
            self._schema, self._load_schema = schema, None
        self.user = user
        self.readonly = readonly
        self.login = login
        self._load_visibility = visibility
        self._visibility: Visibility | None = None
        self._guard: Guard | None = None
        self._owner: dict[str, Any] | None = None

    @property
    def schema(self) -> CompiledSchema:
        """The tenant's compiled schema (its newest deployed version when the session began)."""
        if self._schema is None:
            assert self._load_schema is not None
            self._schema = self._load_schema()
        return self._schema

    @property
    def visibility(self) -> Visibility:
        """What this user may read and edit (data permissions), computed once."""
        if self._visibility is None:
            self._visibility = self._load_visibility() if self._load_visibility \
                else Visibility.of(self._conn, self.schema, self.user)
        return self._visibility

    @property
    def guard(self) -> Guard:
        """The user's functional and field permissions, applied to each call."""
        if self._guard is None:
            visibility = self.visibility
            # shared by the user's sessions, like the visibility it wraps
            self._guard = visibility.statement(("guard",), lambda: Guard(visibility))
        return self._guard

    def _new_owner(self) -> dict[str, Any]:
        if self._owner is None:
            self._owner = self.visibility.new_record_owner()
        return self._owner

    def can(self, object_name: str, action: str) -> bool:
        """Whether the user's roles allow ``action`` (create, read, edit, delete, export,
        import or a custom action of the object) on ``object_name``."""
        return self.guard.can(object_name, action)

    def require(self, object_name: str, action: str) -> None:
        """PermissionDenied (``action_denied``) unless :meth:`can`."""
        self.guard.object(object_name, action)

    def _editable(self, obj: CompiledObject, record_id: str) -> None:
        """PermissionDenied unless the user may edit the (readable) record."""
        condition = self.visibility.predicate(obj, EDIT)
        if condition is None:
            return
        found = self._conn.scalar(sa.select(obj.table.c.id).where(
            obj.table.c.id == record_id, condition))
        if found is None:
            raise PermissionDenied(f"you may read this {obj.api_name} record but not change it",
                                   code="edit_denied",
                                   hint="ask its owner, their department's leader or an admin")

    @property
    def tenant(self) -> str:
        return self.schema.tenant

    def _context(self) -> Context:
        return Context(self._conn, self.schema, self.user, dt.datetime.now(dt.UTC),
                       self.visibility, self._new_owner())

    @contextmanager
    def _write(self) -> Iterator[None]:
        """A savepoint around one write; driver errors become hulian errors."""
        if self.readonly:
            raise HulianError("this session only reads: it cannot create, change or delete "
                              "records", code="read_only_session",
                              hint="open the session without readonly=True to write")
        try:
            with self._conn.begin_nested():
                yield
        except sa.exc.IntegrityError as exc:
            raise ConflictError("the write conflicts with a record that already exists",
                                code="unique_conflict",
                                hint="a unique value is taken; change it and retry") from exc
        except sa.exc.DBAPIError as exc:
            raise storage_error(exc, "the write") from exc

    @contextmanager
    def _read(self) -> Iterator[None]:
        try:
            yield
        except RecursionError:  # compiling a statement nested deeper than Python allows
            raise _too_complex() from None
        except sa.exc.DBAPIError as exc:
            if _statement_too_complex(exc):
                raise _too_complex() from exc
            raise storage_error(exc) from exc

    # -- describe ---------------------------------------------------------------------------

    def objects(self) -> list[str]:
        """The objects the user may read."""
        return self.guard.readable()

    def describe(self, object_name: str) -> dict[str, Any]:
        """The object as the user sees it (hidden fields left out, ``permissions`` added),
        with the business types the user may create records of (their option subsets) and
        the field dependencies between fields they see."""
        obj = self.guard.object(object_name)
        out = self.guard.describe(obj, describe_object(obj, self.schema.ids.get(object_name),
                                                       self.schema))
        hidden = self.guard.hidden(obj.api_name)
        usable = business_types.usable_types(obj, self.visibility)
        default = obj.model.default_type
        out["business_types"] = [
            {"api_name": t.api_name, "label": dict(t.label), "description": t.description,
             "default": t is default,
             "options": {name: {"values": list(subset.values), "default": subset.default}
                         for name, subset in t.options.items() if name not in hidden}}
            for t in usable]
        out["field_dependencies"] = [
            {"controlling": d.controlling, "dependent": d.dependent,
             "values": {key: list(values) for key, values in d.values.items()}}
            for d in obj.model.field_dependencies
            if d.controlling not in hidden and d.dependent not in hidden]
        return out

    def layout(self, object_name: str, business_type: str | None = None,
               channel: str = "web", kind: str = "detail") -> Mapping[str, Any]:
        """The layout the user gets for ``object_name`` records of ``business_type`` (None:
        the type of their new records) on ``channel`` (``web``, ``mobile``), ``kind``
        ``detail`` (record page and form) or ``list``: only what they may see and do, with
        picklist options narrowed to the type. Read-only (maps and tuples); see
        :mod:`hulian.engine.records.layouts`."""
        return layouts.effective_layout(self.guard, object_name, business_type, channel, kind)

    # -- create -----------------------------------------------------------------------------

    def _check_new(self, ctx: Context, obj: CompiledObject, inputs: Sequence[Any],
                   errors: list[FieldError], seen: checks.Seen | None = None
                   ) -> list[dict[str, Any]]:
        """The rows of new records, coerced, completed and checked; what is wrong is added
        to ``errors`` (rows numbered from 0 in ``inputs``). ``seen``: the unique values of
        rows checked before these (a bulk write checks its batches one by one)."""
        plan = write_plan(self.schema, obj.api_name)
        inputs = self.guard.check_input(obj, list(inputs), errors, creating=True)
        coerced = [prepare.coerce(obj, data, i, errors) for i, data in enumerate(inputs)]
        rows = [row if row is not None else {} for row in coerced]
        visibility = self.visibility
        types = [business_types.resolve_type(obj, row, visibility, errors, i)
                 for i, row in enumerate(rows)]
        layout = layout_writes.for_new(visibility, obj, types, rows, errors)
        for row, btype in zip(rows, types, strict=True):
            business_types.apply_type_defaults(btype, obj, row)
            prepare.apply_defaults(plan, row)
        formula_records.apply_default_formulas(ctx, obj, rows, errors)
        masters.follow_masters(ctx, obj, rows, errors)
        checks.check_required(plan, rows, errors, partial=False)
        layout.check_required(rows, errors)
        checks.check_options(plan, rows, errors)
        for i, (row, btype) in enumerate(zip(rows, types, strict=True)):
            business_types.check_subsets(obj, btype, row, errors, i)
            business_types.check_dependencies(obj, row, row, errors, i)
        checks.check_owners(ctx, rows, errors)
        checks.check_references(ctx, obj, rows, errors)
        checks.check_unique(ctx, obj, rows, errors, seen=seen)
        formula_records.check_rules(ctx, obj, rows, [None] * len(rows), errors)
        if not errors:
            owner_rules.assign_owners(ctx, obj, rows)
        return rows

    def create(self, object_name: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Create one record; returns it as stored (id, version and system fields included)."""
        obj = self.guard.object(object_name, "create")
        ctx = self._context()
        with self._write():
            errors: list[FieldError] = []
            (row,) = self._check_new(ctx, obj, [data], errors)
            if errors:
                raise RecordValidationError(obj.api_name, _single(errors))
            prepare.stamp_new(ctx, obj, [row])
            insert_rows(ctx, obj, [row])
            self._refresh_roll_ups(obj, [row])
        return self.guard.strip(obj, fetch(ctx, obj, row["id"]))

    def create_many(self, object_name: str, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """Create many records, all or none; returns their ids in input order.

        Every row is checked before any is written, in batches of :data:`BULK_BATCH`
        (errors carry the row's index in ``rows``); the first :data:`MAX_BULK_ERRORS`
        errors are reported, all at once. Then rows are written in batches (COPY on
        PostgreSQL).
        """
        obj = self.guard.object(object_name, "create")
        ctx = self._context()
        errors: list[FieldError] = []
        batches: list[list[dict[str, Any]]] = []
        seen = checks.Seen()
        with self._write():
            for start, batch in _batches(rows, BULK_BATCH):
                found: list[FieldError] = []
                checked = self._check_new(ctx, obj, batch, found, seen.shifted(start))
                errors += [replace(e, row=None if e.row is None else e.row + start)
                           for e in found]
                if len(errors) >= MAX_BULK_ERRORS:
                    break
                if not errors:
                    batches.append(checked)
            if errors:
                raise RecordValidationError(obj.api_name, errors[:MAX_BULK_ERRORS])
            ids: list[str] = []
            for prepared in batches:
                prepare.stamp_new(ctx, obj, prepared)
                insert_rows(ctx, obj, prepared)
                self._refresh_roll_ups(obj, prepared)
                ids.extend(r["id"] for r in prepared)
        return ids

    def _refresh_roll_ups(self, obj: CompiledObject, *records: Iterable[Any]) -> None:
        """Recompute the roll-ups the given versions of ``obj`` records feed."""
        if write_plan(self.schema, obj.api_name).feeds:
            rollups.refresh(self._conn, self.schema, obj.api_name, rollups.parents_of(
                self.schema, obj.api_name, [r for batch in records for r in batch]))

    # -- update, delete ---------------------------------------------------------------------

    def _check_version(self, obj: CompiledObject, current: dict[str, Any],
                       version: int | None) -> None:
        if version is not None and version != current["version"]:
            raise ConflictError(
                f"{obj.api_name} record {current['id']} has changed since you read it "
                f"(your version {version}, current version {current['version']})",
                code="version_conflict", hint="read the record again and redo your change",
            )

    def _bump(self, ctx: Context, obj: CompiledObject, current: dict[str, Any],
              values: dict[str, Any]) -> None:
        table = obj.table
        result = self._conn.execute(table.update().where(
            table.c.id == current["id"], table.c.version == current["version"],
        ).values(**values, version=current["version"] + 1, updated_by=ctx.user.id,
                 updated_at=ctx.now))
        if result.rowcount != 1:
            raise ConflictError(f"{obj.api_name} record {current['id']} was changed by someone "
                                "else meanwhile", code="version_conflict",
                                hint="read the record again and redo your change")

    def update(self, object_name: str, record_id: str, data: Mapping[str, Any], *,
               version: int | None = None) -> dict[str, Any]:
        """Change some fields; with ``version``, refuse (ConflictError) if the record moved on."""
        obj = self.guard.object(object_name, "edit")
        ctx = self._context()
        with self._write():
            current = fetch(ctx, obj, record_id, for_update=True,
                            visible=self.visibility.predicate(obj, READ))
            self._editable(obj, record_id)
            self._check_version(obj, current, version)
            errors: list[FieldError] = []
            (data,) = self.guard.check_input(obj, [data], errors, creating=False)
            values = prepare.coerce(obj, data, 0, errors)
            if values is None:
                raise RecordValidationError(obj.api_name, _single(errors))
            plan = write_plan(self.schema, obj.api_name)
            masters.follow_masters(ctx, obj, [values], errors)
            checks.check_required(plan, [values], errors, partial=True)
            checks.check_options(plan, [values], errors, previous=current)
            if values.get("business_type", current["business_type"]) != \
                    current["business_type"]:
                business_types.check_type_change(obj, values, self.visibility, errors)
            merged = {**current, **values}
            business_types.check_subsets(
                obj, obj.model.business_type(merged.get("business_type") or ""), values,
                errors, None, kept=current)
            business_types.check_dependencies(obj, merged, values, errors, None)
            layout_writes.check_update(self.visibility, obj, current, values, errors)
            checks.check_owners(ctx, [values], errors)
            changed = {k: v for k, v in values.items() if current.get(k) != v}
            checks.check_references(ctx, obj, [changed], errors)
            checks.check_unique(ctx, obj, [changed], errors, exclude_id=record_id)
            formula_records.check_rules(ctx, obj, [values], [current], errors)
            if errors:
                raise RecordValidationError(obj.api_name, _single(errors))
            if changed:
                self._bump(ctx, obj, current, changed)
                moved = {k: v for k, v in changed.items() if k in masters.OWNERSHIP}
                if moved:
                    masters.push_ownership(ctx, obj, [record_id], moved)
                self._refresh_roll_ups(obj, [current, {**current, **changed}])
                rollup_sources.propagate(self._conn, self.schema, obj.api_name, [record_id])
        return self.guard.strip(obj, fetch(ctx, obj, record_id) if changed else current)

    def delete(self, object_name: str, record_id: str, *, version: int | None = None) -> None:
        """Soft-delete: the record disappears from reads; lookups to it follow ``on_delete``."""
        obj = self.guard.object(object_name, "delete")
        ctx = self._context()
        with self._write():
            current = fetch(ctx, obj, record_id, for_update=True,
                            visible=self.visibility.predicate(obj, READ))
            self._editable(obj, record_id)
            self._check_version(obj, current, version)
            deletes.delete_tree(ctx, obj, record_id,
                                lambda: self._bump(ctx, obj, current, {"is_deleted": True}))

    def restore(self, object_name: str, record_id: str) -> dict[str, Any]:
        """Bring back a soft-deleted record (needs the right to delete it)."""
        obj = self.guard.object(object_name, "delete")
        ctx = self._context()
        with self._write():
            current = fetch(ctx, obj, record_id, include_deleted=True, for_update=True,
                            visible=self.visibility.predicate(obj, READ))
            self._editable(obj, record_id)
            if current["is_deleted"]:
                errors: list[FieldError] = []
                others = {k: v for k, v in current.items() if v != record_id}  # self-references
                checks.check_references(ctx, obj, [others], errors)
                if errors:
                    raise ConflictError(
                        f"{obj.api_name} record {record_id} points at deleted records "
                        f"({', '.join(e.field or '' for e in errors)})",
                        code="restore_blocked",
                        hint="restore the records it points at first, or clear those fields",
                    )
                deletes.restore_tree(ctx, obj, current, lambda: self._bump(
                    ctx, obj, current, {"is_deleted": False}))
        return self.guard.strip(obj, fetch(ctx, obj, record_id))
