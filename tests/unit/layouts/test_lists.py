import datetime as dt
from decimal import Decimal

from hulian.layouts.lists import (
    card_rows,
    filter_inputs,
    list_columns,
    list_rows,
    lookup_ids,
    read_filters,
    read_sort,
)
from hulian.layouts.values import display

DESCRIBE = {"name_field": "number", "fields": [
    {"api_name": "number", "label": {"zh": "编号", "en": "No."}, "type": "auto_number",
     "widget": "read-only"},
    {"api_name": "status", "label": {"zh": "状态", "en": "Status"}, "type": "picklist",
     "widget": "select", "options": [
         {"api_name": "draft", "label": {"zh": "草稿", "en": "Draft"}}]},
    {"api_name": "total", "label": {"zh": "合计", "en": "Total"}, "type": "currency",
     "widget": "money", "scale": 2},
    {"api_name": "account", "label": {"zh": "客户", "en": "Account"}, "type": "lookup",
     "widget": "lookup", "target": "Account"},
    {"api_name": "paid", "label": {"zh": "已付", "en": "Paid"}, "type": "boolean",
     "widget": "checkbox"},
]}
LAYOUT = {"columns": [{"api_name": "number"}, {"api_name": "status"}, {"api_name": "account"}],
          "card": {"title": {"api_name": "number"}, "fields": [{"api_name": "total"}]}}
RECORDS = [{"id": "r1", "number": "SO-1", "status": "draft", "total": Decimal("1000"),
            "account": "a1", "paid": True},
           {"id": "r2", "number": None, "status": "gone", "total": None, "account": None}]


def test_columns_come_from_the_scene_else_the_layout():
    assert [c["api_name"] for c in list_columns(LAYOUT, None, DESCRIBE)] == \
        ["number", "status", "account"]
    scene = {"columns": ["total", "status", "created_at"]}
    cols = list_columns(LAYOUT, scene, DESCRIBE)
    assert [c["api_name"] for c in cols] == ["total", "status", "created_at"]
    assert cols[0]["is_name"] and cols[2]["type"] == "datetime"
    assert cols[2]["label"]["zh"] == "创建时间"


def test_rows_show_labels_names_and_scaled_numbers():
    cols = list_columns(LAYOUT, {"columns": ["number", "status", "total", "account", "paid"]},
                        DESCRIBE)
    assert lookup_ids(cols, RECORDS) == {"Account": {"a1"}}
    rows = list_rows(cols, RECORDS, "zh", {"a1": "Acme"})
    assert [c["text"] for c in rows[0]["cells"]] == ["SO-1", "草稿", "1,000.00", "Acme", "是"]
    assert rows[1]["title"] == "r2" and rows[1]["cells"][1]["text"] == "gone"
    cards = card_rows(LAYOUT, DESCRIBE, RECORDS, "en")
    assert cards[0]["title"] == "SO-1" and cards[0]["cells"][0]["label"] == "Total"


def test_filters_become_a_where_by_type():
    cols = list_columns(LAYOUT, {"columns": ["number", "status", "total", "account", "paid"]},
                        DESCRIBE)
    params = {"f_number": "SO", "f_status": "draft", "f_total": "10", "f_total__to": "20",
              "f_paid": "false", "f_account": "a1", "q": "x"}
    assert read_filters(cols, params, "number") == {"and": [
        {"number": {"contains": "SO"}}, {"status": {"eq": "draft"}},
        {"total": {"ge": "10", "le": "20"}}, {"account": {"eq": "a1"}},
        {"paid": {"eq": False}}, {"number": {"contains": "x"}}]}
    assert read_filters(cols, {}, "number") is None
    assert read_filters(cols, {"f_status": "draft"}) == {"status": {"eq": "draft"}}
    inputs = {i["field"]: i for i in filter_inputs(cols, params, "en")}
    assert inputs["total"]["kind"] == "range" and inputs["total"]["to"] == "20"
    assert inputs["status"]["options"] == [{"value": "draft", "label": "Draft",
                                            "selected": True}]


def test_sort_only_by_a_column():
    cols = list_columns(LAYOUT, None, DESCRIBE)
    assert read_sort("-status", cols) == "-status"
    assert read_sort("password", cols) is None and read_sort(None, cols) is None


def test_display_of_dates_percent_and_blank():
    moment = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert display(moment, {"type": "datetime"}, "en") == "2024-03-01 01:30 UTC"
    assert display(Decimal("12.5"), {"type": "percent", "scale": 1}, "en") == "12.5%"
    assert display(None, {"type": "text"}, "en") == ""
    assert display(["a", "b"], {"type": "multi_picklist", "options": [
        {"api_name": "a", "label": {"en": "A"}}]}, "en") == "A, b"
