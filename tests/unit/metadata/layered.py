"""Small packs and overlays for the tests of hulian.metadata.layers and its helpers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hulian.metadata import Layers, MetadataError, Pack, load_documents, load_pack, merge

ROOT = Path(__file__).parents[3]
EXAMPLE_CRM = ROOT / "examples" / "crm"
TASKS = Path(__file__).parent / "packs" / "tasks"


def label(en: str) -> dict[str, str]:
    return {"zh": f"{en}（中文）", "en": en}


def account(**extra: Any) -> dict[str, Any]:
    """An Account object document: name, industry (picklist), region (text) and one rule."""
    return {
        "api_name": "Account",
        "label": label("Account"),
        "name_field": "name",
        "fields": [
            {"api_name": "name", "type": "text", "label": label("Name")},
            {"api_name": "industry", "type": "picklist", "label": label("Industry"),
             "options": [{"api_name": "retail", "label": label("Retail")},
                         {"api_name": "other", "label": label("Other")}]},
            {"api_name": "region", "type": "text", "label": label("Region")},
        ],
        "validation_rules": [
            {"api_name": "name_not_test", "condition": "name = 'test'",
             "message": label("The name cannot be test"), "error_field": "name"},
        ],
        **extra,
    }


def pack(*objects: dict[str, Any], name: str = "crm", version: str = "1.0.0",
         **manifest: Any) -> Pack:
    documents = {"pack.json": {"name": name, "version": version, "label": label(name),
                               **manifest}}
    documents.update({f"objects/{o['api_name']}.json": copy.deepcopy(o) for o in objects})
    return load_documents(documents)


def overlay(*objects: dict[str, Any], **extensions: dict[str, Any]) -> Pack:
    """A tenant pack: whole objects, and extensions by object name (``Account={...}``)."""
    documents: dict[str, Any] = {"pack.json": {"name": "acme", "version": "1.0.0",
                                               "label": label("Acme"), "kind": "tenant"}}
    documents.update({f"objects/{o['api_name']}.json": copy.deepcopy(o) for o in objects})
    documents.update({f"extensions/{name}.json": {"object": name, **copy.deepcopy(doc)}
                      for name, doc in extensions.items()})
    return load_documents(documents)


def problems(layers: Layers) -> list[tuple[str, str, str]]:
    """(code, file, pointer) of every problem merging ``layers``; [] when it merges."""
    try:
        merge(layers)
    except MetadataError as error:
        return [(p.code, p.file, p.pointer) for p in error.problems]
    return []


def example_crm() -> Pack:
    return load_pack(EXAMPLE_CRM)


def tasks() -> Pack:
    return load_pack(TASKS)
