"""SQL-looking text is data: stored and returned verbatim, filtered exactly, never run."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hulian.engine import HulianError, NotFoundError, QueryError, RecordValidationError

NASTY = [
    "'; DROP TABLE x; --",
    "\" OR 1=1 --",
    "%_\\",
    "`backticks` and `x`; DROP TABLE `x`",
    "Robert'); DROP TABLE Students;--",
    "' OR ''='",
    "\\'; DELETE FROM hulian_tenants; --",
    "$1 $$dollar$$ :name %(name)s %s ? {0}",
    "/* comment */ SELECT * FROM hulian_users",
    "line\r\nbreak\ttab",
    "[x] \"y\" 'z' \u2019smart\u2019",
]
TEXT_FIELDS = ("name", "description")


def _tables(engine, tenant: str) -> set[str]:
    """hulian's system tables and the tenant's object tables."""
    inspector = sa.inspect(engine.db)
    found = {t for t in inspector.get_table_names() if t.startswith(("hulian_", f"{tenant}__"))}
    if engine.dialect == "postgresql":
        found |= set(inspector.get_table_names(schema=f"t_{tenant}"))
    return found


@pytest.mark.parametrize("text", NASTY)
def test_sql_looking_text_round_trips_and_filters_exactly(crm, text):
    engine, tenant = crm
    tables = _tables(engine, tenant)
    assert len(tables) >= 4 + 5
    with engine.session(tenant) as s:
        decoy = s.create("Account", {"name": "decoy", "description": "plain"})
        stored = s.create("Account", {"name": text, "description": text + "\n" + text})
        contact = s.create("Contact", {"name": text, "account": stored["id"],
                                       "email": "o'brien+x@example.com"})
    with engine.session(tenant) as s:
        got = s.get("Account", stored["id"])
        assert got["name"] == text
        assert got["description"] == text + "\n" + text
        assert s.get("Contact", contact["id"])["email"] == "o'brien+x@example.com"
        for where in ({"name": text}, {"name": {"in": [text, "nothing"]}},
                      {"name": {"contains": text}}, {"name": {"starts_with": text}},
                      {"description": {"contains": text + "\n"}},
                      {"name": {"contains": text.upper()}}, {"not": {"name": {"ne": text}}}):
            assert [r["id"] for r in s.query("Account", where)] == [stored["id"]], where
        assert [r["id"] for r in s.query("Account", {"name": {"ne": text}})] == [decoy["id"]]
        assert s.count("Contact", {"name": text}) == 1
        assert s.count("Account") == 2
    assert _tables(engine, tenant) == tables
    assert tenant in engine.tenants()


def test_sql_looking_text_updates_and_sorts_as_data(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        ids = [s.create("Account", {"name": f"n{i}"})["id"] for i in range(len(NASTY))]
        for record_id, text in zip(ids, NASTY, strict=True):
            s.update("Account", record_id, {"name": text, "description": text})
    with engine.session(tenant) as s:
        listed = s.query("Account", order_by=["name"], limit=100).records
    assert [r["name"] for r in listed] == sorted(NASTY)
    assert all(r["name"] == r["description"] for r in listed)


@pytest.mark.parametrize("field", ["name", "description", "phone", "website", "tax_number"])
def test_nul_is_refused_in_every_text_field(crm, field):
    engine, tenant = crm
    with engine.session(tenant) as s:
        data = {"name": "ok", field: "bad\x00value"}
        with pytest.raises(RecordValidationError) as exc:
            s.create("Account", data)
        assert [(e.field, e.code) for e in exc.value.errors] == [(field, "invalid_character")]
        assert s.count("Account") == 0


@pytest.mark.parametrize("where", [
    {"name": "a\x00b"}, {"name": {"contains": "\x00"}}, {"name": {"in": ["x", "\x00"]}},
    {"name": {"starts_with": "\ud800"}}, {"description": {"ne": "\x00"}},
])
def test_nul_and_lone_surrogates_are_refused_in_filters(crm, where):
    engine, tenant = crm
    with engine.session(tenant) as s:
        s.create("Account", {"name": "a"})
        with pytest.raises(QueryError) as exc:
            s.query("Account", where)
        assert exc.value.code == "invalid_filter_value"


def test_lone_surrogate_is_refused_in_a_value(crm):
    engine, tenant = crm
    with engine.session(tenant) as s, pytest.raises(RecordValidationError) as exc:
        s.create("Account", {"name": "half \ud83d emoji"})
    assert [(e.field, e.code) for e in exc.value.errors] == [("name", "invalid_character")]


@pytest.mark.parametrize("name", ["name; DROP TABLE x", "name\" --", "name'", "1=1", "*"])
def test_sql_in_field_names_is_an_unknown_field(crm, name):
    engine, tenant = crm
    with engine.session(tenant) as s:
        with pytest.raises(QueryError) as exc:
            s.query("Account", {name: "x"})
        assert exc.value.code == "unknown_field"
        with pytest.raises(QueryError) as exc:
            s.query("Account", order_by=[name])
        assert exc.value.code == "unknown_field"
        with pytest.raises(RecordValidationError) as exc:
            s.create("Account", {"name": "ok", name: "x"})
        assert exc.value.errors[0].code == "unknown_field"


def test_sql_in_object_names_tenants_and_ids_is_refused(crm):
    engine, tenant = crm
    with engine.session(tenant) as s:
        with pytest.raises(NotFoundError) as exc:
            s.query("Account; DROP TABLE x")
        assert exc.value.code == "unknown_object"
        with pytest.raises(NotFoundError):
            s.get("Account", "' OR '1'='1")
        with pytest.raises(RecordValidationError) as rexc:
            s.create("Contact", {"name": "c", "account": "' OR 1=1 --"})
        assert rexc.value.errors[0].code == "invalid_reference"
    for bad in (f"{tenant}; DROP TABLE x", "acme'--", "Acme", "a__b", "x" * 31):
        with pytest.raises(HulianError) as exc, engine.session(bad):
            pass
        assert exc.value.code == "invalid_tenant"
