"""A consultant's deploys over time, on SQLite and PostgreSQL: nothing stored is ever lost.

Long sequences of deploys with records written in between; dry runs and refused
deploys that change nothing; auto-number counters across renames and archives. The
property test of random field changes is in ``test_deploy_lifecycle_property``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hulian.engine import DeployError, Engine
from tests.integration.test_deploy_atomic import (
    CLIENT,
    OLD,
    TICKET,
    V1,
    V2,
    V3,
    assert_same_state,
    nothing_deployed,
    tenant_state,
    write_v1,
)
from tests.packs import documents, edit, field, label, obj, pack_of


def deploy(engine: Engine, tenant: str, docs: dict[str, Any], **kw: Any):
    return engine.metadata(tenant).deploy(pack_of(docs), **kw)


def without(docs: dict[str, Any], object_name: str, *names: str) -> dict[str, Any]:
    """A copy of ``docs`` without some fields of one object."""
    doc = docs[f"objects/{object_name}.json"]
    return {**docs, f"objects/{object_name}.json": {
        **doc, "fields": [f for f in doc["fields"] if f["api_name"] not in names]}}


def with_fields(docs: dict[str, Any], object_name: str, *fields: dict[str, Any]):
    doc = docs[f"objects/{object_name}.json"]
    return {**docs, f"objects/{object_name}.json": {**doc, "fields": [*doc["fields"], *fields]}}


# -- six deploys in a row ------------------------------------------------------------------

class Model:
    """The values every record should hold: ``{object: {id: {field: value}}}``."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {}

    def create(self, engine: Engine, tenant: str, obj_name: str, values: dict[str, Any]) -> str:
        with engine.session(tenant) as s:
            record = s.create(obj_name, values)
        self.records.setdefault(obj_name, {})[record["id"]] = dict(values)
        return record["id"]

    def change(self, obj_name: str, **changes: Any) -> None:
        """Apply a deploy's effect to every record: ``field=callable(old values) | None``."""
        for values in self.records[obj_name].values():
            for name, how in changes.items():
                if how is None:
                    values.pop(name, None)
                else:
                    values[name] = how(values)

    def check(self, engine: Engine, tenant: str) -> None:
        with engine.session(tenant) as s:
            for obj_name, expected in self.records.items():
                stored = {r["id"]: r for r in s.query(obj_name, limit=200)}
                assert set(stored) == set(expected), obj_name
                for record_id, values in expected.items():
                    got = {name: stored[record_id].get(name, "<missing>") for name in values}
                    assert got == {n: values[n] for n in values}, (obj_name, record_id)


ACCOUNT = obj("Account", field("name", "text", max_length=40),
              field("code", "text", max_length=10), field("zip", "text", max_length=10),
              field("amount", "number", precision=10, scale=2),
              field("note", "text", max_length=100))
CONTACT = obj("Contact", field("name", "text"), field("account", "lookup", target="Account"),
              field("seq", "auto_number", format="P-{000}"))


def test_six_deploys_keep_every_record_and_value(engine, tenant):
    model = Model()
    docs = documents(ACCOUNT, CONTACT)
    deploy(engine, tenant, docs)
    acme = model.create(engine, tenant, "Account", {"name": "acme", "code": "A1", "zip": "10115",
                                                    "amount": Decimal("1.50"), "note": "n1"})
    model.create(engine, tenant, "Contact", {"name": "ann", "account": acme})

    docs = edit(docs, "Account", "code", max_length=20)                    # grow
    docs = edit(docs, "Account", "note", api_name="remarks", renamed_from="note")
    docs = with_fields(docs, "Account", field("industry", "text"))        # add
    docs = {**docs, "objects/Deal.json": obj("Deal", field("name", "text"),
                                             field("account", "lookup", target="Account"))}
    deploy(engine, tenant, docs)
    model.change("Account", remarks=lambda v: v["note"], note=None, industry=lambda v: None)
    model.check(engine, tenant)
    beta = model.create(engine, tenant, "Account", {"name": "beta", "code": "B" * 20,
                                                    "zip": "80331", "industry": "it",
                                                    "remarks": "n2"})
    model.create(engine, tenant, "Deal", {"name": "d1", "account": beta})

    docs = edit(docs, "Account", "zip", type="number", precision=8, scale=0, max_length=None)
    docs = edit(docs, "Account", "amount", precision=12, scale=3)          # retype, no loss
    deploy(engine, tenant, docs)
    model.change("Account", zip=lambda v: Decimal(v["zip"]))
    model.check(engine, tenant)
    model.create(engine, tenant, "Account", {"name": "gamma", "zip": 1, "amount": Decimal("2.125")})

    docs = without(docs, "Account", "industry")                             # archive a field
    docs = {k: v for k, v in docs.items() if k != "objects/Deal.json"}     # archive an object
    docs = {k: v for k, v in docs.items() if k != "objects/Contact.json"}
    docs["objects/Person.json"] = obj("Person", *CONTACT["fields"], renamed_from="Contact")
    deploy(engine, tenant, docs)
    deals = model.records.pop("Deal")
    model.records["Person"] = model.records.pop("Contact")
    industry = {i: v.pop("industry", None) for i, v in model.records["Account"].items()}
    model.check(engine, tenant)
    model.create(engine, tenant, "Person", {"name": "bob", "account": beta})

    docs = with_fields(docs, "Account", field("industry", "text"))        # restore both
    docs["objects/Deal.json"] = obj("Deal", field("name", "text"),
                                    field("account", "lookup", target="Account"))
    docs = edit(docs, "Account", "zip", type="text", max_length=10, precision=None, scale=None)
    report = deploy(engine, tenant, docs)
    assert {"restore_field", "restore_object", "retype_field"} <= {s.action for s in report.steps}
    model.records["Deal"] = deals
    model.change("Account", industry=lambda v: None, zip=lambda v: None if v.get("zip") is None
                 else str(int(v["zip"])))
    for record_id, value in industry.items():
        model.records["Account"][record_id]["industry"] = value
    model.check(engine, tenant)

    docs = edit(docs, "Account", "remarks", required=True, backfill="(none)")
    docs = edit(docs, "Account", "code", unique=True)
    deploy(engine, tenant, docs)
    model.change("Account", remarks=lambda v: v.get("remarks") or "(none)")
    model.check(engine, tenant)
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1, 2, 3, 4, 5, 6]
    with engine.session(tenant) as s:
        assert s.create("Person", {"name": "cy"})["seq"] == "P-003"


