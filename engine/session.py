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
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from hulian.engine.changes import CHANNELS, outbox
from hulian.engine.changes.journal import Journal
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
from hulian.engine.records import business_types, checks, layouts, pipeline
from hulian.engine.records.access import Guard
from hulian.engine.records.context import Context
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.records.rows import fetch
from hulian.engine.schema.compiled import CompiledObject, CompiledSchema
from hulian.engine.security.visibility import EDIT, Visibility
from hulian.engine.session_activities import ActivitiesMixin
from hulian.engine.session_approvals import ApprovalsMixin
from hulian.engine.session_bin import RecycleBinMixin
from hulian.engine.session_changes import ChangesMixin
from hulian.engine.session_notifications import NotificationsMixin
from hulian.engine.session_people import PeopleMixin
from hulian.engine.session_reads import ReadsMixin
from hulian.engine.session_teams import TeamsMixin
from hulian.engine.session_transfer import TransferMixin
from hulian.engine.session_views import ViewsMixin
from hulian.engine.system.login_sessions import LoginSession
from hulian.engine.system.people import User

BULK_BATCH = 5000
MAX_BULK_ERRORS = 1000
"""A bulk write that breaks rules reports at most this many errors (the first ones)."""


NEW_VALUE_STEPS = frozenset({"input", "coerce", "business_type", "defaults",
                             "default_formulas"})
"""The create steps :meth:`Session.new_values` runs: what fills the fields left out."""


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


