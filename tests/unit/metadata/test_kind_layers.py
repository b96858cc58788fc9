"""Layouts, scenes and home views in a tenant's layers (hulian.metadata.kind_layers).

An overlay adds its own documents and replaces a pack's of the same api_name unless the
pack locks it; an upgrade keeps what the overlay replaced; renames in a pack follow into
the overlay's documents (on the fly when merging, for good with ``rename_overlay``).
"""

from __future__ import annotations

import copy
from typing import Any

from hulian.metadata import Layers, Pack, kept_overrides, load_documents, merge, rename_overlay

from .layered import label, problems


def _order(*extra: dict[str, Any], amount: str = "amount") -> dict[str, Any]:
    return {"api_name": "Order", "label": label("Order"), "name_field": "name",
            "fields": [{"api_name": "name", "type": "text", "label": label("Name")},
                       {"api_name": amount, "type": "currency", "label": label("Amount"),
                        **({"renamed_from": "amount"} if amount != "amount" else {})},
                       *extra]}


def _line(name: str = "OrderLine", quantity: str = "quantity", *,
          relationship: str | None = "lines") -> dict[str, Any]:
    doc: dict[str, Any] = {
        "api_name": name, "label": label("Line"), "name_field": "name",
        "fields": [{"api_name": "name", "type": "text", "label": label("Name")},
                   {"api_name": "sales_order", "type": "master_detail", "label": label("Order"),
                    "target": "Order"},
                   {"api_name": quantity, "type": "number", "label": label("Quantity")}]}
    if relationship:
        doc["fields"][1]["relationship_name"] = relationship
    if name != "OrderLine":
        doc["renamed_from"] = "OrderLine"
    if quantity != "quantity":
        doc["fields"][2]["renamed_from"] = "quantity"
    return doc


def _layout(api_name: str, *fields: str, **extra: Any) -> dict[str, Any]:
    return {"api_name": api_name, "object": "Order", "label": label(api_name),
            "sections": [{"api_name": "main", "label": label("Main"),
                          "fields": list(fields) or ["name"]}], **extra}


def _scene(api_name: str, **extra: Any) -> dict[str, Any]:
    return {"api_name": api_name, "object": "Order", "label": label(api_name), **extra}


def _pack(version: str = "1.0.0", *, order: dict[str, Any] | None = None,
          line: dict[str, Any] | None = None, **documents: Any) -> Pack:
    docs: dict[str, Any] = {
        "pack.json": {"name": "crm", "version": version, "label": label("crm")},
        "objects/Order.json": order or _order(),
        f"objects/{(line or _line())['api_name']}.json": line or _line()}
    docs.update({name.replace("__", "/") + ".json": doc for name, doc in documents.items()})
    return load_documents(docs)


def _overlay(**documents: Any) -> Pack:
    docs: dict[str, Any] = {"pack.json": {"name": "acme", "version": "1.0.0",
                                          "label": label("Acme"), "kind": "tenant"}}
    docs.update({name.replace("__", "/") + ".json": copy.deepcopy(doc)
                 for name, doc in documents.items()})
    return load_documents(docs)


def _merged(layers: Layers) -> dict[str, Any]:
    effective = merge(layers).pack
    return {m.source: dict(m.document) for kind in ("layout", "scene", "home_view")
            for m in effective.part(kind)}


# -- adding and replacing ----------------------------------------------------------------------

def test_an_overlay_adds_layouts_scenes_and_home_views() -> None:
    home = {"api_name": "acme_home", "label": label("Home"), "default": True,
            "widgets": [{"kind": "scene_list", "object": "Order", "scene": "acme_big"}]}
    layers = Layers((_pack(layouts__order_detail=_layout("order_detail", default=True)),),
                    _overlay(layouts__acme_mobile=_layout("acme_mobile", channel="mobile"),
                             scenes__acme_big=_scene("acme_big", filter="amount > 100"),
                             home__acme_home=home))
    effective = merge(layers)
    assert sorted(_merged(layers)) == ["home/acme_home.json", "layouts/acme_mobile.json",
                                       "layouts/order_detail.json", "scenes/acme_big.json"]
    located = effective.locate(_problem("layouts/acme_mobile.json", "/sections/0"))
    assert (located.file, located.pointer) == ("overlay/layouts/acme_mobile.json",
                                               "/sections/0")