# -- dry runs and refused deploys change nothing -------------------------------------------

def _ticket(docs, name, **changes):
    return edit(docs, "Ticket", name, **changes)


DRY_RUNS = {  # the step action (-variant): (pack, whether its data checks pass)
    "create_table": (documents(TICKET, CLIENT, OLD, obj("Extra", field("name", "text"))), True),
    "rename_object": (documents(_ticket(V1, "client", target="Customer")["objects/Ticket.json"],
                                obj("Customer", *CLIENT["fields"], renamed_from="Client"), OLD),
                      True),
    "archive_object": (documents(TICKET, CLIENT), True),
    "add_field": (with_fields(V1, "Ticket", field("extra", "text")), True),
    "add_formula_field": (with_fields(V1, "Ticket", field("twice", "number", formula="points * 2")),
                          True),
    "remove_formula_field": (without(V1, "Ticket", "shout"), True),
    "rename_field": (_ticket(V1, "subject", api_name="title", renamed_from="subject"), True),
    "archive_field": (without(V1, "Ticket", "legacy"), True),
    "grow_field": (_ticket(V1, "size", max_length=30), True),
    "shrink_field": (_ticket(V1, "note", max_length=50), True),
    "shrink_field-refused": (_ticket(V1, "note", max_length=3), False),
    "retype_field": (_ticket(V1, "code", type="number", max_length=None), True),
    "retype_field-rounding": (_ticket(V1, "points", scale=1), True),
    "retype_field-refused": (_ticket(V1, "size", type="number", max_length=None), False),
    "make_required": (_ticket(V1, "status", required=True, backfill="open"), True),
    "make_required-refused": (_ticket(V1, "status", required=True), False),
    "make_unique": (_ticket(V1, "tag", unique=True), True),
    "make_unique-refused": (_ticket(V1, "size", unique=True), False),
    "drop_unique": (_ticket(V1, "ref", unique=None), True),
    "update_field": (_ticket(V1, "name", label=label("Title")), True),
    "update_object": (edit(V1, "Ticket", description="support requests"), True),
}


def test_a_dry_run_of_each_kind_of_step_changes_nothing(engine, tenant):
    write_v1(engine, tenant)
    for name, (docs, passes) in DRY_RUNS.items():
        before = tenant_state(engine, tenant)
        report = deploy(engine, tenant, docs, dry_run=True)
        assert report.dry_run and report.ok is passes, name
        assert name.split("-")[0] in [s.action for s in report.steps], name
        assert_same_state(before, tenant_state(engine, tenant))
    for target in (V2, V3):  # restores need an earlier archive
        before = tenant_state(engine, tenant)
        report = deploy(engine, tenant, target, dry_run=True)
        assert report.ok
        assert_same_state(before, tenant_state(engine, tenant))
        deploy(engine, tenant, target)
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1, 2, 3]
    first = deploy(engine, f"{tenant}_new", V1, dry_run=True)
    assert first.steps[0].action == "create_schema"
    nothing_deployed(engine, f"{tenant}_new")


