"""One bad pack per problem code; each case lists the complete set of problems it must give.

A case is a folder named after the code it shows (``<code>`` or ``<code>--<variant>``)
holding the pack's files and ``expected.json``: ``[{"code", "file", "pointer"}]``
with files relative to the case folder. The order of problems does not matter.

A *layered* case shows a problem of merging a tenant's packs and overlay: it holds
``packs/<name>/`` (installed packs), optionally ``overlay/`` (the tenant's pack)
and ``upgrade/<name>/`` (a new version of an installed pack, checked with
``immutable_changes`` and merged in its place). Each of them must load on its own.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hulian.metadata import (
    CODES,
    Layers,
    MetadataError,
    Pack,
    Problem,
    check_pack,
    immutable_changes,
    load_pack,
    merge,
)

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


def _folders(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))


def _layered_problems(case: Path) -> list[Problem]:
    """The problems of merging a layered case's packs and overlay; files relative to it."""
    packs = {p.name: load_pack(p) for p in _folders(case / "packs")}
    overlay = load_pack(case / "overlay") if (case / "overlay").is_dir() else None
    problems: list[Problem] = []
    if (case / "upgrade").is_dir():
        for folder in _folders(case / "upgrade"):
            new = load_pack(folder)
            problems += [replace(p, file=f"upgrade/{folder.name}/{p.file}")
                         for p in immutable_changes(packs[folder.name], new)]
            packs[folder.name] = new
    installed: tuple[Pack, ...] = tuple(packs.values())
    try:
        merge(Layers(installed, overlay))
    except MetadataError as error:
        problems += error.problems
    return problems


def _is_layered(case: str) -> bool:
    return (HERE / case / "packs").is_dir()


@pytest.mark.parametrize("case", CASES)
def test_case_gives_exactly_the_expected_problems(case: str, tmp_path: Path) -> None:
    if _is_layered(case):
        problems = _layered_problems(HERE / case)
        prefix = ""
    else:
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
