"""Installed packs plus a tenant's overlay, through the engine, on SQLite and PostgreSQL.

The story of the issue: a tenant installs a vendor pack, adds its own __c fields,
objects, labels and rules, writes records, and upgrades the pack without losing any
of it; conflicts are reported before anything changes.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hulian.engine import DeployError, HulianError, MetadataError, NotFoundError
from tests.packs import documents, field, label, obj, options, pack_of, write_pack

ACCOUNT = obj("Account", field("name", "text"), field("region", "text"),
              field("industry", "picklist", options=options("retail", "energy")))
CRM_1 = documents(ACCOUNT, name="crm", version="1.0.0")
CRM_2 = documents(obj("Account", field("name", "text"),
                      {**field("area", "text"), "renamed_from": "region"},
                      {**field("industry", "picklist", options=options("retail", "energy")),
                       "label": label("Line of business")},
                      field("score", "number")), name="crm", version="2.0.0")
OVERLAY = {
    "pack.json": {"name": "acme", "version": "1.0.0", "label": label("acme"), "kind": "tenant"},
    "objects/Visit__c.json": obj("Visit__c", field("name__c", "text"),
                                 field("account__c", "lookup", target="Account"),
                                 name_field="name__c",
                                 sharing_rules=[{"api_name": "east_visits__c",
                                                 "criteria": "account__c.region = 'east'",
                                                 "share_with": {"role": "member"}}]),
    "extensions/Account.json": {
        "object": "Account",
        "fields": [field("tier__c", "picklist", options=options("gold", "silver"))],
        "field_overrides": {"industry": {"label": label("Sector")},
                            "region": {"help": label("Where they buy")}},
        "validation_rules": [{"api_name": "region_needed__c", "condition": "ISBLANK(region)",
                              "message": label("Fill in the region")}],
    },
}


@pytest.fixture
def acme(engine, tenant):
    engine.metadata(tenant).install_pack(pack_of(CRM_1))
    engine.metadata(tenant).deploy(pack_of(OVERLAY))
    with engine.session(tenant) as s:
        account = s.create("Account", {"name": "Acme", "region": "east", "tier__c": "gold",
                                       "industry": "retail"})
        s.create("Visit__c", {"name__c": "first", "account__c": account["id"]})
    return account


def test_the_overlay_is_merged_into_the_pack(engine, tenant, acme):
    assert engine.metadata(tenant).installed() == {
        "packs": {"crm": "1.0.0"}, "overlay": "acme 1.0.0",
                                        "snapshot": False}
    with engine.session(tenant) as s:
        described = {f["api_name"]: f for f in s.describe("Account")["fields"]}
        assert described["industry"]["label"]["en"] == "Sector"
        assert "tier__c" in described and described["tier__c"]["id"]
        with pytest.raises(Exception, match="Fill in the region"):
            s.create("Account", {"name": "no region"})


def test_upgrade_keeps_the_overlay_and_its_data(engine, tenant, acme):
    preview = engine.metadata(tenant).upgrade_pack(pack_of(CRM_2), dry_run=True)
    assert preview.ok
    assert any("label is kept" in n for n in preview.notes), preview.notes
    assert any("'region'" in n and "'area'" in n for n in preview.notes), preview.notes
    engine.metadata(tenant).upgrade_pack(pack_of(CRM_2))
    assert engine.metadata(tenant).installed()["packs"] == {"crm": "2.0.0"}
    with engine.session(tenant) as s:
        kept = s.get("Account", acme["id"])
        assert (kept["area"], kept["tier__c"], kept["industry"]) == ("east", "gold", "retail")
        assert s.count("Visit__c") == 1
        described = {f["api_name"]: f for f in s.describe("Account")["fields"]}
        assert described["industry"]["label"]["en"] == "Sector"      # the tenant's label won
        assert described["area"]["help"]["en"] == "Where they buy"   # the override followed
        assert "score" in described
    with engine.db.connect() as conn:  # the overlay's sharing rule follows the rename
        (rule,) = engine.schema(conn, tenant).pack.object("Visit__c").sharing_rules
    assert rule.criteria == "account__c.area = 'east'"


def test_upgrade_conflicts_are_reported_before_anything_changes(engine, tenant, acme):
    dropped = documents(obj("Account", field("name", "text"),
                            field("industry", "picklist", options=options("retail", "energy"))),
                        name="crm", version="2.0.0")
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).upgrade_pack(pack_of(dropped))
    files = {p.file for p in exc.value.problems}
    assert files == {"overlay/extensions/Account.json"}, exc.value.problems
    assert {p.code for p in exc.value.problems} >= {"extension.unknown_field"}
    assert engine.metadata(tenant).installed()["packs"] == {"crm": "1.0.0"}
    assert [h["version"] for h in engine.metadata(tenant).history()] == [1, 2]


def test_an_overlay_cannot_override_a_locked_property(engine, tenant, acme, tmp_path):
    locked = dict(OVERLAY)
    locked["extensions/Account.json"] = {"object": "Account",
                                         "field_overrides": {"region": {"required": True}}}
    folder = write_pack(tmp_path / "acme", locked)
    with pytest.raises(MetadataError) as exc:
        engine.metadata(tenant).deploy(folder)
    [problem] = exc.value.problems
    assert problem.code == "overlay.locked_property"
    assert problem.file == f"{folder}/extensions/Account.json"
    assert problem.pointer == "/field_overrides/region/required"


def test_upgrade_rules(engine, tenant, acme):
    with pytest.raises(DeployError) as exc:
        engine.metadata(tenant).upgrade_pack(pack_of(CRM_1))
    assert exc.value.code == "pack_not_newer"
    with pytest.raises(DeployError) as exc:
        engine.metadata(tenant).install_pack(pack_of(CRM_1))
    assert exc.value.code == "pack_already_installed"
    needy = documents(obj("Order", field("name", "text")), name="order", version="1.0.0")
    needy["pack.json"]["requires"] = {"crm": "^2.0"}
    with pytest.raises(DeployError) as exc:
        engine.metadata(tenant).install_pack(pack_of(needy))
    assert exc.value.code == "pack_requirement_missing"
    assert "crm 1.0.0 is installed" in exc.value.changes[0]["change"]
    engine.metadata(tenant).upgrade_pack(pack_of(CRM_2))
    engine.metadata(tenant).install_pack(pack_of(needy))
    with pytest.raises(DeployError) as exc:
        engine.metadata(tenant).uninstall_pack("crm")
    assert exc.value.code == "pack_required"


def test_uninstall_archives_the_pack_objects(engine, tenant, acme):
    extra = documents(obj("Campaign", field("name", "text")), name="mkt", version="1.0.0")
    engine.metadata(tenant).install_pack(pack_of(extra))
    with engine.session(tenant) as s:
        s.create("Campaign", {"name": "spring"})
    report = engine.metadata(tenant).uninstall_pack("mkt")
    assert [(s.action, s.object) for s in report.steps] == [("archive_object", "Campaign")]
    assert [a.name for a in engine.metadata(tenant).archived()] == ["Campaign"]
    with pytest.raises(MetadataError):   # the overlay extends crm's Account
        engine.metadata(tenant).uninstall_pack("crm")
    with pytest.raises(NotFoundError):
        engine.metadata(tenant).uninstall_pack("mkt")
    engine.metadata(tenant).install_pack(pack_of(extra))    # back, with its records
    with engine.session(tenant) as s:
        assert s.count("Campaign") == 1


def _schema(engine, tenant):
    inspector = sa.inspect(engine.db)
    schema = f"t_{tenant}" if engine.dialect == "postgresql" else None
    prefix = "" if engine.dialect == "postgresql" else f"{tenant}__"
    out = {}
    for table in inspector.get_table_names(schema=schema):
        if not table.startswith(prefix) or (prefix == "" and table.startswith("hulian_")):
            continue
        columns = sorted((c["name"], str(c["type"]), c["nullable"])
                         for c in inspector.get_columns(table, schema=schema))
        indexes = sorted((i["name"].replace(tenant, "T"), tuple(i["column_names"]),
                          bool(i["unique"])) for i in inspector.get_indexes(table, schema=schema))
        out[table[len(prefix):]] = (columns, indexes)
    return out


def _described(engine, tenant, name):
    """An object's description without its stable ids (they differ between tenants)."""
    with engine.session(tenant) as s:
        described = s.describe(name)
    described.pop("id")
    for f in described["fields"]:
        f.pop("id")
    return described


