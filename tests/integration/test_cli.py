"""The ``hulian`` command, run in-process: output a person reads, exit codes, no tracebacks."""

from __future__ import annotations

import json
import shutil

import pytest

from hulian.engine import Engine
from hulian.runtime.cli import main
from tests.conftest import EXAMPLE_CRM


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def broken_pack(tmp_path):
    pack = tmp_path / "broken"
    shutil.copytree(EXAMPLE_CRM, pack)
    account = pack / "objects" / "Account.json"
    doc = json.loads(account.read_text(encoding="utf-8"))
    doc["fields"][0]["type"] = "txt"
    doc["fields"][9]["target"] = "Acount"
    account.write_text(json.dumps(doc), encoding="utf-8")
    (pack / "objects" / "Contact.json").write_text('{"api_name": ', encoding="utf-8")
    return pack


def test_validate_accepts_the_example_pack(capsys):
    code, out, err = run(capsys, "validate", str(EXAMPLE_CRM))
    assert code == 0
    assert out == ""
    assert "no problems" in err


def test_validate_names_every_mistake_with_file_and_pointer(capsys, broken_pack):
    code, out, _ = run(capsys, "validate", str(broken_pack))
    assert code == 1
    lines = out.strip().splitlines()
    account = f"{broken_pack}/objects/Account.json"
    assert any(line.startswith(f"{account}:/fields/0/type: schema.enum:") and "'text'" in line
               for line in lines)
    assert any(line.startswith(f"{account}:/fields/9/target: lookup.unknown_target:")
               and "Account" in line for line in lines)
    assert any(line.startswith(f"{broken_pack}/objects/Contact.json:") and "json.syntax" in line
               for line in lines)
    assert "Traceback" not in out


def test_validate_json_format(capsys, broken_pack):
    code, out, _ = run(capsys, "validate", "--format", "json", str(broken_pack))
    assert code == 1
    problems = json.loads(out)["problems"]
    assert {"code", "file", "pointer", "message"} <= set(problems[0])
    assert {p["code"] for p in problems} >= {"schema.enum", "lookup.unknown_target",
                                              "json.syntax"}


def test_validate_a_missing_folder_is_an_error_not_a_traceback(capsys, tmp_path):
    code, out, err = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 1
    assert "file.unreadable" in out
    assert "Traceback" not in out + err


def test_deploy_dry_run_then_deploy(capsys, db_url, tenant):
    code, out, _ = run(capsys, "deploy", str(EXAMPLE_CRM), "--db", db_url, "--tenant", tenant,
                       "--dry-run")
    assert code == 0
    assert "dry run" in out and "create table for Account" in out
    engine = Engine(db_url)
    try:
        assert tenant not in engine.tenants()
        code, out, _ = run(capsys, "deploy", str(EXAMPLE_CRM), "--db", db_url, "--tenant", tenant)
        assert code == 0
        assert f"tenant {tenant}: deployed version 1" in out
        assert tenant in engine.tenants()
        code, out, _ = run(capsys, "deploy", str(EXAMPLE_CRM), "--db", db_url, "--tenant", tenant)
        assert "no changes" in out
    finally:
        engine.close()


def test_deploy_of_a_broken_pack_lists_problems_and_changes_nothing(capsys, db_url, tenant,
                                                                     broken_pack):
    code, out, err = run(capsys, "deploy", str(broken_pack), "--db", db_url, "--tenant", tenant)
    assert code == 1
    assert "lookup.unknown_target" in out
    assert "deploy refused" in err
    engine = Engine(db_url)
    try:
        assert tenant not in engine.tenants()
    finally:
        engine.close()


def test_token_create_prints_the_token_last(capsys, crm):
    engine, tenant = crm
    code, out, _ = run(capsys, "token", "create", "--db", engine.url, "--tenant", tenant,
                       "--user", "admin")
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert engine.accounts.authenticate(token).username == "admin"


def test_token_create_for_an_unknown_user_is_a_clear_error(capsys, crm):
    engine, tenant = crm
    code, out, err = run(capsys, "token", "create", "--db", engine.url, "--tenant", tenant,
                         "--user", "nobody")
    assert code == 1
    assert "unknown_user" in err and "hint" in err
    assert "Traceback" not in out + err


