"""hulian.metadata.derived_checks: roll-up and quote fields."""

from __future__ import annotations

from typing import Any

import pytest

from hulian.metadata import Layers
from hulian.metadata.model import RollUp

from .layered import account, label, overlay, pack
from .layered import problems as merge_problems
from .related import LINE, field, load, lookup, master, messages, obj, problems

ORDER_FILE = "objects/Order.json"
CONTACT_FILE = "objects/Contact.json"


def roll_up(kind: str, function: str, name: str = "total", child: str = "OrderLine",
            relationship: str = "sales_order", **spec: Any) -> dict[str, Any]:
    return field(name, kind, roll_up={"object": child, "relationship": relationship,
                                      "function": function, **spec})


def order(*fields: dict[str, Any]) -> dict[str, Any]:
    return obj("Order", field("amount", "currency"), *fields)


OPTIONS = [{"api_name": "retail", "label": {"zh": "零售", "en": "Retail"}}]
ACCOUNT = obj("Account", field("industry", "picklist", options=OPTIONS),
    lookup("parent", "Account"), field("number", "auto_number", format="AC-{0000}"),
    field("revenue", "currency"), field("score", "number", formula="revenue / 1000"),
    field("open_orders", "number", roll_up={"object": "Contact", "relationship": "account",
                                            "function": "COUNT"}))


def contact(*fields: dict[str, Any]) -> dict[str, Any]:
    return obj("Contact", lookup("account", "Account"), *fields)


def test_a_pack_with_roll_ups_and_quotes_loads_into_the_model() -> None:
    line = obj("OrderLine", master("sales_order", "Order", relationship_name="lines"),
               field("amount", "currency"), field("ship_date", "date"),
               field("status", "text"),
               field("order_date", "date", quote="sales_order.order_date"))
    pack = load(order(
        field("order_date", "date"),
        roll_up("number", "COUNT", "line_count", filter="status = 'open'"),
        roll_up("currency", "SUM", "total", field="amount"),
        roll_up("date", "MAX", "last_ship", field="ship_date"),
        roll_up("currency", "AVG", "average", field="amount")), line)
    fields = pack.object("Order")
    assert fields.field("line_count").roll_up == RollUp("OrderLine", "sales_order", "COUNT",
                                                        None, "status = 'open'")
    assert fields.field("total").roll_up == RollUp("OrderLine", "sales_order", "SUM", "amount")
    assert fields.field("last_ship").read_only and not fields.field("last_ship").computed
    quote = pack.object("OrderLine").field("order_date")
    assert (quote.quote, quote.computed, quote.read_only) == ("sales_order.order_date", True,
                                                              True)
    assert pack.object("OrderLine").field("sales_order").relationship_name == "lines"


# which keys go together

@pytest.mark.parametrize("key", ["required", "unique", "default", "default_formula", "backfill",
                                 "minimum", "maximum"])
def test_a_roll_up_takes_no_input_rules(key: str) -> None:
    value = {"required": True, "unique": True, "default": 1, "default_formula": "1",
             "backfill": 1, "minimum": 0, "maximum": 9}[key]
    assert problems(order(roll_up("number", "COUNT") | {key: value}), LINE) == [
        ("field.key_not_applicable", ORDER_FILE, f"/fields/2/{key}")]


@pytest.mark.parametrize("key", ["required", "unique", "default", "default_formula", "backfill",
                                 "pattern"])
def test_a_quote_takes_no_input_rules(key: str) -> None:
    value = {"required": True, "unique": True, "default": "x", "default_formula": "'x'",
             "backfill": "x", "pattern": "x"}[key]
    industry = field("industry", "text", quote="account.name", **{key: value})
    assert problems(ACCOUNT, contact(industry)) == [
        ("field.key_not_applicable", CONTACT_FILE, f"/fields/2/{key}")]


@pytest.mark.parametrize(("keys", "reported"), [
    ({"formula": "1", "roll_up": {}}, ["roll_up"]),
    ({"formula": "1", "quote": "account.name"}, ["quote"]),
    ({"roll_up": {}, "quote": "account.name"}, ["quote"]),
    ({"formula": "1", "roll_up": {}, "quote": "account.name"}, ["quote", "roll_up"]),
])
def test_a_field_is_one_kind_of_derived_field(keys: dict[str, Any], reported: list[str]) -> None:
    spec = {"object": "Account", "relationship": "parent", "function": "COUNT"}
    raw = field("x", "number", **{k: spec if k == "roll_up" else v for k, v in keys.items()})
    assert [p for p in problems(ACCOUNT, contact(raw)) if p[0] == "field.key_not_applicable"] \
        == [("field.key_not_applicable", CONTACT_FILE, f"/fields/2/{key}") for key in reported]


