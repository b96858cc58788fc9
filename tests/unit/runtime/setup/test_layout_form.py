"""The layout editor's form and the layout document (hulian.runtime.setup.layout_form),
and the home view editor's widgets (hulian.runtime.setup.home.widgets_from_form)."""

from __future__ import annotations

from hulian.runtime.setup.home import widgets_from_form
from hulian.runtime.setup.layout_form import (
    MultiForm,
    editor_model,
    layout_from_form,
    move,
    new_layout,
)

ORIGINAL = {
    "$schema": "../schema.json", "api_name": "order_m", "object": "Order", "kind": "detail",
    "channel": "mobile", "label": {"zh": "订单", "en": "Order"},
    "customizable": {"document": "editable"},
    "sections": [
        {"api_name": "main", "label": {"zh": "主", "en": "Main"}, "columns": 1,
         "fields": ["number", {"field": "status", "read_only": True}]},
        {"api_name": "more", "label": {"zh": "更多", "en": "More"}, "columns": 1,
         "collapsible": True, "fields": ["notes"]}],
    "related_lists": [{"relationship": "lines", "columns": ["product"], "page_size": 20}],
    "assignments": [{"role": "dealer_buyer"}],
    "buttons": ["edit"],
}


def _form_of(doc, **changes):
    """The form the editor shows for ``doc``, as a browser posts it, with ``changes``."""
    model = editor_model(doc)
    form: dict = {"label_zh": model["label_zh"], "label_en": model["label_en"],
                  "channel": model["channel"], "section": [], "field": [], "related": [],
                  "assign_role": [], "assign_business_type": []}
    for group in model["groups"]:
        form["section"].append(group["api_name"])
        form[f"section_label_zh.{group['api_name']}"] = group["label_zh"]
        form[f"section_label_en.{group['api_name']}"] = group["label_en"]
        form[f"section_columns.{group['api_name']}"] = str(group["columns"])
        for field in group["fields"]:
            form["field"].append(f"{group['api_name']}/{field['name']}")
            for flag in ("required", "read_only"):
                if field[flag]:
                    form[f"{flag}.{field['name']}"] = "true"
    form["related"] = list(model["related"])
    for row in model["assignments"]:
        form["assign_role"].append(row["role"])
        form["assign_business_type"].append(row["business_type"])
    form.update(changes)
    return MultiForm(form)


def test_the_form_as_shown_gives_the_document_back():
    doc = layout_from_form(ORIGINAL, _form_of(ORIGINAL))
    expected = {k: v for k, v in ORIGINAL.items() if k not in ("$schema", "customizable")}
    assert doc == expected


def test_flags_removals_and_additions():
    form = _form_of(ORIGINAL, **{
        "required.notes": "true", "remove.number": "true", "add_field": "carrier",
        "add_field_to": "more", "new_section_en": "Delivery details", "new_section_zh": "",
        "related_remove.lines": "true", "new_assign_role": "dealer_boss",
        "new_assign_business_type": "sample", "assign_remove": ["0"]})
    doc = layout_from_form(ORIGINAL, form)
    assert doc["sections"][0]["fields"] == [{"field": "status", "read_only": True}]
    assert doc["sections"][1]["fields"] == [{"field": "notes", "required": True}, "carrier"]
    assert doc["sections"][1]["collapsible"] is True  # what the editor does not show
    assert doc["sections"][2] == {"api_name": "delivery_details",
                                  "label": {"zh": "Delivery details",
                                            "en": "Delivery details"},
                                  "columns": 2, "fields": []}
    assert "related_lists" not in doc
    assert doc["assignments"] == [{"role": "dealer_boss", "business_type": "sample"}]


def test_a_field_moves_within_and_across_sections():
    doc = layout_from_form(ORIGINAL, _form_of(ORIGINAL))
    move(doc, "move:field:notes:up")
    assert [s["fields"] for s in doc["sections"]] == [
        ["number", {"field": "status", "read_only": True}, "notes"], []]
    move(doc, "move:field:number:down")
    assert doc["sections"][0]["fields"][:2] == [{"field": "status", "read_only": True},
                                                "number"]
    move(doc, "move:field:status:up")  # the top of the first section: stays
    assert doc["sections"][0]["fields"][0] == {"field": "status", "read_only": True}
    move(doc, "move:section:more:up")
    assert [s["api_name"] for s in doc["sections"]] == ["more", "main"]


def test_a_list_layouts_columns():
    obj = {"api_name": "Order", "name_field": "number", "label": {"zh": "订单", "en": "Order"},
           "fields": [{"api_name": "number"}]}
    start = new_layout("order_l", obj, "list", "web")
    assert start["columns"] == ["number"]
    doc = layout_from_form(start, _form_of(start, add_field="status"))
    assert doc["columns"] == ["number", "status"]
    assert move(doc, "move:field:status:up")["columns"] == ["status", "number"]


def test_home_widgets_from_the_form():
    form = MultiForm({
        "widget": ["0", "1", "2"], "kind.0": "text", "text_zh.0": "通知", "text_en.0": "",
        "kind.1": "metric", "object.1": "Order", "scene.1": "all", "function.1": "SUM",
        "field.1": "total_amount", "kind.2": "app_tiles", "remove.2": "true",
        "new_widget_kind": "quick_create", "op": "move:1:up"})
    assert widgets_from_form(form) == [
        {"kind": "metric", "object": "Order", "scene": "all", "function": "SUM",
         "field": "total_amount"},
        {"kind": "text", "text": {"zh": "通知", "en": "通知"}},
        {"kind": "quick_create", "objects": []}]


def test_the_modules_example_runs():
    import doctest

    from hulian.runtime.setup import layout_form
    assert doctest.testmod(layout_form).failed == 0