def test_user_create_then_token(capsys, crm):
    engine, tenant = crm
    code, out, _ = run(capsys, "user", "create", "--db", engine.url, "--tenant", tenant, "wang")
    assert code == 0 and "created user wang" in out
    code, out, _ = run(capsys, "token", "create", "--db", engine.url, "--tenant", tenant,
                       "--user", "wang")
    assert engine.accounts.authenticate(out.strip().splitlines()[-1]).username == "wang"


def test_bad_database_url_is_a_clear_error(capsys):
    code, out, err = run(capsys, "deploy", str(EXAMPLE_CRM), "--db", "mysql://x/y",
                         "--tenant", "acme")
    assert code == 1
    assert "unsupported_database" in err
    assert "Traceback" not in out + err


def test_bad_tenant_name_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "deploy", str(EXAMPLE_CRM), "--db",
                       f"sqlite:///{tmp_path / 'x.db'}", "--tenant", "Robert'); DROP")
    assert code == 1
    assert "invalid_tenant" in err


def test_demo_sets_up_data_and_prints_a_working_token(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, _ = run(capsys, "demo", "--db", url, "--no-serve")
    assert code == 0
    assert "sample data: " in out and "/api/v1/openapi.json" in out
    # the browser UI's URL and two logins: the dealer buyer on a phone, the sales rep
    assert "/portal/demo" in out and "/login" in out
    assert "username dealer.buyer  password demo-dealer-pass" in out
    assert "username sales.rep  password demo-sales-pass" in out
    token = out.strip().splitlines()[-1]
    engine = Engine(url)
    try:
        user = engine.accounts.authenticate(token)
        with engine.session(user.tenant, user) as s:  # crm's data (and the preset apps')
            accounts = s.count("Account")
            assert accounts >= 4 and s.count("Opportunity") >= 4
        # the dealer's buyer sees the order app's objects, not crm's others, and their own
        # enterprise's orders: among them the one crm's data places as them
        dealer_token = next(line for line in out.splitlines()
                            if "dealer.buyer" in line and "hl_" in line).split()[-1]
        dealer = engine.accounts.authenticate(dealer_token)
        assert dealer.enterprise_id is not None
        with engine.session(dealer.tenant, dealer) as s:
            assert {"Order", "OrderLine", "Product"} <= set(s.objects())
            assert not {"Contact", "Opportunity"} & set(s.objects())
            assert s.count("Product") > 0
            orders = s.query("Order", limit=200).records
            assert {o["out_tenant_id"] for o in orders} == {dealer.enterprise_id}
            order = next(o for o in orders if o["notes"] == "Placed through the order app")
            assert order["out_owner_id"] == dealer.id and order["account"] is None
        with engine.session(user.tenant, user) as s:  # upstream sees it too
            assert s.get("Order", order["id"])["line_count"] == 1
        # a second run keeps the data as it is
        code, out, _ = run(capsys, "demo", "--db", url, "--no-serve")
        assert code == 0 and "sample data" not in out
        with engine.session(user.tenant, user) as s:
            assert s.count("Account") == accounts
    finally:
        engine.close()


def test_history_lists_every_deployed_version(capsys, db_url, tenant, tmp_path):
    from tests.packs import documents, field, obj, write_pack

    first = write_pack(tmp_path / "v1", documents(obj("Item", field("name", "text"))))
    second = write_pack(tmp_path / "v2",
                        documents(obj("Item", field("name", "text"), field("size", "number"))))
    for pack in (first, second):
        assert run(capsys, "deploy", str(pack), "--db", db_url, "--tenant", tenant)[0] == 0
    code, out, _ = run(capsys, "history", "--db", db_url, "--tenant", tenant)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("version 1 ") and "by system" in lines[0]  # the CLI acts as it
    assert any(line.startswith("version 2 ") for line in lines)
    assert "add field Item.size (number)" in out
    code, out, _ = run(capsys, "history", "--db", db_url, "--tenant", tenant, "--format", "json")
    assert [v["version"] for v in json.loads(out)["versions"]] == [1, 2]
