"""The effective layout (Session.layout): resolution, what the user may see and do, option
narrowing, dependencies; and the layouts' required and read-only fields on every write
path. The tenant is tests/integration/layout_world.py."""

from __future__ import annotations

from typing import Any

import pytest

from hulian.engine import NotFoundError, PermissionDenied, QueryError, RecordValidationError
from tests.integration import layout_world


@pytest.fixture
def deals(engine, tenant):
    layout_world.build(engine, tenant)
    return engine, tenant


def layout_of(deals, user: str, *args: Any, **kwargs: Any) -> Any:
    engine, tenant = deals
    with engine.session(tenant, user, readonly=True) as s:
        return s.layout("Deal", *args, **kwargs)


def names(layout: Any) -> list[str]:
    """Every field api_name a layout shows, wherever it shows it."""
    found = [f["api_name"] for s in layout.get("sections", ()) for f in s["fields"]]
    found += [c["api_name"] for c in layout.get("columns", ())]
    card = layout.get("card")
    if card:
        found += [c["api_name"] for c in (card["title"], *card["fields"]) if c]
    return found


def fields(layout: Any) -> dict[str, Any]:
    return {f["api_name"]: f for s in layout["sections"] for f in s["fields"]}


def codes(exc: pytest.ExceptionInfo) -> list[tuple[Any, ...]]:
    return sorted((e.row, e.field, e.code) if e.row is not None else (e.field, e.code)
                  for e in exc.value.errors)


# -- resolution ---------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "business_type", "channel", "expected"), [
    ("both", "sample", "web", ("deal_seller_sample", "web")),    # role + type
    ("seller", "standard", "web", ("deal_seller", "web")),       # role
    ("seller", None, "web", ("deal_seller", "web")),             # role, the default type
    ("manager", "sample", "web", ("deal_sample", "web")),        # type
    ("manager", "standard", "web", ("deal_default", "web")),     # default
    ("both", "standard", "web", ("deal_sampler", "web")),        # two roles: first api_name
    ("buyer", None, "mobile", ("deal_dealer_mobile", "mobile")),
    ("buyer", "sample", "mobile", ("deal_dealer_mobile", "mobile")),
    ("buyer", "sample", "web", ("deal_sample", "web")),
    ("manager", None, "mobile", ("deal_default", "web")),        # no mobile one: web
    ("seller", "sample", "mobile", ("deal_seller_sample", "web")),
])
def test_resolution_goes_from_the_most_specific_assignment_to_the_default(
        deals, user, business_type, channel, expected):
    layout = layout_of(deals, user, business_type, channel)
    assert (layout["layout"], layout["layout_channel"]) == expected
    assert (layout["channel"], layout["kind"]) == (channel, "detail")


def test_without_a_business_type_the_users_own_default_type_is_used(deals):
    assert layout_of(deals, "seller")["business_type"]["api_name"] == "standard"
    engine, tenant = deals
    with engine.session(tenant, "sampler") as s:  # may use sample only
        assert s.layout("Deal")["business_type"] == {
            "api_name": "sample", "label": {"zh": "Sample（中文）", "en": "Sample"},
            "usable": True}