def _problem(file: str, at: str) -> Any:
    from hulian.metadata import Problem

    return Problem("x", file, at, "m")


def test_an_overlay_replaces_a_packs_document_of_the_same_name() -> None:
    pack = _pack(layouts__order_detail=_layout("order_detail", "name", default=True),
                 scenes__big=_scene("big", filter="amount > 100"))
    ours = _layout("order_detail", "amount", "name", default=True)
    merged = _merged(Layers((pack,), _overlay(layouts__order_detail=ours,
                                              scenes__big=_scene("big", filter="amount > 5"))))
    assert merged["layouts/order_detail.json"]["sections"][0]["fields"] == ["amount", "name"]
    assert merged["scenes/big.json"]["filter"] == "amount > 5"


def test_a_locked_document_cannot_be_replaced_but_others_can() -> None:
    pack = _pack(layouts__order_detail=_layout("order_detail", default=True,
                                               customizable={"document": "locked"}),
                 scenes__big=_scene("big", customizable={"document": "editable"}))
    layers = Layers((pack,), _overlay(layouts__order_detail=_layout("order_detail"),
                                      scenes__big=_scene("big", columns=["amount"])))
    assert problems(layers) == [("overlay.locked_document", "overlay/layouts/order_detail.json",
                                 "")]


def test_an_overlays_clash_with_a_pack_is_reported_at_the_overlay() -> None:
    pack = _pack(layouts__zz_dealer=_layout("zz_dealer", assignments=[{"role": "member"}]))
    layers = Layers((pack,), _overlay(layouts__aa=_layout("aa", assignments=[{"role": "member"}])))
    assert problems(layers) == [("layout.duplicate_assignment", "overlay/layouts/aa.json",
                                 "/assignments/0")]


# -- upgrades ----------------------------------------------------------------------------------

def test_an_upgrade_keeps_what_the_overlay_replaced_and_says_so() -> None:
    old = _pack(layouts__order_detail=_layout("order_detail", "name", default=True),
                scenes__big=_scene("big"))
    new = _pack("2.0.0", layouts__order_detail=_layout("order_detail", "name", "amount",
                                                       default=True),
                layouts__order_mobile=_layout("order_mobile", channel="mobile"))
    overlay = _overlay(layouts__order_detail=_layout("order_detail", "amount", default=True),
                       scenes__big=_scene("big", columns=["amount"]),
                       layouts__order_mobile=_layout("order_mobile", "amount", channel="mobile"))
    merged = _merged(Layers((new,), overlay))
    assert merged["layouts/order_detail.json"]["sections"][0]["fields"] == ["amount"]
    assert merged["layouts/order_mobile.json"]["sections"][0]["fields"] == ["amount"]
    assert merged["scenes/big.json"]["columns"] == ["amount"]   # dropped by the pack: kept
    assert kept_overrides(Layers((old,), overlay), Layers((new,), overlay)) == [
        "the layout order_detail: the pack changed it, the tenant's layout is kept",
        "the layout order_mobile: the pack now has one of this name, the tenant's layout "
        "replaces it",
        "the scene big: the pack removed it, the tenant's scene stays as its own",
    ]


def test_an_upgrade_that_locks_a_replaced_document_is_a_problem_of_the_merge() -> None:
    new = _pack("2.0.0", scenes__big=_scene("big", customizable={"document": "locked"}))
    layers = Layers((new,), _overlay(scenes__big=_scene("big", columns=["amount"])))
    assert problems(layers) == [("overlay.locked_document", "overlay/scenes/big.json", "")]


# -- renames -----------------------------------------------------------------------------------

def _renaming_pack() -> Pack:
    """crm 2.0.0: Order.amount is now total, OrderLine is LineItem, its quantity qty; one
    relationship is called lines."""
    return load_documents({
        "pack.json": {"name": "crm", "version": "2.0.0", "label": label("crm")},
        "objects/Order.json": _order(amount="total"),
        "objects/LineItem.json": _line("LineItem", "qty")})


