"""Imports point down the layers: metadata <- formula <- engine <- layouts <- runtime."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["metadata", "formula", "engine", "layouts", "runtime"]
RANK = {name: i for i, name in enumerate(LAYERS)}
# Packages below every layer may be used by all; migrations belong with engine.
EXTRA = {"migrations": RANK["engine"], "examples": -1}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "hulian" or len(parts) < 2:
        return None
    return RANK.get(parts[1], EXTRA.get(parts[1]))


def _source_files():
    for layer in [*LAYERS, "migrations"]:
        for path in sorted((ROOT / layer).rglob("*.py")):
            yield layer, path


@pytest.mark.parametrize(("layer", "path"), list(_source_files()),
                         ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v)
def test_no_upward_import(layer, path):
    own = RANK.get(layer, EXTRA.get(layer))
    upward = [f"{path.relative_to(ROOT)}:{line} imports {module}"
              for line, module in _imports(path)
              if (rank := _layer_of(module)) is not None and rank > own]
    assert upward == []


def test_metadata_never_imports_sqlalchemy():
    offenders = [f"{path.relative_to(ROOT)}:{line}"
                 for path in (ROOT / "metadata").rglob("*.py")
                 for line, module in _imports(path) if module.split(".")[0] == "sqlalchemy"]
    assert offenders == []


def test_the_checker_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from hulian.runtime.cli import main\n", encoding="utf-8")
    assert [_layer_of(m) for _, m in _imports(bad)] == [RANK["runtime"]]