@pytest.mark.parametrize("kind", ["text", "boolean", "picklist", "lookup", "time"])
def test_a_roll_up_has_a_numeric_or_date_type(kind: str) -> None:
    extra: dict[str, Any] = {"options": [{"api_name": "a", "label": label("A")}]} \
        if kind == "picklist" else {"target": "Order"} if kind == "lookup" else {}
    raw = roll_up(kind, "COUNT") | extra
    assert problems(order(raw), LINE) == [("roll_up.field_type", ORDER_FILE, "/fields/2/type")]


@pytest.mark.parametrize(("kind", "extra"), [("lookup", {"target": "Account"}),
                                             ("master_detail", {"target": "Account"}),
                                             ("auto_number", {"format": "{0}"})])
def test_a_quote_cannot_be_a_reference_or_an_auto_number(kind: str,
                                                         extra: dict[str, Any]) -> None:
    raw = field("x", kind, quote="account.parent", **extra)
    assert problems(ACCOUNT, contact(raw)) == [
        ("field.key_not_applicable", CONTACT_FILE, "/fields/2/quote")]


# roll-ups

def test_roll_up_object_must_be_another_object_of_the_pack() -> None:
    objects = [order(roll_up("number", "COUNT", "a", child="OrderLines"),
                     roll_up("number", "COUNT", "b", child="Order")), LINE]
    assert problems(*objects) == [
        ("roll_up.unknown_object", ORDER_FILE, "/fields/2/roll_up/object"),
        ("roll_up.unknown_object", ORDER_FILE, "/fields/3/roll_up/object")]
    assert [hint for _, hint in messages(*objects)] == [
        "did you mean 'OrderLine'?", "the objects that point at Order: OrderLine"]


def test_roll_up_relationship_must_point_at_this_object() -> None:
    line = obj("OrderLine", master("sales_order", "Order"), lookup("origin", "Order"),
               lookup("account", "Account"), field("amount", "currency"))
    objects = [order(roll_up("number", "COUNT", "a", relationship="sales_ordr"),
                     roll_up("number", "COUNT", "b", relationship="amount"),
                     roll_up("number", "COUNT", "c", relationship="account"),
                     roll_up("number", "COUNT", "d", relationship="origin")),
               line, obj("Account")]
    assert problems(*objects) == [
        ("roll_up.unknown_relationship", ORDER_FILE, f"/fields/{i}/roll_up/relationship")
        for i in (2, 3, 4)]
    assert messages(*objects) == [
        ("'sales_ordr' is not a field of OrderLine", "did you mean 'sales_order'?"),
        ("OrderLine.amount is a currency field, not a lookup or master-detail",
         "the fields of OrderLine that point at Order: origin, sales_order"),
        ("OrderLine.account points at Account, not at Order",
         "the fields of OrderLine that point at Order: origin, sales_order"),
    ]


def test_a_child_without_a_relationship_says_so() -> None:
    objects = [order(roll_up("number", "COUNT", relationship="owner")), obj("OrderLine")]
    assert messages(*objects) == [("'owner' is not a field of OrderLine",
                                   "OrderLine has no lookup or master-detail field to Order;"
                                   " add one")]


def test_roll_up_field_is_required_unless_counting() -> None:
    objects = [order(roll_up("currency", "SUM", "a"),
                     roll_up("number", "COUNT", "b", field="amount")), LINE]
    assert problems(*objects) == [("roll_up.field", ORDER_FILE, "/fields/2/roll_up"),
                                  ("roll_up.field", ORDER_FILE, "/fields/3/roll_up/field")]


def test_roll_up_field_must_be_a_field_of_the_child() -> None:
    objects = [order(roll_up("currency", "SUM", field="amout")), LINE]
    assert problems(*objects) == [("roll_up.unknown_field", ORDER_FILE, "/fields/2/roll_up/field")]
    assert messages(*objects)[0][1] == "did you mean 'amount'?"


