"""The names of the records lookups point at, read in one query per target object.

>>> record_names(session, {"Account": {"01H...", "01J..."}})          # doctest: +SKIP
{'01H...': 'Acme', '01J...': 'Globex'}

Only records the user may read are named; an id whose record they may not read (or that
no longer exists) is left out, and the page shows the id itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hulian.engine import Session

__all__ = ["MAX_NAMES", "record_names"]

MAX_NAMES = 200
"""At most this many ids are named per target object (a page shows fewer)."""


def record_names(session: Session, ids: Mapping[str, Any]) -> dict[str, str]:
    """id -> name field text of the records of each target object in ``ids``."""
    names: dict[str, str] = {}
    for target, wanted in ids.items():
        wanted = sorted(str(i) for i in wanted if i)[:MAX_NAMES]
        if not wanted or not target or not session.can(target, "read"):
            continue
        name_field = session.describe(target)["name_field"]
        page = session.query(target, {"id": {"in": wanted}}, limit=len(wanted))
        names.update({r["id"]: str(r.get(name_field) or r["id"]) for r in page.records})
    return names
