"""The wheel maps the flat folders onto one namespace, ``hulian.*``, completely."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _config():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["tool"]["setuptools"]


def test_every_package_folder_is_listed():
    config = _config()
    folders = {folder: name for name, folder in config["package-dir"].items()}
    found = set()
    for folder, name in folders.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *relative.parts]))
    assert found == set(config["packages"])


def test_every_listed_package_imports_from_the_namespace():
    for name in _config()["packages"]:
        module = importlib.import_module(name)
        assert module.__name__ == name


def test_example_pack_files_ship_as_package_data():
    import hulian.examples

    crm = Path(hulian.examples.__file__).resolve().parent / "crm"
    assert (crm / "pack.json").is_file()
    assert sorted(p.name for p in (crm / "objects").glob("*.json")) == [
        "Account.json", "Contact.json", "Opportunity.json", "Order.json", "OrderLine.json",
        "Product.json"]


def test_every_example_pack_file_is_matched_by_the_package_data():
    """A pack file the patterns miss (say ``extensions/roles/x.json``, four levels down)
    would be left out of the wheel, and ``make demo`` from it would lack it."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["hulian.examples"]
    files = [p.relative_to(root / "examples").as_posix()
             for p in (root / "examples").rglob("*.json")]
    missed = [f for f in files
              if not any(fnmatch.fnmatch(f, pat) and f.count("/") == pat.count("/")
                         for pat in patterns)]
    assert files and missed == []