@pytest.mark.parametrize(("kind", "function", "child_field"), [
    ("number", "COUNT", None),
    ("currency", "SUM", "amount"),
    ("number", "SUM", "amount"),
    ("number", "SUM", "quantity"),
    ("currency", "SUM", "net"),  # a formula field of a numeric type
    ("percent", "AVG", "discount"),
    ("currency", "AVG", "quantity"),
    ("date", "MIN", "ship_date"),
    ("datetime", "MAX", "shipped_at"),
    ("number", "MAX", "quantity"),
])
def test_roll_up_types_that_fit(kind: str, function: str, child_field: str | None) -> None:
    spec = {"field": child_field} if child_field else {}
    assert problems(order(roll_up(kind, function, **spec)), LINE) == []


@pytest.mark.parametrize(("kind", "function", "child_field", "at", "hint"), [
    ("number", "SUM", "ship_date", "/fields/2/roll_up/field",
     "SUM summarises number, currency, percent fields; COUNT counts records"),
    ("date", "AVG", "note", "/fields/2/roll_up/field",
     "AVG summarises number, currency, percent fields; COUNT counts records"),
    ("number", "MIN", "note", "/fields/2/roll_up/field",
     "MIN summarises number, currency, percent, date, datetime fields; COUNT counts records"),
    ("currency", "COUNT", None, "/fields/2/type", "declare type 'number'"),
    ("datetime", "MAX", "ship_date", "/fields/2/type", "declare type 'date'"),
    ("date", "SUM", "amount", "/fields/2/type",
     "declare type 'currency' (or 'number', 'percent')"),
    ("date", "AVG", "quantity", "/fields/2/type",
     "declare type 'number' (or 'currency', 'percent')"),
])
def test_roll_up_types_that_do_not_fit(kind: str, function: str, child_field: str | None,
                                       at: str, hint: str) -> None:
    spec = {"field": child_field} if child_field else {}
    objects = [order(roll_up(kind, function, **spec)), LINE]
    assert problems(*objects) == [("roll_up.type_mismatch", ORDER_FILE, at)]
    assert messages(*objects)[0][1] == hint


def test_a_roll_up_may_summarise_a_roll_up_or_a_quote() -> None:
    line = obj("OrderLine", master("sales_order", "Order"), field("amount", "currency"),
               field("order_date", "date", quote="sales_order.order_date"))
    slot = obj("Slot", master("line", "OrderLine"), field("hours", "number"))
    line["fields"].append(roll_up("number", "SUM", "hours", child="Slot", relationship="line",
                                  field="hours"))
    objects = [order(field("order_date", "date"),
                     roll_up("number", "SUM", "hours", field="hours"),
                     roll_up("date", "MIN", "first", field="order_date")), line, slot]
    assert problems(*objects) == []


# quotes

def test_a_quote_path_follows_lookups_and_master_details() -> None:
    objects = [ACCOUNT, contact(field("parent_revenue", "currency",
                                      quote="account.parent.revenue")),
               obj("Note", master("contact", "Contact"),
                   field("account_name", "text", quote="contact.account.name"))]
    assert problems(*objects) == []


def test_a_quote_path_must_name_lookups() -> None:
    objects = [ACCOUNT, contact(field("a", "text", quote="acount.name"),
                                field("b", "currency", quote="account.revenue.name"),
                                field("c", "text", quote="name.name"))]
    assert problems(*objects) == [("quote.unknown_path", CONTACT_FILE, f"/fields/{i}/quote")
                                  for i in (2, 3, 4)]
    assert messages(*objects) == [
        ("'acount' is not a field of Contact: a quote follows lookup or master-detail fields",
         "did you mean 'account'?"),
        ("Account.revenue is a currency field, not a lookup or master-detail: a quote follows"
         " lookup or master-detail fields", "the lookup and master-detail fields of Account:"
         " parent"),
        ("Contact.name is a text field, not a lookup or master-detail: a quote follows lookup"
         " or master-detail fields", "the lookup and master-detail fields of Contact: account"),
    ]


def test_a_quote_must_end_at_a_field() -> None:
    objects = [ACCOUNT, contact(field("a", "currency", quote="account.revenu"))]
    assert problems(*objects) == [("quote.unknown_field", CONTACT_FILE, "/fields/2/quote")]
    assert messages(*objects)[0] == ("'revenu' is not a field of Account",
                                     "did you mean 'revenue'?")


@pytest.mark.parametrize("quote", ["account", "account.parent.parent.name", "Account.name",
                                   "account..name", "account.name."])