def test_a_refused_deploy_changes_nothing_and_names_what_is_in_the_way(engine, tenant):
    ids = write_v1(engine, tenant)
    before = tenant_state(engine, tenant)
    unsupported = _ticket(_ticket(V1, "points", type="boolean", precision=None, scale=None),
                          "client", target="Old")
    in_use = _ticket(without(V1, "Ticket", "legacy"), "shout", formula="UPPER(legacy)")
    checked = _ticket(_ticket(_ticket(V1, "note", max_length=3), "size", unique=True),
                      "status", required=True)
    for dry_run in (True, False):
        with pytest.raises(DeployError) as exc:
            deploy(engine, tenant, unsupported, dry_run=dry_run)
        assert exc.value.code == "deploy_change_unsupported"
        changes = " ".join(c["change"] for c in exc.value.changes)
        assert "points" in changes and "client" in changes
        with pytest.raises(DeployError) as exc:
            deploy(engine, tenant, in_use, dry_run=dry_run)
        assert exc.value.code == "deploy_removed_in_use"
        assert [(u["removed"], u["used_by"]) for u in exc.value.changes] == [
            ("Ticket.legacy", "formula field Ticket.shout")]
        assert_same_state(before, tenant_state(engine, tenant))
    preview = deploy(engine, tenant, checked, dry_run=True)
    assert not preview.ok
    with pytest.raises(DeployError) as exc:
        deploy(engine, tenant, checked)
    assert exc.value.code == "deploy_data_check_failed"
    failed = {c["field"]: sorted(e["id"] for e in c["examples"]) for c in exc.value.changes}
    assert failed == {"note": sorted([ids["a"], ids["c"]]),
                      "size": sorted([ids["a"], ids["c"]]),
                      "status": sorted([ids["a"], ids["c"]])}
    assert failed == {c.field: sorted(e["id"] for e in c.examples)
                      for c in preview.checks if not c.passed}
    assert_same_state(before, tenant_state(engine, tenant))


# -- auto-numbers --------------------------------------------------------------------------

def test_auto_number_counters_survive_renames_archives_and_restores(engine, tenant):
    docs = documents(obj("Ticket", field("name", "text"),
                         field("number", "auto_number", format="T-{000}")),
                     obj("Other", field("name", "text")))
    deploy(engine, tenant, docs)

    def create(obj_name: str, number_field: str) -> str:
        with engine.session(tenant) as s:
            return s.create(obj_name, {"name": "x"}).get(number_field)

    assert [create("Ticket", "number") for _ in range(2)] == ["T-001", "T-002"]
    docs = edit(docs, "Ticket", "number", api_name="code", renamed_from="number")
    deploy(engine, tenant, docs)
    assert create("Ticket", "code") == "T-003"
    docs = {"pack.json": docs["pack.json"], "objects/Other.json": docs["objects/Other.json"],
            "objects/Case.json": {**docs["objects/Ticket.json"], "api_name": "Case",
                                  "renamed_from": "Ticket"}}
    deploy(engine, tenant, docs)
    assert create("Case", "code") == "T-004"
    both = edit(docs, "Case", "code", api_name="ref", renamed_from="code")
    both["objects/Job.json"] = {**both.pop("objects/Case.json"), "api_name": "Job",
                                "renamed_from": "Case"}
    deploy(engine, tenant, both)                              # object and field at once
    assert create("Job", "ref") == "T-005"
    gone = {k: v for k, v in both.items() if k != "objects/Job.json"}
    deploy(engine, tenant, gone)                              # archive the object
    deploy(engine, tenant, both)                              # and restore it
    assert create("Job", "ref") == "T-006"
    deploy(engine, tenant, without(both, "Job", "ref"))       # archive the field
    assert create("Job", "ref") is None
    deploy(engine, tenant, both)                              # and restore it
    assert create("Job", "ref") == "T-007"
    with engine.session(tenant) as s:
        assert [r["ref"] for r in s.query("Job", order_by="created_at")] == [
            "T-001", "T-002", "T-003", "T-004", "T-005", "T-006", None, "T-007"]


# -- renames and restores combined with other changes in one deploy -------------------

def test_renaming_an_object_and_removing_one_of_its_fields_in_one_deploy(engine, tenant):
    base = without(documents(TICKET), "Ticket", "client")
    deploy(engine, tenant, base)
    with engine.session(tenant) as s:
        kept = s.create("Ticket", {"name": "a", "legacy": "old"})
    fields = without(base, "Ticket", "legacy")["objects/Ticket.json"]["fields"]
    deploy(engine, tenant, documents(obj("Case", *fields, renamed_from="Ticket")))
    with engine.session(tenant) as s:
        assert "legacy" not in s.get("Case", kept["id"])


@pytest.mark.parametrize("change", ["renamed", "restored"])
def test_a_data_check_on_a_renamed_or_restored_object(engine, tenant, change):
    base = without(documents(TICKET), "Ticket", "client")
    deploy(engine, tenant, base)
    with engine.session(tenant) as s:
        s.create("Ticket", {"name": "a", "note": "short"})
    target, name = documents(obj("Case", *base["objects/Ticket.json"]["fields"],
                                 renamed_from="Ticket")), "Case"
    if change == "restored":
        deploy(engine, tenant, documents(obj("Other", field("name", "text"))))
        target = {**base, "objects/Other.json": obj("Other", field("name", "text"))}
        name = "Ticket"
    report = deploy(engine, tenant, edit(target, name, "note", max_length=20))
    assert "shrink_field" in [s.action for s in report.steps]
    with engine.session(tenant) as s:
        assert [r["note"] for r in s.query(name)] == ["short"]
