"""Every field type and every error code hulian can emit has an entry in docs/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hulian.metadata.field_types import FIELD_TYPES, REGISTERED

ROOT = Path(__file__).resolve().parents[2]
CODE_PATTERNS = [
    re.compile(r'\bcode="([a-z_.]+)"'),
    re.compile(r'^\s+code = "([a-z_.]+)"', re.MULTILINE),
    re.compile(r'ValueProblem\(\s*"([a-z_.]+)"'),
    re.compile(r'FieldError\([^,()]+,\s*"([a-z_.]+)"'),
]


def _emitted_codes() -> set[str]:
    files = [*(ROOT / "engine").rglob("*.py"), *(ROOT / "runtime").rglob("*.py"),
             *(ROOT / "formula").rglob("*.py"),
             *(ROOT / "metadata" / "field_types").rglob("*.py"),
             ROOT / "metadata" / "values.py", ROOT / "metadata" / "errors.py",
             ROOT / "metadata" / "problems.py"]
    codes: set[str] = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in CODE_PATTERNS:
            codes.update(pattern.findall(text))
    return codes


def test_the_scan_finds_codes():
    assert {"required", "version_conflict", "invalid_token", "too_long"} <= _emitted_codes()


@pytest.mark.parametrize("code", sorted(_emitted_codes()))
def test_error_code_is_documented(code):
    assert f"`{code}`" in (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_field_type_has_a_section(field_type):
    text = (ROOT / "docs" / "field-types.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {field_type}$", text, re.MULTILINE)


@pytest.mark.parametrize("kind", REGISTERED, ids=lambda k: k.name)
def test_field_type_table_gives_its_widget_and_formula_type(kind):
    text = (ROOT / "docs" / "field-types.md").read_text(encoding="utf-8")
    row = f"| {kind.name} | `{kind.widget}` | {kind.formula_type} |"
    assert re.search(rf"^{re.escape(row)}", text, re.MULTILINE)


def test_readme_links_resolve():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [link for link in re.findall(r"\]\((docs/[^)#]+)", readme)
               if not (ROOT / link).exists()]
    assert missing == []


def test_doc_images_exist():
    """Every picture a docs page shows is in the repository (docs/ui.md's screenshots come
    from `make ui-screenshots`)."""
    missing = [f"{page.name}: {image}" for page in (ROOT / "docs").glob("*.md")
               for image in re.findall(r"!\[[^\]]*\]\(([^)#]+)\)", page.read_text("utf-8"))
               if not image.startswith("http") and not (page.parent / image).exists()]
    assert missing == []
