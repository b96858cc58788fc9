import datetime as dt
from decimal import Decimal

from hulian.engine.errors import FieldError
from hulian.layouts.forms import business_type_choices, changed_only, form_view, read_form
from hulian.layouts.values import time_zone

STATUS = {"api_name": "status", "label": {"zh": "状态", "en": "Status"}, "type": "picklist",
          "widget": "select", "read_only": False, "required": True,
          "options": [{"api_name": "draft", "label": {"zh": "草稿", "en": "Draft"}},
                      {"api_name": "sent", "label": {"zh": "已发", "en": "Sent"}}]}
CARRIER = {"api_name": "carrier", "label": {"zh": "承运商", "en": "Carrier"}, "type": "picklist",
           "widget": "select", "read_only": False, "required": False,
           "options": [{"api_name": "sf", "label": {"zh": "顺丰", "en": "SF"}}]}
LAYOUT = {
    "sections": [{"api_name": "main", "label": {"zh": "主", "en": "Main"}, "columns": 2,
                  "fields": [
        {"api_name": "number", "label": {"zh": "编号", "en": "No."}, "type": "auto_number",
         "widget": "read-only", "read_only": True, "required": False},
        STATUS, CARRIER,
        {"api_name": "amount", "label": {"zh": "金额", "en": "Amount"}, "type": "currency",
         "widget": "money", "read_only": False, "required": False, "scale": 2},
        {"api_name": "rate", "label": {"zh": "比率", "en": "Rate"}, "type": "percent",
         "widget": "percent", "read_only": False, "required": False, "scale": 0},
        {"api_name": "total", "label": {"zh": "合计", "en": "Total"}, "type": "currency",
         "widget": "money", "read_only": True, "required": True, "scale": 2},
        {"api_name": "urgent", "label": {"zh": "加急", "en": "Urgent"}, "type": "boolean",
         "widget": "checkbox", "read_only": False, "required": False},
        {"api_name": "tags", "label": {"zh": "标签", "en": "Tags"}, "type": "multi_picklist",
         "widget": "multi-select", "read_only": False, "required": False,
         "options": [{"api_name": "a", "label": {"zh": "甲", "en": "A"}},
                     {"api_name": "b", "label": {"zh": "乙", "en": "B"}}]},
        {"api_name": "due", "label": {"zh": "到期", "en": "Due"}, "type": "datetime",
         "widget": "datetime-local", "read_only": False, "required": False},
        {"api_name": "account", "label": {"zh": "客户", "en": "Account"}, "type": "lookup",
         "widget": "lookup", "read_only": False, "required": False, "target": "Account"},
    ]}],
    "dependencies": [{"controlling": "status", "dependent": "carrier",
                      "values": {"sent": ["sf"]}}],
}


def fields(view):
    return {f["name"]: f for s in view["sections"] for f in s["fields"]}


def test_each_field_gets_its_widget_control_in_the_users_language():
    f = fields(form_view(LAYOUT, "en", record={"amount": Decimal("12.5"), "rate": Decimal("7"),
                                               "total": Decimal("1234"), "tags": ["b"]}))
    assert [f[n]["input"] for n in f] == ["read-only", "select", "select", "number", "number",
                                          "read-only", "checkbox", "checkboxes",
                                          "datetime-local", "lookup"]
    assert f["status"]["label"] == "Status" and f["status"]["required"]
    assert f["amount"]["value"] == "12.50" and f["amount"]["step"] == "0.01"
    assert f["rate"]["step"] == "1" and f["rate"]["suffix"] == "%"
    assert f["total"]["display"] == "1,234.00" and not f["total"]["required"]
    assert [(o["value"], o["selected"]) for o in f["tags"]["options"]] == [("a", False),
                                                                           ("b", True)]
    assert f["account"]["target"] == "Account"
    assert fields(form_view(LAYOUT, "zh"))["status"]["options"][0]["label"] == "草稿"


def test_a_dependent_picklist_carries_what_each_controlling_value_allows():
    carrier = fields(form_view(LAYOUT, "en"))["carrier"]
    assert carrier["controlling"] == "status" and carrier["allowed"] == '{"sent": ["sf"]}'


