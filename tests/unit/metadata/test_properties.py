"""Property tests: any JSON-ish input gives problems or a Pack, never another exception."""

from __future__ import annotations

import copy
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hulian.metadata import (
    CODES,
    FIELD_TYPES,
    MetadataError,
    Pack,
    check_pack,
    load_documents,
    load_schema,
    read_documents,
)
from hulian.metadata.checks import TYPE_KEYS

FIELD_KEYS = sorted(load_schema("object")["$defs"]["field"]["properties"])
OBJECT_KEYS = sorted(load_schema("object")["properties"])
PACK_KEYS = sorted(load_schema("pack")["properties"])
LABEL = {"zh": "名称", "en": "Name"}

names = st.sampled_from(["name", "amount", "Account", "select", "id", "a__c", "Unit Price",
                         "x" * 41, "", "retail", "SO-{yyyy}-{0000}", "{n}", "(", "[A-Z]+",
                         "2024-01-31", "2024-01-31T08:00:00Z", "12:00", "1.0.0", "preset",
                         "tenant", "set_null", "monthly"]) | st.text(max_size=8)
scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | names
           | st.decimals(allow_nan=False, allow_infinity=False)
           | st.sampled_from(FIELD_TYPES))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(FIELD_KEYS) | st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)
labels = st.just(LABEL) | st.dictionaries(st.sampled_from(["zh", "en", "ja", "EN"]), names,
                                          max_size=3) | json_values
options = st.lists(st.fixed_dictionaries({"api_name": names, "label": labels},
                                         optional={"active": st.booleans() | json_values}),
                   max_size=3) | json_values
field_values = {"api_name": names, "type": st.sampled_from(FIELD_TYPES) | json_values,
                "label": labels, "options": options, "help": labels,
                "default": json_values}
plausible = {
    "api_name": st.sampled_from(["price", "qty", "note", "code", "rating__c"]),
    "label": st.just(LABEL), "help": st.just(LABEL), "description": st.text(max_size=5),
    "required": st.booleans(), "unique": st.booleans(),
    "max_length": st.integers(0, 3000), "pattern": st.sampled_from(["[a-z]+", "(", ".*", "x"]),
    "precision": st.integers(0, 20), "scale": st.integers(0, 20),
    "minimum": st.integers(-5, 5) | st.decimals(-5, 5, places=3),
    "maximum": st.integers(-5, 5) | st.decimals(-5, 5, places=3),
    "options": st.lists(st.fixed_dictionaries({"api_name": st.sampled_from(["a", "b", "C"]),
                                               "label": st.just(LABEL)},
                                              optional={"active": st.booleans()}),
                        min_size=1, max_size=3),
    "target": st.sampled_from(["Account", "Acount", "Order"]),
    "lookup_filter": st.sampled_from(["is_active", "("]),
    "relationship_name": st.sampled_from(["lines", "orders", "Bad Name"]),
    "roll_up": st.fixed_dictionaries(
        {"object": st.sampled_from(["Order", "Account", "Ordr"]),
         "relationship": st.sampled_from(["account", "price", "acount"]),
         "function": st.sampled_from(["COUNT", "SUM", "MIN", "MAX", "AVG", "MEDIAN"])},
        optional={"field": st.sampled_from(["price", "qty", "day", "note", "nope"]),
                  "filter": st.sampled_from(["price > 0", ""])}) | json_values,
    "quote": st.sampled_from(["account.name", "account.price", "parent.parent.note",
                              "account.nope", "price.name", "account"]) | json_values,
    "on_delete": st.sampled_from(["set_null", "restrict", "cascade"]),
    "format": st.sampled_from(["A-{0000}", "{yyyy}{mm}{dd}-{00}", "{n}", "A-{yy}"]),
    "start": st.integers(-1, 10), "reset": st.sampled_from(["never", "yearly", "daily"]),
    "default": st.none() | st.booleans() | st.integers(-10, 10) | st.decimals(-10, 10, places=3)
    | st.sampled_from(["a", "b", "x", "2024-01-31", "2024-01-31T08:00:00Z", "12:00",
                       "https://example.com", "a@b.cn", "+86 10 1234"])
    | st.lists(st.sampled_from(["a", "b", "z"]), max_size=3),
}


