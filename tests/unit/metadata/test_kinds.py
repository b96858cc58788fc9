"""hulian.metadata.kinds: layouts, scenes and home views as pack documents.

The valid example is the ``shop`` test pack (every layout kind and channel, assignments,
scenes with ``$User`` filters, every widget kind); the bad ones, one per problem code, are
in tests/invalid_metadata.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from hulian.metadata import (
    MetadataError,
    check_pack,
    load_documents,
    load_pack,
    read_documents,
)
from hulian.metadata.kinds import KINDS, kind_of, pack_view
from hulian.metadata.kinds.home_views import HomeView, Widget
from hulian.metadata.kinds.layouts import Assignment, Claim, Layout, LayoutField, assignment_keys
from hulian.metadata.kinds.scenes import Scene

SHOP = Path(__file__).parent / "packs" / "shop"


@pytest.fixture(scope="module")
def shop() -> Any:
    return load_pack(SHOP)


def _documents() -> dict[str, Any]:
    return copy.deepcopy(read_documents(SHOP)[0])


def test_the_shop_pack_builds_a_model_of_each_document(shop: Any) -> None:
    assert [m.api_name for m in shop.part("layout")] == [
        "order_detail", "order_detail_mobile", "order_list", "order_list_mobile"]
    detail: Layout = shop.part("layout")[0]
    assert (detail.object, detail.kind, detail.channel, detail.default) == (
        "Order", "detail", "web", True)
    assert detail.fields[1] == LayoutField("status", required=True)
    assert detail.related_lists[0].sort == ("-quantity", "product")
    mobile: Layout = shop.part("layout")[1]
    assert mobile.assignments == (Assignment("dealer_buyer"),
                                  Assignment("sales_rep", "default"))
    card: Layout = shop.part("layout")[3]
    assert (card.card_title, card.card_fields) == ("number", ("status", "amount"))
    scene: Scene = next(s for s in shop.part("scene") if s.api_name == "big_orders")
    assert (scene.sort, scene.roles, scene.filter) == (("-amount", "number"), ("sales_rep",),
                                                       "amount >= 10000")
    home: HomeView = next(h for h in shop.part("home_view") if h.api_name == "sales_web")
    assert {w.kind for w in home.widgets} == {"text", "metric", "scene_list", "quick_create",
                                              "app_tiles"}
    assert home.widgets[1] == Widget("metric", home.widgets[1].label, "Order", "open_orders",
                                     function="SUM", field="amount")


def test_a_model_keeps_its_document_without_the_editor_schema(shop: Any) -> None:
    for kind in KINDS:
        for model in shop.part(kind.name):
            assert "$schema" not in model.document
            assert model.source == kind.file(model.api_name)
            assert kind_of(model.source) is kind


def test_a_layout_claims_its_assignments_and_default() -> None:
    docs = [("layouts/a.json", {"object": "Order", "default": True,
                                "assignments": [{"business_type": "default"}]}),
            ("layouts/b.json", {"object": "Order", "channel": "mobile",
                                "assignments": [{"role": "x", "business_type": "default"}]})]
    assert assignment_keys(docs) == {
        Claim("Order", "detail", "web", default=True): [("layouts/a.json", ("default",))],
        Claim("Order", "detail", "web", None, "default"): [("layouts/a.json",
                                                            ("assignments", 0))],
        Claim("Order", "detail", "mobile", "x", "default"): [("layouts/b.json",
                                                              ("assignments", 0))]}


def _problems(documents: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(MetadataError) as info:
        load_documents(documents)
    assert all(p.hint for p in info.value.problems), info.value.problems
    return sorted((p.code, p.file, p.pointer) for p in info.value.problems)


def test_every_mistake_of_the_issue_is_reported_at_once_with_file_pointer_and_hint() -> None:
    """An unknown field, a field listed twice, an empty section, an unknown relationship,
    a metric on a non-numeric field, an assignment to an unknown role or business type and
    two assignments for the same key: all in one go, each where it is, each with a hint."""
    docs = _documents()
    detail = docs["layouts/order_detail.json"]
    detail["sections"][0]["fields"] += ["amout", "status"]
    detail["sections"][1]["fields"] = []
    detail["related_lists"].append({"relationship": "line", "columns": ["product"]})
    mobile = docs["layouts/order_detail_mobile.json"]
    mobile["assignments"] += [{"role": "dealer"}, {"business_type": "sample"},
                              {"role": "dealer_buyer"}]
    docs["home/sales_web.json"]["widgets"][1]["field"] = "notes"
    assert _problems(docs) == [
        ("home.metric_not_numeric", "home/sales_web.json", "/widgets/1/field"),
        ("layout.duplicate_assignment", "layouts/order_detail_mobile.json", "/assignments/4"),
        ("layout.duplicate_field", "layouts/order_detail.json", "/sections/0/fields/5"),
        ("layout.empty_section", "layouts/order_detail.json", "/sections/1/fields"),
        ("layout.unknown_business_type", "layouts/order_detail_mobile.json",
         "/assignments/3/business_type"),
        ("layout.unknown_field", "layouts/order_detail.json", "/sections/0/fields/4"),
        ("layout.unknown_relationship", "layouts/order_detail.json",
         "/related_lists/1/relationship"),
        ("layout.unknown_role", "layouts/order_detail_mobile.json", "/assignments/2/role"),
    ]


def test_an_unreadable_object_file_is_one_problem_not_one_per_document(tmp_path: Path
                                                                         ) -> None:
    folder = tmp_path / "shop"
    shutil.copytree(SHOP, folder)
    (folder / "objects" / "Order.json").write_text('{"api_name": "Order",', "utf-8")
    problems = check_pack(folder)
    assert [(p.code, p.file) for p in problems] == [
        ("json.syntax", f"{folder}/objects/Order.json")]


def test_a_relationship_is_a_lookups_name_or_child_dot_field() -> None:
    view = pack_view(_documents(), "preset")
    child, lookup = view.relationship("Order", "lines") or (None, None)
    assert (getattr(child, "api_name", None), lookup) == ("OrderLine", "sales_order")
    assert view.relationship("Order", "OrderLine.sales_order") is None  # it has a name
    assert view.objects["Order"].children == ("lines",)
