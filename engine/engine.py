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
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from hulian.engine.database import open_database
from hulian.engine.deploy import versions
from hulian.engine.deploy.catalog import Catalog
from hulian.engine.deploy.plan import Comparison, compare
from hulian.engine.deploy.purge import Archived, archived, purge
from hulian.engine.deploy.report import DeployReport
from hulian.engine.deploy.run import Request
from hulian.engine.deploy.run import deploy as run_deploy
from hulian.engine.errors import NotFoundError
from hulian.engine.schema.compiled import CompiledSchema, compile_schema
from hulian.engine.schema.naming import check_tenant_name
from hulian.engine.session import Session
from hulian.engine.system import people, tokens
from hulian.engine.system.migrate import upgrade
from hulian.engine.system.tables import tenants
from hulian.metadata.loader import load_pack
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

    def _load_schema(self, conn: sa.Connection, tenant: str, version: int) -> CompiledSchema:
        found = versions.load(conn, tenant, version)
        compiled = compile_schema(found.pack(), tenant, self.dialect, version)
        return replace(compiled, ids=found.ids)

    def schema(self, conn: sa.Connection, tenant: str) -> CompiledSchema:
        """The tenant's compiled schema at its newest deployed version (cached)."""
        version = versions.newest(conn, tenant)
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

        With ``dry_run`` nothing changes: the report lists the steps and the results of
        the data checks (``report.ok`` is False when one failed). Invalid metadata raises
        MetadataError (every problem); a change hulian cannot make, a removal something
        still uses, or a failed data check raises DeployError listing each of them.
        """
        check_tenant_name(tenant)
        pack = source if isinstance(source, Pack) else load_pack(str(source))
        return self._run(Request(tenant, pack, "" if isinstance(source, Pack) else str(source),
                                 dry_run=dry_run, user=user))

    def _run(self, request: Request) -> DeployReport:
        report, target = run_deploy(self.db, request)
        if target is not None:
            with self._lock:
                self._schemas[request.tenant] = target
        return report

    def rollback(self, tenant: str, to: int, *, dry_run: bool = False,
                 user: str = people.ADMIN) -> DeployReport:
        """Deploy version ``to`` again, as a new version, through the same planner and checks.

        Fields added since are archived (not dropped) and fields removed since come back
        from their archive, so a rollback loses no stored value.
        """
        check_tenant_name(tenant)
        with self.db.connect() as conn:
            people.require_tenant(conn, tenant)
            old = versions.load(conn, tenant, to)
        return self._run(Request(tenant, old.pack(), layers=old.layers, dry_run=dry_run,
                                 user=user, notes=(f"rollback to version {to}",), ids=old.ids))

    def diff(self, tenant: str, a: int | str | Path, b: int | str | Path | None = None
             ) -> Comparison:
        """What differs from ``a`` to ``b``: each a version number or a pack folder.

        ``b`` None means the tenant's newest version. Changes a deploy would refuse are
        listed too (``Comparison.refused`` and ``.uses``).
        """
        check_tenant_name(tenant)
        with self.db.connect() as conn:
            people.require_tenant(conn, tenant)
            newest = versions.newest(conn, tenant)
            before = self._pack_at(conn, tenant, a)
            after = self._pack_at(conn, tenant, newest if b is None else b)
        return compare(before, after)

    @staticmethod
    def _pack_at(conn: sa.Connection, tenant: str, ref: int | str | Path | None) -> Pack:
        if ref is None:
            raise NotFoundError(f"nothing is deployed to tenant {tenant!r}",
                                code="tenant_not_deployed")
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return versions.load(conn, tenant, int(ref)).pack()
        return load_pack(str(ref))

    def archived(self, tenant: str) -> list[Archived]:
        """The tenant's archived fields and objects (removed, kept until purged)."""
        check_tenant_name(tenant)
        with self.db.connect() as conn:
            people.require_tenant(conn, tenant)
            return archived(Catalog(conn, tenant))

    def purge(self, tenant: str, names: list[str] | None = None, *, dry_run: bool = False,
              user: str = people.ADMIN) -> list[Archived]:
        """Drop archived fields and objects for good (``names``: "Object.field" or "Object";
        None: all of them). Irreversible; recorded in the history as a new version."""
        check_tenant_name(tenant)
        with self.db.connect() as conn, conn.begin():
            people.require_tenant(conn, tenant)
            dropped = purge(conn, tenant, names, dry_run=dry_run, user=user)
        if dropped and not dry_run:
            with self._lock:
                self._schemas.pop(tenant, None)
        return dropped

    def history(self, tenant: str) -> list[dict[str, object]]:
        """Every deployed version of ``tenant``, oldest first: who, when, the plan, the checks."""
        check_tenant_name(tenant)
        with self.db.connect() as conn:
            people.require_tenant(conn, tenant)
            return versions.history(conn, tenant)

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
