"""Cursors of lists ordered by a moment and an id, newest first (the recycle bin,
activities): the last entry's (moment, id), signed for the tenant and the list.

>>> signer = CursorSigner("a secret")
>>> at = dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC)
>>> cursor = encode(signer, ("acme", "Order#bin"), at, "01ABC")
>>> decode(signer, ("acme", "Order#bin"), cursor) == (at, "01ABC")
True
"""

from __future__ import annotations

import datetime as dt

from hulian.engine.errors import QueryError
from hulian.engine.records.cursors import CursorSigner
from hulian.metadata.jsontext import dumps, loads

__all__ = ["MAX_CURSOR", "decode", "encode"]

MAX_CURSOR = 1024
"""A cursor holds a moment and an id: anything longer is not one of ours."""


def encode(signer: CursorSigner, scope: tuple[str, str], at: dt.datetime, last_id: str) -> str:
    """The cursor after the entry (``at``, ``last_id``) of the list ``scope``."""
    return signer.sign(scope, dumps([at.astimezone(dt.UTC).isoformat(), last_id])
                       .encode("utf-8"))


def decode(signer: CursorSigner, scope: tuple[str, str], cursor: object
           ) -> tuple[dt.datetime, str]:
    """The (moment, id) of a cursor ``signer`` made for ``scope``; QueryError
    ``invalid_cursor`` for anything else."""
    bad = QueryError("the cursor is not valid for this list", code="invalid_cursor",
                     parameter="after", hint="pass the 'next' value of the previous page")
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        raise bad
    raw = signer.verify(scope, cursor)
    if raw is None:
        raise bad
    try:
        at_text, last_id = loads(raw)
        at = dt.datetime.fromisoformat(at_text)
    except (ValueError, TypeError):  # signed by us: only a change of format gets here
        raise bad from None
    if not isinstance(last_id, str) or at.tzinfo is None:
        raise bad
    return at, last_id