def test_an_object_without_layouts_gets_a_generated_one(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        note = s.layout("DealNote")
        listed = s.layout("DealNote", kind="list", channel="mobile")
    assert (note["layout"], note["layout_channel"]) == (None, None)
    (section,) = note["sections"]
    assert [f["api_name"] for f in section["fields"]] == ["name", "deal"]  # internal: hidden
    assert note["related_lists"] == () and note["buttons"] == ()  # seller: read only
    assert listed["layout"] is None
    assert [c["api_name"] for c in listed["columns"]] == ["name", "deal"]
    assert listed["card"]["title"]["api_name"] == "name"
    assert [c["api_name"] for c in listed["card"]["fields"]] == ["deal"]


def test_a_generated_detail_layout_has_every_visible_field_child_and_button(deals):
    engine, tenant = deals
    with engine.session(tenant, "manager") as s:
        layout = s.layout("DealCost")
        deal_list = s.layout("Deal", kind="list")
    assert names(layout) == ["name", "deal", "amount"]
    assert [b["api_name"] for b in layout["buttons"]] == []  # manager only reads DealCost
    assert deal_list["layout"] == "deal_list"
    with engine.session(tenant) as s:
        generated = s.layout("Deal", "legacy", kind="list")
    assert generated["layout"] == "deal_list"  # a list layout is not per type here


def test_a_generated_detail_layout_lists_the_children_and_actions(engine, tenant):
    docs = layout_world.world_documents()
    for name in layout_world.LAYOUTS:
        del docs[f"layouts/{name}.json"]
    from tests.packs import pack_of

    engine.metadata(tenant).deploy(pack_of(docs))
    engine.people(tenant).create_user("seller", roles=["seller"])
    with engine.session(tenant) as s:
        admin = s.layout("Deal")
    with engine.session(tenant, "seller") as s:
        seller = s.layout("Deal")
        listed = s.layout("Deal", kind="list")
    assert admin["layout"] is None and len(admin["sections"]) == 1
    assert names(admin) == ["name", "status", "channels", "region", "city", "priority", "note",
                            "margin", "reference_no", "summary"]
    assert [r["relationship"] for r in admin["related_lists"]] == ["costs", "notes"]
    assert admin["related_lists"][0]["sort"] == ("-created_at",)
    assert [b["api_name"] for b in admin["buttons"]] == [
        "new", "edit", "delete", "clone", "export", "restore", "share", "approve"]
    assert "margin" not in names(seller)
    assert [r["relationship"] for r in seller["related_lists"]] == ["notes"]
    assert [c["api_name"] for c in seller["related_lists"][0]["columns"]] == ["name", "deal"]
    assert [b["api_name"] for b in seller["buttons"]] == ["new", "edit", "clone", "share"]
    assert names(listed) == ["name", "status", "channels", "region", "city", "priority",
                             "name", "status", "channels", "region"]


def test_bad_arguments(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        with pytest.raises(NotFoundError) as exc:
            s.layout("Deal", "smaple")
        assert (exc.value.code, exc.value.hint) == ("unknown_business_type",
                                                    "did you mean 'sample'?")
        for given in ({"channel": "tablet"}, {"kind": "form"}):
            with pytest.raises(QueryError) as exc:
                s.layout("Deal", **given)
            assert exc.value.code == "invalid_parameter"
        with pytest.raises(PermissionDenied) as exc:
            s.layout("DealCost")
        assert exc.value.code == "action_denied"
    with engine.session(tenant, "buyer") as s, pytest.raises(NotFoundError) as exc:
        s.layout("DealCost")  # an interconnect user: as if it did not exist
    assert exc.value.code == "unknown_object"


# -- what the user sees -------------------------------------------------------------------


@pytest.mark.parametrize("user", ["seller", "buyer"])
def test_a_hidden_field_never_appears(deals, user):
    engine, tenant = deals
    with engine.session(tenant, user) as s:
        for business_type in ("standard", "sample", "legacy"):
            for channel in ("web", "mobile"):
                for kind in ("detail", "list"):
                    layout = s.layout("Deal", business_type, channel, kind)
                    assert "margin" not in names(layout), (business_type, channel, kind)
                    assert "margin" not in str(layout)
        assert names(s.layout("Deal", kind="list")) == ["name", "status", "region", "name",
                                                        "status"]


def test_read_only_and_required_marks(deals):
    seller = fields(layout_of(deals, "seller"))
    assert {n: (f["read_only"], f["required"]) for n, f in seller.items()} == {
        "name": (False, True),          # the object requires it
        "region": (False, True),        # the layout requires it
        "city": (False, False),
        "status": (True, False),        # the layout: read-only, so not required
        "note": (True, False),          # the field permission
        "owner_id": (False, False),     # an internal user may give records away
    }
    manager = fields(layout_of(deals, "manager"))
    assert (manager["summary"]["read_only"], manager["created_at"]["read_only"]) == (True, True)
    assert (manager["status"]["required"], manager["reference_no"]["required"]) == (True, True)
    assert manager["priority"]["widget"] == "checkbox" and manager["owner_id"]["widget"] == \
        "lookup" and manager["owner_id"]["target"] == "User"
    buyer = fields(layout_of(deals, "buyer"))
    assert buyer["owner_id"]["read_only"] is True  # partner managers own dealers' records


def test_picklists_are_narrowed_to_the_business_type(deals):
    standard = fields(layout_of(deals, "manager", "standard"))
    sample = fields(layout_of(deals, "manager", "sample"))

    def offered(entry: Any) -> list[str]:
        return [o["api_name"] for o in entry["options"]]

    assert offered(standard["status"]) == ["draft", "open", "won", "lost"]  # not closed
    assert standard["status"]["default"] == "draft"
    assert offered(standard["channels"]) == ["web", "shop", "phone"]
    assert offered(sample["status"]) == ["won", "sample"] and sample["status"]["default"] == \
        "sample"
    assert offered(sample["channels"]) == ["shop"]
    assert offered(sample["city"]) == ["shanghai", "beijing"]
    assert standard["status"]["options"][0]["label"] == {"zh": "Draft（中文）", "en": "Draft"}


def test_dependencies_are_exposed_and_narrowed(deals):
    standard = layout_of(deals, "manager", "standard")
    sample = layout_of(deals, "manager", "sample")
    assert standard["dependencies"] == ({
        "controlling": "region", "dependent": "city",
        "values": {"east": ("shanghai", "hangzhou"), "north": ("beijing",)}},)
    assert sample["dependencies"][0]["values"] == {"east": ("shanghai",),
                                                   "north": ("beijing",)}
    assert layout_of(deals, "both", "standard")["dependencies"] == ()  # no city on it


def test_related_lists_keep_readable_children_and_visible_columns(deals):
    seller = layout_of(deals, "seller")
    (notes,) = seller["related_lists"]  # costs: the seller may not read DealCost
    assert (notes["relationship"], notes["object"], notes["field"]) == ("notes", "DealNote",
                                                                        "deal")
    assert [c["api_name"] for c in notes["columns"]] == ["name"]  # internal: hidden
    assert notes["sort"] == ("-created_at",) and notes["page_size"] == 10
    manager = layout_of(deals, "manager")
    assert [r["relationship"] for r in manager["related_lists"]] == ["notes", "costs"]
    assert [c["api_name"] for c in manager["related_lists"][0]["columns"]] == [
        "name", "internal", "created_at"]
    assert manager["related_lists"][0]["page_size"] == 5


def test_buttons_are_what_the_user_may_do(deals):
    def buttons(user: str, business_type: str | None = None) -> list[str]:
        return [b["api_name"] for b in layout_of(deals, user, business_type)["buttons"]]

    assert buttons("seller") == ["new", "edit"]  # no delete, no approve
    assert buttons("manager") == ["new", "edit", "delete", "clone", "export", "restore",
                                  "share", "approve"]
    assert buttons("manager", "legacy") == ["edit", "delete", "export", "restore", "share",
                                            "approve"]  # an inactive type: no new records
    assert buttons("seller", "sample") == ["edit"]  # a type the seller may not create
    approve = layout_of(deals, "manager")["buttons"][-1]
    assert approve == {"api_name": "approve", "kind": "action",
                       "label": {"zh": "Approve（中文）", "en": "Approve"}}


def test_a_layout_is_read_only_and_built_once(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        first = s.layout("Deal")
    with engine.session(tenant, "seller") as s:
        assert s.layout("Deal") is first
        assert s.layout("Deal", "standard", "web", "detail") is first
    with pytest.raises(TypeError):
        first["sections"] = []  # type: ignore[index]


# -- enforcement --------------------------------------------------------------------------


def test_a_create_needs_the_layouts_required_fields(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "A"})
        assert codes(exc) == [("region", "required")]
        assert exc.value.errors[0].hint == "the layout of this business type requires it"
        assert s.create("Deal", {"name": "A", "region": "east"})["status"] == "draft"
    with engine.session(tenant, "manager") as s:  # the default layout
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "B"})
        assert codes(exc) == [("reference_no", "required")]
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "B", "reference_no": "R1", "status": None})
        assert codes(exc) == [("status", "required")]


