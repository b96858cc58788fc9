"""The config UI's business types (issue 17): a type of the tenant's own with roles and an
option subset, a pack's type overridden, and a bad subset refused beside its input; what
got deployed is checked through the records API. On both databases."""

from __future__ import annotations

import pytest

from hulian.engine.errors import RecordValidationError
from tests.integration.test_setup_ui import _deploy, _post, admin  # noqa: F401

PATH = "/setup/objects/Order/business-types"


def _overlay(ui_site):
    return ui_site.engine.metadata(ui_site.tenant).overlay()


def _codes(error):
    return [(e.field, e.code) for e in error.value.errors]


def test_a_type_of_the_tenants_own_with_roles_and_an_option_subset(ui_site,
                                                                   admin):  # noqa: F811
    listed = admin.get(PATH)
    assert listed.status_code == 200
    assert f'href="{PATH}/sample"' in listed.text
    assert f'href="{PATH}"' in admin.get("/setup/objects/Order").text
    plan = _post(admin, f"{PATH}/new", {
        "api_name": "wholesale", "label_zh": "批发订单", "label_en": "Wholesale order",
        "active": "true", "roles": ["sales_rep"],
        "options.status": ["draft", "confirmed"], "option_default.status": "draft"})
    assert plan.status_code == 200, plan.text
    assert _overlay(ui_site).version == 1
    assert _deploy(admin, plan).status_code == 303
    stored = _overlay(ui_site).documents["extensions/Order.json"]["business_types"]
    assert stored == [{"api_name": "wholesale",
                       "label": {"zh": "批发订单", "en": "Wholesale order"},
                       "roles": ["sales_rep"],
                       "options": {"status": {"values": ["draft", "confirmed"],
                                              "default": "draft"}}}]
    with ui_site.engine.session(ui_site.tenant, user="rep") as session:
        account = session.create("Account", {"name": "Acme"})
        order = session.create("Order", {"account": account["id"],
                                         "business_type": "wholesale"})
        assert order["status"] == "draft"
        with pytest.raises(RecordValidationError) as error:
            session.create("Order", {"account": account["id"],
                                     "business_type": "wholesale", "status": "shipped"})
        assert _codes(error) == [("status", "picklist_option_not_in_business_type")]
    page = admin.get(f"{PATH}/wholesale")
    assert 'value="confirmed" checked' in page.text


def test_a_packs_type_is_overridden(ui_site, admin):  # noqa: F811
    page = admin.get(f"{PATH}/sample")
    assert page.status_code == 200 and 'name="api_name"' not in page.text
    done = _deploy(admin, _post(admin, f"{PATH}/sample", {
        "label_zh": "样品订单", "label_en": "Sample order",
        "roles": ["sales_rep", "sales_director", "dealer_boss"],
        "options.status": ["draft", "shipped", "cancelled"], "option_default.status": "draft",
        "options.delivery": ["express"], "option_default.delivery": "express"}))
    assert done.status_code == 303
    assert _overlay(ui_site).documents["extensions/Order.json"][
        "business_type_overrides"] == {"sample": {"active": False}}
    with ui_site.engine.session(ui_site.tenant, user="rep") as session, \
            pytest.raises(RecordValidationError) as error:
        account = session.create("Account", {"name": "Acme"})
        session.create("Order", {"account": account["id"], "business_type": "sample"})
    assert _codes(error) == [("business_type", "inactive_business_type")]


def test_a_default_outside_the_subset_is_shown_beside_it_and_nothing_applies(
        ui_site, admin):  # noqa: F811
    page = _post(admin, f"{PATH}/new", {
        "api_name": "wholesale", "label_en": "Wholesale", "active": "true",
        "options.status": ["draft"], "option_default.status": "shipped"})
    assert page.status_code == 422
    assert 'id="error-options"' in page.text
    assert _overlay(ui_site).version == 1
    bad = _post(admin, f"{PATH}/new", {"api_name": "Whole Sale", "label_en": "W"})
    assert bad.status_code == 422 and 'id="error-api_name"' in bad.text
