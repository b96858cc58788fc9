"""Checks of an object's field history list (``track_history``) that its JSON Schema cannot
see: each entry names a field of the object (or a system field whose changes a history
shows), one that stores a value (a formula or a quote computes it on read, so it never
changes in a record), and only once.

>>> found = []
>>> doc = {"fields": [{"api_name": "amount", "type": "currency"}],
...        "track_history": ["amount", "amuont", "owner_id", "amount"]}
>>> check_history(doc, lambda code, path, message, hint=None: found.append((code, path)))
>>> found
[('history.unknown_field', ('track_history', 1)), ('history.duplicate_field', ('track_history', 3))]

Renamed fields are followed: a tenant's extension that names a field the pack renames
keeps working (:mod:`hulian.metadata.renames`). Removing a tracked field stops its
tracking, as in Salesforce: ``track_history: true`` needs no change, a pack upgrade takes
a field the pack removed out of the overlay's lists
(:func:`hulian.metadata.upgrades.untrack_removed`), and a document that removes one of its
own fields takes it out of its own list in the same edit (else ``history.unknown_field``,
as for a misspelt name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hulian.metadata.hints import choices_hint
from hulian.metadata.model import HISTORY_SYSTEM_FIELDS

__all__ = ["check_history"]

Add = Callable[..., None]


def check_history(doc: Mapping[str, Any], add: Add) -> None:
    """Report what is wrong with the ``track_history`` list of the object document ``doc``."""
    tracked = doc.get("track_history")
    fields = doc.get("fields")
    if not isinstance(tracked, list) or not isinstance(fields, list):
        return
    by_name = {f["api_name"]: f for f in fields
               if isinstance(f, dict) and isinstance(f.get("api_name"), str)}
    trackable = [name for name, raw in by_name.items() if not _computed(raw)]
    seen: dict[str, int] = {}
    for i, name in enumerate(tracked):
        if not isinstance(name, str):
            continue
        at = ("track_history", i)
        if name in seen:
            add("history.duplicate_field", at,
                f"{name!r} is already tracked (/track_history/{seen[name]})",
                "list each field once")
            continue
        seen[name] = i
        raw = by_name.get(name)
        if raw is None and name not in HISTORY_SYSTEM_FIELDS:
            add("history.unknown_field", at, f"{name!r} is not a field of this object",
                choices_hint(name, [*trackable, *HISTORY_SYSTEM_FIELDS],
                             "fields whose history can be tracked"))
        elif raw is not None and _computed(raw):
            kind = "formula" if "formula" in raw else "quote"
            add("history.untrackable_field", at,
                f"{name!r} is a {kind} field: it is computed when read, so no change of "
                "it is ever recorded", "track the stored fields it is computed from")


def _computed(raw: Mapping[str, Any]) -> bool:
    return "formula" in raw or "quote" in raw