def _plausible_field(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    keys = [k for k in plausible if k not in ("api_name", "label")
            and (k not in TYPE_KEYS or kind in TYPE_KEYS[k])]
    return st.fixed_dictionaries(
        {"api_name": plausible["api_name"], "type": st.just(kind), "label": st.just(LABEL)},
        optional={k: plausible[k] for k in keys})


plausible_fields = st.sampled_from(FIELD_TYPES).flatmap(_plausible_field)
fields = plausible_fields | st.dictionaries(
    st.sampled_from(FIELD_KEYS) | st.text(max_size=5),
    json_values, max_size=6,
).flatmap(lambda extra: st.fixed_dictionaries(
    {k: field_values.get(k, json_values) for k in ("api_name", "type", "label")},
    optional={k: field_values.get(k, json_values) for k in FIELD_KEYS
              if k not in ("api_name", "type", "label")},
).map(lambda f: {**extra, **f}))
objects = st.fixed_dictionaries(
    {"api_name": st.just("Account") | names, "label": labels,
     "name_field": st.just("name") | names,
     "fields": st.lists(fields | json_values, max_size=4) | json_values},
    optional={"plural_label": labels, "description": json_values, "zzz": json_values},
) | json_values
manifests = st.fixed_dictionaries(
    {"name": st.just("crm") | names, "version": st.just("1.0.0") | names, "label": labels},
    optional={"kind": st.sampled_from(["preset", "tenant"]) | json_values,
              "requires": json_values, "description": json_values},
) | json_values


def _assert_problems(error: MetadataError) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.code in CODES
        assert isinstance(problem.file, str) and isinstance(problem.pointer, str)
        assert problem.message


@settings(max_examples=200, deadline=None)
@given(manifest=manifests, documents=st.dictionaries(
    st.sampled_from(["objects/Account.json", "objects/Order.json", "widgets/x.json"]),
    objects, max_size=2))
def test_load_documents_gives_a_pack_or_problems(manifest: Any, documents: dict[str, Any]) -> None:
    try:
        pack = load_documents({"pack.json": manifest, **documents})
    except MetadataError as error:
        _assert_problems(error)
    else:
        assert isinstance(pack, Pack)
        assert load_documents(pack.documents) == pack


@settings(max_examples=300, deadline=None)
@given(field=fields)
def test_any_single_field(field: Any) -> None:
    document = {"api_name": "Account", "label": LABEL, "name_field": "name",
                "fields": [{"api_name": "name", "type": "text", "label": LABEL}, field]}
    try:
        pack = load_documents({"pack.json": {"name": "crm", "version": "1.0.0", "label": LABEL},
                               "objects/Account.json": document})
    except MetadataError as error:
        _assert_problems(error)
    else:
        assert load_documents(pack.documents) == pack


ORDER_FIELDS = [
    {"api_name": "name", "type": "text", "label": LABEL},
    {"api_name": "account", "type": "master_detail", "label": LABEL, "target": "Account"},
    {"api_name": "parent", "type": "lookup", "label": LABEL, "target": "Order"},
    {"api_name": "price", "type": "currency", "label": LABEL},
    {"api_name": "day", "type": "date", "label": LABEL},
]


@settings(max_examples=100, deadline=None)
@given(account_fields=st.lists(plausible_fields | fields, max_size=3),
       order_fields=st.lists(plausible_fields, max_size=3))
def test_related_fields(account_fields: list[Any], order_fields: list[Any]) -> None:
    """Roll-ups, quotes and references between two objects give problems or a Pack."""
    documents = {
        "pack.json": {"name": "crm", "version": "1.0.0", "label": LABEL},
        "objects/Account.json": {"api_name": "Account", "label": LABEL, "name_field": "name",
                                 "fields": [{"api_name": "name", "type": "text",
                                             "label": LABEL}, *account_fields]},
        "objects/Order.json": {"api_name": "Order", "label": LABEL, "name_field": "name",
                               "fields": [*ORDER_FIELDS, *order_fields]},
    }
    try:
        pack = load_documents(documents)
    except MetadataError as error:
        _assert_problems(error)
    else:
        assert load_documents(pack.documents) == pack


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifest=manifests, document=objects,
       raw=st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_check_pack_on_files_never_raises(manifest: Any, document: Any, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "objects").mkdir()
        (root / "pack.json").write_text(json.dumps(manifest, default=str), "utf-8")
        (root / "objects" / "Account.json").write_text(json.dumps(document, default=str), "utf-8")
        (root / "objects" / "Raw.json").write_bytes(raw)
        problems = check_pack(root)
    assert all(p.code in CODES and p.file.startswith(tmp) for p in problems)


def test_decimals_survive_a_round_trip() -> None:
    field = {"api_name": "amount", "type": "currency", "label": LABEL, "minimum": Decimal("0.10")}
    pack = load_documents({
        "pack.json": {"name": "crm", "version": "1.0.0", "label": LABEL},
        "objects/Account.json": {"api_name": "Account", "label": LABEL, "name_field": "name",
                                 "fields": [{"api_name": "name", "type": "text", "label": LABEL},
                                            field]}})
    assert load_documents(pack.documents) == pack


SHOP = read_documents(Path(__file__).parent / "packs" / "shop")[0]
KIND_FILES = sorted(f for f in SHOP if f.split("/")[0] in ("layouts", "scenes", "home"))
kind_values = json_values | st.sampled_from(
    ["Order", "OrderLine", "lines", "amount", "-amount", "tags", "mine", "sales_rep", "detail",
     "list", "mobile", "metric", "scene_list", "quick_create", "SUM", "MAX", "COUNT"])


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found += _paths(value, (*prefix, i))
    return found


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_change_to_a_layout_scene_or_home_view(data: st.DataObject) -> None:
    """Any value anywhere in a layout, scene or home view gives problems or a Pack."""
    documents = copy.deepcopy(SHOP)
    for _ in range(data.draw(st.integers(1, 3))):
        file = data.draw(st.sampled_from(KIND_FILES))
        path = data.draw(st.sampled_from(_paths(documents[file])))
        value = data.draw(kind_values | st.dictionaries(st.text(max_size=5) | st.sampled_from(
            ["field", "kind", "object", "sort", "columns", "roles"]), kind_values, max_size=3))
        if not path:
            documents[file] = value
            continue
        holder = documents[file]
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
    try:
        pack = load_documents(documents)
    except MetadataError as error:
        _assert_problems(error)
    else:
        assert load_documents(pack.documents) == pack
