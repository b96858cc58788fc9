"""Small packs of related objects for the tests of master-detail, roll-up and quote checks."""

from __future__ import annotations

import copy
from typing import Any

from hulian.metadata import MetadataError, Pack, load_documents

LABEL = {"zh": "字段", "en": "Field"}


def field(api_name: str, kind: str, **keys: Any) -> dict[str, Any]:
    return {"api_name": api_name, "type": kind, "label": LABEL, **keys}


def master(api_name: str, target: str, **keys: Any) -> dict[str, Any]:
    return field(api_name, "master_detail", target=target, **keys)


def lookup(api_name: str, target: str, **keys: Any) -> dict[str, Any]:
    return field(api_name, "lookup", target=target, **keys)


def obj(api_name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    """An object named by a text field ``name``, with ``fields`` after it (index 1 on)."""
    return {"api_name": api_name, "label": LABEL, "name_field": "name",
            "fields": [field("name", "text"), *fields]}


def documents(*objects: dict[str, Any], kind: str = "preset") -> dict[str, Any]:
    return {"pack.json": {"name": "shop", "version": "1.0.0", "label": LABEL, "kind": kind},
            **{f"objects/{o['api_name']}.json": copy.deepcopy(o) for o in objects}}


def problems(*objects: dict[str, Any], kind: str = "preset") -> list[tuple[str, str, str]]:
    """(code, file, pointer) of every problem loading a pack of ``objects``; [] if it loads."""
    try:
        load_documents(documents(*objects, kind=kind))
    except MetadataError as error:
        return sorted((p.code, p.file, p.pointer) for p in error.problems)
    return []


def messages(*objects: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(message, hint) of every problem, in reading order."""
    try:
        load_documents(documents(*objects))
    except MetadataError as error:
        return [(p.message, p.hint) for p in error.problems]
    return []


def load(*objects: dict[str, Any]) -> Pack:
    return load_documents(documents(*objects))


ORDER = obj("Order", field("amount", "currency"), field("order_date", "date"))
LINE = obj("OrderLine", master("sales_order", "Order"), field("amount", "currency"),
           field("quantity", "number", scale=2), field("ship_date", "date"),
           field("shipped_at", "datetime"), field("discount", "percent"),
           field("note", "text"), field("net", "currency", formula="amount * (1 - discount)"))
