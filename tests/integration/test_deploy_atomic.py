"""Failure injection: a deploy that fails after any one of its steps leaves no trace.

Each plan below runs against a tenant holding records; ``after_step`` is replaced to
raise after step k, for every k. Afterwards the tenant must be exactly as before: the
physical schema (tables, columns, indexes), every row (through the API and raw), the
deployed versions and hulian's catalogue and sequence rows. Then the same deploy runs
without the failure and keeps the data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

import hulian.engine.deploy.apply as apply_module
import hulian.engine.deploy.versions as versions_module
from hulian.engine import Engine, NotFoundError
from hulian.engine.system.tenant_tables import tables_of
from tests.packs import documents, field, label, obj, pack_of


class InjectedFailure(Exception):
    """Raised by the replaced ``after_step``."""


# -- the tenant's whole state --------------------------------------------------------------

def tenant_tables(engine: Engine, tenant: str) -> tuple[str | None, list[str]]:
    """(schema, table names) of the tenant's object tables, archives included (not its
    system tables ``hulian_*``, which ``system_rows`` reads)."""
    inspector = sa.inspect(engine.db)
    if engine.dialect == "postgresql":
        schema = f"t_{tenant}"
        if schema not in inspector.get_schema_names():
            return schema, []
        return schema, sorted(t for t in inspector.get_table_names(schema=schema)
                              if not t.startswith("hulian_"))
    return None, sorted(t for t in inspector.get_table_names() if t.startswith(f"{tenant}__")
                        and not t.startswith(f"{tenant}__hulian_"))


def physical_schema(engine: Engine, tenant: str) -> dict[str, Any]:
    """Per table: columns in order (name, type, nullable), primary key, indexes."""
    inspector = sa.inspect(engine.db)
    schema, tables = tenant_tables(engine, tenant)
    return {table: {
        "columns": [(c["name"], str(c["type"]), c["nullable"])
                    for c in inspector.get_columns(table, schema=schema)],
        "primary_key": inspector.get_pk_constraint(table, schema=schema)["constrained_columns"],
        "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                          for i in inspector.get_indexes(table, schema=schema)),
    } for table in tables}


def raw_rows(engine: Engine, tenant: str) -> dict[str, list[tuple]]:
    schema, tables = tenant_tables(engine, tenant)
    quote = engine.db.dialect.identifier_preparer.quote
    prefix = f"{quote(schema)}." if schema else ""
    with engine.db.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(
            sa.text(f"SELECT * FROM {prefix}{quote(t)} ORDER BY id"))] for t in tables}


def system_rows(engine: Engine, tenant: str) -> dict[str, list[tuple]]:
    with engine.db.connect() as conn:
        own = tables_of(conn, tenant)

        def rows(table: sa.Table, *order: Any) -> list[tuple]:
            if not sa.inspect(conn).has_table(table.name, schema=table.schema):
                return []   # no tenant (a first deploy that failed)
            return [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]

        return {
            "schema_items": rows(own.schema_items, own.schema_items.c.id),
            "sequences": rows(own.sequences, own.sequences.c.object, own.sequences.c.field,
                              own.sequences.c.period),
            "versions": rows(own.metadata_versions, own.metadata_versions.c.version),
        }


def api_records(engine: Engine, tenant: str) -> dict[str, list[dict[str, Any]]]:
    """Every record of every object the API shows, deleted ones included."""
    with engine.session(tenant) as s:
        return {o: s.query(o, order_by="id", include_deleted=True, limit=200).records
                for o in sorted(s.objects())}


def tenant_state(engine: Engine, tenant: str) -> dict[str, Any]:
    return {"schema": physical_schema(engine, tenant), "rows": raw_rows(engine, tenant),
            "system": system_rows(engine, tenant), "history": engine.metadata(tenant).history(),
            "records": api_records(engine, tenant)}


def assert_same_state(before: dict[str, Any], after: dict[str, Any]) -> None:
    for part in before:  # one assert per part, so a failure says which part moved
        assert after[part] == before[part], part


def fail_after(monkeypatch: pytest.MonkeyPatch, k: int) -> list[str]:
    """Make step ``k`` the last one to run; returns the actions run so far."""
    ran: list[str] = []

    def after_step(index, step):
        ran.append(step.action)
        if index == k:
            raise InjectedFailure(f"after step {k} ({step.action})")

    monkeypatch.setattr(apply_module, "after_step", after_step)
    return ran


# -- the plans -----------------------------------------------------------------------------

TICKET = obj(
    "Ticket",
    field("name", "text", max_length=40),
    field("code", "text", max_length=20),
    field("points", "number", precision=10, scale=2),
    field("subject", "text", max_length=30),
    field("note", "text", max_length=200),
    field("size", "text", max_length=10),
    field("status", "text", max_length=20),
    field("ref", "text", max_length=20, unique=True),
    field("tag", "text", max_length=20),
    field("legacy", "text", max_length=50),
    field("client", "lookup", target="Client"),
    field("number", "auto_number", format="T-{0000}"),
    field("shout", "text", formula="UPPER(name)"),
)
CLIENT = obj("Client", field("name", "text"), field("seq", "auto_number", format="C-{00}"))
OLD = obj("Old", field("name", "text"), field("seq", "auto_number", format="O-{00}"))
V1 = documents(TICKET, CLIENT, OLD)

TICKET_V2 = obj(
    "Ticket",
    field("name", "text", max_length=40, label=label("Ticket name")),
    field("code", "number", precision=12, scale=0),
    field("points", "number", precision=10, scale=1),
    field("title", "text", max_length=30, renamed_from="subject"),
    field("note", "text", max_length=50),
    field("size", "text", max_length=30),
    field("status", "text", max_length=20, required=True, backfill="open"),
    field("ref", "text", max_length=20),
    field("tag", "text", max_length=20, unique=True),
    field("client", "lookup", target="Customer"),
    field("number", "auto_number", format="T-{0000}"),
    field("channel", "text", required=True, backfill="web"),
    field("priority", "number", precision=5, scale=0),
    field("summary", "text", formula="title & ' ' & number"),
    description="support requests",
)
CUSTOMER = obj("Customer", *CLIENT["fields"], renamed_from="Client")
TASK = obj("Task", field("name", "text"), field("ticket", "lookup", target="Ticket"),
           field("customer", "lookup", target="Customer"),
           field("seq", "auto_number", format="K-{00}"))
V2 = documents(TICKET_V2, CUSTOMER, TASK)

V3 = documents(
    obj("Ticket", *[f for f in TICKET_V2["fields"] if f["api_name"] not in ("code", "priority")],
        field("code", "text", max_length=20),
        field("urgency", "number", precision=5, scale=0, renamed_from="priority"),
        field("legacy", "text", max_length=50), description="support requests"),
    CUSTOMER, TASK, obj("Old", *OLD["fields"], field("extra", "text")),
)

# What each plan does, in no particular order (the planner decides the order).
PLAN_V1_V2 = sorted([
    "archive_object", "rename_object", "update_object", "create_table", "archive_field",
    "remove_formula_field", "update_field", "retype_field", "retype_field", "rename_field",
    "update_field", "shrink_field", "grow_field", "make_required", "drop_unique",
    "make_unique", "add_field", "add_field", "add_formula_field", "update_object",
])
PLAN_V2_V3 = sorted(["restore_object", "add_field", "retype_field", "rename_field",
                     "update_field", "restore_field"])
PLAN_FIRST = ["create_schema", "create_table", "create_table", "create_table"]


def write_v1(engine: Engine, tenant: str) -> dict[str, str]:
    engine.metadata(tenant).deploy(pack_of(V1))
    with engine.session(tenant) as s:
        client = s.create("Client", {"name": "acme"})
        a = s.create("Ticket", {"name": "a", "code": "12", "points": "1.25",
                                "subject": "printer", "note": "first", "size": "s",
                                "ref": "r1", "tag": "x1", "legacy": "L1",
                                "client": client["id"]})
        b = s.create("Ticket", {"name": "b", "code": "7", "points": "2.50",
                                "subject": "screen", "size": "m", "status": "done",
                                "ref": "r2", "tag": "x2"})
        c = s.create("Ticket", {"name": "c", "points": "300", "note": "third", "size": "s"})
        gone = s.create("Ticket", {"name": "gone", "code": "5", "tag": "x4", "legacy": "L4"})
        s.delete("Ticket", gone["id"])
        s.create("Old", {"name": "o1"})
        s.create("Old", {"name": "o2"})
    return {"a": a["id"], "b": b["id"], "c": c["id"], "gone": gone["id"],
            "client": client["id"]}


def check_v2(engine: Engine, tenant: str, ids: dict[str, str]) -> None:
    with engine.session(tenant) as s:
        tickets = {r["name"]: r for r in s.query("Ticket", include_deleted=True, limit=50)}
        assert {n: (r["id"], r["code"], r["points"], r["title"], r["note"], r["status"],
                    r["tag"], r["number"], r["channel"], r["summary"])
                for n, r in tickets.items()} == {
            "a": (ids["a"], Decimal(12), Decimal("1.3"), "printer", "first", "open", "x1",
                  "T-0001", "web", "printer T-0001"),
            "b": (ids["b"], Decimal(7), Decimal("2.5"), "screen", None, "done", "x2",
                  "T-0002", "web", "screen T-0002"),
            "c": (ids["c"], None, Decimal("300.0"), None, "third", "open", None,
                  "T-0003", "web", " T-0003"),
            "gone": (ids["gone"], Decimal(5), None, None, None, "open", "x4",
                     "T-0004", "web", " T-0004"),
        }
        assert tickets["a"]["client"] == ids["client"] and "legacy" not in tickets["a"]
        assert tickets["gone"]["is_deleted"] and s.count("Ticket") == 3
        new = s.create("Ticket", {"name": "new", "ref": "r1", "status": "open",
                                  "channel": "mail"})
        assert new["number"] == "T-0005"
        assert s.get("Customer", ids["client"])["seq"] == "C-01"
        assert s.create("Customer", {"name": "next"})["seq"] == "C-02"
        task = s.create("Task", {"name": "t", "ticket": ids["a"], "customer": ids["client"]})
        assert task["seq"] == "K-01"
        with pytest.raises(NotFoundError):
            s.count("Old")


def write_v2(engine: Engine, tenant: str) -> dict[str, str]:
    ids = write_v1(engine, tenant)
    engine.metadata(tenant).deploy(pack_of(V2))
    with engine.session(tenant) as s:
        s.update("Ticket", ids["b"], {"priority": 3})
        ids["task"] = s.create("Task", {"name": "t1", "ticket": ids["b"]})["id"]
    return ids


def check_v3(engine: Engine, tenant: str, ids: dict[str, str]) -> None:
    with engine.session(tenant) as s:
        tickets = {r["name"]: (r["code"], r["urgency"], r["title"], r["legacy"])
                   for r in s.query("Ticket", include_deleted=True, limit=50)}
        assert tickets == {"a": ("12", None, "printer", "L1"), "b": ("7", 3, "screen", None),
                           "c": (None, None, None, None), "gone": ("5", None, None, "L4")}
        assert [(r["name"], r["seq"], r["extra"]) for r in s.query("Old", order_by="seq")] == [
            ("o1", "O-01", None), ("o2", "O-02", None)]
        assert s.create("Old", {"name": "o3"})["seq"] == "O-03"
        assert s.get("Task", ids["task"])["ticket"] == ids["b"]


def first_deploy(engine: Engine, tenant: str) -> dict[str, str]:
    return {}


def check_first(engine: Engine, tenant: str, ids: dict[str, str]) -> None:
    with engine.session(tenant) as s:
        assert s.create("Ticket", {"name": "first"})["number"] == "T-0001"
        assert s.create("Client", {"name": "first"})["seq"] == "C-01"


SCENARIOS = {
    "v1-v2": (write_v1, V2, PLAN_V1_V2, check_v2),
    "v2-v3": (write_v2, V3, PLAN_V2_V3, check_v3),
    "first": (first_deploy, V1, PLAN_FIRST, check_first),
}


def _cases() -> list[Any]:
    return [pytest.param(name, k, id=f"{name}-after-step-{k}")
            for name, (_, _, actions, _) in SCENARIOS.items()
            for k in range(1, len(actions) + 1)]


# -- tests ---------------------------------------------------------------------------------

def test_the_plans_cover_every_step_action(engine, tenant):
    write_v1(engine, tenant)
    first = engine.metadata(tenant).deploy(pack_of(V2), dry_run=True)
    assert sorted(s.action for s in first.steps) == PLAN_V1_V2
    assert first.ok and len(first.checks) == 5
    engine.metadata(tenant).deploy(pack_of(V2))
    again = engine.metadata(tenant).deploy(pack_of(V3), dry_run=True)
    assert sorted(s.action for s in again.steps) == PLAN_V2_V3
    fresh = engine.metadata(f"{tenant}_new").deploy(pack_of(V1), dry_run=True)
    assert sorted(s.action for s in fresh.steps) == PLAN_FIRST
    covered = set(PLAN_V1_V2) | set(PLAN_V2_V3) | set(PLAN_FIRST)
    assert covered == {
        "create_schema", "create_table", "rename_object", "archive_object", "restore_object",
        "add_field", "add_formula_field", "remove_formula_field", "rename_field",
        "archive_field", "restore_field", "grow_field", "shrink_field", "retype_field",
        "make_required", "make_unique", "drop_unique", "update_field", "update_object"}


def nothing_deployed(engine: Engine, tenant: str) -> None:
    assert tenant not in engine.tenants()
    assert tenant_tables(engine, tenant)[1] == []
    assert system_rows(engine, tenant) == {"schema_items": [], "sequences": [], "versions": []}
    if engine.dialect == "postgresql":
        assert f"t_{tenant}" not in sa.inspect(engine.db).get_schema_names()


@pytest.mark.parametrize(("scenario", "k"), _cases())
def test_a_failure_after_any_step_changes_nothing(engine, tenant, monkeypatch, scenario, k):
    setup, target, actions, check = SCENARIOS[scenario]
    ids = setup(engine, tenant)
    before = None if scenario == "first" else tenant_state(engine, tenant)
    ran = fail_after(monkeypatch, k)
    with pytest.raises(InjectedFailure):
        engine.metadata(tenant).deploy(pack_of(target))
    assert len(ran) == k
    if before is None:
        nothing_deployed(engine, tenant)
    else:
        assert_same_state(before, tenant_state(engine, tenant))
    monkeypatch.undo()
    report = engine.metadata(tenant).deploy(pack_of(target))
    assert [s.action for s in report.steps][:k] == ran
    assert sorted(s.action for s in report.steps) == actions
    assert [h["version"] for h in engine.metadata(tenant).history()] == \
        list(range(1, report.version + 1))
    check(engine, tenant, ids)


@pytest.mark.parametrize("scenario", ["v1-v2", "v2-v3"])
def test_a_failure_while_recording_the_version_changes_nothing(engine, tenant, monkeypatch,
                                                               scenario):
    """After every step, the index sync and the catalogue: the last moment before commit."""
    setup, target, _, check = SCENARIOS[scenario]
    ids = setup(engine, tenant)
    before = tenant_state(engine, tenant)

    def record(*args, **kwargs):
        raise InjectedFailure("while recording the version")

    monkeypatch.setattr(versions_module, "record", record)
    with pytest.raises(InjectedFailure):
        engine.metadata(tenant).deploy(pack_of(target))
    assert_same_state(before, tenant_state(engine, tenant))
    monkeypatch.undo()
    engine.metadata(tenant).deploy(pack_of(target))
    check(engine, tenant, ids)