def test_a_quote_path_has_two_or_three_segments(quote: str) -> None:
    assert problems(ACCOUNT, contact(field("a", "text", quote=quote))) == [
        ("schema.pattern", CONTACT_FILE, "/fields/2/quote")]


@pytest.mark.parametrize(("kind", "quote", "extra"), [
    ("currency", "account.revenue", {}),
    ("number", "account.score", {}),  # a formula field
    ("number", "account.open_orders", {}),  # a roll-up
    ("text", "account.number", {}),  # an auto-number shows as text
    ("picklist", "account.industry", {"options": OPTIONS}),
])
def test_quote_types_that_fit(kind: str, quote: str, extra: dict[str, Any]) -> None:
    assert problems(ACCOUNT, contact(field("a", kind, quote=quote, **extra))) == []


def test_quote_types_that_do_not_fit() -> None:
    objects = [ACCOUNT, contact(field("a", "number", quote="account.revenue"),
                                field("b", "textarea", quote="account.name"),
                                field("c", "number", quote="account.number"),
                                field("d", "text", quote="account.parent"))]
    assert problems(*objects) == [("quote.type_mismatch", CONTACT_FILE, "/fields/2/type"),
                                  ("quote.type_mismatch", CONTACT_FILE, "/fields/3/type"),
                                  ("quote.type_mismatch", CONTACT_FILE, "/fields/4/type"),
                                  ("quote.type_mismatch", CONTACT_FILE, "/fields/5/quote")]
    assert [hint for _, hint in messages(*objects)] == [
        "declare type 'currency'", "declare type 'text'",
        "declare type 'text' (an auto-number shows as text)",
        "follow it to a field of Account, e.g. 'account.parent.name'"]


def test_a_quote_may_show_a_quote() -> None:
    objects = [ACCOUNT, contact(field("revenue", "currency", quote="account.revenue")),
               obj("Note", lookup("contact", "Contact"),
                   field("revenue", "currency", quote="contact.revenue"))]
    assert problems(*objects) == []


def test_quotes_in_a_circle() -> None:
    account_ = obj("Account", lookup("main_contact", "Contact"),
                   field("phone", "phone", quote="main_contact.phone"),
                   field("via_self", "text", quote="parent.via_self"), lookup("parent", "Account"))
    objects = [account_, contact(field("phone", "phone", quote="account.phone"),
                                 field("shows_cycle", "phone", quote="account.phone"))]
    assert problems(*objects) == [("quote.cycle", "objects/Account.json", "/fields/2/quote"),
                                  ("quote.cycle", "objects/Account.json", "/fields/3/quote"),
                                  ("quote.cycle", CONTACT_FILE, "/fields/2/quote")]
    assert messages(*objects)[0][0] == (
        "the quotes Account.phone -> Contact.phone -> Account.phone show each other in a circle")


# tenant packs

def _visit(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"api_name": "Visit__c", "label": label("Visit"), "name_field": "name__c",
            "fields": [{"api_name": "name__c", "type": "text", "label": label("Name")},
                       lookup("account__c", "Account"), *fields]}


def test_an_overlay_leaves_installed_objects_to_the_merge() -> None:
    visit = _visit(field("industry__c", "text", quote="account__c.industy"),
                   field("n__c", "number", roll_up={"object": "Task", "relationship": "visit",
                                                    "function": "COUNT"}))
    tenant = overlay(visit)  # loads on its own
    assert merge_problems(Layers((pack(account()),), tenant)) == [
        ("quote.unknown_field", "overlay/objects/Visit__c.json", "/fields/2/quote"),
        ("roll_up.unknown_object", "overlay/objects/Visit__c.json",
         "/fields/3/roll_up/object")]


def test_an_extension_may_roll_up_overlay_objects() -> None:
    ext = {"fields": [field("visits__c", "number", roll_up={
        "object": "Visit__c", "relationship": "account__c", "function": "COUNT"})]}
    effective = merge_problems(Layers((pack(account()),), overlay(_visit(), Account=ext)))
    assert effective == []


def test_an_overlay_alone_checks_its_own_objects() -> None:
    visit = _visit(field("n__c", "number", roll_up={"object": "Visit__c",
                                                    "relationship": "account__c",
                                                    "function": "COUNT"}))
    assert problems(visit, kind="tenant") == [
        ("roll_up.unknown_object", "objects/Visit__c.json", "/fields/2/roll_up/object")]
