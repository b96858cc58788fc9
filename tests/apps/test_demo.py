"""The demo over crm and a dependent pack (runtime/demo.py): installed in requires order, the
people and records of each, a second run creating nothing, the logins grouped by enterprise."""

from __future__ import annotations

import shutil

from hulian.engine import Engine
from hulian.runtime import demo
from tests.apps.harness import sample_dependent_pack
from tests.conftest import EXAMPLE_CRM


def test_the_demo_installs_crm_then_the_packs_requiring_it(tmp_path, capsys):
    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLE_CRM, examples / "crm")
    sample_dependent_pack(examples)
    packs = demo.demo_packs(examples)
    assert [p.name for p in packs] == ["crm", "visits"]
    engine = Engine(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        done = demo.set_up(engine, "demo", packs)
        assert any(line.startswith("visits sample data: 3 Visit") for line in done), done
        assert engine.metadata("demo").installed()["packs"] == {"crm": "1.0.0",
                                                                "visits": "1.0.0"}
        with engine.session("demo", "visits.a") as s:  # a $as record of the second pack
            assert [r["name"] for r in s.query("Visit").records] == ["Dealer A's visit"]
        again = demo.set_up(engine, "demo", packs)
        assert not any("sample data" in line or "people" in line for line in again), again
        with engine.session("demo") as s:
            assert s.count("Visit") == 3 and s.count("Account") == 4
        groups = demo.logins(engine, "demo", packs)
        assert list(groups) == ["upstream", "Dealer A", "Visits B"]
        assert [g.username for g in groups["Dealer A"]] == ["dealer.buyer", "visits.a"]
        assert groups["upstream"][-1].roles == ["visit_planner"]
        assert groups["upstream"][-1].password == "demo-visits-pass"
        demo.print_logins(groups, "http://127.0.0.1:8000", "demo")
        out = capsys.readouterr().out
        assert "  Visits B (downstream enterprise): http://127.0.0.1:8000/portal/demo" in out
        assert "visits.planner  demo-visits-pass" in out
    finally:
        engine.close()
