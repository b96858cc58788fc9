"""Pack documents built in code, for tests that need an object of their own.

>>> docs = documents(obj("Item", field("name", "text"), field("qty", "number", scale=2)))
>>> sorted(docs)
['objects/Item.json', 'pack.json']
>>> pack_of(docs).object("Item").field("qty").scale
2

``documents`` returns exactly what a pack folder holds (``{"pack.json": ...,
"objects/Item.json": ...}``); ``pack_of`` loads it (raising MetadataError like a
folder would) and ``write_pack`` writes it as a folder for ``Engine.deploy(path)``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hulian.metadata.jsontext import dumps
from hulian.metadata.loader import load_documents
from hulian.metadata.model import Pack

Documents = dict[str, Any]


def label(en: str, zh: str | None = None) -> dict[str, str]:
    return {"zh": zh or f"{en}（中文）", "en": en}


def option(api_name: str, *, active: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"api_name": api_name, "label": label(api_name.title())}
    if not active:
        out["active"] = False
    return out


def options(*names: str, inactive: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [option(n, active=n not in inactive) for n in names]


def field(api_name: str, type_: str, **settings: Any) -> dict[str, Any]:
    """A field document; ``settings`` are the JSON keys (max_length=..., options=...)."""
    return {"api_name": api_name, "type": type_, "label": label(api_name.replace("_", " ")),
            **settings}


def obj(api_name: str, *fields: dict[str, Any], name_field: str = "name",
        **extra: Any) -> dict[str, Any]:
    return {"api_name": api_name, "label": label(api_name), "name_field": name_field,
            "fields": list(fields), **extra}


def documents(*objects: dict[str, Any], name: str = "testpack",
              version: str = "1.0.0") -> Documents:
    docs: Documents = {"pack.json": {"name": name, "version": version, "label": label(name)}}
    for o in objects:
        docs[f"objects/{o['api_name']}.json"] = copy.deepcopy(o)
    return docs


def pack_of(docs: Documents) -> Pack:
    return load_documents(docs)


def pack(*objects: dict[str, Any], **manifest: Any) -> Pack:
    return pack_of(documents(*objects, **manifest))


def write_pack(folder: Path, docs: Documents) -> Path:
    """Write ``docs`` as a pack folder (pretty JSON, UTF-8); returns ``folder``."""
    for name, value in docs.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(value, indent=2) + "\n", encoding="utf-8")
    return folder


def edit(docs: Documents, object_name: str, field_name: str | None = None,
         **changes: Any) -> Documents:
    """A copy of ``docs`` with keys of one object (or one of its fields) changed.

    A change to ``None`` removes the key.
    """
    out = copy.deepcopy(docs)
    target = out[f"objects/{object_name}.json"]
    if field_name is not None:
        target = next(f for f in target["fields"] if f["api_name"] == field_name)
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return out
