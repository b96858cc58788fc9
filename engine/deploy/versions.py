"""Deployed versions of a tenant's metadata: what was deployed, by whom, how it went.

Each row of ``hulian_metadata_versions`` keeps the effective metadata (the documents
a pack loads from), the layers it was merged from (installed packs and the tenant's
overlay; NULL for a single pack deployed directly), the plan and the data checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from hulian.engine.deploy.report import CheckResult
from hulian.engine.deploy.step import Step
from hulian.engine.errors import NotFoundError
from hulian.engine.system.people import now
from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.jsontext import dumps, loads
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack


@dataclass(frozen=True)
class Version:
    number: int
    documents: dict[str, Any]
    layers: dict[str, Any] | None
    ids: dict[str, Any]
    """``{object: {"id": ..., "fields": {field: id}}}`` as deployed in this version."""

    def pack(self) -> Pack:
        return load_documents(self.documents)


def newest(conn: sa.Connection, tenant: str) -> int | None:
    """The tenant's newest deployed version (None: nothing deployed); the tenant exists."""
    metadata_versions = tables_of(conn, tenant).metadata_versions
    return conn.scalar(sa.select(sa.func.max(metadata_versions.c.version)))


def load(conn: sa.Connection, tenant: str, number: int) -> Version:
    metadata_versions = tables_of(conn, tenant).metadata_versions
    row = conn.execute(sa.select(metadata_versions.c.documents, metadata_versions.c.layers,
                                 metadata_versions.c.result)
                       .where(metadata_versions.c.version == number)).first()
    if row is None:
        known = newest(conn, tenant)
        raise NotFoundError(f"tenant {tenant!r} has no version {number}",
                            code="unknown_version",
                            hint=f"versions run from 1 to {known}; see hulian history"
                            if known else "nothing is deployed to this tenant yet")
    result = loads(row.result) if row.result else {}
    return Version(number, loads(row.documents), loads(row.layers) if row.layers else None,
                   result.get("ids", {}))


def record(conn: sa.Connection, tenant: str, number: int, pack: Pack,
           layers: dict[str, Any] | None, steps: list[Step], checks: list[CheckResult],
           user: str, ids: dict[str, Any] | None = None) -> None:
    """Store a deployed version; ``ids`` maps its objects and fields to their stable ids."""
    conn.execute(tables_of(conn, tenant).metadata_versions.insert().values(
        version=number, documents=dumps(dict(pack.documents)),
        layers=dumps(layers) if layers is not None else None,
        plan=dumps([s.to_dict() for s in steps]),
        result=dumps({"checks": [c.to_dict() for c in checks], "ids": ids or {}}),
        deployed_by=user, deployed_at=now(),
    ))


def history(conn: sa.Connection, tenant: str) -> list[dict[str, Any]]:
    metadata_versions = tables_of(conn, tenant).metadata_versions
    rows = conn.execute(sa.select(
        metadata_versions.c.version, metadata_versions.c.deployed_by,
        metadata_versions.c.deployed_at, metadata_versions.c.plan, metadata_versions.c.result,
        metadata_versions.c.layers,
    ).order_by(metadata_versions.c.version)).all()
    return [{"version": r.version, "deployed_by": r.deployed_by, "deployed_at": r.deployed_at,
             "steps": loads(r.plan),
             "checks": loads(r.result)["checks"] if r.result else [],
             "packs": _pack_versions(loads(r.layers) if r.layers else None)} for r in rows]


def _pack_versions(layers: dict[str, Any] | None) -> dict[str, str]:
    if not layers:
        return {}
    return {p["name"]: p["version"] for p in layers.get("packs", ())}
