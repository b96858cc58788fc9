"""Administering a tenant's metadata: deploys, packs, history, rollback, archives, roll-ups.

``engine.metadata(tenant, actor=SYSTEM)`` gives a :class:`MetadataAdmin` bound to one tenant
and one actor (:mod:`hulian.engine.actor`): the system (the CLI, scripts), or a user who must
be an administrator of the tenant (checked when the facade is made, in the engine).

>>> admin = engine.metadata("acme")                          # doctest: +SKIP
>>> report = admin.deploy("examples/crm", dry_run=True)
>>> [line for line in report.lines()][:2]
>>> admin.history()[-1]["deployed_by"]
'system'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from hulian.engine.actor import Actor, actor_name
from hulian.engine.changes import outbox
from hulian.engine.changes.journal import Journal
from hulian.engine.changes.outbox import Origin
from hulian.engine.database import reading, unbounded
from hulian.engine.deploy import versions
from hulian.engine.deploy.catalog import Catalog
from hulian.engine.deploy.packs import Stack, locate_uses, require_preset, upgrade_stack
from hulian.engine.deploy.plan import Comparison, compare
from hulian.engine.deploy.purge import Archived, archived, purge
from hulian.engine.deploy.report import DeployReport
from hulian.engine.deploy.run import Request
from hulian.engine.deploy.run import deploy as run_deploy
from hulian.engine.errors import DeployError, HulianError, NotFoundError
from hulian.engine.overlay import (
    OverlayState,
    archived_field_definition,
    change_overlay,
    overlay_state,
    pack_document,
)
from hulian.engine.records import rollups
from hulian.engine.system import people
from hulian.engine.webhooks.urls import check_pack_urls as check_webhook_urls
from hulian.metadata.documents import write_documents
from hulian.metadata.layers import snapshot_documents
from hulian.metadata.loader import load_pack
from hulian.metadata.model import Pack

if TYPE_CHECKING:
    from hulian.engine.engine import Engine

__all__ = ["MetadataAdmin"]


class MetadataAdmin:
    """One tenant's metadata, administered by ``actor``. Every change is one transaction
    (a deploy: plan, checks, DDL, version row) and is recorded with the actor's name."""

    def __init__(self, engine: Engine, tenant: str, actor: Actor):
        self.engine = engine
        self.tenant = tenant
        self.actor = actor

    @property
    def _db(self) -> sa.Engine:
        return self.engine.db

    # -- deploys ----------------------------------------------------------------------------

    def deploy(self, source: str | Path | Pack, *, dry_run: bool = False) -> DeployReport:
        """Validate a pack and bring the tenant's tables in line with it, atomically.

        A preset pack is installed, or replaces the installed pack of its name (any
        version); a tenant pack (kind ``tenant``) becomes the tenant's overlay; a
        snapshot (``hulian export``) replaces everything. The tenant's other layers are
        kept and merged (see docs/packs.md). A new tenant is created with its ``admin``.

        With ``dry_run`` nothing changes: the report lists the steps and the results of
        the data checks (``report.ok`` is False when one failed). Invalid metadata raises
        MetadataError (every problem); a change hulian cannot make, a removal something
        still uses, or a failed data check raises DeployError listing each of them.
        """
        pack, source_text = self._load(source)
        stack = self._stack().with_pack(pack, source_text)
        return self._deploy_stack(stack, source_text, dry_run=dry_run)

    @staticmethod
    def _load(source: str | Path | Pack) -> tuple[Pack, str]:
        if isinstance(source, Pack):
            return source, ""
        return load_pack(str(source)), str(source)

    def _stack(self) -> Stack:
        with reading(self._db) as conn:
            if not people.tenant_exists(conn, self.tenant):
                return Stack()
            number = versions.newest(conn, self.tenant)
            if number is None:
                return Stack()
            found = versions.load(conn, self.tenant, number)
        return replace(Stack.stored(found.layers, found.documents), base=number)

    def _deploy_stack(self, stack: Stack, source: str = "", *, dry_run: bool,
                      notes: tuple[str, ...] = ()) -> DeployReport:
        pack, merged = stack.effective(self.tenant)
        layered = merged is not None or len(stack.packs) + (stack.overlay is not None) > 1
        try:
            return self._run(Request(self.tenant, pack, source if merged is None else "",
                                     stack.to_json() if layered or stack.packs else None,
                                     dry_run, actor_name(self.actor), notes, base=stack.base,
                                     check_base=True))
        except DeployError as error:
            raise locate_uses(error, merged, stack) from None

    def _run(self, request: Request) -> DeployReport:
        check_webhook_urls(request.pack, self.engine.webhook_urls)
        report, target = run_deploy(self._db, request)
        if target is not None:
            self.engine.keep_schema(target)
        return report

    # -- packs ------------------------------------------------------------------------------

    def installed(self) -> dict[str, object]:
        """``{"packs": {name: version}, "overlay": "name version" | None, "snapshot": bool}``."""
        return self._stack().describe()

    def install_pack(self, source: str | Path | Pack, *, dry_run: bool = False
                     ) -> DeployReport:
        """Install a preset pack next to the tenant's other packs and its overlay."""
        pack, source_text = self._load(source)
        stack = self._stack()
        require_preset(pack)
        installed = stack.installed(pack.name)
        if installed is not None:
            raise DeployError(f"pack {pack.name} is already installed (version "
                              f"{installed.version})", code="pack_already_installed",
                              hint=f"upgrade it: hulian pack upgrade PATH --tenant {self.tenant}")
        return self._deploy_stack(stack.with_pack(pack, source_text), source_text,
                                  dry_run=dry_run,
                                  notes=(f"installed {pack.name} {pack.version}",))

    def upgrade_pack(self, source: str | Path | Pack, *, dry_run: bool = False
                     ) -> DeployReport:
        """Upgrade an installed pack to a newer version, keeping the tenant's overlay.

        Conflicts (the overlay extends or uses what the new version drops, overrides what
        it now locks, or the new version changes what it declared immutable) are reported
        before anything changes.
        """
        pack, source_text = self._load(source)
        upgraded, notes = upgrade_stack(self._stack(), pack, source_text)
        return self._deploy_stack(upgraded, source_text, dry_run=dry_run, notes=notes)

    def uninstall_pack(self, name: str, *, dry_run: bool = False) -> DeployReport:
        """Remove a pack: its objects are archived (restorable until purged)."""
        stack = self._stack()
        if stack.installed(name) is None:
            raise NotFoundError(f"pack {name!r} is not installed in {self.tenant!r}",
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
        return self._deploy_stack(remaining, dry_run=dry_run, notes=(f"uninstalled {name}",))

    def export(self, directory: str | Path) -> list[str]:
        """Write the tenant's effective metadata as a snapshot pack folder; the files written.

        Deploying the folder to another tenant gives an identical schema.
        """
        with reading(self._db) as conn:
            people.require_tenant(conn, self.tenant)
            pack = self.engine.schema(conn, self.tenant).pack
        try:
            return write_documents(snapshot_documents(pack), Path(directory))
        except FileExistsError as exc:
            raise HulianError(str(exc), code="export_not_empty",
                              hint="export into a new or empty folder") from None

    # -- the overlay, one document at a time (the admin UI, the metadata API) ---------------

    def overlay(self) -> OverlayState:
        """The tenant's overlay documents and effective metadata at its newest version."""
        return overlay_state(self)

    def change_overlay(self, put: Mapping[str, Any] | None = None,
                       delete: Iterable[str] = (), *, base: int | None = None,
                       dry_run: bool = False) -> DeployReport:
        """Put documents into the overlay (path -> JSON) and delete others (paths), then
        deploy the result as :meth:`deploy` does (``dry_run``: the plan and its checks only).

        ``base``: the version the change was made on; a deploy committed since refuses it
        (DeployError ``deploy_concurrent``). Problems are reported at ``overlay/<path>``.
        """
        return change_overlay(self, put or {}, tuple(delete), base=base, dry_run=dry_run)

    def effective(self) -> Pack:
        """The tenant's effective metadata as it runs (the compiled schema's pack)."""
        with reading(self._db) as conn:
            people.require_tenant(conn, self.tenant)
            return self.engine.schema(conn, self.tenant).pack

    def archived_field_definition(self, object_name: str, field: str
                                  ) -> dict[str, Any] | None:
        """The last definition of the overlay's own field ``object_name.field`` (to put it
        back: the deploy restores its archived values), or None."""
        return archived_field_definition(self, object_name, field)

    def pack_document(self, path: str) -> Any:
        """The document at ``path`` (``roles/dealer_buyer.json``) as the installed packs
        define it, without the overlay's changes (None when no pack holds it): what a
        role extension's differences are taken against."""
        return pack_document(self._stack(), path)

    def export_overlay(self, directory: str | Path) -> list[str]:
        """Write the tenant's overlay as a tenant pack folder (what a consultant keeps in git
        and deploys again with ``hulian deploy``); the files written."""
        state = overlay_state(self)
        try:
            return write_documents(state.documents, Path(directory))
        except FileExistsError as exc:
            raise HulianError(str(exc), code="export_not_empty",
                              hint="export into a new or empty folder") from None

    # -- versions ---------------------------------------------------------------------------

    def rollback(self, to: int, *, dry_run: bool = False) -> DeployReport:
        """Deploy version ``to`` again, as a new version, through the same planner and checks.

        Fields added since are archived (not dropped) and fields removed since come back
        from their archive, so a rollback loses no stored value.
        """
        with reading(self._db) as conn:
            people.require_tenant(conn, self.tenant)
            old = versions.load(conn, self.tenant, to)
        return self._run(Request(self.tenant, old.pack(), layers=old.layers, dry_run=dry_run,
                                 user=actor_name(self.actor),
                                 notes=(f"rollback to version {to}",), ids=old.ids))

    def diff(self, a: int | str | Path, b: int | str | Path | None = None) -> Comparison:
        """What differs from ``a`` to ``b``: each a version number or a pack folder.

        ``b`` None means the tenant's newest version. Changes a deploy would refuse are
        listed too (``Comparison.refused`` and ``.uses``).
        """
        with reading(self._db) as conn:
            people.require_tenant(conn, self.tenant)
            newest = versions.newest(conn, self.tenant)
            before = self._pack_at(conn, a)
            after = self._pack_at(conn, newest if b is None else b)
        return compare(before, after)

    def _pack_at(self, conn: sa.Connection, ref: int | str | Path | None) -> Pack:
        if ref is None:
            raise NotFoundError(f"nothing is deployed to tenant {self.tenant!r}",
                                code="tenant_not_deployed")
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return versions.load(conn, self.tenant, int(ref)).pack()
        return load_pack(str(ref))

    def history(self) -> list[dict[str, object]]:
        """Every deployed version, oldest first: who, when, the plan, the checks."""
        with reading(self._db) as conn:
            people.require_tenant(conn, self.tenant)
            return versions.history(conn, self.tenant)

    # -- archives and roll-ups --------------------------------------------------------------

    def archived(self) -> list[Archived]:
        """The tenant's archived fields and objects (removed, kept until purged)."""
        with reading(self._db) as conn:
            people.require_tenant(conn, self.tenant)
            return archived(Catalog(conn, self.tenant))

    def purge(self, names: list[str] | None = None, *, dry_run: bool = False
              ) -> list[Archived]:
        """Drop archived fields and objects for good (``names``: "Object.field" or "Object";
        None: all of them). Irreversible; recorded in the history as a new version."""
        with self._db.connect() as conn, conn.begin():
            unbounded(conn)
            people.require_tenant(conn, self.tenant)
            dropped = purge(conn, self.tenant, names, dry_run=dry_run,
                            user=actor_name(self.actor))
        if dropped and not dry_run:
            self.engine.forget_schema(self.tenant)
        return dropped

    def recalc(self, object_name: str, field: str | None = None) -> int:
        """Rebuild the roll-up fields of ``object_name`` (only ``field`` if given) for every
        live record, in one transaction; the number of records recomputed."""
        with self._db.connect() as conn, conn.begin():
            unbounded(conn)
            people.require_tenant(conn, self.tenant)
            schema = self.engine.schema(conn, self.tenant)
            obj = schema.object(object_name)
            names = [f.api_name for f in obj.model.fields if f.roll_up is not None]
            if field is not None and field not in names:
                raise NotFoundError(f"{object_name} has no roll-up field {field!r}",
                                    code="unknown_roll_up",
                                    hint=f"its roll-ups: {', '.join(names) or 'none'}")
            if not names:
                return 0
            outbox.claim(conn, self.tenant)  # before the records it locks
            journal = Journal(schema)
            count = rollups.recalc(conn, schema, object_name, field, journal=journal)
            system = Origin(None, None, "system", None, dt.datetime.now(dt.UTC))
            journal.flush(conn, system, system)
            return count
