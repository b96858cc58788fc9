"""The system objects User and Department: formulas reach a record's owner and department."""

from __future__ import annotations

import pytest

from hulian.engine import MetadataError, NotFoundError, RecordValidationError
from tests.packs import documents, field, obj, pack_of

DOCS = documents(obj(
    "Deal", field("name", "text"),
    field("owner_name", "text", formula="owner.name"),
    field("owner_dept", "text", formula="owner.department.name"),
    field("dept_parent", "text", formula="department.parent.name"),
    field("author", "text", formula="created_by.username"),
    field("mine", "boolean", formula="owner.id = $User.id"),
))


@pytest.fixture
def sales(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(DOCS))
    engine.people(tenant).create_department("China")
    engine.people(tenant).create_department("East", parent="China")
    return engine.people(tenant).create_user("li", display_name="Li Lei", department="East")


def test_formulas_walk_to_owner_and_department(engine, tenant, sales):
    with engine.session(tenant, "li") as s:
        deal = s.create("Deal", {"name": "d1"})
        assert (deal["owner_name"], deal["owner_dept"], deal["dept_parent"], deal["author"],
                deal["mine"]) == ("Li Lei", "East", "China", "li", True)
        assert [r["name"] for r in s.query("Deal", filter="owner.department.name = 'East'")
                .records] == ["d1"]
    with engine.session(tenant) as s:        # admin: no department
        other = s.create("Deal", {"name": "d2"})
        assert (other["owner_name"], other["owner_dept"], other["mine"]) == (
            "Administrator", None, True)
        assert s.get("Deal", deal["id"])["mine"] is False
        assert s.count("Deal", filter="ISBLANK(owner.department.name)") == 1


def test_departments_and_errors(engine, tenant, sales):
    with pytest.raises(NotFoundError) as exc:
        engine.people(tenant).create_user("x", department="Nowhere")
    assert exc.value.code == "unknown_department" and "China" in exc.value.hint
    bad = documents(obj("Deal", field("name", "text"),
                        field("x", "text", formula="owner.nope")))
    with pytest.raises(MetadataError) as error:
        engine.metadata(tenant).deploy(pack_of(bad))
    assert "owner (User) has no field 'nope'" in str(error.value)


def test_rules_know_the_current_user(engine, tenant, sales):
    guarded = documents(obj(
        "Deal", field("name", "text"),
        validation_rules=[{"api_name": "owner_only",
                           "condition": "NOT(ISNEW()) && owner.id <> $User.id",
                           "message": {"zh": "只有负责人可以修改", "en": "Only the owner edits"}},
                          {"api_name": "east_names",
                           "condition": "$User.department.name = 'East' && LEFT(name, 1) <> 'E'",
                           "message": {"zh": "东区以E开头", "en": "East deals start with E"},
                           "error_field": "name"}]))
    engine.metadata(tenant).deploy(pack_of(guarded))
    with engine.session(tenant, "li") as s:
        deal = s.create("Deal", {"name": "E1"})
        with pytest.raises(RecordValidationError) as exc:
            s.create("Deal", {"name": "x"})
        assert exc.value.errors[0].message == "East deals start with E"
    with engine.session(tenant) as s, pytest.raises(RecordValidationError) as exc:
        s.update("Deal", deal["id"], {"name": "E2"})
    assert exc.value.errors[0].message == "Only the owner edits"


def test_lookups_to_users_and_departments(engine, tenant, sales):
    docs = documents(obj("Visit", field("name", "text"),
                         field("rep", "lookup", target="User"),
                         field("team", "lookup", target="Department"),
                         field("rep_team", "text", formula="rep.department.name"),
                         {**field("rep_name", "text"), "quote": "rep.name"}))
    engine.metadata(tenant).deploy(pack_of(docs))
    with engine.session(tenant) as s:
        east = s.describe("Visit")  # the lookups are described like any other
        assert {f["api_name"]: f.get("target") for f in east["fields"]}["rep"] == "User"
        visit = s.create("Visit", {"name": "v", "rep": sales.id,
                                   "team": sales.department_id})
        assert (visit["rep_team"], visit["rep_name"]) == ("East", "Li Lei")
        assert [r["name"] for r in s.query("Visit", where={"rep_name": "Li Lei"})] == ["v"]
        with pytest.raises(RecordValidationError) as exc:
            s.create("Visit", {"name": "w", "rep": "nobody"})
        assert exc.value.errors[0].code == "unknown_reference"
