"""The names of the records lookups point at, read in one query per target object.

>>> record_names(session, {"Account": {"01H...", "01J..."}, "User": {"01K..."}})  # doctest: +SKIP
{'01H...': 'Acme', '01J...': 'Globex', '01K...': 'Li Wei'}

Users (an owner, a creator, a lookup to ``User``) are named by their display name and
departments by their name (``Session.user_names`` / ``department_names``). Other records
are named only when the user may read them; an id whose record they may not read (or
that no longer exists) is left out, and the page shows the id itself.
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
        if not wanted or not target:
            continue
        if target == "User":
            names.update(session.user_names(wanted))
            continue
        if target == "Department":
            names.update(session.department_names(wanted))
            continue
        if target == "Enterprise":
            names.update(session.enterprise_names(wanted))
            continue
        if not session.can(target, "read"):
            continue
        name_field = session.describe(target)["name_field"]
        page = session.query(target, {"id": {"in": wanted}}, limit=len(wanted))
        names.update({r["id"]: str(r.get(name_field) or r["id"]) for r in page.records})
    return names
