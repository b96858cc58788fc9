"""Business types (业务类型) and field dependencies (字段依赖) on every write path."""

from __future__ import annotations

import pytest

from hulian.engine import RecordValidationError
from tests.packs import documents, field, label, obj, options, pack_of

DEAL = obj(
    "Deal",
    field("name", "text"),
    field("status", "picklist", options=options("draft", "open", "won", "lost", "sample")),
    field("channels", "multi_picklist", options=options("web", "shop", "phone")),
    field("region", "picklist", options=options("east", "north")),
    field("city", "picklist", options=options("shanghai", "hangzhou", "beijing")),
    field("priority", "boolean"),
    field("level", "picklist", options=options("low", "high")),
    field("note", "text"),
    business_types=[
        {"api_name": "standard", "label": label("Standard"), "default": True,
         "roles": ["seller"],
         "options": {"status": {"values": ["draft", "open", "won", "lost"],
                                "default": "draft"}}},
        {"api_name": "sample", "label": label("Sample"),
         "defaults": {"note": "free sample"}, "roles": ["sampler"],
         "options": {"status": {"values": ["sample", "won"], "default": "sample"},
                     "channels": {"values": ["shop"]}}},
        {"api_name": "legacy", "label": label("Legacy"), "active": False},
    ],
    field_dependencies=[
        {"controlling": "region", "dependent": "city",
         "values": {"east": ["shanghai", "hangzhou"], "north": ["beijing"]}},
        {"controlling": "priority", "dependent": "level",
         "values": {"true": ["high"], "false": ["low", "high"]}},
    ],
)
SAMPLER = {"api_name": "sampler", "label": label("Sampler"), "kind": "internal",
           "objects": {"Deal": {"create": True, "read": True, "edit": True}}}
SELLER = {"api_name": "seller", "label": label("Seller"), "kind": "internal",
          "objects": {"Deal": {"create": True, "read": True, "edit": True}}}


@pytest.fixture
def deals(engine, tenant):
    docs = documents(DEAL)
    docs["roles/sampler.json"] = SAMPLER
    docs["roles/seller.json"] = SELLER
    engine.metadata(tenant).deploy(pack_of(docs))
    staff = engine.people(tenant)
    staff.create_user("seller", roles=["seller"])
    staff.create_user("sampler", roles=["sampler"])
    staff.create_user("both", roles=["seller", "sampler"])
    return engine, tenant


def codes(exc: pytest.ExceptionInfo) -> list[tuple[str | None, str]]:
    return sorted((e.field, e.code) for e in exc.value.errors)


def test_a_record_gets_the_default_type_and_its_defaults(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        deal = s.create("Deal", {"name": "A"})
    assert (deal["business_type"], deal["status"], deal["note"]) == ("standard", "draft", None)


def test_a_user_of_one_type_gets_it_without_naming_it(deals):
    engine, tenant = deals
    with engine.session(tenant, "sampler") as s:  # may not use standard, only sample
        deal = s.create("Deal", {"name": "S"})
    assert (deal["business_type"], deal["status"], deal["note"]) == \
        ("sample", "sample", "free sample")


def test_the_type_is_validated_on_create(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        for given, code in (("nope", "unknown_business_type"),
                            ("legacy", "inactive_business_type"),
                            ("sample", "business_type_not_allowed"), (42, "invalid_type")):
            with pytest.raises(RecordValidationError) as exc:
                s.create("Deal", {"name": "x", "business_type": given})
            assert codes(exc) == [("business_type", code)], given
    with engine.session(tenant, "both") as s:
        assert s.create("Deal", {"name": "x", "business_type": "sample"})[
            "business_type"] == "sample"


def test_an_option_outside_the_types_subset_is_refused(deals):
    engine, tenant = deals
    with engine.session(tenant, "both") as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "x", "status": "sample"})
        assert codes(exc) == [("status", "picklist_option_not_in_business_type")]
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "x", "business_type": "sample", "status": "open",
                              "channels": ["shop", "web"]})
        assert codes(exc) == [("channels", "picklist_option_not_in_business_type"),
                              ("status", "picklist_option_not_in_business_type")]
        with pytest.raises(RecordValidationError) as exc:
            s.create_many("Deal", [{"name": "ok"}, {"name": "bad", "status": "sample"}])
        assert [(e.row, e.field, e.code) for e in exc.value.errors] == [
            (1, "status", "picklist_option_not_in_business_type")]
        assert s.count("Deal") == 0  # all or nothing


def test_updates_keep_to_the_type_and_may_switch_only_to_a_usable_one(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        deal = s.create("Deal", {"name": "A", "status": "open"})
        with pytest.raises(RecordValidationError) as exc:
            s.update("Deal", deal["id"], {"status": "sample"})
        assert codes(exc) == [("status", "picklist_option_not_in_business_type")]
        with pytest.raises(RecordValidationError) as exc:
            s.update("Deal", deal["id"], {"business_type": "sample"})
        assert codes(exc) == [("business_type", "business_type_not_allowed")]
        # sending the type it has is no change
        assert s.update("Deal", deal["id"], {"business_type": "standard", "name": "B"})[
            "name"] == "B"
    with engine.session(tenant, "both") as s:
        moved = s.update("Deal", deal["id"], {"business_type": "sample", "status": "won"})
        assert (moved["business_type"], moved["status"]) == ("sample", "won")


def test_dependent_picklists_follow_their_controlling_field(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        deal = s.create("Deal", {"name": "A", "region": "east", "city": "hangzhou"})
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "B", "region": "north", "city": "shanghai"})
        assert codes(exc) == [("city", "picklist_option_not_allowed_by_dependency")]
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "C", "city": "beijing"})  # no region: no city
        assert codes(exc) == [("city", "picklist_option_not_allowed_by_dependency")]
        with pytest.raises(RecordValidationError) as exc:  # the controlling field moves
            s.update("Deal", deal["id"], {"region": "north"})
        assert codes(exc) == [("city", "picklist_option_not_allowed_by_dependency")]
        assert s.update("Deal", deal["id"], {"region": "north", "city": "beijing"})[
            "city"] == "beijing"
        with pytest.raises(RecordValidationError) as exc:  # a checkbox controls too
            s.create("Deal", {"name": "D", "priority": True, "level": "low"})
        assert codes(exc) == [("level", "picklist_option_not_allowed_by_dependency")]
        assert s.create("Deal", {"name": "E", "priority": False, "level": "low"})["level"] \
            == "low"


def test_describe_lists_the_types_the_caller_may_use(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        described = s.describe("Deal")
    assert [t["api_name"] for t in described["business_types"]] == ["standard"]
    assert described["business_types"][0]["options"]["status"] == {
        "values": ["draft", "open", "won", "lost"], "default": "draft"}
    assert [d["dependent"] for d in described["field_dependencies"]] == ["city", "level"]
    with engine.session(tenant) as s:  # the admin may use every active type
        assert [t["api_name"] for t in s.describe("Deal")["business_types"]] == [
            "standard", "sample"]


def test_an_object_without_types_has_the_implicit_default(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Acme"})
        assert account["business_type"] == "default"
        assert [t["api_name"] for t in s.describe("Account")["business_types"]] == ["default"]
        with pytest.raises(RecordValidationError) as exc:
            s.create("Account", {"name": "B", "business_type": "standard"})
        assert codes(exc) == [("business_type", "unknown_business_type")]
