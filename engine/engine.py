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

from hulian.engine.accounts import AccountsMixin
from hulian.engine.database import open_database
from hulian.engine.deploy import versions
from hulian.engine.deploy.catalog import Catalog
from hulian.engine.deploy.packs import Stack, locate_uses, require_preset, upgrade_stack
from hulian.engine.deploy.plan import Comparison, compare
from hulian.engine.deploy.purge import Archived, archived, purge
from hulian.engine.deploy.report import DeployReport
from hulian.engine.deploy.run import Request
from hulian.engine.deploy.run import deploy as run_deploy
from hulian.engine.errors import DeployError, HulianError, NotFoundError
from hulian.engine.people_api import PeopleMixin
from hulian.engine.records import rollups
from hulian.engine.records.cursors import CursorSigner
from hulian.engine.schema.compiled import CompiledSchema, compile_schema
from hulian.engine.schema.naming import check_tenant_name
from hulian.engine.security.cache import VisibilityCache
from hulian.engine.security.visibility import Visibility
from hulian.engine.session import Session
from hulian.engine.system import people, tokens
from hulian.engine.system.migrate import upgrade
from hulian.engine.system.tables import tenants
from hulian.metadata.documents import write_documents
from hulian.metadata.layers import snapshot_documents
from hulian.metadata.loader import load_pack
from hulian.metadata.model import Pack


