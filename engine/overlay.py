"""Editing a tenant's overlay one document at a time: what the admin UI and the metadata
API change.

The overlay (docs/packs.md) is the tenant's own pack of kind ``tenant``: the documents
``hulian export --overlay`` writes and a consultant keeps in git. An edit puts or
deletes documents by their path in the pack (``extensions/Order.json``,
``objects/Visit__c.json``, ``layouts/order_mobile.json``), then runs the same deploy as
``hulian deploy``: every problem at once (at the overlay file and JSON pointer), the plan
with its data checks, one transaction. Nothing is stored before the deploy succeeds.

>>> admin = engine.metadata("acme", actor=admin_user)              # doctest: +SKIP
>>> edit = admin.overlay()
>>> doc = edit.document("extensions/Order.json") or {"object": "Order"}
>>> report = admin.change_overlay({"extensions/Order.json": doc}, base=edit.version,
...                               dry_run=True)                     # the plan, nothing applied
>>> admin.change_overlay({"extensions/Order.json": doc}, base=edit.version)  # applied

``base`` is the version the admin read: when another deploy committed since, the change
is refused (409 ``deploy_concurrent``) and nothing is lost.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from hulian.engine.database import reading
from hulian.engine.deploy import versions
from hulian.engine.deploy.packs import Stack
from hulian.engine.deploy.report import DeployReport
from hulian.engine.errors import ConcurrentDeploy, DeployError
from hulian.engine.system import people
from hulian.metadata.documents import MANIFEST, SUPPORTED, document_kind
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack
from hulian.metadata.problems import MetadataError, Problem
from hulian.metadata.snapshot import snapshot_documents

if TYPE_CHECKING:
    from hulian.engine.admin import MetadataAdmin

__all__ = ["OVERLAY", "OverlayState", "archived_field_definition", "change_overlay",
           "overlay_manifest", "overlay_state", "pack_document"]

OVERLAY = "overlay"
"""The layer name problems of the overlay's documents start with (``overlay/...``)."""


@dataclass(frozen=True)
class OverlayState:
    """The tenant's metadata as one deployed version holds it.

    ``documents``: the overlay's documents by path (a new ``pack.json`` when the tenant has
    no overlay yet); ``effective``: the merged metadata as snapshot documents (what the
    tenant runs on; made when first asked for); ``packs``: installed pack name ->
    version; ``snapshot``: True when the tenant runs on an exported snapshot (its overlay
    cannot be edited).
    """

    tenant: str
    version: int | None
    documents: dict[str, Any]
    pack: Pack | None
    packs: dict[str, str]
    snapshot: bool
    has_overlay: bool

    @cached_property
    def effective(self) -> dict[str, Any]:
        return {} if self.pack is None else snapshot_documents(self.pack)

    def document(self, path: str) -> Any:
        """A copy of the overlay document at ``path``, or None."""
        found = self.documents.get(path)
        return None if found is None else copy.deepcopy(found)


def overlay_manifest(tenant: str) -> dict[str, Any]:
    """The ``pack.json`` of a tenant's first overlay."""
    name = re.sub(r"[^a-z0-9_]", "_", tenant.lower())
    if not name[:1].isalpha():
        name = f"t_{name}"
    return {"name": name[:40], "version": "1.0.0", "kind": "tenant",
            "label": {"en": f"{tenant} customisations", "zh": f"{tenant} 的定制"}}


def overlay_state(admin: MetadataAdmin) -> OverlayState:
    db = admin.engine.db
    with reading(db) as conn:
        people.require_tenant(conn, admin.tenant)
        number = versions.newest(conn, admin.tenant)
        if number is None:
            return OverlayState(admin.tenant, None, {MANIFEST: overlay_manifest(admin.tenant)},
                                None, {}, False, False)
        found = versions.load(conn, admin.tenant, number)
        effective = admin.engine.schema(conn, admin.tenant).pack
    stack = Stack.stored(found.layers, found.documents)
    documents = dict(stack.overlay.documents) if stack.overlay is not None else \
        {MANIFEST: overlay_manifest(admin.tenant)}
    return OverlayState(admin.tenant, number, _plain(documents), effective,
                        {p.name: p.version for p in stack.packs}, stack.snapshot is not None,
                        stack.overlay is not None)


