"""Deploy planning of layouts, scenes and home views: metadata-only steps, and removals
refused while one of them uses what goes (tests/unit/metadata/packs/shop)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from hulian.engine import DeployError
from hulian.engine.deploy.plan import METADATA_ONLY, plan
from hulian.metadata import load_pack
from hulian.metadata.kinds.layouts import LAYOUTS

SHOP = Path(__file__).parents[1] / "metadata" / "packs" / "shop"


def test_documents_are_added_and_removed_by_metadata_only_steps() -> None:
    shop = load_pack(SHOP)
    bare = replace(shop, parts={})
    added = plan(bare, shop, new_schema=False)
    assert {s.action for s in added} == {"update_document"} <= set(METADATA_ONLY)
    assert [s.description for s in added][:2] == ["add layout order_detail (no data change)",
                                                   "add layout order_detail_mobile (no data "
                                                   "change)"]
    assert [s.description for s in plan(shop, bare, new_schema=False)][-1] == \
        "remove home view sales_web (no data change)"


def test_the_planner_lists_every_use_of_a_removed_field_or_object() -> None:
    """Packs built in code skip the metadata checks; the planner still refuses, naming each
    use: fields of sections, columns, cards, sorts ("-amount"), related lists and their
    child columns, metrics, objects of widgets, and scene filters."""
    old = load_pack(SHOP)
    order = old.object("Order")
    assert order is not None
    new = replace(old, objects=(replace(order, fields=tuple(
        f for f in order.fields if f.api_name != "amount")),))
    with pytest.raises(DeployError) as exc:
        plan(old, new, new_schema=False)
    assert exc.value.code == "deploy_removed_in_use"
    uses = [(u["removed"], u["used_by"], u["file"], u["pointer"]) for u in exc.value.changes]
    layout = [(u[0], u[2], u[3]) for u in uses if u[1].startswith("layout ")]
    assert layout == [
        ("Order.amount", "layouts/order_detail.json", "/sections/0/fields/3"),
        ("OrderLine.sales_order", "layouts/order_detail.json", "/related_lists/0/relationship"),
        ("OrderLine.product", "layouts/order_detail.json", "/related_lists/0/columns/0"),
        ("OrderLine.quantity", "layouts/order_detail.json", "/related_lists/0/columns/1"),
        ("OrderLine.price", "layouts/order_detail.json", "/related_lists/0/columns/2"),
        ("OrderLine.quantity", "layouts/order_detail.json", "/related_lists/0/sort/0"),
        ("OrderLine.product", "layouts/order_detail.json", "/related_lists/0/sort/1"),
        ("Order.amount", "layouts/order_detail_mobile.json", "/sections/0/fields/2"),
        ("OrderLine.sales_order", "layouts/order_detail_mobile.json",
         "/related_lists/0/relationship"),
        ("OrderLine.product", "layouts/order_detail_mobile.json", "/related_lists/0/columns/0"),
        ("OrderLine.quantity", "layouts/order_detail_mobile.json",
         "/related_lists/0/columns/1"),
        ("OrderLine.quantity", "layouts/order_detail_mobile.json", "/related_lists/0/sort"),
        ("Order.amount", "layouts/order_list.json", "/columns/2"),
        ("Order.amount", "layouts/order_list_mobile.json", "/columns/1"),
        ("Order.amount", "layouts/order_list_mobile.json", "/card/fields/1"),
    ]
    others = [u for u in uses if not u[1].startswith(("layout ", "object permissions"))]
    assert others == [
        ("Order.amount", "scene big_orders", "scenes/big_orders.json", "/columns/1"),
        ("Order.amount", "scene big_orders", "scenes/big_orders.json", "/sort/0"),
        ("Order.amount", "filter of scene big_orders (scene big_orders)",
         "scenes/big_orders.json", "/filter"),
        ("Order.amount", "scene open_orders", "scenes/open_orders.json", "/columns/2"),
        ("Order.amount", "home view dealer_mobile", "home/dealer_mobile.json",
         "/widgets/1/field"),
        ("Order.amount", "home view sales_web", "home/sales_web.json", "/widgets/1/field"),
        ("OrderLine", "home view sales_web", "home/sales_web.json", "/widgets/5/objects/1"),
    ]


def test_a_layout_assigned_to_a_business_type_the_object_drops_is_a_use() -> None:
    """Objects do not load ``business_types`` yet; the planner reads them from the object
    documents, so a pack built in code shows the removal check."""
    shop = load_pack(SHOP)
    sample = {"api_name": "order_sample", "object": "Order", "label": {"zh": "样品", "en": "S"},
              "assignments": [{"role": "dealer_buyer", "business_type": "sample"}],
              "sections": [{"api_name": "main", "label": {"zh": "主", "en": "Main"},
                            "fields": ["number"]}]}

    def with_types(*names: str):
        order = {**shop.documents["objects/Order.json"],
                 "business_types": [{"api_name": n, "label": {"zh": n, "en": n}}
                                    for n in names]}
        return replace(shop, documents={**shop.documents, "objects/Order.json": order,
                                        "layouts/order_sample.json": sample},
                       parts={**shop.parts, "layout": (*shop.part("layout"), LAYOUTS.build(
                           sample, "layouts/order_sample.json"))})

    assert plan(with_types("standard", "sample"), with_types("standard", "sample"),
                new_schema=False) == []
    with pytest.raises(DeployError) as exc:
        plan(with_types("standard", "sample"), with_types("standard"), new_schema=False)
    assert exc.value.changes == [{"removed": "Order.sample", "used_by": "layout order_sample",
                                  "file": "layouts/order_sample.json",
                                  "pointer": "/assignments/0/business_type"}]
