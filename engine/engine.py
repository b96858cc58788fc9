"""Engine: the library's entry point, a container of the database, its caches and sessions.

>>> from hulian.engine import Engine                              # doctest: +SKIP
>>> eng = Engine("sqlite:///demo.db")
>>> report = eng.metadata("acme").deploy("examples/crm")         # as the system (the CLI)
>>> eng.people("acme").create_user("mei", roles=["sales_rep"])
>>> with eng.session(tenant="acme", user="mei") as s:
...     s.create("Account", {"name": "Acme"})

Records are worked on in sessions (:meth:`Engine.session`); a tenant's metadata and people
are administered through facades that carry the acting user and check in the engine that
they administer the tenant (:meth:`Engine.metadata`, :meth:`Engine.people`); logins, tokens
and passwords of one's own are :attr:`Engine.accounts`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property

import sqlalchemy as sa

from hulian.engine.accounts import Accounts
from hulian.engine.actor import SYSTEM, Actor, System, require_admin
from hulian.engine.admin import MetadataAdmin
from hulian.engine.changes.retention import (
    DEFAULT_FEED_RETENTION_DAYS,
    Purged,
    purge_changes,
    purged_through,
)
from hulian.engine.database import (
    QUERY_TIMEOUT_S,
    open_database,
    read_only,
    reading,
    storage_error,
)
from hulian.engine.deploy import versions
from hulian.engine.errors import NotFoundError
from hulian.engine.people_api import PeopleAdmin, setup_roles
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.recycle import DEFAULT_RETENTION_DAYS, check_days
from hulian.engine.schema.compiled import CompiledSchema, compile_schema
from hulian.engine.schema.naming import check_tenant_name
from hulian.engine.security.cache import VisibilityCache
from hulian.engine.security.visibility import Visibility
from hulian.engine.session import Session
from hulian.engine.system import arrival, people
from hulian.engine.system.arrival import Credential
from hulian.engine.system.migrate import upgrade
from hulian.engine.system.people import ADMIN, User
from hulian.engine.system.tables import tenants
from hulian.engine.webhooks.admin import WebhookAdmin
from hulian.engine.webhooks.urls import UrlPolicy


class Engine:
    """hulian over one database (SQLite file or PostgreSQL).

    Opening an Engine brings hulian's system tables up to date (Alembic), unless
    ``migrate=False``. Compiled tenant schemas are cached and recompiled when a
    newer metadata version is deployed (by this process or another).
    """

    def __init__(self, url: str = "sqlite:///hulian.db", *, migrate: bool = True,
                 echo: bool = False, query_timeout: float | None = QUERY_TIMEOUT_S,
                 replica_url: str | None = None, record_changes: bool = True,
                 feed_retention_days: int = DEFAULT_FEED_RETENTION_DAYS,
                 recycle_bin_days: int = DEFAULT_RETENTION_DAYS,
                 webhook_urls: UrlPolicy | None = None):
        """``query_timeout``: the seconds one statement of a session may run before it is
        stopped (``QueryTimeout``; None: no limit). ``replica_url``: a read replica of the
        database (PostgreSQL streaming replication): read-only sessions run there.
        ``record_changes=False``: sessions write no record changes (no history, change feed
        or webhooks: for scratch databases and benchmarks). ``feed_retention_days``: how
        long the change feed keeps the changes of objects without history
        (:meth:`purge_changes`; docs/integration.md#retention). ``recycle_bin_days``: how
        long deleted records stay in the recycle bin before
        :func:`~hulian.engine.recycle.purge_deleted` deletes them for good. ``webhook_urls``:
        the hosts webhooks may reach (default: any public host; loopback and private addresses
        only with ``UrlPolicy(development=True)``)."""
        if isinstance(feed_retention_days, bool) or not isinstance(feed_retention_days, int) \
                or feed_retention_days < 1:
            raise ValueError("feed_retention_days must be a whole number of days, at least 1")
        self.url = url
        self.record_changes = record_changes
        self.feed_retention_days = feed_retention_days
        self.recycle_bin_days = check_days(recycle_bin_days)
        self.webhook_urls = webhook_urls or UrlPolicy()
        self.db = open_database(url, echo=echo, query_timeout=query_timeout)
        self.reads = read_only(self.db if replica_url is None else open_database(
            replica_url, echo=echo, query_timeout=query_timeout))
        """Where read-only sessions run: the replica if there is one, else :attr:`db` (its
        connections begin read-only transactions)."""
        self._schemas: dict[str, CompiledSchema] = {}
        self._visibility = VisibilityCache()
        self._lock = threading.Lock()
        self._cursors: CursorSigner | None = None
        if migrate:
            upgrade(self.db)

    @property
    def dialect(self) -> str:
        return self.db.dialect.name

    def close(self) -> None:
        self.db.dispose()
        self.reads.dispose()  # the replica's pool, or the same pool again (a no-op)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- administration -----------------------------------------------------------------------

    def metadata(self, tenant: str | None = None, *, actor: Actor | str = SYSTEM
                 ) -> MetadataAdmin:
        """The tenant's metadata (deploys, packs, history, rollback, archives, roll-ups),
        administered by ``actor``: the system (default), or a user (a ``User``, or a
        username of the tenant) who must administer the tenant (PermissionDenied
        ``admin_required`` otherwise). ``tenant`` defaults to a user actor's."""
        tenant, found = self._acting(tenant, actor)
        return MetadataAdmin(self, tenant, found)

    def people(self, tenant: str | None = None, *, actor: Actor | str = SYSTEM
               ) -> PeopleAdmin:
        """The tenant's people (users, departments, downstream enterprises, roles, tokens and
        passwords of others), administered by ``actor``, checked as for :meth:`metadata`."""
        tenant, found = self._acting(tenant, actor)
        return PeopleAdmin(self, tenant, found)

    def webhooks(self, tenant: str | None = None, *, actor: Actor | str = SYSTEM
                 ) -> WebhookAdmin:
        """The tenant's webhook subscriptions and their deliveries, administered by
        ``actor``, checked as for :meth:`metadata`."""
        tenant, found = self._acting(tenant, actor)
        return WebhookAdmin(self, tenant, found)

    @cached_property
    def accounts(self) -> Accounts:
        """One's own account: logins, login sessions, API tokens, password changes."""
        return Accounts(self)

    def _acting(self, tenant: str | None, actor: Actor | str) -> tuple[str, Actor]:
        if tenant is None:
            if not isinstance(actor, people.User):
                raise TypeError("name the tenant, or act as one of its users")
            tenant = actor.tenant
        check_tenant_name(tenant)
        if isinstance(actor, System):  # the methods check that the tenant exists
            return tenant, actor
        with reading(self.db) as conn:
            people.require_tenant(conn, tenant)
            if isinstance(actor, str):
                actor = people.require_user(conn, tenant, actor)
            require_admin(conn, actor, tenant, setup_roles(self, conn, tenant))
        return tenant, actor

    def purge_changes(self, tenant: str, *, now: dt.datetime | None = None,
                      keep_from: int | None = None) -> Purged:
        """Delete the tenant's record changes that neither its record histories nor the
        change feed keep any more (:func:`hulian.engine.changes.retention.purge_changes`
        with this Engine's ``feed_retention_days``), in a transaction of its own.
        ``keep_from``: the lowest change id still needed (undelivered webhooks); it and
        every later change stay."""
        check_tenant_name(tenant)
        moment = now or dt.datetime.now(dt.UTC)
        with self._transaction(False) as conn:
            people.require_tenant(conn, tenant)
            number = versions.newest(conn, tenant)
            if number is None:
                return Purged(0, purged_through(conn, tenant))
            schema = self._schema_at(conn, tenant, number)
            return purge_changes(conn, tenant, moment,
                                 feed_retention_days=self.feed_retention_days,
                                 keep_from=keep_from, pack=schema.pack, ids=dict(schema.ids))

    def tenants(self) -> list[str]:
        """The tenants in this database (the tenant directory)."""
        with reading(self.db) as conn:
            return list(conn.scalars(sa.select(tenants.c.name).order_by(tenants.c.name)))

    # -- compiled schemas ---------------------------------------------------------------------

    def _load_schema(self, conn: sa.Connection, tenant: str, version: int) -> CompiledSchema:
        found = versions.load(conn, tenant, version)
        compiled = compile_schema(found.pack(), tenant, self.dialect, version)
        return replace(compiled, ids=found.ids)

    def schema(self, conn: sa.Connection, tenant: str) -> CompiledSchema:
        """The tenant's compiled schema at its newest deployed version (cached)."""
        return self._schema_at(conn, tenant, versions.newest(conn, tenant))

    def _schema_at(self, conn: sa.Connection, tenant: str, version: int | None
                   ) -> CompiledSchema:
        """The tenant's compiled schema at ``version``, its newest (read by the caller)."""
        if version is None:
            raise NotFoundError(f"nothing is deployed to tenant {tenant!r}",
                                code="tenant_not_deployed",
                                hint=f"deploy a pack first: hulian deploy PATH --tenant {tenant}")
        cached = self._schemas.get(tenant)
        if cached is not None and cached.version == version:
            return cached
        compiled = self._load_schema(conn, tenant, version)
        self.keep_schema(compiled)
        return compiled

    def keep_schema(self, schema: CompiledSchema) -> None:
        """Cache a tenant's newly compiled schema (a deploy that just made it)."""
        with self._lock:
            self._schemas[schema.tenant] = schema

    def forget_schema(self, tenant: str) -> None:
        with self._lock:
            self._schemas.pop(tenant, None)

    # -- sessions -----------------------------------------------------------------------------

    def cursor_signer(self) -> CursorSigner:
        """What signs page cursors: keyed from :meth:`session_signing_key` (read, or made,
        once per Engine, outside any session's transaction)."""
        if self._cursors is None:
            self._cursors = CursorSigner(self.accounts.session_signing_key())
        return self._cursors

    @contextmanager
    def session(self, tenant: str, user: str | User = ADMIN, *, readonly: bool = False,
                channel: str = "api", request_id: str | None = None) -> Iterator[Session]:
        """A unit of work for ``user`` in ``tenant``: one transaction, committed at the end
        and rolled back on error.

        ``readonly``: the session only reads. Its transaction is read-only (on SQLite a
        deferred ``BEGIN`` that never waits behind another reader or writer; on PostgreSQL
        ``READ ONLY``, on the replica when the Engine has one) and its writes raise
        ``read_only_session``. ``channel`` (``api``, ``ui``, ``import``, ``flow``,
        ``sync``, ``system``) and ``request_id`` are recorded with the session's record
        changes (:mod:`hulian.engine.changes`).
        """
        cursors = self.cursor_signer()  # before BEGIN: the first time, it may write its key
        with self._transaction(readonly) as conn:
            yield self._open(conn, arrival.arrive(conn, tenant, user, claim=self._claims(readonly)),
                             readonly, cursors, channel, request_id)

    @contextmanager
    def request_session(self, credential: Credential, *, readonly: bool = False,
                        channel: str = "api", request_id: str | None = None
                        ) -> Iterator[Session]:
        """:meth:`session` for whoever holds ``credential`` (a :class:`BearerToken` or a
        :class:`LoginCookie`): authenticating them is the first statement of the session's
        transaction, so a request costs one transaction. UnauthenticatedError when the
        credential is not valid; ``session.login`` is the login session of a cookie."""
        cursors = self.cursor_signer()
        with self._transaction(readonly) as conn:
            yield self._open(conn, arrival.arrive_with(conn, credential,
                                                       claim=self._claims(readonly)),
                             readonly, cursors, channel, request_id)

    def _claims(self, readonly: bool) -> bool:
        """Whether a session's arrival takes the tenant's change counter: a session that may
        write and records its changes needs it before its first write (see
        :mod:`hulian.engine.changes.outbox`); taking it with the arrival saves a statement."""
        return self.record_changes and not readonly

    @contextmanager
    def _transaction(self, readonly: bool) -> Iterator[sa.Connection]:
        try:
            with (self.reads if readonly else self.db).connect() as conn, conn.begin():
                yield conn
        except sa.exc.DBAPIError as exc:
            raise storage_error(exc) from exc

    def _open(self, conn: sa.Connection, found: arrival.Arrival, readonly: bool,
              cursors: CursorSigner, channel: str, request_id: str | None) -> Session:
        tenant, user = found.user.tenant, found.user
        cache = self._visibility
        session: Session

        def schema() -> CompiledSchema:
            return self._schema_at(conn, tenant, found.metadata_version)

        def visibility() -> Visibility:
            return cache.get(conn, session.schema, user, found.people_version)

        session = Session(conn, schema, user, visibility, cursors, readonly=readonly,
                          login=found.login, channel=channel, request_id=request_id,
                          record_changes=self.record_changes, claimed=found.claimed)
        return session
