"""PostgreSQL casts that convert a column exactly as hulian's coercers would.

A type change first checks every stored value in Python with the new field's
coercer (so the rules are hulian's, on both databases). Where a PostgreSQL cast is
known to give the same values, PostgreSQL then converts the column in one
``ALTER TABLE ... ALTER COLUMN ... TYPE ... USING`` (one table rewrite, no bloat);
elsewhere hulian writes the converted values itself (:func:`~.data.convert_values`).

Each type's casts to and from text are registered with its storage
(:mod:`hulian.engine.schema.field_storage`): the cast of text to a number only agrees
with Python's ``Decimal`` for plain decimal literals (``-12.50``, ``7``), so it is used
only when every stored value is one; ``1e3`` or ``1_000`` send the column down the
Python path.
"""

from __future__ import annotations

from hulian.engine.deploy.fields import digits
from hulian.engine.schema.field_storage import PLAIN_NUMBER, Cast, storage
from hulian.metadata.model import Field

__all__ = ["PLAIN_NUMBER", "Cast", "pg_cast"]


def pg_cast(old: Field, new: Field, column: str) -> Cast | None:
    """The cast converting ``old``'s column for ``new`` like the coercer does, if one exists.

    ``column`` comes from validated metadata (an api_name); it is quoted here.
    """
    quoted = '"' + column.replace('"', '""') + '"'
    if old.kind.numeric and new.kind.numeric:
        precision, scale = sum(digits(new)), digits(new)[1]
        return Cast(f"{quoted}::numeric({precision},{scale})")
    if old.kind.textual:
        from_text = storage(new.type).pg_from_text
        return from_text(new, quoted) if from_text is not None else None
    if new.kind.textual:
        to_text = storage(old.type).pg_to_text
        return Cast(to_text(quoted)) if to_text is not None else None
    return None
