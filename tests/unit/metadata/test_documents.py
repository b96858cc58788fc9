"""hulian.metadata.documents: reading files and keeping documents to JSON values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hulian.metadata.documents import (
    MAX_DEPTH,
    clean_document,
    document_kind,
    join,
    parse_json,
    read_documents,
)


@pytest.mark.parametrize(("name", "kind"), [
    ("pack.json", "pack"), ("objects/Account.json", "object"), ("objects/.json", None),
    ("objects/a/B.json", None), ("objects/B.JSON", None), ("layouts/A.json", "layout"),
    ("widgets/A.json", None),
    ("Pack.json", None), ("objects", None), ("extensions/Account.json", "extension"),
    ("extensions/a/B.json", None),
])
def test_document_kind(name: str, kind: str | None) -> None:
    assert document_kind(name) == kind


def test_join() -> None:
    assert join("", "pack.json") == "pack.json"
    assert join("examples/crm/", "objects/A.json") == "examples/crm/objects/A.json"
    assert join("examples/crm", "") == "examples/crm"


def test_parse_json_keeps_numbers_exact() -> None:
    value, problems = parse_json(b'{"a": 0.1, "b": 10, "c": 1e400}', "x.json")
    assert problems == []
    assert value == {"a": Decimal("0.1"), "b": 10, "c": Decimal("1e400")}
    assert isinstance(value["b"], int)


@pytest.mark.parametrize(("data", "code", "text"), [
    (b'{"a": 1,}', "json.syntax", "line 1 column 9"),
    (b'{\n  "a": tru\n}', "json.syntax", "line 2 column 8"),
    (b"", "json.syntax", "line 1 column 1"),
    (b'{"a": "caf\xe9"}', "file.encoding", "byte 0xe9 on line 1"),
    (b"[" * 100_000, "json.value", "nested too deeply"),
    (b"1" * 5000, "json.value", "cannot be read"),
])
def test_parse_json_problems(data: bytes, code: str, text: str) -> None:
    value, problems = parse_json(data, "x.json")
    assert value is None
    [problem] = problems
    assert (problem.code, problem.file, problem.pointer) == (code, "x.json", "")
    assert text in problem.message


@pytest.mark.parametrize(("value", "pointer"), [
    ({"a": [1, float("nan")]}, "/a/1"),
    ({"a": Decimal("Infinity")}, "/a"),
    ({"a": {1: "x"}}, "/a"),
    ({"a/b": "x\x00"}, "/a~1b"),
    ({"k\ud800": 1}, "/k\ud800"),
    ({"a": {1, 2}}, "/a"),
    ({"a": b"bytes"}, "/a"),
])
def test_clean_document_reports_values_json_cannot_hold(value: Any, pointer: str) -> None:
    _, problems = clean_document(value, "x.json")
    assert [(p.code, p.pointer) for p in problems] == [("json.value", pointer)]


def test_parsed_nan_is_reported_where_it_is() -> None:
    value, problems = parse_json(b'{"a": [1, NaN, -Infinity]}', "x.json")
    assert problems == []
    clean, problems = clean_document(value, "x.json")
    assert clean == {"a": [1, None, None]}
    assert [p.pointer for p in problems] == ["/a/1", "/a/2"]
    assert problems[0].message == "NaN is not a JSON number"


def test_clean_document_copies_and_normalises() -> None:
    original = {"a": (1, 2.5), "b": {"c": [True, None, "x"]}}
    clean, problems = clean_document(original, "x.json")
    assert problems == []
    assert clean == {"a": [1, Decimal("2.5")], "b": {"c": [True, None, "x"]}}
    assert clean["b"] is not original["b"]


def test_clean_document_limits_nesting() -> None:
    deep: Any = "x"
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    _, problems = clean_document({"a": deep}, "x.json")
    [problem] = problems
    assert problem.code == "json.value"
    assert problem.pointer == "/a" + "/0" * (MAX_DEPTH - 1)


def test_read_documents_reports_each_unexpected_entry_once(tmp_path: Path) -> None:
    (tmp_path / "pack.json").write_text("{}")
    (tmp_path / "widgets").mkdir()
    (tmp_path / "widgets" / "A.json").write_text("{}")
    (tmp_path / "objects").mkdir()
    (tmp_path / "objects" / "sub").mkdir()
    (tmp_path / "objects" / "A.json").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("")
    documents, problems = read_documents(tmp_path)
    assert documents == {"pack.json": {}}
    assert sorted((p.file, p.code) for p in problems) == [
        ("objects/A.json", "file.unreadable"),
        ("objects/sub", "pack.unexpected_file"),
        ("widgets", "pack.unexpected_file"),
    ]


def test_read_documents_without_a_folder(tmp_path: Path) -> None:
    documents, problems = read_documents(tmp_path / "missing")
    assert documents == {}
    assert [(p.code, p.file) for p in problems] == [("file.unreadable", "")]


def test_an_objects_file_is_unexpected(tmp_path: Path) -> None:
    (tmp_path / "pack.json").write_text("{}")
    (tmp_path / "objects").write_text("")
    _, problems = read_documents(tmp_path)
    assert [(p.code, p.file) for p in problems] == [("pack.unexpected_file", "objects")]