def test_a_layout_read_only_field_cannot_be_written(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "A", "region": "east", "status": "open"})
        assert codes(exc) == [("status", "field_read_only")]
        deal = s.create("Deal", {"name": "A", "region": "east"})
        with pytest.raises(RecordValidationError) as exc:
            s.update("Deal", deal["id"], {"status": "won"})
        assert codes(exc) == [("status", "field_read_only")]
        with pytest.raises(RecordValidationError) as exc:
            s.update("Deal", deal["id"], {"region": None, "city": None})
        assert codes(exc) == [("region", "required")]
        assert s.update("Deal", deal["id"], {"city": "shanghai"})["city"] == "shanghai"


def test_bulk_writes_are_checked_row_by_row(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create_many("Deal", [{"name": "ok", "region": "north"}, {"name": "x"},
                                   {"name": "y", "region": "east", "status": "won"}])
        assert codes(exc) == [(1, "region", "required"), (2, "status", "field_read_only")]
        assert s.count("Deal") == 0
        assert len(s.create_many("Deal", [{"name": "a", "region": "east"}] * 3)) == 3


def test_a_layout_tightens_and_never_loosens(deals):
    engine, tenant = deals
    with engine.session(tenant, "seller") as s:  # deal_seller names note and margin plainly
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"region": "east", "note": "x", "margin": 1})
        assert codes(exc) == [("margin", "unknown_field"), ("name", "required"),
                              ("note", "field_read_only")]


