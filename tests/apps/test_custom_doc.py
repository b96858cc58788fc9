"""docs/apps/custom.md stays true: its files are those of tests/apps/custom_overlay/, and its
commands (``hulian ...`` through the CLI's ``main``, ``curl`` through the REST app) do what
the page says, on a SQLite file as the page does."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from hulian.engine import Engine
from hulian.metadata.jsontext import loads
from hulian.runtime.cli import main
from tests.conftest import EXAMPLE_CRM, ROOT
from tests.integration.test_rest_support import TestClient, create_app

DOC = ROOT / "docs" / "apps" / "custom.md"
OVERLAY = ROOT / "tests" / "apps" / "custom_overlay"
FILE_BLOCK = re.compile(r"^`([\w/.]+\.json)`:\n\n```json\n(.*?)\n```$", re.M | re.S)
SH_BLOCK = re.compile(r"^```sh\n(.*?)\n```$", re.M | re.S)


def doc_files() -> dict[str, object]:
    return {path: json.loads(text) for path, text in FILE_BLOCK.findall(DOC.read_text("utf-8"))}


def commands() -> list[str]:
    """Every command of the page's sh blocks, continuation lines joined."""
    out = []
    for block in SH_BLOCK.findall(DOC.read_text(encoding="utf-8")):
        out += [line.strip() for line in block.replace("\\\n", " ").splitlines()]
    return out


def test_the_pages_files_are_the_overlay_folders():
    folder = {p.relative_to(OVERLAY).as_posix(): json.loads(p.read_text(encoding="utf-8"))
              for p in OVERLAY.rglob("*.json")}
    assert doc_files() == folder


def curl(client: TestClient, argv: list[str]):
    headers, data, url = {}, None, None
    args = iter(argv[1:])
    for arg in args:
        if arg == "-H":
            name, value = next(args).split(": ", 1)
            headers[name] = value
        elif arg == "-d":
            data = next(args)
        else:
            url = arg
    assert url is not None
    path = url.split("127.0.0.1:8000", 1)[1]
    return client.request("POST" if data is not None else "GET", path, content=data,
                          headers=headers)


def test_every_command_of_the_page_works(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for path, doc in doc_files().items():
        (tmp_path / "acme-overlay" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "acme-overlay" / path).write_text(json.dumps(doc, ensure_ascii=False),
                                                      encoding="utf-8")
    env: dict[str, str] = {}
    answers = []
    client = None
    for line in commands():
        for name, value in env.items():
            line = line.replace(f"${name}", value)
        line = line.replace("examples/crm", str(EXAMPLE_CRM))
        assigned = re.fullmatch(r"(\w+)=\$\((hulian .*) \| tail -n 1\)", line)
        if assigned:
            assert main(shlex.split(assigned[2])[1:]) == 0
            env[assigned[1]] = capsys.readouterr().out.strip().splitlines()[-1]
        elif line.startswith("hulian "):
            code = main(shlex.split(line)[1:])
            out, err = capsys.readouterr()
            assert code == 0, (line, out, err)
        else:
            assert line.startswith("curl "), line
            if client is None:
                engine = Engine(f"sqlite:///{tmp_path / 'acme.db'}")
                client = TestClient(create_app(engine))
            answers.append(curl(client, shlex.split(line)))
    assert len(answers) == 3, "the page shows three requests"
    created, refused, other_dealer = answers
    assert created.status_code == 201, created.text
    record = loads(created.content)
    assert record["status__c"] == "draft" and record["out_tenant_id"]
    assert refused.status_code == 422, refused.text
    (detail,) = loads(refused.content)["error"]["details"]
    assert (detail["field"], detail["code"]) == ("status__c", "field_read_only")
    assert other_dealer.status_code == 200 and loads(other_dealer.content)["records"] == []
    chen = client.get(f"/api/v1/objects/Activity__c/records/{record['id']}",
                      headers={"Authorization": f"Bearer {env['CHEN']}"})
    assert chen.status_code == 404
    mine = client.get("/api/v1/objects/Activity__c/records",
                      headers={"Authorization": f"Bearer {env['LI']}"})
    assert [r["id"] for r in loads(mine.content)["records"]] == [record["id"]]
    engine.close()


@pytest.mark.parametrize("path", sorted(doc_files()))
def test_each_file_is_shown_once(path):
    assert DOC.read_text(encoding="utf-8").count(f"`{path}`:") == 1