def test_export_round_trip(engine, tenant, acme, tmp_path):
    engine.metadata(tenant).upgrade_pack(pack_of(CRM_2))
    written = engine.metadata(tenant).export(tmp_path / "export")
    assert f"{tmp_path}/export/pack.json" in written
    copy = f"{tenant}x"
    report = engine.metadata(copy).deploy(tmp_path / "export")
    assert report.changed
    assert _schema(engine, copy) == _schema(engine, tenant)
    for name in ("Account", "Visit__c"):
        assert _described(engine, copy, name) == _described(engine, tenant, name)
    with pytest.raises(HulianError) as exc:
        engine.metadata(tenant).export(tmp_path / "export")
    assert exc.value.code == "export_not_empty"


def test_cli_pack_commands(engine, tenant, tmp_path, capsys):
    from hulian.runtime.cli import main

    db = ["--db", engine.url, "--tenant", tenant]
    crm1, crm2 = write_pack(tmp_path / "crm1", CRM_1), write_pack(tmp_path / "crm2", CRM_2)
    overlay = write_pack(tmp_path / "acme", OVERLAY)
    assert main(["pack", "install", str(crm1), *db]) == 0
    assert main(["deploy", str(overlay), *db]) == 0
    capsys.readouterr()
    assert main(["pack", "list", *db]) == 0
    assert capsys.readouterr().out == "crm 1.0.0\noverlay: acme 1.0.0\n"
    assert main(["pack", "upgrade", str(crm2), "--dry-run", *db]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and "note: upgraded crm 1.0.0 -> 2.0.0" in out
    assert "rename Account.region to area" in out
    assert main(["pack", "upgrade", str(crm2), *db]) == 0
    assert main(["pack", "upgrade", str(crm2), *db]) == 1
    assert "pack_not_newer" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "out"), *db]) == 0
    assert main(["deploy", str(tmp_path / "out"), "--db", engine.url,
                 "--tenant", f"{tenant}y"]) == 0
    assert main(["pack", "uninstall", "nothing", *db]) == 1
    assert "pack_not_installed" in capsys.readouterr().err