def test_the_records_type_picks_the_governing_layout(deals):
    engine, tenant = deals
    with engine.session(tenant, "both") as s:
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "S", "business_type": "sample", "channels": ["shop"]})
        assert codes(exc) == [("channels", "field_read_only"), ("reference_no", "required")]
        sample = s.create("Deal", {"name": "S", "business_type": "sample",
                                   "reference_no": "R"})
        with pytest.raises(RecordValidationError) as exc:
            s.update("Deal", sample["id"], {"channels": ["shop"]})
        assert codes(exc) == [("channels", "field_read_only")]
        standard = s.create("Deal", {"name": "T", "channels": ["web"]})  # deal_sampler
        with pytest.raises(RecordValidationError) as exc:  # the sample layout needs more
            s.update("Deal", standard["id"], {"business_type": "sample", "status": "sample"})
        assert codes(exc) == [("reference_no", "required")]
        moved = s.update("Deal", standard["id"], {"business_type": "sample",
                                                  "status": "sample", "reference_no": "R2"})
        assert moved["business_type"] == "sample"


def test_the_web_layout_governs_writes_from_any_channel(deals):
    engine, tenant = deals
    with engine.session(tenant, "buyer") as s:  # mobile: deal_dealer_mobile; web: default
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "D"})
        assert codes(exc) == [("reference_no", "required")]
        assert s.create("Deal", {"name": "D", "reference_no": "R"})["out_owner_id"] == \
            s.user.id


def test_administrators_are_not_bound_by_layouts(deals):
    engine, tenant = deals
    with engine.session(tenant) as s:
        deal = s.create("Deal", {"name": "A", "status": None})
        assert s.update("Deal", deal["id"], {"status": "open"})["status"] == "open"
