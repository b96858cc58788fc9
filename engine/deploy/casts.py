"""PostgreSQL casts that convert a column exactly as hulian's coercers would.

A type change first checks every stored value in Python with the new field's
coercer (so the rules are hulian's, on both databases). Where a PostgreSQL cast is
known to give the same values, PostgreSQL then converts the column in one
``ALTER TABLE ... ALTER COLUMN ... TYPE ... USING`` (one table rewrite, no bloat);
elsewhere hulian writes the converted values itself (:func:`~.data.convert_values`).

The cast of text to a number only agrees with Python's ``Decimal`` for plain
decimal literals (``-12.50``, ``7``), so it is used only when every stored value is
one; ``1e3`` or ``1_000`` send the column down the Python path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hulian.engine.deploy.fields import NUMBERS, TEXTS, digits
from hulian.metadata.model import Field

PLAIN_NUMBER = re.compile(r"[ \t]*[+-]?(\d+\.?\d*|\.\d+)[ \t]*")
CHOICES = frozenset({"picklist"})


@dataclass(frozen=True)
class Cast:
    """``using`` is the SQL expression; ``plain`` (if any) every non-blank value must match."""

    using: str
    plain: re.Pattern[str] | None = None


def pg_cast(old: Field, new: Field, column: str) -> Cast | None:
    """The cast converting ``old``'s column for ``new`` like the coercer does, if one exists.

    ``column`` comes from validated metadata (an api_name); it is quoted here.
    """
    quoted = '"' + column.replace('"', '""') + '"'
    if new.type in NUMBERS:
        precision, scale = sum(digits(new)), digits(new)[1]
        if old.type in NUMBERS:
            return Cast(f"{quoted}::numeric({precision},{scale})")
        if old.type in TEXTS:
            return Cast(f"trim({quoted})::numeric({precision},{scale})", PLAIN_NUMBER)
        return None
    if new.type in TEXTS or new.type in CHOICES:
        if old.type in TEXTS or old.type in CHOICES:
            return Cast(quoted)
        if old.type in NUMBERS:
            return Cast(f"{quoted}::text")
        if old.type == "date":
            return Cast(f"to_char({quoted}, 'YYYY-MM-DD')")
    return None