def archived_field_definition(admin: MetadataAdmin, object_name: str, field: str
                              ) -> dict[str, Any] | None:
    """The overlay's last definition of its own field ``object_name.field`` in any
    deployed version, newest first (None: it never had one)."""
    with reading(admin.engine.db) as conn:
        people.require_tenant(conn, admin.tenant)
        number = versions.newest(conn, admin.tenant) or 0
        for version in range(number, 0, -1):
            found = versions.load(conn, admin.tenant, version)
            overlay = (found.layers or {}).get("overlay") or {}
            for path in (f"objects/{object_name}.json", f"extensions/{object_name}.json"):
                doc = overlay.get(path)
                for definition in (doc or {}).get("fields", []) if isinstance(doc, dict) \
                        else []:
                    if isinstance(definition, dict) and definition.get("api_name") == field:
                        return _plain(definition)
    return None


def pack_document(stack: Stack, path: str) -> Any:
    """The document at ``path`` as the last installed pack holding it defines it (plain
    JSON), or None."""
    return next((_plain(pack.documents[path]) for pack in reversed(stack.packs)
                 if path in pack.documents), None)


def _plain(value: Any) -> Any:
    """Frozen maps and tuples of a loaded pack as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def change_overlay(admin: MetadataAdmin, put: Mapping[str, Any], delete: Iterable[str],
                   *, base: int | None, dry_run: bool) -> DeployReport:
    stack = admin._stack()
    if base is not None and stack.base != base:
        raise ConcurrentDeploy(f"another change to {admin.tenant!r}'s metadata was deployed "
                               f"meanwhile (version {stack.base}; this change was made on "
                               f"version {base})",
                               hint="reload to see the current metadata, then make the change "
                                    "again")
    if stack.snapshot is not None:
        raise DeployError(f"tenant {admin.tenant!r} runs on an exported snapshot, which has "
                          "no overlay to change", code="overlay_on_snapshot",
                          hint="deploy its packs and a tenant overlay instead of the snapshot")
    documents = dict(stack.overlay.documents) if stack.overlay is not None else \
        {MANIFEST: overlay_manifest(admin.tenant)}
    problems = [problem for path, deleting in [*((p, False) for p in put),
                                               *((p, True) for p in delete)]
                if (problem := _bad_path(path, deleting)) is not None]
    if problems:
        raise MetadataError(problems)
    for path in delete:
        documents.pop(path, None)
    documents.update(put)
    try:
        overlay = load_documents(documents, OVERLAY)
    except MetadataError as error:
        raise MetadataError(error.problems) from None
    if overlay.kind != "tenant":
        raise MetadataError([Problem("overlay.not_tenant", f"{OVERLAY}/{MANIFEST}", "/kind",
                                     f"the overlay's pack.json must say \"kind\": \"tenant\", "
                                     f"not {overlay.kind!r}", 'set "kind": "tenant"')])
    changed = replace(stack.with_pack(overlay, OVERLAY), base=stack.base)
    return admin._deploy_stack(changed, dry_run=dry_run)


def _bad_path(path: object, deleting: bool) -> Problem | None:
    if deleting and path == MANIFEST:
        return Problem("overlay.manifest_required", f"{OVERLAY}/{MANIFEST}", "",
                       "the overlay's pack.json cannot be deleted",
                       "delete the other documents; pack.json names the overlay")
    if isinstance(path, str) and document_kind(path) is not None:
        return None
    return Problem("pack.unexpected_file", f"{OVERLAY}/{path}", "",
                   f"an overlay has no document {path!r}", SUPPORTED)
