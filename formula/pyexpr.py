"""A fragment of generated Python: its code and what is known about its value."""

from __future__ import annotations

from dataclasses import dataclass

from hulian.formula.types import T

SCALAR = frozenset({T.NUMBER, T.CURRENCY, T.PERCENT, T.BOOLEAN, T.DATE, T.DATETIME, T.TIME})
"""Types whose values are never text or option lists: never 'blank' but as None."""
LISTY = frozenset({T.TEXT, T.PICKLIST, T.MULTI_PICKLIST})


@dataclass(frozen=True)
class Expr:
    code: str
    nullable: bool = True
    simple: bool = False
    """``code`` is a name (or None/True/False): it may be repeated without re-evaluation."""
    name: str | None = None
    """The name ``code`` stores its value in (``(t1 := ...)``), if any."""
    truthy: bool = False
    """Never blank nor empty (a constant such as '-')."""


NONE = Expr("None", nullable=True, simple=True)
