"""Layouts, scenes and home views through a tenant's metadata lifecycle, on both databases.

Adding one is a metadata-only step (no DDL); history and diff show each change; an export
deploys to an identical tenant; a scene filter that is not a condition is refused with its
file, pointer and position; removing what any of them uses is refused with every use. The
pack is tests/unit/metadata/packs/shop.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hulian.engine import DeployError, MetadataError
from hulian.metadata import read_documents
from hulian.runtime.cli import main
from tests.packs import pack_of, write_pack

SHOP = Path(__file__).parents[1] / "unit" / "metadata" / "packs" / "shop"
KIND_FOLDERS = ("layouts/", "scenes/", "home/")


def shop(*, kinds: bool = True, version: str = "1.0.0") -> dict[str, Any]:
    docs = copy.deepcopy(read_documents(SHOP)[0])
    docs["pack.json"]["version"] = version
    if not kinds:
        docs = {f: d for f, d in docs.items() if not f.startswith(KIND_FOLDERS)}
    return docs


def _tables(engine, tenant) -> dict[str, Any]:
    """Every table of the tenant with its columns, indexes and constraints."""
    inspector = sa.inspect(engine.db)
    schema = f"t_{tenant}" if engine.dialect == "postgresql" else None
    prefix = "" if engine.dialect == "postgresql" else f"{tenant}__"
    out = {}
    for table in inspector.get_table_names(schema=schema):
        if not table.startswith(prefix) or (prefix == "" and table.startswith("hulian_")):
            continue
        out[table] = (
            [(c["name"], str(c["type"]), c["nullable"])
             for c in inspector.get_columns(table, schema=schema)],
            sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                   for i in inspector.get_indexes(table, schema=schema)),
            sorted((str(u["name"]), tuple(u["column_names"]))
                   for u in inspector.get_unique_constraints(table, schema=schema)),
            sorted((str(f["name"]), tuple(f["constrained_columns"]), f["referred_table"])
                   for f in inspector.get_foreign_keys(table, schema=schema)))
    return out


def _steps(report) -> list[tuple[str, str | None, str]]:
    return [(s.action, s.object, s.description) for s in report.steps]


# -- adding is metadata only; history and diff ---------------------------------------------------

def test_adding_layouts_scenes_and_home_views_is_a_metadata_only_step(engine, tenant):
    admin = engine.metadata(tenant)
    admin.deploy(pack_of(shop(kinds=False)))
    before = _tables(engine, tenant)
    assert before
    report = admin.deploy(pack_of(shop()))
    assert {action for action, _, _ in _steps(report)} == {"update_document"}
    assert ("update_document", "Order", "add layout order_detail (no data change)") in \
        _steps(report)
    assert ("update_document", None, "add home view sales_web (no data change)") in \
        _steps(report)
    assert len(report.steps) == 4 + 3 + 3
    assert _tables(engine, tenant) == before
    with engine.db.connect() as conn:
        deployed = engine.schema(conn, tenant).pack
    assert [m.api_name for m in deployed.part("scene")] == ["big_orders", "dealer_orders",
                                                            "open_orders"]


def test_history_and_diff_show_each_change(engine, tenant, capsys):
    admin = engine.metadata(tenant)
    admin.deploy(pack_of(shop()))
    changed = shop(version="1.1.0")
    changed["layouts/order_detail.json"]["buttons"] = ["edit"]
    changed["layouts/order_detail.json"]["sections"][1]["collapsed"] = False
    del changed["scenes/big_orders.json"]
    changed["home/sales_web.json"]["widgets"] = changed["home/sales_web.json"]["widgets"][:1]
    admin.deploy(pack_of(changed))
    expected = ["update layout order_detail: sections, buttons (no data change)",
                "remove scene big_orders (no data change)",
                "update home view sales_web: widgets (no data change)"]
    assert [s["description"] for s in admin.history()[-1]["steps"]] == expected
    assert [line.removeprefix("[safe] ") for line in admin.diff(1, 2).lines()] == expected
    db = ["--db", engine.url, "--tenant", tenant]
    assert main(["history", *db]) == 0
    out = capsys.readouterr().out
    assert all(f"    [safe] {line}" in out for line in expected)
    assert main(["diff", "1", "2", *db]) == 0
    out = capsys.readouterr().out
    assert "3 change(s)" in out and all(f"  [safe] {line}" in out for line in expected)


def test_an_export_deploys_to_an_identical_tenant(engine, tenant, tmp_path):
    engine.metadata(tenant).install_pack(pack_of(shop()))
    engine.metadata(tenant).deploy(pack_of(_overlay(**{"layouts/order_detail.json": OURS,
                                                       "scenes/acme_big.json": ACME_SCENE})))
    engine.metadata(tenant).export(tmp_path / "export")
    exported = read_documents(tmp_path / "export")[0]
    kinds = sorted(f for f in exported if f.startswith(KIND_FOLDERS))
    assert kinds == sorted([*(f for f in shop() if f.startswith(KIND_FOLDERS)),
                            "scenes/acme_big.json"])
    assert all("$schema" not in exported[f] for f in kinds)
    assert exported["layouts/order_detail.json"] == OURS
    copy_tenant = f"{tenant}x"
    engine.metadata(copy_tenant).deploy(tmp_path / "export")
    assert _deployed(engine, copy_tenant) == _deployed(engine, tenant)
    assert _deployed(engine, tenant)["layouts/order_detail_mobile.json"] == {
        k: v for k, v in shop()["layouts/order_detail_mobile.json"].items() if k != "$schema"}
    assert _tables(engine, copy_tenant).keys() == {
        t.replace(tenant, copy_tenant) for t in _tables(engine, tenant)}
    assert engine.metadata(copy_tenant).deploy(tmp_path / "export").steps == ()


# -- a scene filter that is not a condition ------------------------------------------------------

def _not_a_condition() -> dict[str, Any]:
    docs = shop()
    docs["scenes/big_orders.json"]["filter"] = "amount * 2"
    return docs


def test_a_scene_filter_that_is_not_boolean_is_refused_by_the_deploy(engine, tenant, tmp_path):
    folder = write_pack(tmp_path / "shop", _not_a_condition())
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(folder)
    [problem] = exc.value.problems
    assert (problem.code, problem.file, problem.pointer) == (
        "formula.result_type", f"{folder}/scenes/big_orders.json", "/filter")
    assert problem.message.startswith("1:1: ") and "boolean" in problem.message
    assert problem.hint is not None and "condition" in problem.hint
    assert engine.metadata(tenant).installed()["packs"] == {}


def test_hulian_validate_reports_a_scene_filter_that_is_not_boolean(tmp_path, capsys):
    folder = write_pack(tmp_path / "shop", _not_a_condition())
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{folder}/scenes/big_orders.json:/filter: formula.result_type: "
                          "1:1: ")
    assert "amount * 2" in out and "^" in out


# -- removing what they use ----------------------------------------------------------------------

def _without(docs: dict[str, Any], obj: str, *names: str) -> dict[str, Any]:
    doc = docs[f"objects/{obj}.json"]
    doc["fields"] = [f for f in doc["fields"] if f["api_name"] not in names]
    return docs


def test_removing_what_layouts_and_views_name_is_refused_when_the_pack_loads(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(shop()))
    gone = _without(shop(version="2.0.0"), "Order", "amount")
    del gone["objects/OrderLine.json"]
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(pack_of(gone))
    assert sorted((p.code, p.file, p.pointer) for p in exc.value.problems) == [
        ("home.unknown_field", "home/dealer_mobile.json", "/widgets/1/field"),
        ("home.unknown_field", "home/sales_web.json", "/widgets/1/field"),
        ("home.unknown_object", "home/sales_web.json", "/widgets/5/objects/1"),
        ("layout.unknown_field", "layouts/order_detail.json", "/sections/0/fields/3"),
        ("layout.unknown_field", "layouts/order_detail_mobile.json", "/sections/0/fields/2"),
        ("layout.unknown_field", "layouts/order_list.json", "/columns/2"),
        ("layout.unknown_field", "layouts/order_list_mobile.json", "/card/fields/1"),
        ("layout.unknown_field", "layouts/order_list_mobile.json", "/columns/1"),
        ("layout.unknown_relationship", "layouts/order_detail.json",
         "/related_lists/0/relationship"),
        ("layout.unknown_relationship", "layouts/order_detail_mobile.json",
         "/related_lists/0/relationship"),
        ("role.unknown_object", "roles/dealer_buyer.json", "/objects/OrderLine"),
        ("role.unknown_object", "roles/sales_rep.json", "/objects/OrderLine"),
        ("scene.unknown_field", "scenes/big_orders.json", "/columns/1"),
        ("scene.unknown_field", "scenes/big_orders.json", "/sort/0"),
        ("scene.unknown_field", "scenes/open_orders.json", "/columns/2"),
    ]
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1]


def test_removing_a_field_a_scene_filter_reads_is_refused_with_every_use(engine, tenant):
    docs = shop()
    docs["scenes/open_orders.json"]["filter"] = "owner_id = $User.id && amount > 0"
    engine.metadata(tenant).deploy(pack_of(docs))
    gone = copy.deepcopy(docs)
    _without(gone, "Order", "amount")
    for file in ("layouts/order_detail.json", "layouts/order_detail_mobile.json"):
        gone[file]["sections"][0]["fields"] = gone[file]["sections"][0]["fields"][:2]
    gone["layouts/order_list.json"]["columns"].remove("amount")
    gone["layouts/order_list_mobile.json"].update(columns=["number"], card={"title": "number"})
    gone["scenes/big_orders.json"].update(columns=["number"], sort="number")
    gone["scenes/open_orders.json"]["columns"] = ["number"]
    gone["home/sales_web.json"]["widgets"][1]["field"] = "order_date"
    gone["home/sales_web.json"]["widgets"][1]["function"] = "MAX"
    gone["home/dealer_mobile.json"]["widgets"][1] = {"kind": "metric", "object": "Order",
                                                     "scene": "mine", "function": "COUNT"}
    for dry_run in (True, False):
        with pytest.raises(DeployError) as exc:
            engine.metadata(tenant).deploy(pack_of(gone), dry_run=dry_run)
        assert exc.value.code == "deploy_removed_in_use"
        assert exc.value.changes == [
            {"removed": "Order.amount", "used_by": "filter of scene big_orders (scene "
             "big_orders)", "file": "scenes/big_orders.json", "pointer": "/filter"},
            {"removed": "Order.amount", "used_by": "filter of scene open_orders (scene "
             "open_orders)", "file": "scenes/open_orders.json", "pointer": "/filter"}]
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1]


# -- overlays ------------------------------------------------------------------------------------

def _overlay(**documents: Any) -> dict[str, Any]:
    docs = {"pack.json": {"name": "acme", "version": "1.0.0", "kind": "tenant",
                          "label": {"zh": "艾克米", "en": "Acme"}}}
    docs.update(documents)
    return docs


def _label(en: str) -> dict[str, str]:
    return {"zh": f"{en}（中文）", "en": en}


OURS = {"api_name": "order_detail", "object": "Order", "label": _label("Ours"), "default": True,
        "sections": [{"api_name": "main", "label": _label("Main"),
                      "fields": ["amount", "status"]}]}
ACME_SCENE = {"api_name": "acme_big", "object": "Order", "label": _label("Big"),
              "filter": "amount > 100", "columns": ["number", "amount"], "sort": "-amount"}


def _deployed(engine, tenant) -> dict[str, Any]:
    with engine.db.connect() as conn:
        pack = engine.schema(conn, tenant).pack
    return {m.source: dict(m.document) for kind in ("layout", "scene", "home_view")
            for m in pack.part(kind)}


def test_an_overlay_adds_and_replaces_and_an_upgrade_keeps_them(engine, tenant):
    admin = engine.metadata(tenant)
    admin.install_pack(pack_of(shop()))
    admin.deploy(pack_of(_overlay(**{"layouts/order_detail.json": OURS,
                                     "scenes/acme_big.json": ACME_SCENE})))
    deployed = _deployed(engine, tenant)
    assert deployed["layouts/order_detail.json"]["label"] == _label("Ours")
    assert deployed["scenes/acme_big.json"]["filter"] == "amount > 100"
    newer = shop(version="2.0.0")
    newer["layouts/order_detail.json"]["buttons"] = ["edit"]
    report = admin.upgrade_pack(pack_of(newer))
    assert "the layout order_detail: the pack changed it, the tenant's layout is kept" in \
        report.notes
    assert _deployed(engine, tenant)["layouts/order_detail.json"]["label"] == _label("Ours")
    dropped = shop(version="3.0.0")
    del dropped["layouts/order_detail.json"]
    report = admin.upgrade_pack(pack_of(dropped))
    assert "the layout order_detail: the pack removed it, the tenant's layout stays as its " \
           "own" in report.notes
    assert _deployed(engine, tenant)["layouts/order_detail.json"]["label"] == _label("Ours")


def test_an_upgrade_that_locks_what_the_overlay_replaced_is_refused_before_any_change(
        engine, tenant):
    admin = engine.metadata(tenant)
    admin.install_pack(pack_of(shop()))
    admin.deploy(pack_of(_overlay(**{"layouts/order_detail.json": OURS})))
    locked = shop(version="2.0.0")
    locked["layouts/order_detail.json"]["customizable"] = {"document": "locked"}
    with pytest.raises(MetadataError) as exc:
        admin.upgrade_pack(pack_of(locked))
    [problem] = exc.value.problems
    assert (problem.code, problem.file) == ("overlay.locked_document",
                                            "overlay/layouts/order_detail.json")
    assert "locks its layout 'order_detail'" in problem.message and problem.hint
    assert admin.installed()["packs"] == {"shop": "1.0.0"}
    assert [h["version"] for h in admin.history()] == [1, 2]


def test_an_upgrade_that_drops_a_field_the_overlay_uses_is_refused_with_every_use(
        engine, tenant):
    admin = engine.metadata(tenant)
    admin.install_pack(pack_of(shop()))
    admin.deploy(pack_of(_overlay(**{"layouts/order_detail.json": OURS,
                                     "scenes/acme_big.json": ACME_SCENE})))
    dropped = _without(shop(kinds=False, version="2.0.0"), "Order", "notes", "amount")
    with pytest.raises(MetadataError) as exc:
        admin.upgrade_pack(pack_of(dropped))
    assert {(p.code, p.file, p.pointer) for p in exc.value.problems} == {
        ("layout.unknown_field", "overlay/layouts/order_detail.json", "/sections/0/fields/0"),
        ("scene.unknown_field", "overlay/scenes/acme_big.json", "/columns/1"),
        ("scene.unknown_field", "overlay/scenes/acme_big.json", "/sort")}
    assert admin.installed()["packs"] == {"shop": "1.0.0"}


def test_renames_follow_into_the_overlays_documents_and_filters(engine, tenant):
    admin = engine.metadata(tenant)
    admin.install_pack(pack_of(shop()))
    admin.deploy(pack_of(_overlay(**{"layouts/order_detail.json": OURS,
                                     "scenes/acme_big.json": ACME_SCENE})))
    text = json.dumps(shop(version="2.0.0")).replace('"amount"', '"total"')
    renamed = json.loads(text.replace('"-amount"', '"-total"').replace("amount >=", "total >="))
    next(f for f in renamed["objects/Order.json"]["fields"]
         if f["api_name"] == "total")["renamed_from"] = "amount"
    report = engine.metadata(tenant).upgrade_pack(pack_of(renamed))
    assert "overlay: scenes/acme_big.json#/filter: formula now reads 'total > 100' (shop " \
           "renamed fields it uses)" in report.notes
    deployed = _deployed(engine, tenant)
    assert deployed["layouts/order_detail.json"]["sections"][0]["fields"] == ["total", "status"]
    assert {k: deployed["scenes/acme_big.json"][k] for k in ("filter", "columns", "sort")} == {
        "filter": "total > 100", "columns": ["number", "total"], "sort": "-total"}
    settled = json.loads(json.dumps(renamed).replace(', "renamed_from": "amount"', ""))
    settled["pack.json"]["version"] = "3.0.0"
    admin.upgrade_pack(pack_of(settled))   # the overlay was rewritten for good
    assert _deployed(engine, tenant)["scenes/acme_big.json"]["sort"] == "-total"
    with engine.session(tenant) as s:
        s.create("Order", {"total": "120.00"})
