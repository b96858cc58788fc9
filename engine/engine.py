"""Engine: the library's entry point.

>>> from hulian.engine import Engine                              # doctest: +SKIP
>>> eng = Engine("sqlite:///demo.db")
>>> report = eng.deploy("examples/crm", tenant="acme")
>>> with eng.session(tenant="acme", user="admin") as s:
...     s.create("Account", {"name": "Acme"})
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from hulian.engine.database import open_database
from hulian.engine.deploy.apply import DeployReport, apply_steps, check_data, record_version
from hulian.engine.deploy.plan import plan
from hulian.engine.errors import DeployError, NotFoundError, StorageError
from hulian.engine.schema.compiled import CompiledSchema, compile_schema
from hulian.engine.schema.naming import check_tenant_name
from hulian.engine.session import Session
from hulian.engine.system import people, tokens
from hulian.engine.system.migrate import upgrade
from hulian.engine.system.tables import metadata_versions, tenants
from hulian.metadata.jsontext import loads
from hulian.metadata.loader import load_documents, load_pack
from hulian.metadata.model import Pack


class Engine:
    """hulian over one database (SQLite file or PostgreSQL).

    Opening an Engine brings hulian's system tables up to date (Alembic), unless
    ``migrate=False``. Compiled tenant schemas are cached and recompiled when a
    newer metadata version is deployed (by this process or another).
    """

    def __init__(self, url: str = "sqlite:///hulian.db", *, migrate: bool = True,
                 echo: bool = False):
        self.url = url
        self.db = open_database(url, echo=echo)
        self._schemas: dict[str, CompiledSchema] = {}
        self._lock = threading.Lock()
        if migrate:
            upgrade(self.db)

    @property
    def dialect(self) -> str:
        return self.db.dialect.name

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- metadata -----------------------------------------------------------------------------

    @staticmethod
    def _deployed_version(conn: sa.Connection, tenant: str) -> int | None:
        return conn.scalar(sa.select(sa.func.max(metadata_versions.c.version))
                           .where(metadata_versions.c.tenant == tenant))

    def _load_schema(self, conn: sa.Connection, tenant: str, version: int) -> CompiledSchema:
        documents = conn.scalar(sa.select(metadata_versions.c.documents).where(
            metadata_versions.c.tenant == tenant, metadata_versions.c.version == version))
        pack = load_documents(loads(documents))
        return compile_schema(pack, tenant, self.dialect, version)

    def schema(self, conn: sa.Connection, tenant: str) -> CompiledSchema:
        """The tenant's compiled schema at its newest deployed version (cached)."""
        version = self._deployed_version(conn, tenant)
        if version is None:
            raise NotFoundError(f"nothing is deployed to tenant {tenant!r}",
                                code="tenant_not_deployed",
                                hint=f"deploy a pack first: hulian deploy PATH --tenant {tenant}")
        cached = self._schemas.get(tenant)
        if cached is not None and cached.version == version:
            return cached
        compiled = self._load_schema(conn, tenant, version)
        with self._lock:
            self._schemas[tenant] = compiled
        return compiled

    def deploy(self, source: str | Path | Pack, tenant: str, *, dry_run: bool = False,
               user: str = people.ADMIN) -> DeployReport:
        """Validate a pack and bring ``tenant``'s tables in line with it, atomically.

        With ``dry_run`` nothing changes; the report says what would be done. Invalid
        metadata raises MetadataError (every problem); an unsupported change raises
        DeployError naming each change.
        """
        check_tenant_name(tenant)
        pack = source if isinstance(source, Pack) else load_pack(str(source))
        with self.db.connect() as conn, conn.begin() as transaction:
            is_new = not people.tenant_exists(conn, tenant)
            previous = None if is_new else self._deployed_version(conn, tenant)
            current = None if previous is None else self._load_schema(conn, tenant, previous)
            version = (previous or 0) + 1
            target = compile_schema(pack, tenant, self.dialect, version,
                                    "" if isinstance(source, Pack) else str(source))
            steps = plan(current.pack if current else None, pack,
                         new_schema=current is None)
            check_data(conn, steps, current, target)
            report = DeployReport(tenant, dry_run, tuple(steps),
                                  version if steps else previous, previous, pack.name)
            if dry_run or not steps:
                transaction.rollback()
                return report
            if is_new:
                people.ensure_tenant(conn, tenant)
            elif current is not None and not self._lock_tenant(conn, tenant, previous):
                raise DeployError(f"another deploy to {tenant!r} ran meanwhile",
                                  code="deploy_concurrent", hint="run the deploy again")
            try:
                apply_steps(conn, steps, target)
                record_version(conn, tenant, version, pack, steps, user)
            except sa.exc.DBAPIError as exc:
                raise StorageError(f"the database refused the deploy: {exc.orig}",
                                   statement=str(exc.statement), cause=exc) from exc
        with self._lock:
            self._schemas[tenant] = target
        return report

    def _lock_tenant(self, conn: sa.Connection, tenant: str, previous: int | None) -> bool:
        query = sa.select(tenants.c.name).where(tenants.c.name == tenant)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        conn.execute(query)
        return self._deployed_version(conn, tenant) == previous

    def history(self, tenant: str) -> list[dict[str, object]]:
        """Every deployed version of ``tenant``, oldest first: who, when, and the plan's steps."""
        check_tenant_name(tenant)
        with self.db.connect() as conn:
            people.require_tenant(conn, tenant)
            rows = conn.execute(sa.select(
                metadata_versions.c.version, metadata_versions.c.deployed_by,
                metadata_versions.c.deployed_at, metadata_versions.c.plan,
            ).where(metadata_versions.c.tenant == tenant)
             .order_by(metadata_versions.c.version)).all()
        return [{"version": r.version, "deployed_by": r.deployed_by,
                 "deployed_at": r.deployed_at, "steps": loads(r.plan)} for r in rows]

    # -- people and tokens --------------------------------------------------------------------

    def tenants(self) -> list[str]:
        with self.db.connect() as conn:
            return list(conn.scalars(sa.select(tenants.c.name).order_by(tenants.c.name)))

    def create_user(self, tenant: str, username: str, *, display_name: str | None = None,
                    is_admin: bool = False) -> people.User:
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            return people.add_user(conn, tenant, username, display_name=display_name,
                                   is_admin=is_admin)

    def create_token(self, tenant: str, user: str, *, label: str | None = None,
                     expires_at: dt.datetime | None = None) -> str:
        """A new API token for ``user`` of ``tenant``; shown once, stored hashed."""
        with self.db.begin() as conn:
            people.require_tenant(conn, tenant)
            found = people.require_user(conn, tenant, user)
            return tokens.create_token(conn, found, label=label, expires_at=expires_at)

    def revoke_token(self, token: str) -> bool:
        with self.db.begin() as conn:
            return tokens.revoke_token(conn, token)

    def authenticate(self, token: str) -> people.User:
        with self.db.connect() as conn:
            return tokens.authenticate(conn, token)

    # -- sessions -----------------------------------------------------------------------------

    @contextmanager
    def session(self, tenant: str, user: str | people.User = people.ADMIN) -> Iterator[Session]:
        """A unit of work for ``user`` in ``tenant``: commits at the end, rolls back on error."""
        check_tenant_name(tenant)
        with self.db.connect() as conn, conn.begin():
            people.require_tenant(conn, tenant)
            if isinstance(user, people.User):
                if user.tenant != tenant:
                    raise NotFoundError(f"user {user.username!r} is not in tenant {tenant!r}",
                                        code="unknown_user")
                found = user
            else:
                found = people.require_user(conn, tenant, user)
            yield Session(conn, self.schema(conn, tenant), found)