def test_cli_validate_an_overlay_with_its_packs(tmp_path, capsys):
    from hulian.runtime.cli import main

    crm = write_pack(tmp_path / "crm", CRM_1)
    broken = {**OVERLAY, "extensions/Account.json": {
        "object": "Account", "field_overrides": {"regoin": {"hidden": True}}}}
    overlay = write_pack(tmp_path / "acme", broken)
    assert main(["validate", str(overlay)]) == 0       # alone, the overlay is well-formed
    assert main(["validate", str(overlay), "--with", str(crm)]) == 1
    out = capsys.readouterr().out
    assert f"{overlay}/extensions/Account.json:/field_overrides/regoin: " \
           "extension.unknown_field" in out
    assert "did you mean 'region'?" in out


def test_layers_read_before_another_deploy_are_not_deployed(engine, tenant, acme):
    """Two admins at once: the second deploy must not silently undo the first one's layers."""
    slower = engine.metadata(tenant)
    stale = slower._stack()                                   # what the slower deploy read
    engine.metadata(tenant).upgrade_pack(pack_of(CRM_2))      # the faster one commits
    with pytest.raises(DeployError) as exc:
        slower._deploy_stack(stale.with_pack(pack_of(OVERLAY)), dry_run=False)
    assert exc.value.code == "deploy_concurrent"
    assert engine.metadata(tenant).installed()["packs"] == {"crm": "2.0.0"}