class Session(ReadsMixin, ViewsMixin, TeamsMixin, TransferMixin, ChangesMixin,
              RecycleBinMixin, ActivitiesMixin, NotificationsMixin, ApprovalsMixin,
              PeopleMixin):
    def __init__(self, conn: sa.Connection, schema: CompiledSchema | Callable[[], CompiledSchema],
                 user: User, visibility: Callable[[], Visibility] | None = None,
                 cursors: CursorSigner | None = None, *, readonly: bool = False,
                 login: LoginSession | None = None, channel: str = "api",
                 request_id: str | None = None, record_changes: bool = True,
                 claimed: bool = False):
        """``schema``: the tenant's compiled schema, or how to get it on first use.
        ``visibility``: where the user's permissions come from (the Engine's cache); by
        default they are read on first use. ``cursors``: signs page cursors (the Engine's;
        by default a random key, so cursors hold only within this session). ``readonly``:
        the session only reads (its transaction is read-only; writes raise
        ``read_only_session``). ``login``: the login session that authenticated the user, if
        a cookie did. ``channel`` and ``request_id``: where the session's writes come from,
        recorded with their changes (:mod:`hulian.engine.changes`); ``record_changes=False``
        writes none (no history, feed or webhooks for these writes). ``claimed``: the
        transaction holds the tenant's change counter already (taken with the arrival)."""
        if channel not in CHANNELS:
            raise HulianError(f"unknown channel {channel!r}", code="invalid_channel",
                              hint="one of " + ", ".join(CHANNELS))
        self._conn = conn
        self.channel = channel
        self.request_id = request_id
        self.record_changes = record_changes
        self._claimed = claimed
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
        schema = self.schema
        return Context(self._conn, schema, self.user, dt.datetime.now(dt.UTC),
                       self.visibility, self._new_owner(), self.channel, self.request_id,
                       Journal(schema) if self.record_changes else None)

    @contextmanager
    def _write(self) -> Iterator[None]:
        """A savepoint around one write; driver errors become hulian errors."""
        if self.readonly:
            raise HulianError("this session only reads: it cannot create, change or delete "
                              "records", code="read_only_session",
                              hint="open the session without readonly=True to write")
        if self.record_changes and not self._claimed:
            outbox.claim(self._conn, self.schema.tenant)  # before any record: see outbox
            self._claimed = True
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

    def describe(self, object_name: str, *, copy: bool = True) -> dict[str, Any]:
        """The object as the user sees it (hidden fields left out, ``permissions`` added),
        with the business types the user may create records of (their option subsets) and
        the field dependencies between fields they see. Built once per user and metadata
        version (kept with the user's visibility); each call gets its own copy, but with
        ``copy=False`` the one shared description, which the caller must only read (the
        UI's pages)."""
        obj = self.guard.object(object_name)
        described = self.visibility.statement(("describe", obj.api_name),
                                              lambda: self._describe(obj))
        return _copied(described) if copy else described

    def _describe(self, obj: CompiledObject) -> dict[str, Any]:
        object_name = obj.api_name
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

    def _pipeline(self, ctx: Context, obj: CompiledObject, inputs: list[Any], *,
                  record_id: str | None = None, version: int | None = None
                  ) -> pipeline.Write:
        return pipeline.write_of(ctx, obj, self.guard, inputs, record_id=record_id,
                                 version=version)

    def create(self, object_name: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Create one record; returns it as stored (id, version and system fields included)."""
        obj = self.guard.object(object_name, "create")
        ctx = self._context()
        with self._write():
            write = self._pipeline(ctx, obj, [data])
            pipeline.run(write, "create")
        return self.guard.strip(obj, fetch(ctx, obj, write.rows[0]["id"]))

    def new_values(self, object_name: str, business_type: str | None = None
                   ) -> dict[str, Any]:
        """The values a new record starts with, as :meth:`create` would fill the fields
        left out: the business type's defaults (``business_type``, else the user's
        default type), the fields' defaults and their default formulas (``TODAY()``...),
        for the fields the user may read. Nothing is written; a form shows them."""
        obj = self.guard.object(object_name, "create")
        ctx = self._context()
        data = {"business_type": business_type} if business_type else {}
        with self._read():
            write = self._pipeline(ctx, obj, [data])
            checking, _ = pipeline.chosen(write, "create")
            pipeline.perform(write, tuple(s for s in checking if s.name in NEW_VALUE_STEPS))
        row = write.rows[0] if write.rows else {}
        return self.guard.strip(obj, {k: v for k, v in row.items() if k != "business_type"
                                      or business_type})

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
        checked: list[pipeline.Write] = []
        seen = checks.Seen()
        with self._write():
            for start, batch in _batches(rows, BULK_BATCH):
                write = self._pipeline(ctx, obj, batch)
                write.seen = seen.shifted(start)
                checking, _ = pipeline.chosen(write, "create")
                pipeline.perform(write, checking)
                errors += [replace(e, row=None if e.row is None else e.row + start)
                           for e in write.errors]
                if len(errors) >= MAX_BULK_ERRORS:
                    break
                if not errors:
                    checked.append(write)
            if errors:
                raise RecordValidationError(obj.api_name, errors[:MAX_BULK_ERRORS])
            ids: list[str] = []
            for write in checked:
                _, applying = pipeline.chosen(write, "create")
                pipeline.perform(write, applying)
                ids.extend(r["id"] for r in write.rows)
        return ids

    # -- update, delete ---------------------------------------------------------------------

    def update(self, object_name: str, record_id: str, data: Mapping[str, Any], *,
               version: int | None = None) -> dict[str, Any]:
        """Change some fields; with ``version``, refuse (ConflictError) if the record moved on."""
        obj = self.guard.object(object_name, "edit")
        ctx = self._context()
        with self._write():
            write = self._pipeline(ctx, obj, [data], record_id=record_id, version=version)
            pipeline.run(write, "update")
        assert write.current is not None
        return self.guard.strip(obj, fetch(ctx, obj, record_id) if write.changed
                                else write.current)

    def delete(self, object_name: str, record_id: str, *, version: int | None = None) -> None:
        """Soft-delete: the record disappears from reads; lookups to it follow ``on_delete``."""
        obj = self.guard.object(object_name, "delete")
        ctx = self._context()
        with self._write():
            pipeline.run(self._pipeline(ctx, obj, [], record_id=record_id, version=version),
                         "delete")

    def restore(self, object_name: str, record_id: str) -> dict[str, Any]:
        """Bring back a soft-deleted record (needs the right to delete it)."""
        obj = self.guard.object(object_name, "delete")
        ctx = self._context()
        with self._write():
            pipeline.run(self._pipeline(ctx, obj, [], record_id=record_id), "restore")
        return self.guard.strip(obj, fetch(ctx, obj, record_id))


def _copied(value: Any) -> Any:
    """A copy of a description's dicts and lists (the values inside are immutable): a
    caller may change what it got without changing what the next one gets."""
    if type(value) is dict:
        return {key: _copied(item) for key, item in value.items()}
    if type(value) is list:
        return [_copied(item) for item in value]
    return value
