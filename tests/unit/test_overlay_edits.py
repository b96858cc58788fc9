"""OverlayDraft's edits of business types and views (layouts, scenes, home views): where
each writes in the overlay's documents, and the Place it answers for problems."""

from __future__ import annotations

from hulian.metadata.overlay_edits import OverlayDraft, Place

PACK_ORDER = {"api_name": "Order", "business_types": [{"api_name": "standard"}]}


def _draft(documents=None):
    return OverlayDraft(documents or {"pack.json": {"name": "t"}},
                        {"objects/Order.json": PACK_ORDER})


def test_a_business_type_of_a_packs_object_goes_to_its_extension():
    draft = _draft()
    place = draft.put_business_type("Order", {"api_name": "wholesale", "label": {}})
    assert place == Place("overlay/extensions/Order.json", "/business_types/0")
    assert draft.documents["extensions/Order.json"] == {
        "object": "Order", "business_types": [{"api_name": "wholesale", "label": {}}]}
    again = draft.put_business_type("Order", {"api_name": "wholesale", "label": {"en": "W"}})
    assert again == place
    assert draft.documents["extensions/Order.json"]["business_types"] == [
        {"api_name": "wholesale", "label": {"en": "W"}}]
    assert draft.change() == ({"extensions/Order.json": draft.documents[
        "extensions/Order.json"]}, [])


def test_a_business_type_of_an_own_object_goes_to_its_definition():
    draft = _draft({"objects/Visit__c.json": {"api_name": "Visit__c", "fields": []}})
    place = draft.put_business_type("Visit__c", {"api_name": "onsite", "label": {}})
    assert place == Place("overlay/objects/Visit__c.json", "/business_types/0")
    assert draft.own_business_type("Visit__c", "onsite") == ("objects/Visit__c.json", 0)
    assert draft.own_business_type("Order", "standard") is None


def test_overriding_a_packs_type_and_taking_the_override_back():
    draft = _draft()
    place = draft.override_business_type("Order", "standard", {"active": False,
                                                               "roles": ["rep"]})
    assert place == Place("overlay/extensions/Order.json",
                          "/business_type_overrides/standard")
    assert draft.documents["extensions/Order.json"]["business_type_overrides"] == {
        "standard": {"active": False, "roles": ["rep"]}}
    draft.override_business_type("Order", "standard", {"active": None, "roles": None})
    assert "business_type_overrides" not in draft.documents["extensions/Order.json"]


def test_a_view_is_written_whole_under_its_folder():
    draft = _draft()
    place = draft.put_view("layouts", {"api_name": "order_mobile", "object": "Order"})
    assert place == Place("overlay/layouts/order_mobile.json", "")
    assert draft.owns_document("layouts/order_mobile.json")
    assert draft.change()[0] == {"layouts/order_mobile.json": {"api_name": "order_mobile",
                                                               "object": "Order"}}
