"""The life of each dependent preset pack in a tenant, on SQLite and PostgreSQL.

For every folder of examples/ whose pack.json requires crm (and for ``visits``, a small
dependent pack of the harness's own): it validates with crm; it installs into a tenant that
has crm (with both packs' sample people and records); a tenant overlay extends one of its
objects (``note__c``, with a value in a record, and a field's label); it upgrades from its
version to the next minor one, built here from its documents (a new field, shown in one of
its layouts), keeping the overlay; it uninstalls once the overlay no longer extends it (its
objects archived, crm working, crm's objects without the fields the pack added to them),
and installs again. One tenant per pack per database.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from hulian.runtime.cli import main
from hulian.runtime.sample_data import load_sample_data
from tests.apps.conftest import DEPENDENT_PACKS, EXAMPLE_CRM
from tests.apps.harness import (
    NOTE,
    overlay_of,
    pack_documents,
    relabeled_field,
    sample_dependent_pack,
    upgrade_of,
)
from tests.packs import write_pack

PACKS = [pytest.param(p, id=p.name) for p in DEPENDENT_PACKS] + \
    [pytest.param(None, id="visits")]
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def visits_folder(tmp_path_factory) -> Path:
    return sample_dependent_pack(tmp_path_factory.mktemp("visits"))


def folder_of(pack: Path | None, visits_folder: Path) -> Path:
    return visits_folder if pack is None else pack


@pytest.mark.parametrize("pack", PACKS)
def test_it_validates_with_crm(pack, visits_folder, capsys):
    folder = folder_of(pack, visits_folder)
    code = main(["validate", str(folder), "--with", str(EXAMPLE_CRM)])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert err.strip().endswith(f"{folder}: no problems")


def extension_fields(docs: dict) -> dict[str, set[str]]:
    """crm object -> the fields the pack's ``extensions/<Object>.json`` add to it."""
    return {d["object"]: {f["api_name"] for f in d.get("fields", [])}
            for path, d in docs.items()
            if path.startswith("extensions/") and path.count("/") == 1}


@pytest.mark.parametrize("pack", PACKS)
def test_install_upgrade_with_an_overlay_and_uninstall(engine, pack, visits_folder, tmp_path):
    folder = folder_of(pack, visits_folder)
    docs = pack_documents(folder)
    name, version = docs["pack.json"]["name"], docs["pack.json"]["version"]
    tenant = f"life{os.getpid()}_{next(_numbers)}"
    meta = engine.metadata(tenant)

    # installs into a tenant that has crm, with both packs' people and records
    meta.deploy(EXAMPLE_CRM)
    keys: dict[str, str] = {}
    load_sample_data(engine, tenant, EXAMPLE_CRM, keys)  # as the demo: crm's, then the pack's
    meta.install_pack(folder)
    assert meta.installed()["packs"] == {"crm": "1.0.0", name: version}
    load_sample_data(engine, tenant, folder, keys)

    # a tenant overlay extends one of the pack's objects, with a value in a record
    with_records = frozenset(p.stem for p in (folder / "data").glob("[!_]*.json"))
    upgrade = upgrade_of(docs, with_records)
    relabel = relabeled_field(meta.effective(), upgrade.object)
    meta.deploy(write_pack(tmp_path / "overlay", overlay_of(upgrade.object, relabel)))
    with engine.session(tenant) as s:
        found = s.query(upgrade.object, limit=1).records
        assert found, f"no sample record of {upgrade.object} to write {NOTE} into"
        record = found[0]
        s.update(upgrade.object, record["id"], {NOTE: "kept through the upgrade"},
                 version=record["version"])

    # upgrades to the next minor version, keeping the overlay
    report = meta.upgrade_pack(write_pack(tmp_path / "next", upgrade.documents))
    new_version = upgrade.documents["pack.json"]["version"]
    assert meta.installed()["packs"][name] == new_version, report.lines()
    effective = meta.effective()
    obj = effective.object(upgrade.object)
    assert obj is not None and obj.field(upgrade.field) is not None
    assert obj.field(NOTE) is not None
    assert obj.field(relabel).label["en"] == "Tenant's name"
    layout = effective.documents[upgrade.layout]
    shown = layout["sections"][0]["fields"] if layout.get("kind") == "detail" \
        else layout["columns"]
    assert upgrade.field in shown, layout
    with engine.session(tenant) as s:
        kept = s.get(upgrade.object, record["id"])
        assert kept[NOTE] == "kept through the upgrade"
        changed = s.update(upgrade.object, record["id"], {upgrade.field: "new in 1.1"},
                           version=kept["version"])
        assert changed[upgrade.field] == "new in 1.1" and changed[NOTE] == kept[NOTE]

    # uninstalls once the overlay no longer extends it
    meta.change_overlay(delete=[f"extensions/{upgrade.object}.json"])
    meta.uninstall_pack(name)
    assert meta.installed()["packs"] == {"crm": "1.0.0"}
    archived = {a.name for a in meta.archived()}
    own = sorted(p.removeprefix("objects/").removesuffix(".json") for p in docs
                 if p.startswith("objects/"))
    assert set(own) <= archived, archived
    effective = meta.effective()
    for object_name, added in extension_fields(docs).items():
        crm_object = effective.object(object_name)
        assert crm_object is not None
        assert not added & {f.api_name for f in crm_object.fields}, object_name
    with engine.session(tenant) as s:  # crm still works
        account = s.create("Account", {"name": "After the uninstall"})
        assert s.get("Account", account["id"])["name"] == "After the uninstall"
        assert s.count("Order") >= 1

    # and installs again
    meta.install_pack(folder)
    assert meta.installed()["packs"] == {"crm": "1.0.0", name: version}
    assert all(meta.effective().object(o) is not None for o in own)