def _renaming_overlay() -> Pack:
    layout = _layout("acme_detail", "name", "amount",
                     related_lists=[{"relationship": "lines", "columns": ["quantity", "name"],
                                     "sort": ["-quantity", "name"]}])
    listed = {"api_name": "acme_list", "object": "Order", "kind": "list",
              "label": label("List"), "columns": ["name", "amount"],
              "card": {"title": "amount", "fields": ["amount", "created_at"]}}
    child = {"api_name": "acme_lines", "object": "OrderLine", "kind": "list",
             "label": label("Lines"), "columns": ["quantity"]}
    scene = _scene("acme_big", columns=["amount"], sort="-amount", filter="amount > 100")
    home = {"api_name": "acme_home", "label": label("Home"), "default": True,
            "widgets": [{"kind": "metric", "object": "OrderLine", "scene": "all",
                         "function": "SUM", "field": "quantity"},
                        {"kind": "quick_create", "objects": ["OrderLine", "Order"]}]}
    return _overlay(layouts__acme_detail=layout, layouts__acme_list=listed,
                    layouts__acme_lines=child, scenes__acme_big=scene, home__acme_home=home)


EXPECTED = {
    "layouts/acme_detail.json": {"sections": [{"api_name": "main", "label": label("Main"),
                                               "fields": ["name", "total"]}],
                                 "related_lists": [{"relationship": "lines",
                                                    "columns": ["qty", "name"],
                                                    "sort": ["-qty", "name"]}]},
    "layouts/acme_list.json": {"columns": ["name", "total"],
                               "card": {"title": "total", "fields": ["total", "created_at"]}},
    "layouts/acme_lines.json": {"object": "LineItem", "columns": ["qty"]},
    "scenes/acme_big.json": {"columns": ["total"], "sort": "-total",
                             "filter": "amount > 100"},   # formulas: by the engine's upgrade
    "home/acme_home.json": {"widgets": [{"kind": "metric", "object": "LineItem", "scene": "all",
                                         "function": "SUM", "field": "qty"},
                                        {"kind": "quick_create",
                                         "objects": ["LineItem", "Order"]}]},
}


def test_the_overlays_documents_follow_renames_when_merged() -> None:
    merged = _merged(Layers((_renaming_pack(),), _renaming_overlay()))
    for file, expected in EXPECTED.items():
        assert {k: merged[file][k] for k in expected} == expected, file


def test_rename_overlay_rewrites_the_documents_for_good_and_says_so() -> None:
    overlay = _renaming_overlay()
    documents, notes = rename_overlay(overlay.documents, _renaming_pack())
    for file, expected in EXPECTED.items():
        assert {k: documents[file][k] for k in expected} == expected, file
    assert "layouts/acme_detail.json: /related_lists/0/sort/0 'quantity' is now 'qty' (crm " \
           "renamed the field)" in notes
    assert "layouts/acme_lines.json: /object 'OrderLine' is now 'LineItem' (crm renamed the " \
           "object)" in notes
    assert len(notes) == 13
    assert merge(Layers((_renaming_pack(),), load_documents(documents))).pack


def test_a_relationship_named_after_its_child_and_field_follows_both_renames() -> None:
    def pack(version: str, line: dict[str, Any]) -> Pack:
        return load_documents({"pack.json": {"name": "crm", "version": version,
                                             "label": label("crm")},
                               "objects/Order.json": _order(),
                               f"objects/{line['api_name']}.json": line})

    renamed = _line("LineItem", "qty", relationship=None)
    renamed["fields"][1]["api_name"] = "parent_order"
    renamed["fields"][1]["renamed_from"] = "sales_order"
    layout = _layout("acme", related_lists=[{"relationship": "OrderLine.sales_order",
                                             "columns": ["quantity"], "sort": "-quantity"}])
    overlay = _overlay(layouts__acme=layout)
    assert problems(Layers((pack("1.0.0", _line(relationship=None)),), overlay)) == []
    merged = _merged(Layers((pack("2.0.0", renamed),), overlay))
    assert merged["layouts/acme.json"]["related_lists"] == [
        {"relationship": "LineItem.parent_order", "columns": ["qty"], "sort": "-qty"}]
