"""Evolving a deployed object: renaming a field keeps its data, text fields can grow."""

from __future__ import annotations

import sqlalchemy as sa

from tests.packs import documents, field, obj, pack_of


def _v1():
    return documents(obj("Ticket", field("name", "text", max_length=20),
                         field("subject", "text", max_length=10),
                         field("number", "auto_number", format="T-{0000}"),
                         field("priority", "number")))


def _v2():
    return documents(obj("Ticket", field("name", "text", max_length=200),
                         field("title", "text", max_length=10, renamed_from="subject"),
                         field("code", "auto_number", format="T-{0000}", renamed_from="number"),
                         field("priority", "number"),
                         field("summary", "text", formula="title & ' #' & code")))


def test_rename_and_grow_keep_every_record(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(_v1()))
    with engine.session(tenant) as s:
        first = s.create("Ticket", {"name": "A" * 20, "subject": "printer", "priority": 2})
    plan = engine.metadata(tenant).deploy(pack_of(_v2()), dry_run=True)
    assert [(st.action, st.field) for st in plan.steps if st.action != "update_field"] == [
        ("grow_field", "name"), ("rename_field", "title"), ("rename_field", "code"),
        ("add_formula_field", "summary")]
    # the renamed fields' labels changed too (tests name labels after api_names)
    assert {st.field for st in plan.steps if st.action == "update_field"} == {"title", "code"}
    engine.metadata(tenant).deploy(pack_of(_v2()))
    with engine.session(tenant) as s:
        kept = s.get("Ticket", first["id"])
        assert (kept["title"], kept["code"], kept["priority"]) == ("printer", "T-0001", 2)
        assert kept["summary"] == "printer #T-0001"
        assert "subject" not in kept
        second = s.create("Ticket", {"name": "B" * 150, "title": "screen"})
        assert second["code"] == "T-0002"  # the counter moved with the field
        assert s.query("Ticket", where={"title": "screen"}).records[0]["id"] == second["id"]


def test_the_column_really_is_renamed(engine, tenant):
    engine.metadata(tenant).deploy(pack_of(_v1()))
    engine.metadata(tenant).deploy(pack_of(_v2()))
    schema = f"t_{tenant}" if engine.dialect == "postgresql" else None
    table = "ticket" if engine.dialect == "postgresql" else f"{tenant}__ticket"
    columns = {c["name"] for c in sa.inspect(engine.db).get_columns(table, schema=schema)}
    assert {"title", "code"} <= columns
    assert not {"subject", "number", "summary"} & columns
