"""hulian.metadata.loader: pack folders and documents -> the frozen model, or every problem."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hulian.metadata import (
    MetadataError,
    Pack,
    check_pack,
    load_documents,
    load_pack,
    read_documents,
)

PACKS = Path(__file__).parent / "packs"
CRM = PACKS / "crm"


@pytest.fixture(scope="module")
def crm() -> Pack:
    return load_pack(CRM)


def _copy(tmp_path: Path, name: str = "crm") -> Path:
    target = tmp_path / name
    shutil.copytree(PACKS / name, target)
    return target


def _edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")


def test_manifest(crm: Pack) -> None:
    assert (crm.name, crm.version, crm.kind) == ("crm", "1.0.0", "preset")
    assert dict(crm.label) == {"zh": "客户管理", "en": "CRM", "ja": "顧客管理"}
    assert dict(crm.requires) == {"base": ">=1.0.0,<2.0.0"}
    assert crm.description == "Accounts and their orders."
    assert [o.api_name for o in crm.objects] == ["Account", "SalesOrder"]


def test_object(crm: Pack) -> None:
    account = crm.object("Account")
    assert account is not None
    assert account.name_field == "name"
    assert dict(account.plural_label or {}) == {"zh": "客户", "en": "Accounts"}
    assert account.source == "objects/Account.json"
    assert account.field_names[:3] == ("name", "industry", "tags")


def test_defaults_are_filled_in(crm: Pack) -> None:
    account, order = crm.object("Account"), crm.object("SalesOrder")
    assert account is not None and order is not None
    name, notes, website = account.field("name"), order.field("notes"), account.field("website")
    assert name is not None and notes is not None and website is not None
    assert name.max_length == 120 and name.required is True  # the name field is required
    assert notes.max_length == 32768 and notes.required is False
    assert website.max_length == 2048 and website.unique is True
    revenue, employees, discount = (account.field("revenue"), account.field("employees"),
                                    order.field("discount"))
    assert revenue is not None and employees is not None and discount is not None
    assert (revenue.precision, revenue.scale) == (18, 2)
    assert (employees.precision, employees.scale) == (9, 0)
    assert isinstance(employees.precision, int)  # written as 9.0
    assert (discount.precision, discount.scale) == (5, 2)
    parent, account_ref = account.field("parent"), order.field("account")
    assert parent is not None and account_ref is not None
    assert parent.on_delete == "set_null" and account_ref.on_delete == "restrict"
    number = order.field("number")
    assert number is not None
    assert (number.format, number.start, number.reset) == ("SO-{yyyy}{mm}-{0000}", 1, "monthly")
    assert number.required is False  # an auto-number name field is filled in by hulian
    active = account.field("active")
    assert active is not None and active.default is False


def test_defaults_are_coerced(crm: Pack) -> None:
    account = crm.object("Account")
    assert account is not None
    values = {f.api_name: f.default for f in account.fields}
    assert values["industry"] == "retail"
    assert values["tags"] == ("key_account", "new")  # option order, deduplicated, a tuple
    assert values["revenue"] == Decimal("0.13") and isinstance(values["revenue"], Decimal)
    assert values["since"] == dt.date(2024, 1, 31)
    assert values["reviewed_at"] == dt.datetime(2024, 1, 31, 0, 0, tzinfo=dt.UTC)
    assert values["name"] is None


def test_numbers_are_exact_decimals(crm: Pack) -> None:
    revenue = crm.object("Account").field("revenue")  # type: ignore[union-attr]
    assert revenue is not None
    assert revenue.minimum == Decimal(0) and isinstance(revenue.minimum, Decimal)
    assert revenue.maximum == Decimal("1000000000.50")
    assert str(revenue.maximum) == "1000000000.50"


def test_options_and_help(crm: Pack) -> None:
    account = crm.object("Account")
    assert account is not None
    industry, employees = account.field("industry"), account.field("employees")
    assert industry is not None and employees is not None
    assert [(o.api_name, o.active) for o in industry.options] == [("retail", True),
                                                                   ("energy", False)]
    assert dict(industry.options[0].label) == {"zh": "零售", "en": "Retail"}
    assert dict(employees.help or {}) == {"zh": "全职员工", "en": "Full-time staff"}
    assert account.field("code").pattern == "[A-Z]{2}[0-9]{4}"  # type: ignore[union-attr]


def test_the_model_is_frozen(crm: Pack) -> None:
    account = crm.object("Account")
    assert account is not None
    field = account.fields[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        field.required = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        crm.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        field.label["en"] = "Changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        crm.requires["x"] = "1"  # type: ignore[index]
    with pytest.raises(AttributeError):
        account.fields.append(field)  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        crm.documents["pack.json"] = {}  # type: ignore[index]


def test_reloading_the_documents_gives_an_equal_pack(crm: Pack) -> None:
    again = load_documents(crm.documents)
    assert again == crm
    assert again.objects[0].fields == crm.objects[0].fields
    assert set(crm.documents) == {"pack.json", "objects/Account.json", "objects/SalesOrder.json"}


def test_documents_are_a_copy_of_the_input() -> None:
    documents, problems = read_documents(CRM)
    assert problems == []
    pack = load_documents(documents)
    documents["pack.json"]["name"] = "changed"
    assert pack.documents["pack.json"]["name"] == "crm"


def test_a_change_in_the_documents_changes_the_pack(crm: Pack) -> None:
    documents = copy.deepcopy(dict(crm.documents))
    documents["objects/SalesOrder.json"]["fields"][2]["scale"] = 1
    assert load_documents(documents) != crm


def test_read_documents_parses_numbers_as_decimals_and_skips_data_and_hidden(
        tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    (pack / ".git").mkdir()
    (pack / ".git" / "HEAD").write_text("ref")
    (pack / "objects" / ".Draft.json").write_text("{")
    documents, problems = read_documents(pack)
    assert problems == []
    assert sorted(documents) == ["objects/Account.json", "objects/SalesOrder.json", "pack.json"]
    revenue = documents["objects/Account.json"]["fields"][3]
    assert revenue["maximum"] == Decimal("1000000000.50")
    assert isinstance(revenue["default"], Decimal)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    pack = _copy(tmp_path, "tasks")
    manifest = pack / "pack.json"
    manifest.write_bytes(b"\xef\xbb\xbf" + manifest.read_bytes())
    assert check_pack(pack) == []


def test_check_pack_returns_every_problem_with_the_source_prefix(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    # without requires: a pack that requires others leaves unknown targets to the merge
    _edit(pack / "pack.json", lambda d: (d.update(version="one"), d.pop("requires")))
    _edit(pack / "objects" / "SalesOrder.json",
          lambda d: d["fields"][1].update(target="Acount"))
    problems = check_pack(str(pack) + "/")
    assert [(p.code, p.file, p.pointer) for p in problems] == [
        ("lookup.unknown_target", f"{pack}/objects/SalesOrder.json", "/fields/1/target"),
        ("schema.pattern", f"{pack}/pack.json", "/version"),
    ]
    assert problems[0].hint == "did you mean 'Account'?"


def test_load_pack_raises_all_problems_at_once(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    _edit(pack / "pack.json", lambda d: d.update(version="one"))
    (pack / "objects" / "SalesOrder.json").write_text('{"api_name": "SalesOrder",}')
    with pytest.raises(MetadataError) as info:
        load_pack(pack)
    codes = [p.code for p in info.value.problems]
    assert codes == ["json.syntax", "schema.pattern"]
    assert info.value.details()[0]["file"] == f"{pack}/objects/SalesOrder.json"
    assert "line 1 column 27" in info.value.problems[0].message


def test_a_lookup_to_an_unreadable_object_file_is_not_reported_again(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    (pack / "objects" / "Account.json").write_text("{")
    assert [p.code for p in check_pack(pack)] == ["json.syntax"]


def test_load_documents_prefixes_problem_files_with_the_source() -> None:
    documents, _ = read_documents(CRM)
    documents["objects/Account.json"]["fields"][0]["type"] = "txt"
    with pytest.raises(MetadataError) as info:
        load_documents(documents, source="examples/crm")
    [problem] = info.value.problems
    assert (problem.code, problem.file, problem.pointer) == (
        "schema.enum", "examples/crm/objects/Account.json", "/fields/0/type")
    assert problem.hint is not None and problem.hint.startswith("did you mean 'text'?")
    with pytest.raises(MetadataError) as info:
        load_documents(documents)
    assert info.value.problems[0].file == "objects/Account.json"


def test_load_documents_rejects_unknown_paths_and_a_missing_manifest() -> None:
    documents, _ = read_documents(CRM)
    del documents["pack.json"]
    documents["widgets/Account.json"] = {}
    with pytest.raises(MetadataError) as info:
        load_documents(documents)
    assert [(p.code, p.file) for p in info.value.problems] == [
        ("pack.missing_manifest", "pack.json"),
        ("pack.unexpected_file", "widgets/Account.json"),
    ]


@pytest.mark.parametrize("documents", [None, [], "pack.json", {"pack.json": [1, 2]}, {1: {}}])
def test_load_documents_never_raises_anything_but_metadata_error(documents: Any) -> None:
    with pytest.raises(MetadataError):
        load_documents(documents)


def test_python_values_are_checked_like_json(crm: Pack) -> None:
    documents = copy.deepcopy(dict(crm.documents))
    fields = documents["objects/SalesOrder.json"]["fields"]
    fields[2]["maximum"] = float("inf")
    fields[3]["label"] = {"zh": "备注", "en": "Notes", 3: "x"}
    with pytest.raises(MetadataError) as info:
        load_documents(documents)
    assert [(p.code, p.pointer) for p in info.value.problems] == [
        ("json.value", "/fields/2/maximum"), ("json.value", "/fields/3/label")]


def test_floats_become_exact_decimals(crm: Pack) -> None:
    documents = copy.deepcopy(dict(crm.documents))
    documents["objects/Account.json"]["fields"][3]["maximum"] = 12.1
    revenue = load_documents(documents).object("Account").field("revenue")  # type: ignore[union-attr]
    assert revenue is not None and revenue.maximum == Decimal("12.1")


def test_a_folder_of_packs_checks_each_pack(tmp_path: Path) -> None:
    _copy(tmp_path, "crm")
    tasks = _copy(tmp_path, "tasks")
    (tmp_path / "notes").mkdir()
    assert check_pack(tmp_path) == []
    _edit(tasks / "objects" / "Task.json", lambda d: d.update(name_field="title"))
    problems = check_pack(tmp_path)
    assert [(p.code, p.file, p.pointer) for p in problems] == [
        ("name_field.unknown", f"{tmp_path}/tasks/objects/Task.json", "/name_field")]


def test_the_test_packs_are_valid() -> None:
    assert check_pack(PACKS) == []


def test_a_missing_folder_is_one_problem(tmp_path: Path) -> None:
    problems = check_pack(tmp_path / "nowhere")
    assert [(p.code, p.file) for p in problems] == [("file.unreadable", f"{tmp_path}/nowhere")]
    with pytest.raises(MetadataError):
        load_pack(tmp_path / "nowhere")


def test_an_empty_folder_has_no_manifest(tmp_path: Path) -> None:
    problems = check_pack(tmp_path)
    assert [(p.code, p.file) for p in problems] == [("pack.missing_manifest",
                                                     f"{tmp_path}/pack.json")]


def test_schema_key_is_allowed(crm: Pack) -> None:
    assert "$schema" in crm.documents["pack.json"]


def test_a_tenant_pack(tmp_path: Path) -> None:
    pack = _copy(tmp_path, "tasks")
    _edit(pack / "pack.json", lambda d: d.update(kind="tenant", name="acme_tasks"))
    (pack / "objects" / "Task.json").rename(pack / "objects" / "Task__c.json")

    def custom(doc: dict[str, Any]) -> None:
        doc["api_name"] = "Task__c"
        doc["name_field"] = "subject__c"
        for field in doc["fields"]:
            field["api_name"] += "__c"

    _edit(pack / "objects" / "Task__c.json", custom)
    loaded = load_pack(pack)
    assert loaded.kind == "tenant"
    assert loaded.objects[0].field_names == ("subject__c", "due__c")
