"""A consultant's week of changes to a deployed object, on SQLite and PostgreSQL.

Each test deploys, writes records, deploys a change and checks the records are all
still there with their values (or that a refused change names the records in the way).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hulian.engine import DeployError, HulianError
from tests.integration.test_deploy import statements
from tests.packs import documents, edit, field, obj, options, pack_of

V1 = documents(obj(
    "Ticket",
    field("name", "text", max_length=40),
    field("code", "text", max_length=20),
    field("points", "number", precision=10, scale=2),
    field("size", "text", max_length=10),
    field("note", "text", max_length=200),
))


def _deploy(engine, tenant, docs, **kw):
    return engine.metadata(tenant).deploy(pack_of(docs), **kw)


@pytest.fixture
def tickets(engine, tenant):
    _deploy(engine, tenant, V1)
    with engine.session(tenant) as s:
        return [s.create("Ticket", values) for values in (
            {"name": "a", "code": "12", "points": "1.25", "size": "s", "note": "first"},
            {"name": "b", "code": "7", "points": "2.50", "size": "m"},
            {"name": "c", "points": "300", "size": "s", "note": "third"},
        )]


def _values(engine, tenant, field_name):
    with engine.session(tenant) as s:
        return [r[field_name] for r in s.query("Ticket", order_by=["name"]).records]


def test_retype_text_to_number_converts_every_value(engine, tenant, tickets):
    changed = edit(V1, "Ticket", "code", type="number", max_length=None)
    preview = _deploy(engine, tenant, changed, dry_run=True)
    assert preview.ok and [s.action for s in preview.steps] == ["retype_field"]
    assert preview.checks[0].rows_checked == 3
    assert _values(engine, tenant, "code") == ["12", "7", None]  # the dry run changed nothing
    _deploy(engine, tenant, changed)
    assert _values(engine, tenant, "code") == [Decimal(12), Decimal(7), None]
    with engine.session(tenant) as s:
        assert [r["name"] for r in s.query("Ticket", where={"code": {"gt": 8}}).records] == ["a"]


def test_retype_that_does_not_convert_names_the_records(engine, tenant, tickets):
    changed = edit(V1, "Ticket", "size", type="number", max_length=None)
    preview = _deploy(engine, tenant, changed, dry_run=True)
    assert not preview.ok
    [check] = preview.checks
    assert check.failed == 3 and {e["id"] for e in check.examples} == {t["id"] for t in tickets}
    assert "would be REFUSED" in preview.lines()[0]
    with pytest.raises(DeployError) as exc:
        _deploy(engine, tenant, changed)
    assert exc.value.code == "deploy_data_check_failed"
    assert exc.value.changes[0]["examples"][0]["value"] in ("s", "m")
    assert _values(engine, tenant, "size") == ["s", "m", "s"]
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1]


def test_number_to_text_and_rounding_scale(engine, tenant, tickets):
    as_text = edit(V1, "Ticket", "points", type="text", precision=None, scale=None,
                   max_length=20)
    _deploy(engine, tenant, as_text)
    assert _values(engine, tenant, "points") == ["1.25", "2.50", "300.00"]
    _deploy(engine, tenant, V1)  # and back
    assert _values(engine, tenant, "points") == [Decimal("1.25"), Decimal("2.50"),
                                                 Decimal("300.00")]
    rounded = edit(V1, "Ticket", "points", scale=1)
    report = _deploy(engine, tenant, rounded)
    assert report.steps[0].kind == "destructive"
    assert _values(engine, tenant, "points") == [Decimal("1.3"), Decimal("2.5"), Decimal("300.0")]


def test_shrink_only_when_every_value_fits(engine, tenant, tickets):
    too_short = edit(V1, "Ticket", "note", max_length=4)
    with pytest.raises(DeployError) as exc:
        _deploy(engine, tenant, too_short)
    [failed] = exc.value.changes
    assert failed["failed"] == 2 and {e["value"] for e in failed["examples"]} == {"first",
                                                                                 "third"}
    _deploy(engine, tenant, edit(V1, "Ticket", "note", max_length=5))
    with engine.session(tenant) as s, pytest.raises(Exception, match="at most 5"):
        s.create("Ticket", {"name": "d", "note": "toolong"})


def test_text_to_picklist(engine, tenant, tickets):
    picklist = edit(V1, "Ticket", "size", type="picklist", max_length=None,
                    options=options("s", "m", "l"))
    _deploy(engine, tenant, picklist)
    assert _values(engine, tenant, "size") == ["s", "m", "s"]
    missing = edit(V1, "Ticket", "size", type="picklist", max_length=None,
                   options=options("s", "l"))
    _deploy(engine, tenant, V1)
    with pytest.raises(DeployError) as exc:
        _deploy(engine, tenant, missing)
    assert [e["value"] for e in exc.value.changes[0]["examples"]] == ["m"]


def test_required_with_and_without_backfill(engine, tenant, tickets):
    required = edit(V1, "Ticket", "note", required=True)
    with pytest.raises(DeployError) as exc:
        _deploy(engine, tenant, required)
    assert [e["id"] for e in exc.value.changes[0]["examples"]] == [tickets[1]["id"]]
    _deploy(engine, tenant, edit(required, "Ticket", "note", backfill="(none)"))
    assert _values(engine, tenant, "note") == ["first", "(none)", "third"]


def test_new_required_field_with_backfill(engine, tenant, tickets):
    grown = documents(obj("Ticket", *V1["objects/Ticket.json"]["fields"],
                          field("status", "picklist", options=options("open", "done"),
                                required=True, backfill="open")))
    _deploy(engine, tenant, grown)
    assert _values(engine, tenant, "status") == ["open", "open", "open"]


def test_unique_only_without_duplicates(engine, tenant, tickets):
    unique = edit(V1, "Ticket", "size", unique=True)
    with pytest.raises(DeployError) as exc:
        _deploy(engine, tenant, unique)
    assert sorted(e["id"] for e in exc.value.changes[0]["examples"]) == sorted(
        [tickets[0]["id"], tickets[2]["id"]])
    with engine.session(tenant) as s:
        s.update("Ticket", tickets[2]["id"], {"size": "l"}, version=tickets[2]["version"])
    _deploy(engine, tenant, unique)
    with engine.session(tenant) as s, pytest.raises(HulianError) as taken:
        s.create("Ticket", {"name": "d", "size": "m"})
    assert "size" in str(taken.value.to_dict())


def test_removed_field_is_archived_and_restored_with_its_values(engine, tenant, tickets):
    fields = [f for f in V1["objects/Ticket.json"]["fields"] if f["api_name"] != "note"]
    removed = documents(obj("Ticket", *fields))
    report = _deploy(engine, tenant, removed)
    assert [(s.action, s.kind) for s in report.steps] == [("archive_field", "destructive")]
    with engine.session(tenant) as s:
        assert "note" not in s.get("Ticket", tickets[0]["id"])
    # a new field may take the name meanwhile... here the old one comes back instead
    report = _deploy(engine, tenant, V1)
    assert [s.action for s in report.steps] == ["restore_field"]
    assert _values(engine, tenant, "note") == ["first", None, "third"]


def test_removed_object_is_archived_and_restored(engine, tenant, tickets):
    other = documents(obj("Other", field("name", "text")))
    _deploy(engine, tenant, other)
    with engine.session(tenant) as s:
        assert s.count("Other") == 0
    report = _deploy(engine, tenant, V1)
    assert "restore_object" in [s.action for s in report.steps]
    assert _values(engine, tenant, "note") == ["first", None, "third"]
    with engine.session(tenant) as s:
        s.create("Ticket", {"name": "d", "code": "x"})


def test_renamed_object_keeps_records_and_sequences(engine, tenant, tickets):
    renamed = documents(obj("Case", *V1["objects/Ticket.json"]["fields"],
                            renamed_from="Ticket"))
    report = _deploy(engine, tenant, renamed)
    assert report.steps[0].action == "rename_object"
    with engine.session(tenant) as s:
        assert s.get("Case", tickets[0]["id"])["note"] == "first"
        assert s.count("Case") == 3


def test_a_change_and_its_restore_are_in_history(engine, tenant, tickets):
    _deploy(engine, tenant, edit(V1, "Ticket", "note", max_length=300))
    history = engine.metadata(tenant).history()
    assert [h["version"] for h in history] == [1, 2]
    assert history[1]["steps"][0]["action"] == "grow_field"


@pytest.mark.parametrize("values", [
    ["12.345", " 7 ", "-0.005", "+3."],            # plain literals: PostgreSQL casts them
    ["12.345", " 7 ", "-0.005", "1e3"],            # an exponent: converted in Python
], ids=["cast", "python"])
def test_text_to_number_rounds_like_the_api(engine, tenant, values):
    _deploy(engine, tenant, V1)
    with engine.session(tenant) as s:
        for i, value in enumerate(values):
            s.create("Ticket", {"name": f"r{i}", "code": value})
    with statements(engine) as seen:
        _deploy(engine, tenant, edit(V1, "Ticket", "code", type="currency", max_length=None,
                                     precision=12, scale=2))
    casts = [q for q in seen if " USING " in q]
    if engine.dialect == "postgresql" and values[-1] != "1e3":
        assert len(casts) == 1 and "trim(" in casts[0]
    else:
        assert casts == []
    with engine.session(tenant) as s:
        stored = [r["code"] for r in s.query("Ticket", order_by=["name"]).records]
        api = [s.create("Ticket", {"name": f"x{i}", "code": v})["code"]
               for i, v in enumerate(values)]
    assert stored == api
    assert stored[:3] == [Decimal("12.35"), Decimal("7.00"), Decimal("-0.01")]


def test_number_and_date_to_text_read_like_the_api(engine, tenant):
    docs = documents(obj("Ticket", field("name", "text"), field("amount", "currency"),
                         field("due", "date")))
    _deploy(engine, tenant, docs)
    with engine.session(tenant) as s:
        s.create("Ticket", {"name": "a", "amount": "-1234.5", "due": "0999-01-31"})
    as_text = edit(edit(docs, "Ticket", "amount", type="text"), "Ticket", "due", type="text")
    _deploy(engine, tenant, as_text)
    with engine.session(tenant) as s:
        [row] = s.query("Ticket").records
    assert (row["amount"], row["due"]) == ("-1234.50", "0999-01-31")
