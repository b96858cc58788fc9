"""Loading a pack's sample data (``data/<Object>.json``) through the record API.

A data file is a list of records. ``"$key": "huaxin"`` names a record inside the
load; a lookup value ``{"$ref": "huaxin"}`` is replaced by that record's id.
Objects are loaded so that lookup targets come first.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hulian.engine import HulianError, Session
from hulian.metadata.jsontext import loads


def _load_order(session: Session, names: list[str]) -> list[str]:
    ordered: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in ordered or name in trail:
            return
        for f in session.schema.object(name).model.fields:
            if f.is_reference and f.target in names and f.target != name:
                visit(f.target, (*trail, name))
        ordered.append(name)

    for name in sorted(names):
        visit(name, ())
    return ordered


def _resolve(value: Any, ids: Mapping[str, str], where: str) -> Any:
    if isinstance(value, Mapping) and set(value) == {"$ref"}:
        key = value["$ref"]
        if key not in ids:
            raise HulianError(f"{where}: no record with $key {key!r} was loaded before",
                              code="sample_data_invalid",
                              hint="give the referenced record a $key and load it first")
        return ids[key]
    return value


def load_sample_data(session: Session, pack_dir: str | Path) -> dict[str, int]:
    """Create every record in ``pack_dir/data``; returns how many per object."""
    folder = Path(pack_dir) / "data"
    files = {p.stem: p for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}
    ids: dict[str, str] = {}
    counts: dict[str, int] = {}
    for name in _load_order(session, list(files)):
        records = loads(files[name].read_text(encoding="utf-8"))
        for i, record in enumerate(records):
            where = f"data/{name}.json/{i}"
            values = {k: _resolve(v, ids, where) for k, v in record.items() if k != "$key"}
            created = session.create(name, values)
            if "$key" in record:
                ids[record["$key"]] = created["id"]
        counts[name] = len(records)
    return counts