class Engine(AccountsMixin, PeopleMixin):
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
        with self._lock:
            self._schemas[tenant] = compiled
        return compiled

    def deploy(self, source: str | Path | Pack, tenant: str, *, dry_run: bool = False,
               user: str = people.ADMIN) -> DeployReport:
        """Validate a pack and bring ``tenant``'s tables in line with it, atomically.

        A preset pack is installed, or replaces the installed pack of its name (any
        version); a tenant pack (kind ``tenant``) becomes the tenant's overlay; a
        snapshot (``hulian export``) replaces everything. The tenant's other layers are
        kept and merged (see docs/packs.md).

        With ``dry_run`` nothing changes: the report lists the steps and the results of
        the data checks (``report.ok`` is False when one failed). Invalid metadata raises
        MetadataError (every problem); a change hulian cannot make, a removal something
        still uses, or a failed data check raises DeployError listing each of them.
        """
        check_tenant_name(tenant)
        pack, source_text = self._load(source)
        stack = self._stack(tenant).with_pack(pack, source_text)
        return self._deploy_stack(tenant, stack, source_text, dry_run=dry_run, user=user)

    @staticmethod
    def _load(source: str | Path | Pack) -> tuple[Pack, str]:
        if isinstance(source, Pack):
            return source, ""
        return load_pack(str(source)), str(source)

    def _stack(self, tenant: str) -> Stack:
        with self.db.connect() as conn:
            if not people.tenant_exists(conn, tenant):
                return Stack()
            number = versions.newest(conn, tenant)
            if number is None:
                return Stack()
            found = versions.load(conn, tenant, number)
        return replace(Stack.stored(found.layers, found.documents), base=number)

    def _deploy_stack(self, tenant: str, stack: Stack, source: str = "", *,
                      dry_run: bool, user: str, notes: tuple[str, ...] = ()) -> DeployReport:
        pack, merged = stack.effective(tenant)
        layered = merged is not None or len(stack.packs) + (stack.overlay is not None) > 1
        try:
            return self._run(Request(tenant, pack, source if merged is None else "",
                                     stack.to_json() if layered or stack.packs else None,
                                     dry_run, user, notes, base=stack.base, check_base=True))
        except DeployError as error:
            raise locate_uses(error, merged, stack) from None

    # -- packs --------------------------------------------------------------------------------

    def installed(self, tenant: str) -> dict[str, object]:
        """``{"packs": {name: version}, "overlay": "name version" | None, "snapshot": bool}``."""
        check_tenant_name(tenant)
        return self._stack(tenant).describe()

    def install_pack(self, source: str | Path | Pack, tenant: str, *, dry_run: bool = False,
                     user: str = people.ADMIN) -> DeployReport:
        """Install a preset pack into ``tenant`` next to its other packs and its overlay."""
        check_tenant_name(tenant)
        pack, source_text = self._load(source)
        stack = self._stack(tenant)
        require_preset(pack)
        if stack.installed(pack.name) is not None:
            raise DeployError(f"pack {pack.name} is already installed (version "
                              f"{stack.installed(pack.name).version})",  # type: ignore[union-attr]
                              code="pack_already_installed",
                              hint=f"upgrade it: hulian pack upgrade PATH --tenant {tenant}")
        return self._deploy_stack(tenant, stack.with_pack(pack, source_text), source_text,
                                  dry_run=dry_run, user=user,
                                  notes=(f"installed {pack.name} {pack.version}",))

    def upgrade_pack(self, source: str | Path | Pack, tenant: str, *, dry_run: bool = False,
                     user: str = people.ADMIN) -> DeployReport:
        """Upgrade an installed pack to a newer version, keeping the tenant's overlay.

        Conflicts (the overlay extends or uses what the new version drops, overrides what
        it now locks, or the new version changes what it declared immutable) are reported
        before anything changes.
        """
        check_tenant_name(tenant)
        pack, source_text = self._load(source)
        stack = self._stack(tenant)
        upgraded, notes = upgrade_stack(stack, pack, source_text)
        return self._deploy_stack(tenant, upgraded, source_text, dry_run=dry_run, user=user,
                                  notes=notes)

    def uninstall_pack(self, name: str, tenant: str, *, dry_run: bool = False,
                       user: str = people.ADMIN) -> DeployReport:
        """Remove a pack: its objects are archived (restorable until purged)."""
        check_tenant_name(tenant)
        stack = self._stack(tenant)
        if stack.installed(name) is None:
            raise NotFoundError(f"pack {name!r} is not installed in {tenant!r}",
                                code="pack_not_installed",
                                hint="installed: " + (", ".join(p.name for p in stack.packs)
                                                      or "none"))
        needing = [p.name for p in stack.packs if name in p.requires and p.name != name]
        if needing:
            raise DeployError(f"{', '.join(needing)} require(s) {name}",
                              code="pack_required", hint="uninstall those packs first")
        remaining = stack.without(name)
        if not remaining.packs and remaining.overlay is None:
            raise DeployError(f"{name} is the tenant's only layer", code="pack_last_layer",
                              hint="a tenant keeps at least one pack or an overlay")
        return self._deploy_stack(tenant, remaining, dry_run=dry_run, user=user,
                                  notes=(f"uninstalled {name}",))

    def export(self, tenant: str, directory: str | Path) -> list[str]:
        """Write the tenant's effective metadata as a snapshot pack folder; the files written.

        Deploying the folder to another tenant gives an identical schema.
        """
        check_tenant_name(tenant)
        with self.db.connect() as conn:
            people.require_tenant(conn, tenant)
            pack = self.schema(conn, tenant).pack
        try:
            return write_documents(snapshot_documents(pack), Path(directory))
        except FileExistsError as exc:
            raise HulianError(str(exc), code="export_not_empty",
                              hint="export into a new or empty folder") from None

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

    def recalc(self, tenant: str, object_name: str, field: str | None = None) -> int:
        """Rebuild the roll-up fields of ``object_name`` (only ``field`` if given) for every
        live record, in one transaction; the number of records recomputed."""
        check_tenant_name(tenant)
        with self.db.connect() as conn, conn.begin():
            people.require_tenant(conn, tenant)
            schema = self.schema(conn, tenant)
            obj = schema.object(object_name)
            names = [f.api_name for f in obj.model.fields if f.roll_up is not None]
            if field is not None and field not in names:
                raise NotFoundError(f"{object_name} has no roll-up field {field!r}",
                                    code="unknown_roll_up",
                                    hint=f"its roll-ups: {', '.join(names) or 'none'}")
            return rollups.recalc(conn, schema, object_name, field) if names else 0

    # -- people and tokens --------------------------------------------------------------------

    def tenants(self) -> list[str]:
        with self.db.connect() as conn:
            return list(conn.scalars(sa.select(tenants.c.name).order_by(tenants.c.name)))

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

    def cursor_signer(self) -> CursorSigner:
        """What signs page cursors: keyed from :meth:`session_signing_key` (read, or made,
        once per Engine, outside any session's transaction)."""
        if self._cursors is None:
            self._cursors = CursorSigner(self.session_signing_key())
        return self._cursors

    @contextmanager
    def session(self, tenant: str, user: str | people.User = people.ADMIN) -> Iterator[Session]:
        """A unit of work for ``user`` in ``tenant``: commits at the end, rolls back on error."""
        cursors = self.cursor_signer()
        with self.db.connect() as conn, conn.begin():
            arrival = people.arrive(conn, tenant, user)
            schema = self._schema_at(conn, tenant, arrival.metadata_version)
            cache = self._visibility

            def visibility() -> Visibility:
                return cache.get(conn, schema, arrival.user, arrival.people_version)

            yield Session(conn, schema, arrival.user, visibility, cursors)
