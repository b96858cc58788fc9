"""Auto-numbers: ``SO-{yyyy}{mm}-{0000}`` rendered from a counter that never repeats.

Counters live in the tenant's own ``hulian_sequences``
(:mod:`~hulian.engine.system.tenant_tables`), one row per (object, field, period). A
batch of n records takes n numbers with one atomic upsert (``INSERT ... ON CONFLICT DO
UPDATE SET value = value + n RETURNING value``): the row lock serialises concurrent
writers on PostgreSQL, ``BEGIN IMMEDIATE`` does on SQLite, and a rolled-back
transaction gives its numbers back. Periods and date tokens use UTC.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hulian.engine.system.tenant_tables import tables_of
from hulian.metadata.model import Field

TOKEN_RE = re.compile(r"\{(yyyy|yy|mm|dd|0+)\}")
PERIOD_FORMATS = {"never": "", "yearly": "%Y", "monthly": "%Y%m", "daily": "%Y%m%d"}


def render(format_: str, number: int, moment: dt.datetime) -> str:
    def token(match: re.Match) -> str:
        name = match.group(1)
        if name == "yyyy":
            return f"{moment.year:04d}"
        if name == "yy":
            return f"{moment.year % 100:02d}"
        if name == "mm":
            return f"{moment.month:02d}"
        if name == "dd":
            return f"{moment.day:02d}"
        return str(number).zfill(len(name))

    return TOKEN_RE.sub(token, format_)


def take_numbers(conn: sa.Connection, tenant: str, object_name: str, field: Field,
                 count: int, moment: dt.datetime) -> list[str]:
    """Reserve ``count`` consecutive numbers and render them."""
    period = moment.strftime(PERIOD_FORMATS[field.reset or "never"])
    first_value = (field.start if field.start is not None else 1) - 1 + count
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    sequences = tables_of(conn, tenant).sequences
    statement = insert(sequences).values(
        object=object_name, field=field.api_name, period=period, value=first_value,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[sequences.c.object, sequences.c.field, sequences.c.period],
        set_={"value": sequences.c.value + count},
    ).returning(sequences.c.value)
    last = conn.execute(statement).scalar_one()
    return [render(field.format or "{0}", n, moment) for n in range(last - count + 1, last + 1)]
