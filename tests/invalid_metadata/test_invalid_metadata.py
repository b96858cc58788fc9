"""One bad pack per problem code; each case lists the complete set of problems it must give.

A case is a folder named after the code it shows (``<code>`` or ``<code>--<variant>``)
holding the pack's files and ``expected.json``: ``[{"code", "file", "pointer"}]``
with files relative to the case folder. The order of problems does not matter.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from hulian.metadata import CODES, check_pack

HERE = Path(__file__).parent
CASES = sorted(d.name for d in HERE.iterdir() if (d / "expected.json").is_file())
ERRORS_DOC = HERE.parents[1] / "docs" / "errors.md"


def _expected(case: str) -> list[dict[str, str]]:
    return json.loads((HERE / case / "expected.json").read_text("utf-8"))


def _key(row: dict[str, str]) -> tuple[str, str, str]:
    return row["file"], row["pointer"], row["code"]


def _check_case(case: str, tmp_path: Path) -> list[Any]:
    pack = tmp_path / "pack"
    shutil.copytree(HERE / case, pack, symlinks=True,
                    ignore=shutil.ignore_patterns("expected.json"))
    problems = check_pack(pack)
    for problem in problems:
        assert problem.file.startswith(f"{pack}/"), problem
    return problems


@pytest.mark.parametrize("case", CASES)
def test_case_gives_exactly_the_expected_problems(case: str, tmp_path: Path) -> None:
    problems = _check_case(case, tmp_path)
    prefix = f"{tmp_path / 'pack'}/"
    actual = [{"code": p.code, "file": p.file.removeprefix(prefix), "pointer": p.pointer}
              for p in problems]
    assert sorted(actual, key=_key) == sorted(_expected(case), key=_key)
    assert all(p.message for p in problems)


@pytest.mark.parametrize("case", CASES)
def test_case_shows_its_own_code(case: str) -> None:
    code = case.split("--")[0]
    assert code in {row["code"] for row in _expected(case)}


def test_every_code_has_a_case() -> None:
    assert set(CODES) - {case.split("--")[0] for case in CASES} == set()


def test_every_expected_code_is_declared() -> None:
    used = {row["code"] for case in CASES for row in _expected(case)}
    assert used - set(CODES) == set()


def _documented_codes() -> list[str]:
    text = ERRORS_DOC.read_text("utf-8")
    section = text.split("## Metadata problems", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_.]+)` \|", section, flags=re.MULTILINE)


def test_every_code_is_documented_once() -> None:
    documented = _documented_codes()
    assert sorted(documented) == sorted(CODES)