def test_errors_go_beside_their_field_and_rule_messages_follow_the_language():
    errors = [FieldError("amount", "rule", "too much", messages={"zh": "太多了", "en": "Too much"}),
              FieldError(None, "x", "the record is wrong"),
              FieldError("hidden_thing", "y", "bad")]
    view = form_view(LAYOUT, "zh", errors=errors, submitted={"amount": "999"})
    amount = fields(view)["amount"]
    assert amount["error"] == "太多了" and amount["value"] == "999"
    assert amount["error_id"] == "error-amount"
    assert view["general"] == ["the record is wrong", "hidden_thing: bad"]
    assert [s["id"] for s in view["summary"]] == ["field-amount", None, None]


def test_read_form_takes_only_what_the_user_may_change():
    form = {"number": ["SO-1"], "status": ["sent"], "amount": [" 12.30 "], "total": ["9"],
            "tags": ["", "a", "b"], "due": ["2024-03-01T09:30"], "account": [""],
            "urgent": [""]}
    assert read_form(LAYOUT, form) == {
        "status": "sent", "amount": "12.30", "urgent": False,
        "tags": ["a", "b"], "due": "2024-03-01T09:30:00+00:00", "account": None}
    assert read_form(LAYOUT, {"urgent": ["", "true"], "tags": [""]}) == {
        "urgent": True, "tags": None}


def test_date_and_time_inputs_are_in_the_users_zone():
    shanghai = time_zone("Asia/Shanghai")
    moment = dt.datetime(2024, 3, 1, 1, 30, tzinfo=dt.UTC)
    view = fields(form_view(LAYOUT, "en", record={"due": moment}, zone=shanghai))
    assert view["due"]["value"] == "2024-03-01T09:30"
    sent = read_form(LAYOUT, {"due": ["2024-03-01T09:30"]}, shanghai)
    assert dt.datetime.fromisoformat(sent["due"]) == moment
    assert changed_only(sent, {"due": moment}, LAYOUT) == {}
    later = read_form(LAYOUT, {"due": ["2024-03-01T10:30"]}, shanghai)
    assert changed_only(later, {"due": moment}, LAYOUT) == later
    assert read_form(LAYOUT, {"due": ["soon"]}, shanghai) == {"due": "soon"}


def test_an_edit_writes_only_the_changed_fields():
    record = {"status": "legacy", "amount": Decimal("12.3"), "urgent": False, "tags": ["a"],
              "due": dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)}
    data = read_form(LAYOUT, {"status": ["legacy"], "amount": ["12.30"], "tags": ["a"],
                              "due": ["2024-03-01T09:30"], "rate": ["5"]})
    assert changed_only(data, record, LAYOUT) == {"rate": "5"}
    view = fields(form_view(LAYOUT, "en", record=record))
    assert view["status"]["options"][-1] == {"value": "legacy", "label": "legacy",
                                             "selected": True}


def test_business_type_choices_mark_the_default():
    describe = {"business_types": [{"api_name": "standard", "label": {"en": "Std"},
                                    "default": True},
                                   {"api_name": "sample", "label": {"en": "Sample"}}]}
    assert [(c["value"], c["selected"]) for c in business_type_choices(describe, "en")] == \
        [("standard", True), ("sample", False)]
    assert business_type_choices(describe, "en", "sample")[1]["selected"]


def test_the_owner_is_a_choice_of_users_and_other_selects_keep_their_options():
    owner = {"api_name": "owner_id", "label": {"zh": "负责人", "en": "Owner"},
             "type": "reference", "widget": "lookup", "target": "User", "read_only": False}
    layout = {"sections": [{**LAYOUT["sections"][0],
                            "fields": [*LAYOUT["sections"][0]["fields"], owner]}]}
    users = [{"id": "u1", "name": "Li Wei"}, {"id": "u2", "name": "Wang"}]
    view = form_view(layout, "en", record={"owner_id": "u9", "status": "draft"},
                     names={"u9": "Gone Away"}, users=users)
    fields = {f["name"]: f for f in view["sections"][0]["fields"]}
    assert fields["owner_id"]["input"] == "select"
    assert [(o["label"], o["selected"]) for o in fields["owner_id"]["options"]] == [
        ("Li Wei", False), ("Wang", False), ("Gone Away", True)]
    assert [o["label"] for o in fields["status"]["options"]] == ["Draft", "Sent"]
    assert fields["account"]["input"] == "lookup"
