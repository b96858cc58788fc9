"""One deploy, start to end: plan, compile, lock, apply with checks, record; or roll back.

The whole deploy is one transaction (see :mod:`hulian.engine.deploy.apply`). A dry
run does all of it, data checks included, then rolls back, so what it reports is
exactly what the real deploy would do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from hulian.engine.database import unbounded
from hulian.engine.deploy import versions
from hulian.engine.deploy.apply import Migrator
from hulian.engine.deploy.catalog import Catalog, follow_ids
from hulian.engine.deploy.flow_users import check_flow_users
from hulian.engine.deploy.indexes import with_missing_indexes
from hulian.engine.deploy.plan import METADATA_ONLY, plan
from hulian.engine.deploy.report import DeployReport
from hulian.engine.errors import ConcurrentDeploy, DeployError, StorageError
from hulian.engine.schema.compiled import CompiledSchema, compile_schema
from hulian.engine.system import people
from hulian.engine.system.tables import tenants
from hulian.engine.webhooks import store as webhooks
from hulian.metadata.model import Pack


@dataclass(frozen=True)
class Request:
    """What to deploy: the effective pack, and what it was made of."""

    tenant: str
    pack: Pack
    source: str = ""
    layers: dict[str, Any] | None = None
    dry_run: bool = False
    user: str = people.ADMIN
    notes: tuple[str, ...] = ()
    ids: dict[str, Any] | None = None
    """Rollbacks: the stable ids ``pack``'s items had, so renames since are undone."""
    base: int | None = None
    check_base: bool = False
    """When set, the deploy is refused unless the tenant is still at version ``base`` (the
    layers were read from it; another deploy meanwhile would be silently undone)."""


def _lock_tenant(conn: sa.Connection, tenant: str, previous: int | None) -> None:
    query = sa.select(tenants.c.name).where(tenants.c.name == tenant)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    conn.execute(query)
    if versions.newest(conn, tenant) != previous:
        raise ConcurrentDeploy(f"another deploy to {tenant!r} ran meanwhile",
                               hint="run the deploy again")


def _refuse_failed_checks(report: DeployReport) -> None:
    failed = [c for c in report.checks if not c.passed]
    first = failed[0]
    where = f"{first.object}.{first.field}" if first.field else first.object
    error = DeployError(
        f"{len(failed)} data check(s) failed, nothing was changed: {where}: {first.failed} of "
        f"{first.rows_checked} record(s) are in the way"
        + (f", e.g. {first.examples[0]['id']}" if first.examples else ""),
        code="deploy_data_check_failed",
        hint="fix the records listed in the details (up to 20 per check), give a backfill "
             "for blanks, or revert the change; hulian deploy --dry-run shows the checks",
        changes=[c.to_dict() for c in failed],
    )
    error.report = report  # type: ignore[attr-defined]
    raise error


def deploy(db: sa.Engine, request: Request) -> tuple[DeployReport, CompiledSchema | None]:
    """Run ``request``; the report, and the new compiled schema unless nothing changed."""
    tenant, pack = request.tenant, request.pack
    with db.connect() as conn, conn.begin() as transaction:
        unbounded(conn)
        is_new = not people.tenant_exists(conn, tenant)
        previous = None if is_new else versions.newest(conn, tenant)
        if request.check_base and previous != request.base:
            raise ConcurrentDeploy(f"another deploy to {tenant!r} ran meanwhile (version "
                                   f"{previous}, read {request.base})",
                                   hint="read the metadata again and repeat the change")
        old = None if previous is None else versions.load(conn, tenant, previous).pack()
        check_flow_users(conn, tenant, pack, new=is_new)
        catalog = Catalog(conn, tenant, new=is_new)
        if request.ids:
            pack = follow_ids(pack, request.ids, catalog)
        steps = plan(old, pack, new_schema=old is None, catalog=catalog)
        version = (previous or 0) + 1
        target = compile_schema(pack, tenant, db.dialect.name, version, request.source)
        if old is not None:
            steps = with_missing_indexes(conn, target, steps, METADATA_ONLY)
        if not steps:
            transaction.rollback()
            return DeployReport(tenant, request.dry_run, (), previous, previous, pack.name,
                                notes=request.notes), None
        if is_new:
            people.ensure_tenant(conn, tenant)
        elif not request.dry_run:
            _lock_tenant(conn, tenant, previous)
        if old is not None:
            catalog.ensure(old, db.dialect.name)
        migrator = Migrator(conn, target, old, catalog, version)
        try:
            migrator.run([s for s in steps if s.action not in METADATA_ONLY])
        except sa.exc.DBAPIError as exc:
            if not migrator.failed:
                raise StorageError(f"the database refused the deploy: {exc.orig}",
                                   statement=str(exc.statement), cause=exc) from exc
        report = DeployReport(tenant, request.dry_run, tuple(steps), version, previous,
                              pack.name, tuple(migrator.checks), request.notes)
        if request.dry_run or migrator.failed:
            transaction.rollback()
            if not request.dry_run:
                _refuse_failed_checks(report)
            return report, None
        ids = catalog.ids(pack)
        webhooks.follow_deploy(conn, tenant, pack, request.user)
        versions.record(conn, tenant, version, pack, request.layers, steps, migrator.checks,
                        request.user, ids)
    return report, replace(target, ids=ids)
