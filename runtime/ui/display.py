"""Values as a page shows them: text for a cell, in the page's language.

>>> from decimal import Decimal
>>> display(Decimal("60000.50"), "zh"), display(True, "en"), display(None, "zh")
('60,000.50', 'Yes', '')
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["display"]

_BOOLEAN = {"zh": ("是", "否"), "en": ("Yes", "No")}


def display(value: Any, lang: str) -> str:
    """A stored value as text: numbers grouped by thousands, dates in ISO order, lists
    joined, booleans as yes/no, a lookup (``{"id", "name"}``) by its name."""
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = _BOOLEAN.get(lang, _BOOLEAN["en"])
        return yes if value else no
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    if isinstance(value, list | tuple):
        return ", ".join(display(v, lang) for v in value)
    return str(value)
